#!/bin/sh
# Where a backend's boot goes: boots it N times (lifecycle.boot, every boot a fresh session)
# and prints the median, min and max of each phase, from the host's clock and the guest
# kernel's (results.json raw.phases):
#   before kernel  starting the backend (process, firmware, loading the kernel and the
#                  initramfs) up to the guest kernel's clock start, about its first log line
#   kernel         from there to /init (the kernel's initialisation, the initramfs unpacked)
#   /init          mounts and drivers, up to the agent's start
#   agent          up to the agent's HELLO, where a boot ends
# /init's start is the kernel's log entry "Run /init as init process" (microseconds);
# where the log lacks it, /init's read of /proc/uptime after its first mount (10 ms steps).
# Backends without a kernel of their own (native, container) have the total only.
# A benchmark report, not a test; it runs boots, so never beside another measurement.
# usage: ci/boot-breakdown.sh BACKEND [boots] [build dir]
set -eu
[ $# -ge 1 ] || { echo "usage: ci/boot-breakdown.sh BACKEND [boots] [build dir]" >&2; exit 2; }
BACKEND=$1
BOOTS=${2:-8}
BUILD=${3:-build}
VMBENCH=$BUILD/vmbench
case "$BOOTS" in
'' | *[!0-9]*) echo "boot-breakdown: boots must be a whole number, not '$BOOTS'" >&2; exit 2 ;;
esac
[ "$BOOTS" -ge 1 ] || { echo "boot-breakdown: boots must be at least 1" >&2; exit 2; }
[ -x "$VMBENCH" ] || { echo "boot-breakdown: build vmbench first (make)" >&2; exit 2; }
command -v jq >/dev/null || { echo "boot-breakdown: jq is missing (make deps)" >&2; exit 2; }
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
trap 'exit 130' INT TERM

echo "boot-breakdown: $BOOTS boots of $BACKEND ..." >&2
st=0
"$VMBENCH" -q run --backends "$BACKEND" --workloads lifecycle.boot --reps "$BOOTS" \
	--sessions "$BOOTS" --no-report -o "$out/run" >/dev/null 2>"$out/err" || st=$?
if { [ "$st" -ne 0 ] && [ "$st" -ne 1 ]; } || [ ! -f "$out/run/results.json" ]; then
	cat "$out/err" >&2
	exit $((st ? st : 1))
fi
cell=$(jq -c --arg b "$BACKEND" \
	'.results[] | select(.workload == "lifecycle.boot" and .backend == $b)' \
	"$out/run/results.json")
status=$(printf "%s\n" "$cell" | jq -r '.status')
case "$status" in
ok | noisy) ;;
*) echo "boot-breakdown: $BACKEND: $status: $(printf "%s\n" "$cell" | jq -r '.reason // ""')" >&2; exit 1 ;;
esac

# median (of an even count, the mean of the middle two), min and max, in ms; a jq error
# ends the script, not a table cut short
tab=$(printf "%s\n" "$cell" | jq -r --arg b "$BACKEND" '
	def med: sort | if length % 2 == 1 then .[length / 2 | floor]
		else (.[length / 2 - 1] + .[length / 2]) / 2 end;
	def row(name; xs): [name] + ([xs | med, min, max] | map(. * 1000)) | @tsv;
	[(.raw.phases // [])[] | select(. != null)] as $ph |
	"phase of a \($b) boot (ms)\tmedian\tmin\tmax",
	(if ($ph | length) > 0 then
		row("before kernel"; [$ph[].before_kernel_s]),
		row("kernel"; [$ph[].kernel_s]),
		row("/init"; [$ph[].init_s]),
		row("agent"; [$ph[].agent_s])
	else empty end),
	row("boot to HELLO"; .samples)')
printf "%s\n" "$tab" | awk -F'\t' 'NR == 1 { printf "%-30s %9s %9s %9s\n", $1, $2, $3, $4; next }
		{ printf "%-30s %9.1f %9.1f %9.1f\n", $1, $2, $3, $4 }'
if [ "$(printf "%s\n" "$cell" | jq '[(.raw.phases // [])[] | select(. != null)] | length')" -eq 0 ]; then
	echo "($BACKEND boots no kernel of its own: no phases)"
fi
