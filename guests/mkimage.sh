#!/bin/sh
# Builds the vmbench guest image: the guest kernel (Debian's, downloaded and unpacked into
# the cache, never installed) and one initramfs with busybox, vmbench-agent, its exec
# target, a static fio (build-fio.sh) and its job files, and the drivers of the devices
# under test. The image is named by a hash of every input and rebuilt only when one
# changes; the same inputs give the same bytes (fixed times, renumbered inodes).
#
# usage: mkimage.sh [--check] CACHE_DIR AGENT_DIR [KERNEL_DIR]
#   AGENT_DIR holds vmbench-agent, vmbench-true and fio/*.fio (the build directory);
#   KERNEL_DIR an unpacked kernel (boot/vmlinuz-*, lib/modules/*) instead of Debian's.
#   --check builds nothing: exit 3 when the image is not built (or the kernel not fetched).
# Prints the image directory on stdout; it holds the kernel (vmlinux, or vmlinuz when it
# cannot be unpacked), initrd.cpio, rootfs/ (the same files unpacked: the container
# backend's root) and info (key=value lines). Images unused for 30 days are removed.
#
# Both are stored uncompressed: under emulation the guest would spend seconds undoing the
# kernel's xz and the initramfs's gzip (measured with QEMU TCG here: 6 s to the agent's
# HELLO with both compressed, 3.1 s without). QEMU boots the ELF vmlinux through its PVH
# entry point.
set -eu
umask 022
CHECK=0
if [ "${1:-}" = --check ]; then
	CHECK=1
	shift
fi
[ $# -ge 2 ] || { echo "usage: mkimage.sh [--check] CACHE_DIR AGENT_DIR [KERNEL_DIR]" >&2; exit 2; }
CACHE=$1
AGENTS=$2
KROOT=${3:-}
mkdir -p "$CACHE"
here=$(cd "$(dirname "$0")" && pwd)
MODULES="virtio_pci virtio_mmio virtio_blk virtio_console virtio_balloon ata_piix ahci sd_mod"

say() { echo "mkimage: $*" >&2; }
die() { say "$*"; exit 1; }

for f in vmbench-agent vmbench-true; do
	[ -x "$AGENTS/$f" ] || die "$AGENTS/$f is missing (build vmbench first)"
done
BUSYBOX=/bin/busybox
[ -x "$BUSYBOX" ] && "$BUSYBOX" --list | grep -qx modprobe || die "busybox-static is missing"
if [ $CHECK = 1 ]; then
	rc=0
	FIO=$(sh "$here/build-fio.sh" --check "$CACHE") || rc=$?
	[ $rc = 0 ] || { [ $rc = 3 ] && say "image not built: its fio is not"; exit $rc; }
else
	FIO=$(sh "$here/build-fio.sh" "$CACHE") || die "the guest's fio could not be built"
fi

# The guest kernel: the version linux-image-amd64 depends on, fetched once. apt's answer
# (a second of loading its cache) is kept until apt's package lists change.
if [ -z "$KROOT" ]; then
	lists=$(stat -c %Y /var/lib/apt/lists 2>/dev/null || echo none)
	pkg=
	if [ -f "$CACHE/kernel/.resolved" ]; then
		read -r was pkg <"$CACHE/kernel/.resolved" || pkg=
		[ "$was" = "$lists" ] || pkg=
		case "$pkg" in linux-image-[0-9]*) ;; *) pkg= ;; esac
		case "$pkg" in */* | *..*) pkg= ;; esac
	fi
	if [ -z "$pkg" ]; then
		pkg=$(apt-cache depends linux-image-amd64 2>/dev/null | awk '/Depends: linux-image-[0-9]/ { print $2; exit }')
		[ -n "$pkg" ] || die "cannot resolve linux-image-amd64 (run apt-get update)"
		if [ $CHECK = 0 ]; then
			mkdir -p "$CACHE/kernel"
			echo "$lists $pkg" >"$CACHE/kernel/.resolved.$$" &&
				mv "$CACHE/kernel/.resolved.$$" "$CACHE/kernel/.resolved" || :
		fi
	fi
	KROOT=$CACHE/kernel/$pkg
	[ $CHECK = 0 ] || [ -f "$KROOT/.unpacked" ] || { say "kernel $pkg not fetched"; exit 3; }
	if [ ! -f "$KROOT/.unpacked" ]; then
		say "fetching $pkg (once)"
		tmp=$(mktemp -d "$CACHE/.kernel.XXXXXX")
		trap 'rm -rf "$tmp"' EXIT
		trap 'exit 130' INT TERM
		(cd "$tmp" && apt-get download -q "$pkg" >/dev/null 2>&1) ||
			die "apt-get download $pkg failed"
		mkdir -p "$tmp/root"
		dpkg-deb -x "$tmp"/*.deb "$tmp/root"
		rm -rf "$KROOT"
		mkdir -p "$(dirname "$KROOT")"
		mv "$tmp/root" "$KROOT"
		touch "$KROOT/.unpacked"
		rm -rf "$tmp"
		trap - EXIT INT TERM
	fi
fi
VMLINUZ=$(ls "$KROOT"/boot/vmlinuz-* 2>/dev/null | head -n 1)
[ -n "$VMLINUZ" ] || die "no boot/vmlinuz-* in $KROOT"
KVER=${VMLINUZ##*/vmlinuz-}
MODDIR=$KROOT/lib/modules/$KVER
[ -d "$MODDIR" ] || die "no $MODDIR"

# The module files with their dependencies (paths under $MODDIR), from each module's
# depends= field. A fetched kernel's tree never changes: the answer is kept there, per list
# of modules and version of this script.
resolved=$KROOT/.modules.$( {
	echo "$MODULES"
	cat "$here/mkimage.sh"
} | sha256sum | cut -c1-16)
case "$KROOT" in "$CACHE"/kernel/*) ;; *) resolved= ;; esac
kos=
if [ -n "$resolved" ] && [ -f "$resolved" ]; then
	kos=$(cat "$resolved")
	for ko in $kos; do
		[ -f "$MODDIR/$ko" ] || kos=
	done
fi
if [ -z "$kos" ]; then
	ko_list=$(cat "$MODDIR/modules.order" 2>/dev/null) ||
		ko_list=$(cd "$MODDIR" && find kernel -name '*.ko')
	want=$MODULES
	while :; do
		set -- $want
		[ $# -gt 0 ] || break
		m=$1
		shift
		want="$*"
		pat=$(echo "$m" | sed 's/[_-]/[_-]/g')
		ko=$(echo "$ko_list" | grep -m 1 "/$pat\.ko\$" || :)
		[ -n "$ko" ] || continue # built into the kernel
		case " $kos " in *" $ko "*) continue ;; esac
		kos="$kos $ko"
		deps=$(grep -a -o -m 1 'depends=[^[:cntrl:]]*' "$MODDIR/$ko" | sed 's/^depends=//' |
			tr ',' ' ')
		want="$want $deps"
	done
	if [ -n "$resolved" ] && [ -n "$kos" ] && [ $CHECK = 0 ]; then
		echo "$kos" >"$resolved.$$" && mv "$resolved.$$" "$resolved" || :
	fi
fi

# The key: every input's bytes.
key=$( {
	cat "$here/mkimage.sh" "$here/init" "$AGENTS/vmbench-agent" "$AGENTS/vmbench-true" \
		"$AGENTS"/fio/*.fio "$BUSYBOX" "$FIO" "$VMLINUZ"
	for f in $kos; do cat "$MODDIR/$f"; done
	echo "$MODULES"
} | sha256sum | cut -c1-16)
OUT=$CACHE/images/$key
up_to_date() {
	[ -f "$OUT/info" ] || return 1
	say "image $key is up to date"
	touch "$OUT/info" 2>/dev/null || : # in use: kept by the pruning below
	echo "$OUT"
	exit 0
}
up_to_date || :
[ $CHECK = 0 ] || { say "image $key is not built"; exit 3; }

# One build at a time per cache: another one may be making this very image.
mkdir -p "$CACHE/images"
exec 9>"$CACHE/images/.lock"
flock 9
up_to_date || :
say "building image $key"
command -v cpio >/dev/null || die "GNU cpio is missing (make deps)"
stage=$(mktemp -d "$CACHE/.stage.XXXXXX")
trap 'rm -rf "$stage"' EXIT
trap 'exit 130' INT TERM
mkdir -p "$stage/bin" "$stage/usr/bin" "$stage/proc" "$stage/sys" "$stage/dev" "$stage/tmp" \
	"$stage/vmbench/fio" "$stage/lib/modules/$KVER"
cp "$BUSYBOX" "$stage/bin/busybox"
# Its applets as links, as in the container backend /init never runs.
for applet in $("$BUSYBOX" --list); do
	[ "$applet" = busybox ] || [ -e "$stage/bin/$applet" ] || ln -s busybox "$stage/bin/$applet"
done
cp "$here/init" "$stage/init"
chmod 755 "$stage/init"
cp "$AGENTS/vmbench-agent" "$AGENTS/vmbench-true" "$stage/vmbench/"
cp "$AGENTS"/fio/*.fio "$stage/vmbench/fio/"
echo "$MODULES" | tr ' ' '\n' >"$stage/vmbench/modules"
cp "$FIO" "$stage/usr/bin/fio"
for ko in $kos; do
	mkdir -p "$stage/lib/modules/$KVER/$(dirname "$ko")"
	cp "$MODDIR/$ko" "$stage/lib/modules/$KVER/$ko"
done
"$BUSYBOX" depmod -b "$stage" "$KVER"
# busybox depmod writes its indexes in directory order, which differs from one filesystem
# to another; each line stands alone, so sorted they are the same everywhere.
for f in modules.dep modules.alias modules.symbols; do
	if [ -f "$stage/lib/modules/$KVER/$f" ]; then
		LC_ALL=C sort -o "$stage/lib/modules/$KVER/$f" "$stage/lib/modules/$KVER/$f"
	fi
done

tmpout=$(mktemp -d "$CACHE/images/.new.XXXXXX")
trap 'rm -rf "$stage" "$tmpout"' EXIT
# The same bytes from the same inputs: every file's time set to 0, owner root, inodes
# renumbered in name order (GNU cpio --reproducible).
chmod 755 "$stage" # the guest's / (mktemp made it 0700)
find "$stage" -exec touch -h -d @0 {} +
(cd "$stage" && find . | LC_ALL=C sort |
	cpio -o -H newc -R 0:0 --reproducible --quiet) >"$tmpout/initrd.cpio"
# The ELF kernel inside the bzImage: the payload after the xz magic.
kernel=vmlinuz
off=$(LC_ALL=C grep -abo "$(printf '\3757zXZ')" "$VMLINUZ" 2>/dev/null | head -n 1 | cut -d: -f1 || true)
# xz complains of the bytes the bzImage keeps after the stream: the ELF magic decides.
if [ -n "$off" ]; then
	tail -c +$((off + 1)) "$VMLINUZ" | xz -dc >"$tmpout/vmlinux" 2>/dev/null || true
fi
if [ -s "$tmpout/vmlinux" ] &&
	[ "$(head -c 4 "$tmpout/vmlinux" | od -An -c | tr -d ' ')" = "177ELF" ]; then
	kernel=vmlinux
else
	rm -f "$tmpout/vmlinux"
	cp "$VMLINUZ" "$tmpout/vmlinuz"
fi
{
	echo "key=$key"
	echo "kernel=$OUT/$kernel"
	echo "initrd=$OUT/initrd.cpio"
	echo "kernel_version=$KVER"
	echo "kernel_sha256=$(sha256sum "$tmpout/$kernel" | cut -d' ' -f1)"
	echo "initrd_sha256=$(sha256sum "$tmpout/initrd.cpio" | cut -d' ' -f1)"
	echo "kernel_bytes=$(stat -c %s "$tmpout/$kernel")"
	echo "initrd_bytes=$(stat -c %s "$tmpout/initrd.cpio")"
	echo "modules=$MODULES"
} >"$tmpout/info"
# The unpacked tree stays as the containers' read-only root.
mv "$stage" "$tmpout/rootfs"
echo "rootfs=$OUT/rootfs" >>"$tmpout/info"
# Under the lock nobody else made $OUT; what is there is a broken earlier attempt.
rm -rf "$OUT"
mv "$tmpout" "$OUT"
# Images of older inputs unused for 30 days, and what builds that died left behind.
find "$CACHE/images" -mindepth 2 -maxdepth 2 -name info -mtime +30 2>/dev/null |
	while read -r old; do
		[ "$(dirname "$old")" = "$OUT" ] || rm -rf "$(dirname "$old")" 2>/dev/null || :
	done
find "$CACHE" "$CACHE/images" -mindepth 1 -maxdepth 1 \( -name '.stage.*' -o -name '.new.*' \) \
	-mmin +1440 -exec rm -rf {} + 2>/dev/null || :
echo "$OUT"
