#!/bin/sh
# Are the 95% confidence intervals honest? Runs the same profile twice, independently (each
# run its own sessions), and prints the share of cells whose second median lies inside the
# first run's 95% CI, and the reverse. Intervals that leave out the variance between
# sessions cover far less than they should. What "should" is: the second median is itself
# an estimate, so even an exact 95% interval holds it less often than 95%: for a t interval
# over k sessions, P(|T(k-1)| < t(0.975, k-1)/sqrt(2)), 90.7% for 3 sessions, 87.9% for 5,
# 85.6% for 10 (and 83.4% as k grows). The script prints that figure for the cells' session
# counts beside the measured one. A benchmark report, not a test.
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
	# backend, workload, median, CI low, CI high, sessions: cells with a median and an
	# interval.
	jq -r '.results[] | select(.median != null and .ci95 != null) |
		[.backend + "/" + .workload, .median, .ci95[0], .ci95[1],
		 (.stats.sessions // 1)] | @tsv' \
		"$out/$run/results.json" | sort >"$out/cells$run"
done

join -t "$(printf '\t')" "$out/cells1" "$out/cells2" | awk -F'\t' '
	BEGIN {
		# P(|T(k-1)| < t(0.975, k-1)/sqrt(2)) for k = 2..20 sessions (GSL), beyond: 0.834.
		split("0.929 0.907 0.890 0.879 0.871 0.866 0.862 0.858 0.856 0.854 0.852 " \
		      "0.851 0.849 0.848 0.847 0.847 0.846 0.845 0.845", e, " ")
	}
	# $2..$5: run 1 median, lo, hi, sessions; $6..$9: run 2.
	{ n++; if ($6 >= $3 && $6 <= $4) a++; else miss[++m] = $1 " " $6 " outside [" $3 ", " $4 "]"
	  if ($2 >= $7 && $2 <= $8) b++
	  k = $5 + 0; expect += k < 2 ? 0 : k > 20 ? 0.834 : e[k - 1] }
	END {
		if (!n) { print "coverage: no cell with an interval in both runs"; exit 1 }
		printf "cells with an interval in both runs: %d\n", n
		printf "run 2 median inside run 1 95%% CI: %d (%.0f%%)\n", a, 100 * a / n
		printf "run 1 median inside run 2 95%% CI: %d (%.0f%%)\n", b, 100 * b / n
		printf "expected of exact 95%% intervals with these sessions: %.0f%%\n", 100 * expect / n
		for (i = 1; i <= m && i <= 10; i++) print "  missed: " miss[i]
		if (m > 10) printf "  ... and %d more\n", m - 10
	}'
