#!/bin/sh
# Does vmbench compare catch a real slowdown? Each try makes two independent runs of the
# same workloads, the second with --test-extra-work WORKLOAD=N (N more iterations of a
# dependent loop in every operation of one workload: real work, not edited numbers), and
# compares them. Prints each try's change and verdict for that workload, the median change
# (the size of the slowdown N makes here), and how many tries caught it.
# RUN_PROFILE=NAME runs that profile (default quick; ci is the regression gate's);
# SESSIONS=N runs N sessions per run instead of the profile's, REPS=N N samples per cell
# (and boots) instead of its, shared out among the sessions. vmbench caps the sessions at
# the samples and the boots; the script stops when a run did not get the sessions asked.
# A benchmark report, not a test: never beside another measurement.
# usage: ci/power.sh [build dir] [tries] [WORKLOAD=N] [backend] [compare options...]
set -eu
BUILD=${1:-build}
TRIES=${2:-10}
EXTRA=${3:-cpu.int=25}
BACKEND=${4:-native}
if [ $# -gt 4 ]; then shift 4; else set --; fi
VMBENCH=$BUILD/vmbench
WL=${EXTRA%%=*}
[ -x "$VMBENCH" ] || { echo "power: build vmbench first (make)" >&2; exit 2; }
case "$TRIES" in
'' | *[!0-9]*) echo "power: tries must be a whole number" >&2; exit 2 ;;
esac
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
trap 'exit 130' INT TERM

sess="${RUN_PROFILE:+--profile $RUN_PROFILE} ${SESSIONS:+--sessions $SESSIONS} ${REPS:+--reps $REPS}"
caught=0
i=1
while [ "$i" -le "$TRIES" ]; do
	for side in base slow; do
		rm -rf "${out:?}/$side"
		st=0
		if [ "$side" = base ]; then
			# shellcheck disable=SC2086 # $sess: options and their values, or nothing
			"$VMBENCH" -q run --backends "$BACKEND" --workloads "$WL,syscall.getppid" \
				$sess --no-report -o "$out/$side" >/dev/null 2>"$out/err" || st=$?
		else
			# shellcheck disable=SC2086
			"$VMBENCH" -q run --backends "$BACKEND" --workloads "$WL,syscall.getppid" \
				$sess --test-extra-work "$EXTRA" --no-report -o "$out/$side" \
				>/dev/null 2>"$out/err" || st=$?
		fi
		[ "$st" -le 1 ] && [ -f "$out/$side/results.json" ] || { cat "$out/err" >&2; exit 1; }
		if [ -n "${SESSIONS:-}" ] &&
			[ "$(jq '.provenance.run.rounds' "$out/$side/results.json")" != "$SESSIONS" ]; then
			echo "power: the run had $(jq '.provenance.run.rounds' "$out/$side/results.json") sessions, not $SESSIONS (capped by the samples or boots: set REPS)" >&2
			exit 1
		fi
	done
	st=0
	"$VMBENCH" -q compare "$out/base/results.json" "$out/slow/results.json" "$@" \
		>"$out/cmp" 2>"$out/cmp.err" || st=$?
	[ "$st" -le 1 ] || { cat "$out/cmp.err" >&2; exit 1; }
	row=$(awk -v b="$BACKEND" -v w="$WL" '$1 == b && $2 == w' "$out/cmp")
	echo "try $i: $row" | tr -s ' '
	echo "$row" | awk '{ print $(NF - 4) }' | tr -d '%+' >>"$out/changes"
	case "$row" in *regression*) caught=$((caught + 1)) ;; esac
	i=$((i + 1))
done
med=$(sort -n "$out/changes" | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }')
echo "$BACKEND $WL with $EXTRA: median change +$med%; caught in $caught of $TRIES tries"
