#!/bin/sh
# Cross-checks vmbench's native numbers against established tools on the same CPU:
# perf bench (syscall, sched pipe), mbw (a copy loop) and fio run directly on the same test
# disk.
# Each row is PAIRS pairs of one vmbench session of the workload and one run of the
# reference, alternating which goes first: this host moves memory bandwidth and I/O by up
# to 2x between fresh processes minutes apart, so one run of each compares two draws of
# that drift; pairs side by side in time share it. Per workload it prints the medians of
# ours and of the reference over the pairs, their ratio and the range of the pairs'
# ratios. A benchmark report, not a test.
# usage: ci/crosscheck.sh [build dir] [profile] [pairs]   (after make; needs perf, mbw, fio, jq)
set -eu
BUILD=${1:-build}
PROFILE=${2:-quick}
PAIRS=${3:-5}
VMBENCH=$BUILD/vmbench
[ -x "$VMBENCH" ] || { echo "crosscheck: build vmbench first (make)" >&2; exit 2; }
for tool in perf mbw fio jq taskset; do
	command -v $tool >/dev/null || { echo "crosscheck: $tool is missing (make deps)" >&2; exit 2; }
done
case $PAIRS in '' | *[!0-9]*) PAIRS=0 ;; esac
[ "$PAIRS" -gt 0 ] || { echo "crosscheck: pairs must be a positive number" >&2; exit 2; }

CPU=$("$VMBENCH" doctor | sed -n 's/.*measurement CPU \([0-9]*\).*/\1/p')
CPU=${CPU:-0}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
trap 'exit 130' INT TERM

# ours WORKLOAD JQ-EXPRESSION: one session of the workload; the expression on its cell,
# which is kept in $out/cells.WORKLOAD (one line each).
ours() {
	# This runs in a command substitution, whose shell would die at Ctrl-C while vmbench
	# still ends its run in $out: that shell waits for it instead (vmbench handles the
	# signal itself), and the script's trap cleans up after.
	trap '' INT TERM
	rm -rf "$out/run"
	"$VMBENCH" -q run --backends native --workloads "$1" --profile "$PROFILE" --sessions 1 \
		--cpu "$CPU" --no-report -o "$out/run" >/dev/null 2>&1 || true
	jq -c ".results[0]" "$out/run/results.json" >>"$out/cells.$1" 2>/dev/null || true
	jq -r ".results[0] | $2 // empty" "$out/run/results.json" 2>/dev/null || true
}

rows=$out/rows
: >"$rows"
# row WORKLOAD UNIT TOOL: the pairs in $out/pairs (ours reference per line).
row() {
	awk -v w="$1" -v u="$2" -v t="$3" '
	function med(x, n,   i, j, s) {
		for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++)
			if (x[j] < x[i]) { s = x[i]; x[i] = x[j]; x[j] = s }
		return n % 2 ? x[(n + 1) / 2] : (x[n / 2] + x[n / 2 + 1]) / 2
	}
	NF == 2 && $1 != "" && $2 > 0 { a[++n] = $1; b[n] = $2; r = $1 / $2
		lo = n == 1 || r < lo ? r : lo; hi = n == 1 || r > hi ? r : hi }
	END {
		if (!n) { printf "%-20s %12s %12s %8s %13s  %-7s %s\n", w, "-", "-", "-", "-", u, t; exit }
		ma = med(a, n); mb = med(b, n)
		printf "%-20s %12.4g %12.4g %8.3f %6.2f-%-6.2f  %-7s %s (%d pairs)\n", w, ma, mb,
			ma / mb, lo, hi, u, t, n }' "$out/pairs" >>"$rows"
}

# pairs WORKLOAD JQ-EXPRESSION REFERENCE-COMMAND...: PAIRS lines of "ours reference".
pairs() {
	w=$1 expr=$2
	shift 2
	: >"$out/pairs"
	i=0
	while [ $i -lt "$PAIRS" ]; do
		if [ $((i % 2)) -eq 0 ]; then
			a=$(ours "$w" "$expr")
			b=$("$@" || true)
		else
			b=$("$@" || true)
			a=$(ours "$w" "$expr")
		fi
		echo "$a $b" >>"$out/pairs"
		i=$((i + 1))
	done
}

echo "crosscheck: $PAIRS pairs per workload, profile $PROFILE, CPU $CPU ..." >&2

# Null system call: perf bench syscall basic (a getppid loop), usecs/op.
perf_syscall() { taskset -c "$CPU" perf bench syscall basic 2>/dev/null | awk '/usecs\/op/ { print $1 * 1000 }'; }
pairs syscall.getppid .median perf_syscall
row syscall.getppid ns/op "perf bench syscall basic"
# The bare kernel entry (a system call with no handler) against the same loop: getppid's
# own work in the kernel is all that separates them.
pairs trap.syscall .median perf_syscall
row trap.syscall ns/op "perf bench syscall basic (getppid: entry + its work)"

# Context switch: perf bench sched pipe with both tasks on one CPU does two switches per
# op, pipe work included; ours plus the pipe overhead it subtracted is the same quantity.
perf_pipe() { taskset -c "$CPU" perf bench sched pipe -l 20000 2>/dev/null | awk '/usecs\/op/ { print $1 * 1000 / 2 }'; }
pairs ctx.pipe '(.median + .extra.overhead_ns)' perf_pipe
row "ctx.pipe+overhead" ns/sw "perf bench sched pipe (taskset 1 CPU) / 2"

# Memory bandwidth: STREAM copy is a plain c[i] = a[i] loop, as mbw's "dumb" test; STREAM
# counts the bytes read and written, mbw the bytes copied (MiB/s). Arrays of the size
# vmbench chose for this host.
bytes=$(ours mem.bw.copy .extra.array_bytes)
if [ -n "$bytes" ]; then
	mb=$((bytes / 1048576))
	mbw_copy() { taskset -c "$CPU" mbw -q -n 5 -t1 "$mb" 2>/dev/null | awk '/^AVG/ { for (i = 1; i < NF; i++) if ($i == "Copy:") print $(i + 1) * 1.048576 / 1000 }'; }
	pairs mem.bw.copy '(.median / 2)' mbw_copy
	row "mem.bw.copy/2" GB/s "mbw -t1 ${mb} (a copy loop)"
fi

# Block I/O: the same job file, run by fio directly on the same test disk (the one vmbench's
# run just used: a pair starts with vmbench).
for job in io.randread4k.qd1 io.randwrite4k.qd1 io.randread4k.qd32 io.seqread1m io.seqwrite1m; do
	case $job in io.seq*) key=bw_bytes scale=1e-6 unit=MB/s same=.extra.MB_per_s ;;
		*) key=iops scale=1 unit=IOPS same=.extra.iops ;; esac
	case $job in *write*) dir=write ;; *) dir=read ;; esac
	fio_direct() {
		DISK=$(jq -r '.provenance.run.disk // empty' "$out/run/results.json" 2>/dev/null || true)
		[ -n "$DISK" ] || { : >"$out/nodisk"; return 1; }
		taskset -c "$CPU" fio --output-format=json --filename="$DISK" --size="$(stat -c %s "$DISK")" \
			--time_based --runtime=3s --ramp_time=500ms "$BUILD/fio/$job.fio" 2>/dev/null |
			jq -r ".jobs[0].$dir.$key * $scale"
	}
	pairs "$job" .median fio_direct
	if [ -e "$out/nodisk" ]; then
		echo "crosscheck: no test disk in vmbench's provenance: fio rows skipped" >&2
		break
	fi
	row "$job" "$unit" "fio $job.fio directly, 3 s"
	# Our median of per-interval samples against fio's own summary of the same runs.
	jq -r "[.median // \"\", $same // 0] | @tsv" "$out/cells.$job" | tr '\t' ' ' >"$out/pairs"
	row "  (same run)" "$unit" "fio's JSON summary of vmbench's own run"
done

printf '%-20s %12s %12s %8s %13s  %-7s %s\n' workload vmbench reference ratio "pair ratios" unit "reference tool"
cat "$rows"
echo
echo "Medians over $PAIRS pairs, each one vmbench session ($PROFILE) on native and one reference"
echo "run, alternating which goes first, on CPU $CPU. '(same run)' compares our median of"
echo "per-interval samples with fio's own mean over the very same run."
