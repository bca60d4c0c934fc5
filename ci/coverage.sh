#!/bin/sh
# Are the 95% confidence intervals honest? Runs the same profile twice, independently (each
# run its own sessions), and prints the share of cells whose second median lies inside the
# first run's 95% CI, and the reverse. Honest 95% intervals of the quantity a reader cares
# about (what another run would measure) cover about 95%; intervals that leave out the
# variance between sessions cover far less. A benchmark report, not a test.
# usage: ci/coverage.sh [build dir] [backends] [profile] [workloads]
set -eu
BUILD=${1:-build}
BACKENDS=${2:-native,container}
PROFILE=${3:-quick}
WORKLOADS=${4:-}
VMBENCH=$BUILD/vmbench
[ -x "$VMBENCH" ] || { echo "coverage: build vmbench first (make)" >&2; exit 2; }
command -v jq >/dev/null || { echo "coverage: jq is missing (make deps)" >&2; exit 2; }
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
trap 'exit 130' INT TERM

for run in 1 2; do
	echo "run $run of 2: $BACKENDS, profile $PROFILE ..." >&2
	"$VMBENCH" -q run --backends "$BACKENDS" --profile "$PROFILE" --no-report \
		${WORKLOADS:+--workloads "$WORKLOADS"} -o "$out/$run" >/dev/null || true
	# backend, workload, median, CI low, CI high: cells with a median and an interval.
	jq -r '.results[] | select(.median != null and .ci95 != null) |
		[.backend + "/" + .workload, .median, .ci95[0], .ci95[1]] | @tsv' \
		"$out/$run/results.json" | sort >"$out/cells$run"
done

join -t "$(printf '\t')" "$out/cells1" "$out/cells2" | awk -F'\t' '
	# $2..$4: run 1 median, lo, hi; $5..$7: run 2.
	{ n++; if ($5 >= $3 && $5 <= $4) a++; else miss[++m] = $1 " " $5 " outside [" $3 ", " $4 "]"
	  if ($2 >= $6 && $2 <= $7) b++ }
	END {
		if (!n) { print "coverage: no cell with an interval in both runs"; exit 1 }
		printf "cells with an interval in both runs: %d\n", n
		printf "run 2 median inside run 1 95%% CI: %d (%.0f%%)\n", a, 100 * a / n
		printf "run 1 median inside run 2 95%% CI: %d (%.0f%%)\n", b, 100 * b / n
		for (i = 1; i <= m && i <= 10; i++) print "  missed: " miss[i]
		if (m > 10) printf "  ... and %d more\n", m - 10
	}'
