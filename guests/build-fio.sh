#!/bin/sh
# Builds the guest image's fio: the real fio, from Debian's source package of the version
# installed on the host, linked statically with only what the job files need (psync and
# libaio; no RBD, RDMA, NFS, HTTP, pmem or NUMA). Debian's dynamic fio drags about 85 MB of
# libraries into the initramfs (ICU, Ceph, GnuTLS, ...), which a TCG guest spends seconds
# loading and unpacking; this one is a single file of about 3 MB.
#
# usage: build-fio.sh [--check] CACHE_DIR
# Prints the path of the binary on stdout; built once per input (this script, the source
# version, the compiler and the static libraries) under CACHE_DIR/fio/<hash>/. --check
# builds nothing: exit 3 when it is not built.
#
# The source comes with apt from the mirrors apt already uses, through a private apt state
# in the cache (deb-src lines, lists): nothing in /etc is touched. apt checks the files
# against the signed index. The build maps its directory out of the binary and is
# stripped, so the same inputs give the same bytes (tests/integration/image.c).
set -eu
CHECK=0
if [ "${1:-}" = --check ]; then
	CHECK=1
	shift
fi
[ $# -eq 1 ] || { echo "usage: build-fio.sh [--check] CACHE_DIR" >&2; exit 2; }
mkdir -p "$1"
# Absolute: the build directory is mapped out of the binary by its absolute name.
CACHE=$(cd "$1" && pwd -P)
here=$(cd "$(dirname "$0")" && pwd)
umask 022

say() { echo "build-fio: $*" >&2; }
die() { say "$*"; exit 1; }

ver=$(dpkg-query -W -f='${Version}' fio 2>/dev/null) || ver=
[ -n "$ver" ] || die "fio is not installed (make deps): its Debian version names the source"
# What decides the bytes: this script, the source version, the compiler, the linker, the C
# library, the kernel headers and the static libraries linked in. Everything else configure
# could find on the host is switched off below.
libs=$(dpkg-query -W -f='${Package}=${Version} ' libc6-dev libaio-dev zlib1g-dev linux-libc-dev \
	binutils 2>/dev/null) ||
	die "libc6-dev, libaio-dev, zlib1g-dev, linux-libc-dev and binutils are needed (make deps)"
command -v gcc >/dev/null || die "gcc is missing (make deps)"
key=$( {
	cat "$here/build-fio.sh"
	echo "$ver $libs"
	gcc --version | head -n 1
} | sha256sum | cut -c1-16)
OUT=$CACHE/fio/$key
built() {
	[ -x "$OUT/fio" ] && [ -f "$OUT/version" ] || return 1
	touch "$OUT/version" 2>/dev/null || : # in use: kept by the pruning below
	echo "$OUT/fio"
	exit 0
}
built || :
[ $CHECK = 0 ] || { say "fio $ver is not built"; exit 3; }

mkdir -p "$CACHE/fio"
exec 8>"$CACHE/fio/.lock"
flock 8
built || :
say "building fio $ver from Debian's source, statically (once, about a minute)"
# What builds that died left behind (a day old: not one running now, which holds the lock).
find "$CACHE/fio" -mindepth 1 -maxdepth 1 -name '.build.*' -mmin +1440 -exec rm -rf {} + 2>/dev/null || :
work=$(mktemp -d "$CACHE/fio/.build.XXXXXX")
trap 'rm -rf "$work"' EXIT
trap 'exit 130' INT TERM HUP PIPE
# A failure keeps its logs here and names them.
fail() {
	cat "$work"/*.log "$work/src/fio/config.log" >"$CACHE/fio/last-failure.log" 2>/dev/null || :
	say "$* (logs: $CACHE/fio/last-failure.log)"
	exit 1
}

# deb-src for every Debian mirror, suite and component apt takes binary packages from,
# checked with Debian's archive keys.
signed=
[ -f /usr/share/keyrings/debian-archive-keyring.gpg ] &&
	signed="[signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] "
apt-get indextargets --format '$(REPO_URI) $(RELEASE) $(COMPONENT)' 'Created-By: Packages' \
	'Origin: Debian' | sort -u |
	while read -r uri rel comp; do echo "deb-src $signed$uri $rel $comp"; done >"$work/sources.list"
[ -s "$work/sources.list" ] || die "apt knows no Debian mirror (run apt-get update)"
mkdir -p "$work/lists/partial" "$work/cache/archives/partial" "$work/src"
apt() {
	apt-get -q -o Dir::Etc::SourceList="$work/sources.list" -o Dir::Etc::SourceParts=/nonexistent \
		-o Dir::State::Lists="$work/lists" -o Dir::Cache="$work/cache" \
		-o APT::Sandbox::User=root -o APT::Update::Post-Invoke= \
		-o APT::Update::Post-Invoke-Success= "$@"
}
# Whether the lists came is for apt-get source to say: it names what is missing.
apt update >"$work/apt.log" 2>&1 || :
if ! (cd "$work/src" && apt source --download-only "fio=$ver") >>"$work/apt.log" 2>&1; then
	msgs=$(grep -E '^(E|W|Err):' "$work/apt.log" | tr '\n' ' ')
	grep -q "Can not find version\|Unable to find a source package" "$work/apt.log" &&
		msgs="$msgs(the Debian mirror may no longer have fio $ver's source: upgrade fio with apt-get, then build again)"
	fail "apt-get source fio=$ver from the Debian mirror failed: $msgs"
fi
(cd "$work/src" && dpkg-source -x ./*.dsc fio) >>"$work/apt.log" 2>&1 ||
	fail "dpkg-source could not unpack fio $ver"

src=$work/src/fio
# Nothing from the caller's environment or make: only the key's inputs decide the bytes.
clean() {
	env -u CC -u CFLAGS -u CPPFLAGS -u LDFLAGS -u LIBS -u EXTFLAGS -u MAKEFLAGS -u MFLAGS \
		-u MAKELEVEL -u MAKEOVERRIDES "$@"
}
# --disable-native: the guest's CPU model is not the host's (TCG's is older). --disable-lex:
# whether flex and bison are installed must not change the binary. fio's default of a
# process per job stays (shm on), as in Debian's fio natively.
(cd "$src" && clean ./configure --cc=gcc --build-static --disable-native --disable-lex \
	--disable-numa --disable-rdma --disable-rados --disable-rbd --disable-http \
	--disable-gfapi --disable-libnfs --disable-pmem --disable-xnvme --disable-libzbc \
	--disable-tcmalloc --disable-dfs) >"$work/build.log" 2>&1 || fail "fio's configure failed"
# A debugging aid configure turns on when valgrind's headers happen to be installed.
sed -i '/CONFIG_VALGRIND_DEV/d' "$src/config-host.h" "$src/config-host.mak"
(cd "$src" && clean make -j"$(nproc)" fio EXTFLAGS="-ffile-prefix-map=$src=fio") \
	>>"$work/build.log" 2>&1 || fail "building fio failed"
strip --strip-all -o "$work/fio" "$src/fio" 2>>"$work/build.log" || fail "strip failed"
# What the job files use must be in it.
engines=$("$work/fio" --enghelp 2>/dev/null) || fail "the built fio does not run"
for e in psync libaio; do
	echo "$engines" | grep -qx "[[:space:]]*$e" || fail "the built fio has no $e engine"
done
mkdir -p "$work/out"
mv "$work/fio" "$work/out/fio"
"$work/out/fio" --version >"$work/out/version" || fail "the built fio does not run"
echo "debian_version=$ver" >>"$work/out/version"
rm -rf "$OUT"
mv "$work/out" "$OUT"
# Builds of other inputs unused for 30 days.
find "$CACHE/fio" -mindepth 2 -maxdepth 2 -name version -mtime +30 2>/dev/null |
	while read -r old; do
		[ "$(dirname "$old")" = "$OUT" ] || rm -rf "$(dirname "$old")" 2>/dev/null || :
	done
echo "$OUT/fio"
