#!/bin/sh
# The suite checks itself: `before` records what a test run could leave on the host (as
# ctest's first test), `after` (its last) fails, naming them, on any that are new: vmbench's
# processes and the tools it starts, the runs' state directories, cgroups, temporary
# directories and mounts that name vmbench, and vm.max_map_count.
set -u
mode=$1 file=$2

snapshot() {
	for p in /proc/[0-9]*; do
		c=$(cat "$p/comm" 2>/dev/null) || continue
		st=$(sed 's/.*) \(.\).*/\1/' "$p/stat" 2>/dev/null)
		[ "$st" = Z ] && continue
		case $c in
		vmbench | vmbench-agent | vmbench-guard | linux* | qemu-system-* | runc | crun | runsc* | fio)
			echo "process ${p#/proc/} $c" ;;
		esac
	done
	state=${VMBENCH_STATE_DIR:-}
	[ -n "$state" ] || { [ "$(id -u)" = 0 ] && state=/run/vmbench; } ||
		state=${XDG_RUNTIME_DIR:+$XDG_RUNTIME_DIR/vmbench}
	[ -n "$state" ] || state=/tmp/vmbench-$(id -u)
	for d in "$state"/*; do
		[ -e "$d" ] && echo "state $d"
	done
	find /sys/fs/cgroup -name 'vmbench-*' 2>/dev/null | sed 's/^/cgroup /'
	for d in /tmp/vmbench-* /dev/shm/vmbench-* "${TMPDIR:-/tmp}"/vmbench-*; do
		[ -e "$d" ] && echo "file $d"
	done
	awk '$5 ~ /vmbench/ { print "mount " $5 }' /proc/self/mountinfo
	echo "sysctl vm.max_map_count $(cat /proc/sys/vm/max_map_count)"
}

case $mode in
before)
	snapshot | sort -u >"$file"
	;;
after)
	# A killed run's guard may still be cleaning up.
	for i in 1 2 3 4 5 6 7 8 9 10; do
		new=$(snapshot | sort -u | comm -13 "$file" -)
		[ -z "$new" ] && exit 0
		sleep 1
	done
	echo "left behind by the tests:"
	echo "$new"
	exit 1
	;;
*)
	echo "usage: $0 before|after FILE" >&2
	exit 2
	;;
esac
