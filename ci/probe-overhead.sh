#!/bin/sh
# What the probes cost: runs the same cells with probes and with --no-probes, ROUNDS times
# each, alternating, and prints per backend and workload the median of the medians of
# both, their ratio, and the spread: the largest per-round median of one mode over its
# smallest, the larger of the two modes' (how far this host's noise alone moves a median
# between runs). The timed samples run with no probe attached by design (the counting
# pass comes after them), so a ratio away from 1 by more than the spread is a bug.
# A benchmark report, not a test.
# usage: ci/probe-overhead.sh [build dir] [backends] [workloads] [rounds] [profile]
set -eu
BUILD=${1:-build}
BACKENDS=${2:-native,container,uml}
WORKLOADS=${3:-syscall.getppid,mem.pagefault,proc.fork,cpu.int}
ROUNDS=${4:-6}
PROFILE=${5:-quick}
VMBENCH=$BUILD/vmbench
[ -x "$VMBENCH" ] || { echo "probe-overhead: build vmbench first (make)" >&2; exit 2; }
command -v jq >/dev/null || { echo "probe-overhead: jq is missing (make deps)" >&2; exit 2; }
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
trap 'exit 130' INT TERM

r=1
while [ "$r" -le "$ROUNDS" ]; do
	for mode in with without; do
		flag=
		[ $mode = with ] || flag=--no-probes
		echo "round $r/$ROUNDS, $mode probes ..." >&2
		"$VMBENCH" -q run --backends "$BACKENDS" --workloads "$WORKLOADS" \
			--profile "$PROFILE" --no-report $flag -o "$out/$mode-$r" >/dev/null || true
		jq -r --arg m $mode '.results[] | select(.median != null) |
			[.backend, .workload, $m, .median] | @tsv' "$out/$mode-$r/results.json" \
			>>"$out/rows"
	done
	r=$((r + 1))
done

printf '%-11s %-18s %12s %12s %7s %7s\n' backend workload with without ratio spread
sort -k1,1 -k2,2 -k3,3 -k4,4g "$out/rows" | awk -F'\t' '
	function med(a, n) { return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2 }
	function spread(a, n) { return n && a[1] > 0 ? a[n] / a[1] : 0 }
	function flush() {
		if (key == "") return
		if (!nw || !no) {
			printf "%-11s %-18s %12s %12s %7s %7s\n", b, wl, nw ? med(W, nw) : "-",
				no ? med(O, no) : "-", "-", "-"
			return
		}
		w = med(W, nw); o = med(O, no); sw = spread(W, nw); so = spread(O, no)
		printf "%-11s %-18s %12.4g %12.4g %7.3f %7.3f\n", b, wl, w, o, o ? w / o : 0,
			(sw > so ? sw : so)
	}
	{ k = $1 "\t" $2
	  if (k != key) { flush(); key = k; b = $1; wl = $2; nw = 0; no = 0; split("", W); split("", O) }
	  if ($3 == "with") W[++nw] = $4; else O[++no] = $4 }
	END { flush() }'
