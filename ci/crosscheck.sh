#!/bin/sh
# Cross-checks vmbench's native numbers against established tools on the same CPU:
# perf bench (syscall, sched pipe), mbw (a copy loop) and fio run directly on the same test
# disk.
# A benchmark report, not a test: per workload it prints ours, the reference and the ratio.
# usage: ci/crosscheck.sh [build dir] [profile]     (after make; needs perf, mbw, fio, jq)
set -eu
BUILD=${1:-build}
PROFILE=${2:-standard}
VMBENCH=$BUILD/vmbench
[ -x "$VMBENCH" ] || { echo "crosscheck: build vmbench first (make)" >&2; exit 2; }
for tool in perf mbw fio jq taskset; do
	command -v $tool >/dev/null || { echo "crosscheck: $tool is missing (make deps)" >&2; exit 2; }
done

CPU=$("$VMBENCH" doctor | sed -n 's/.*measurement CPU \([0-9]*\).*/\1/p')
CPU=${CPU:-0}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT INT TERM

median() { sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
five() { for i in 1 2 3 4 5; do "$@"; done | median; }

echo "vmbench run --backends native --profile $PROFILE (CPU $CPU) ..." >&2
"$VMBENCH" -q run --backends native --profile "$PROFILE" --cpu "$CPU" -o "$out" >/dev/null || true
R=$out/results.json
# field WORKLOAD JQ-EXPRESSION: a number from the workload's cell
field() { jq -r --arg w "$1" ".results[] | select(.workload == \$w) | $2 // empty" "$R"; }
DISK=$(jq -r '.provenance.run.disk // empty' "$R")

rows=$out/rows
: >"$rows"
row() { # workload ours reference unit tool
	awk -v w="$1" -v a="$2" -v b="$3" -v u="$4" -v t="$5" 'BEGIN {
		r = (a == "" || b == "" || b == 0) ? "-" : sprintf("%.3f", a / b)
		printf "%-20s %12s %12s %8s  %-7s %s\n", w, a == "" ? "-" : sprintf("%.4g", a),
			b == "" ? "-" : sprintf("%.4g", b), r, u, t }' >>"$rows"
}

# Null system call: perf bench syscall basic (a getppid loop), usecs/op.
ref=$(five sh -c "taskset -c $CPU perf bench syscall basic 2>/dev/null | awk '/usecs\/op/ { print \$1 * 1000 }'")
row syscall.getppid "$(field syscall.getppid .median)" "$ref" ns/op "perf bench syscall basic"

# Context switch: perf bench sched pipe with both tasks on one CPU does two switches per
# op, pipe work included; ours plus the pipe overhead it subtracted is the same quantity.
ref=$(five sh -c "taskset -c $CPU perf bench sched pipe -l 20000 2>/dev/null | awk '/usecs\/op/ { print \$1 * 1000 / 2 }'")
ours=$(field ctx.pipe '(.median + .extra.overhead_ns)')
row "ctx.pipe+overhead" "$ours" "$ref" ns/sw "perf bench sched pipe (taskset 1 CPU) / 2"

# Memory bandwidth: STREAM copy is a plain b[i] = a[i] loop, as mbw's "dumb" test; STREAM
# counts the bytes read and written, mbw the bytes copied (MiB/s).
bytes=$(field mem.bw.copy .extra.array_bytes)
if [ -n "$bytes" ]; then
	mb=$((bytes / 1048576))
	ref=$(five sh -c "taskset -c $CPU mbw -q -n 5 -t1 $mb 2>/dev/null | awk '/^AVG/ { for (i = 1; i < NF; i++) if (\$i == \"Copy:\") print \$(i + 1) * 1.048576 / 1000 }'")
	ours=$(field mem.bw.copy '(.median / 2)')
	row "mem.bw.copy/2" "$ours" "$ref" GB/s "mbw -t1 ${mb} (a copy loop), GB/s"
fi

# Block I/O: the same job file, run by fio directly on the same test disk.
for job in io.randread4k.qd1 io.randwrite4k.qd1 io.randread4k.qd32 io.seqread1m io.seqwrite1m; do
	[ -n "$DISK" ] || break
	case $job in io.seq*) key=bw_bytes; scale=1e-6 unit=MB/s ;; *) key=iops; scale=1 unit=IOPS ;; esac
	case $job in *write*) dir=write ;; *) dir=read ;; esac
	ref=$(taskset -c "$CPU" fio --output-format=json --filename="$DISK" --size="$(stat -c %s "$DISK")" \
		--time_based --runtime=3s --ramp_time=500ms "$BUILD/fio/$job.fio" 2>/dev/null |
		jq -r ".jobs[0].$dir.$key * $scale")
	row "$job" "$(field "$job" .median)" "$ref" "$unit" "fio $job.fio directly, 3 s"
	case $job in io.seq*) same=.extra.MB_per_s ;; *) same=.extra.iops ;; esac
	row "  (same run)" "$(field "$job" .median)" "$(field "$job" "$same")" "$unit" \
		"fio's JSON summary of vmbench's own run (mean over the run)"
done

printf '%-20s %12s %12s %8s  %-7s %s\n' workload vmbench reference ratio unit "reference tool"
cat "$rows"
echo
echo "vmbench medians from $PROFILE on native, CPU $CPU; references: median of 5 runs (fio: one 3 s run)."
echo "Run-to-run variation of the machine shows in the fio rows; '(same run)' compares our"
echo "median of per-interval samples with fio's own summary of the very same run."
