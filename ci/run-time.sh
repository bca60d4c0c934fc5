#!/bin/sh
# Where a run's time went, from its results.json: the run's wall time, the cells' wall
# time (every pass of a cell in every session, its session starts included for
# lifecycle.boot) by backend and by workload family, and the slowest cells.
# usage: ci/run-time.sh [results.json] [how many cells]   (default results/latest, 15)
set -eu
RES=${1:-results/latest/results.json}
TOP=${2:-15}
command -v jq >/dev/null || { echo "run-time: jq is missing (make deps)" >&2; exit 2; }
[ -r "$RES" ] || { echo "run-time: cannot read $RES" >&2; exit 2; }
case "$TOP" in
'' | *[!0-9]*) echo "run-time: the number of cells must be a whole number" >&2; exit 2 ;;
esac
jq -e '.results | type == "array"' "$RES" >/dev/null 2>&1 ||
	{ echo "run-time: $RES is not a vmbench results file" >&2; exit 2; }

jq -r --argjson top "$TOP" '
	def s: . * 10 | round / 10;
	def table(key): group_by(key) | map({k: (.[0] | key), t: (map(.wall_s // 0) | add)})
		| sort_by(-.t) | map("  \(.k)\t\(.t | s) s") | .[];
	(.provenance.run // {}) as $run |
	[.results[] | select((.wall_s // 0) > 0)] as $c |
	"run: \($run.wall_s // 0 | s) s, profile \($run.profile // "?"), \($run.rounds // "?") sessions per backend",
	"cells: \($c | map(.wall_s) | add // 0 | s) s in \($c | length) cells that ran",
	"by backend:", ($c | table(.backend)),
	"by workload family:", ($c | table(.workload | split(".")[0])),
	"slowest cells:",
	($c | sort_by(-.wall_s) | .[:$top][] | "  \(.backend) \(.workload)\t\(.wall_s | s) s")
' "$RES" | awk -F'\t' 'NF == 2 { printf "%-40s %10s\n", $1, $2; next } { print }'
