#!/bin/sh
# Thresholds for vmbench compare from the spread between runs: the sessions of one run do
# not see how far this machine drifts from one run to the next, so a cell's threshold has
# to. For every backend and workload measured in all the given runs, s is the standard
# deviation of the logarithms of the runs' medians, and the threshold (percent) is
#     max(floor, 100 · (exp(z · √2 · s) − 1))
# rounded up: the change that two runs of the same build exceed, by drift alone, with the
# one-sided normal probability of z (3.2 by default: about 1 in 1400, so that a comparison
# of 64 cells cries wolf about once in 20). Prints a thresholds file for --thresholds
# ("backend/workload": percent), the noisiest first.
# usage: ci/thresholds.sh [--z Z] [--floor PCT] RESULTS.json... (3 runs at least; or run
#        directories, each holding a results.json)
set -eu
Z=3.2
FLOOR=5
while [ $# -gt 0 ]; do
	case "$1" in
	--z) Z=${2:-}; shift $(($# > 1 ? 2 : 1)) ;;
	--floor) FLOOR=${2:-}; shift $(($# > 1 ? 2 : 1)) ;;
	*) break ;;
	esac
done
for v in "$Z" "$FLOOR"; do
	case "$v" in
	'' | *[!0-9.]* | *.*.* | .) echo "thresholds: --z and --floor take numbers, not '$v'" >&2; exit 2 ;;
	esac
done
command -v jq >/dev/null || { echo "thresholds: jq is missing (make deps)" >&2; exit 2; }
[ $# -ge 3 ] || { echo "usage: ci/thresholds.sh [--z Z] [--floor PCT] RESULTS.json... (3 runs at least)" >&2; exit 2; }
runs=$#
for f; do
	shift
	[ -d "$f" ] && f=$f/results.json
	jq -e '.schema == "vmbench/1"' "$f" >/dev/null 2>&1 ||
		{ echo "thresholds: $f is not a vmbench results file" >&2; exit 2; }
	set -- "$@" "$f"
done
# Under 1000%: what vmbench compare accepts (999.9 is "never" in practice).
jq -n --argjson z "$Z" --argjson floor "$FLOOR" --argjson runs "$runs" '
	[inputs | .results[] | select(.median != null and .median > 0 and
		(.status == "ok" or .status == "noisy"))
		| {key: "\(.backend)/\(.workload)", m: (.median | log)}]
	| group_by(.key) | map(select(length == $runs))
	| map({key: .[0].key, s: ([.[].m] | (add / length) as $mean
		| (map((. - $mean) * (. - $mean)) | add) / (length - 1) | sqrt)})
	| map(.value = ([$floor, (100 * (($z * 1.4142135623730951 * .s) | exp) - 100)] | max
		| . * 10 | ceil / 10 | if . >= 1000 then 999.9 else . end))
	| sort_by(-.value) | from_entries' "$@"
