#!/bin/sh
# Installs the Debian packages vmbench needs to build, test and compare; installs nothing
# that is already there. As root it runs apt-get; otherwise it prints the command and stops.
set -eu

# Build and test: compiler, CMake, the libraries (jansson, GSL, libpfm4, hwloc, OpenSSL's
# libcrypto, Criterion), clang-format for the format check; libaio-dev and zlib1g-dev for
# the guest image's static fio (guests/build-fio.sh).
BUILD="build-essential cmake pkg-config git libjansson-dev libgsl-dev libpfm4-dev libhwloc-dev libssl-dev libcriterion-dev clang-format libaio-dev zlib1g-dev"
# Running: fio for the io.* workloads (natively; its version names the source of the
# guest's), busybox-static, xz-utils and cpio for the guest image,
# qemu-system-x86 for the tcg and kvm backends, user-mode-linux for uml, runc and crun
# (both: the container backend uses the one that works here), criu for the container's
# snapshots (runc checkpoint/restore) with iptables and iproute2, which CRIU runs for the
# container's network namespace (Debian's criu only recommends iproute2), runsc for gvisor;
# perf, mbw and jq for ci/crosscheck.sh; gnuplot for the plots.
RUN="linux-perf mbw fio jq busybox-static xz-utils cpio qemu-system-x86 user-mode-linux runc crun criu iptables iproute2 runsc gnuplot-nox"

# Tests only (`install-deps.sh test`): Chromium renders the HTML report headless, and
# pdflatex (with booktabs) compiles the LaTeX one; xmllint and xsltproc check compare's
# JUnit XML against the JUnit schemas (ci/junit-schema.sh), which npm fetches; python3
# runs the nanoguest's protocol driver (guests/nanoguest/tools/drive.py).
TEST="chromium texlive-latex-recommended libxml2-utils xsltproc python3"
# Fuzzing only (`install-deps.sh fuzz`, ci/fuzz.sh): clang with its libFuzzer and sanitizer
# runtimes (libclang_rt.fuzzer is in libclang-rt-14-dev on Debian 12, which the
# libclang-rt-dev of the same LLVM as clang brings), and llvm for llvm-symbolizer, which
# names the lines of a crash's stack.
FUZZ="clang libclang-rt-dev llvm"
want="$BUILD $RUN"
if [ "${1:-}" = test ]; then
	want="$want $TEST"
	# Debian's npm only where there is no npm at all: a Node.js from elsewhere (NodeSource's
	# nodejs package brings its own npm and conflicts with Debian's) is kept.
	command -v npm >/dev/null || want="$want npm"
elif [ "${1:-}" = fuzz ]; then
	want="$want $FUZZ"
fi

missing=""
for pkg in $want; do
	status=$(dpkg-query -W -f='${db:Status-Abbrev}' "$pkg" 2>/dev/null || true)
	case "$status" in
	ii*) ;;
	*) missing="$missing $pkg" ;;
	esac
done

if [ -z "$missing" ]; then
	exit 0
fi

cmd="apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends$missing"
if [ "$(id -u)" -ne 0 ]; then
	echo "vmbench needs these Debian packages:$missing" >&2
	echo "Run as root, then run make again:" >&2
	echo "  sudo sh -c '$cmd'" >&2
	exit 1
fi
echo "installing:$missing" >&2
apt-get update
DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $missing
