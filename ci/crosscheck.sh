#!/bin/sh
# Cross-checks vmbench's native numbers against established tools, on the same CPU.
# A benchmark report, not a test: it prints ours, the reference, and the ratio.
# usage: ci/crosscheck.sh [build dir]   (after make; needs perf from linux-perf)
set -eu
BUILD=${1:-build}
VMBENCH=$BUILD/vmbench
[ -x "$VMBENCH" ] || { echo "crosscheck: build vmbench first (make)" >&2; exit 2; }
command -v perf >/dev/null || { echo "crosscheck: perf is missing (apt-get install linux-perf)" >&2; exit 2; }

# The measurement CPU vmbench would use, from its doctor report.
CPU=$("$VMBENCH" doctor | sed -n 's/.*measurement CPU \([0-9]*\).*/\1/p')
CPU=${CPU:-0}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT INT TERM

median() { sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

# perf bench syscall basic: a loop of getppid(), usecs/op; the median of 5 runs.
ref_getppid=$(for i in 1 2 3 4 5; do
	taskset -c "$CPU" perf bench syscall basic 2>/dev/null | awk '/usecs\/op/ { print $1 * 1000 }'
done | median)

"$VMBENCH" -q run --backends native --workloads syscall.getppid --profile standard \
	--cpu "$CPU" -o "$out" >"$out/summary.txt"
ours_getppid=$(awk '$1 == "native" && $2 == "syscall.getppid" { print $4 }' "$out/summary.txt")
ci_getppid=$(awk '$1 == "native" && $2 == "syscall.getppid" { print $5, $6 }' "$out/summary.txt")

printf '%-18s %12s %12s %8s  %s\n' workload vmbench reference ratio "reference tool"
printf '%-18s %12s %12s %8s  %s\n' syscall.getppid "$ours_getppid" "$ref_getppid" \
	"$(awk -v a="$ours_getppid" -v b="$ref_getppid" 'BEGIN { printf "%.3f", a / b }')" \
	"perf bench syscall basic (ns/op, median of 5, CPU $CPU)"
echo "vmbench 95% CI of the median: $ci_getppid ns/op"
