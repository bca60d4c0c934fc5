#!/bin/sh
# How often does vmbench compare cry wolf? Makes N independent runs of the same build
# (default 7 runs of native,tcg on the quick profile), compares every pair of them
# (N·(N-1)/2 pairs, the earlier as the base), and prints, per pair, the cells
# flagged as regressions, then the share of pairs without any: the false-alarm rate a CI
# gate on this machine would have. A benchmark report, not a test: the runs measure, so
# never beside another measurement.
# KEEP=DIR keeps the runs there (DIR/1 ... DIR/N); RUNS_FROM=DIR compares the runs already
# in DIR instead of making new ones (ci/thresholds.sh derives thresholds from such runs).
# SESSIONS=N and REPS=N set the runs' sessions and samples (and boots) per cell; the script
# stops when a run did not get the sessions asked (vmbench caps them at the samples and
# boots). The profile is the fourth argument (ci: the regression gate's).
# usage: ci/false-alarms.sh [build dir] [runs] [backends] [profile] [compare options...]
set -eu
BUILD=${1:-build}
RUNS=${2:-7}
BACKENDS=${3:-native,tcg}
PROFILE=${4:-quick}
# The rest are options of vmbench compare.
if [ $# -gt 4 ]; then shift 4; else set --; fi
VMBENCH=$BUILD/vmbench
[ -x "$VMBENCH" ] || { echo "false-alarms: build vmbench first (make)" >&2; exit 2; }
case "$RUNS" in
'' | *[!0-9]*) echo "false-alarms: runs must be a whole number" >&2; exit 2 ;;
esac
[ "$RUNS" -ge 2 ] || { echo "false-alarms: at least 2 runs" >&2; exit 2; }
if [ -n "${RUNS_FROM:-}" ]; then
	out=$RUNS_FROM
	tmp=$(mktemp -d)
	trap 'rm -rf "$tmp"' EXIT
elif [ -n "${KEEP:-}" ]; then
	mkdir -p "$KEEP"
	out=$KEEP
	tmp=$(mktemp -d)
	trap 'rm -rf "$tmp"' EXIT
else
	out=$(mktemp -d)
	tmp=$out
	trap 'rm -rf "$out"' EXIT
fi
trap 'exit 130' INT TERM

i=1
[ -z "${RUNS_FROM:-}" ] || i=$((RUNS + 1))
while [ "$i" -le "$RUNS" ]; do
	echo "run $i of $RUNS: $BACKENDS, profile $PROFILE ..." >&2
	st=0
	rm -rf "${out:?}/$i" # nothing of an earlier run in a KEEP directory passes for this one
	# shellcheck disable=SC2086 # options and their values, or nothing
	"$VMBENCH" -q run --backends "$BACKENDS" --profile "$PROFILE" --no-report \
		${SESSIONS:+--sessions $SESSIONS} ${REPS:+--reps $REPS} \
		-o "$out/$i" >/dev/null 2>"$tmp/$i.err" || st=$?
	[ "$st" -le 1 ] && [ -f "$out/$i/results.json" ] ||
		{ cat "$tmp/$i.err" >&2; exit 1; }
	if [ -n "${SESSIONS:-}" ] &&
		[ "$(jq '.provenance.run.rounds' "$out/$i/results.json")" != "$SESSIONS" ]; then
		echo "false-alarms: run $i had $(jq '.provenance.run.rounds' "$out/$i/results.json") sessions, not $SESSIONS (capped by the samples or boots: set REPS)" >&2
		exit 1
	fi
	i=$((i + 1))
done

pairs=0
quiet=0
i=1
while [ "$i" -lt "$RUNS" ]; do
	j=$((i + 1))
	while [ "$j" -le "$RUNS" ]; do
		st=0
		"$VMBENCH" -q compare "$out/$i/results.json" "$out/$j/results.json" "$@" \
			>"$tmp/cmp" 2>"$tmp/cmp.err" || st=$?
		[ "$st" -le 1 ] || { cat "$tmp/cmp.err" >&2; exit 1; }
		pairs=$((pairs + 1))
		flagged=$(grep ' regression' "$tmp/cmp" | awk '{ printf "%s%s %s", sep, $1, $2; sep = ", " }')
		if grep -q 'no verdict: \([0-9]*\), of \1 compared' "$tmp/cmp"; then
			echo "runs $i and $j: no cell could be judged" >&2
			exit 1
		elif [ "$st" -eq 0 ]; then
			quiet=$((quiet + 1))
			echo "runs $i and $j: no regression"
		else
			echo "runs $i and $j: $flagged"
		fi
		j=$((j + 1))
	done
	i=$((i + 1))
done
cells=$(grep -c . "$tmp/cmp" || :)
echo "pairs without a false alarm: $quiet of $pairs (about $((cells - 2)) cells compared in each)"
