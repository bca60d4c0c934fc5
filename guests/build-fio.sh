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
CACHE=$1
here=$(cd "$(dirname "$0")" && pwd)
umask 022

say() { echo "build-fio: $*" >&2; }
die() { say "$*"; exit 1; }

ver=$(dpkg-query -W -f='${Version}' fio 2>/dev/null) || ver=
[ -n "$ver" ] || die "fio is not installed (make deps): its Debian version names the source"
# What decides the bytes: this script, the source version, the compiler, the C library and
# the static libraries linked in.
libs=$(dpkg-query -W -f='${Package}=${Version} ' libc6-dev libaio-dev zlib1g-dev 2>/dev/null) ||
	die "libc6-dev, libaio-dev and zlib1g-dev are needed (make deps)"
key=$( {
	cat "$here/build-fio.sh"
	echo "$ver $libs"
	cc --version | head -n 1
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
work=$(mktemp -d "$CACHE/fio/.build.XXXXXX")
trap 'rm -rf "$work"' EXIT
trap 'exit 130' INT TERM

# deb-src for every mirror, suite and component apt takes binary packages from.
apt-get indextargets --format '$(REPO_URI) $(RELEASE) $(COMPONENT)' 'Created-By: Packages' |
	sort -u | while read -r uri rel comp; do echo "deb-src $uri $rel $comp"; done \
	>"$work/sources.list"
[ -s "$work/sources.list" ] || die "apt knows no mirror (run apt-get update)"
mkdir -p "$work/lists/partial" "$work/cache/archives/partial" "$work/src"
apt() {
	apt-get -q -o Dir::Etc::SourceList="$work/sources.list" -o Dir::Etc::SourceParts=/nonexistent \
		-o Dir::State::Lists="$work/lists" -o Dir::Cache="$work/cache" \
		-o APT::Sandbox::User=root "$@"
}
apt update >"$work/apt.log" 2>&1 || die "apt-get update of the source lists failed: $(tail -n 1 "$work/apt.log")"
(cd "$work/src" && apt source --download-only "fio=$ver") >>"$work/apt.log" 2>&1 ||
	die "apt-get source fio=$ver failed: $(tail -n 1 "$work/apt.log")"
(cd "$work/src" && dpkg-source -x ./*.dsc fio) >>"$work/apt.log" 2>&1 ||
	die "dpkg-source could not unpack fio $ver: $(tail -n 1 "$work/apt.log")"

src=$work/src/fio
# --disable-native: the guest's CPU model is not the host's (TCG's is older).
(cd "$src" && ./configure --build-static --disable-native --disable-numa --disable-rdma \
	--disable-rados --disable-rbd --disable-http --disable-gfapi --disable-libnfs \
	--disable-pmem --disable-xnvme --disable-libzbc --disable-tcmalloc --disable-dfs \
	--disable-shm) >"$work/build.log" 2>&1 || die "fio's configure failed: $(tail -n 3 "$work/build.log")"
(cd "$src" && make -j"$(nproc)" fio EXTFLAGS="-ffile-prefix-map=$src=fio") \
	>>"$work/build.log" 2>&1 || die "building fio failed: $(tail -n 3 "$work/build.log")"
strip --strip-all -o "$work/fio" "$src/fio"
# What the job files use must be in it.
engines=$("$work/fio" --enghelp 2>/dev/null)
for e in psync libaio; do
	echo "$engines" | grep -qx "[[:space:]]*$e" || die "the built fio has no $e engine"
done
mkdir -p "$work/out"
mv "$work/fio" "$work/out/fio"
"$work/out/fio" --version >"$work/out/version"
echo "debian_version=$ver" >>"$work/out/version"
rm -rf "$OUT"
mv "$work/out" "$OUT"
# Builds of other inputs unused for 30 days.
find "$CACHE/fio" -mindepth 2 -maxdepth 2 -name version -mtime +30 2>/dev/null |
	while read -r old; do
		[ "$(dirname "$old")" = "$OUT" ] || rm -rf "$(dirname "$old")" 2>/dev/null || :
	done
echo "$OUT/fio"
