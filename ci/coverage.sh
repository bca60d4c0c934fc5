#!/bin/sh
# Are the 95% confidence intervals honest? Runs the same profile twice, independently (each
# run its own sessions), and prints the share of cells whose second median lies inside the
# first run's 95% CI, and the reverse. Intervals that leave out the variance between
# sessions cover far less than they should. What "should" is: the second median is itself
# an estimate, so even an exact 95% interval holds it less often than 95%: for a t interval
# over k sessions, P(|T(k-1)| < t(0.975, k-1)/sqrt(2)), 90.7% for 3 sessions, 87.9% for 5,
# 85.6% for 10 (and 83.4% as k grows). The script prints that figure for the cells' session
# counts beside the measured one, and the check whose honest answer is 95% itself: the share
# of cells whose two medians agree within Welch's 95% interval of their difference on the
# log scale, t(0.975, df)·sqrt(s1²/k1 + s2²/k2) from both runs' session spreads (df by
# Welch–Satterthwaite, rounded down). A benchmark report, not a test.
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
		 (.stats.sessions // 1), (.stats.session_sd // "nan")] | @tsv' \
		"$out/$run/results.json" | sort >"$out/cells$run"
done

join -t "$(printf '\t')" "$out/cells1" "$out/cells2" | awk -F'\t' '
	BEGIN {
		# P(|T(k-1)| < t(0.975, k-1)/sqrt(2)) for k = 2..20 sessions (GSL), beyond: 0.834.
		split("0.929 0.907 0.890 0.879 0.871 0.866 0.862 0.858 0.856 0.854 0.852 " \
		      "0.851 0.849 0.848 0.847 0.847 0.846 0.845 0.845", e, " ")
		# t(0.975, df) for df = 1..30 (GSL); beyond, the value at the lower end of the range
		# (2.04 to 60, 2.00 to 120, then 1.98): never narrower than the exact one.
		split("12.706 4.303 3.182 2.776 2.571 2.447 2.365 2.306 2.262 2.228 2.201 " \
		      "2.179 2.160 2.145 2.131 2.120 2.110 2.101 2.093 2.086 2.080 2.074 " \
		      "2.069 2.064 2.060 2.056 2.052 2.048 2.045 2.042", tq, " ")
	}
	# $2..$6: run 1 median, lo, hi, sessions, log session sd; $7..$11: run 2.
	{ n++; if ($7 >= $3 && $7 <= $4) a++; else miss[++m] = $1 " " $7 " outside [" $3 ", " $4 "]"
	  if ($2 >= $8 && $2 <= $9) b++
	  k = $5 + 0; expect += k < 2 ? 0 : k > 20 ? 0.834 : e[k - 1]
	  # Welch on the log session medians: only where both runs have a spread.
	  k1 = $5 + 0; k2 = $10 + 0; s1 = $6; s2 = $11
	  if (k1 >= 2 && k2 >= 2 && s1 != "nan" && s2 != "nan" && $2 > 0 && $7 > 0) {
		v1 = s1 * s1 / k1; v2 = s2 * s2 / k2
		df = (v1 + v2) > 0 ? (v1 + v2) ^ 2 / (v1 ^ 2 / (k1 - 1) + v2 ^ 2 / (k2 - 1)) : 1e9
		df = int(df); if (df < 1) df = 1
		q = df <= 30 ? tq[df] : df <= 60 ? 2.04 : df <= 120 ? 2.00 : 1.98
		w++; if ((log($2) - log($7)) ^ 2 <= q * q * (v1 + v2)) agree++
	  } }
	END {
		if (!n) { print "coverage: no cell with an interval in both runs"; exit 1 }
		printf "cells with an interval in both runs: %d\n", n
		printf "run 2 median inside run 1 95%% CI: %d (%.0f%%)\n", a, 100 * a / n
		printf "run 1 median inside run 2 95%% CI: %d (%.0f%%)\n", b, 100 * b / n
		printf "expected of exact 95%% intervals with these sessions: %.0f%%\n", 100 * expect / n
		if (w)
			printf "medians that agree within Welch 95%% of their difference: %d of %d " \
			       "(%.0f%%; honest intervals: 95%%)\n", agree, w, 100 * agree / w
		for (i = 1; i <= m && i <= 10; i++) print "  missed: " miss[i]
		if (m > 10) printf "  ... and %d more\n", m - 10
	}'
