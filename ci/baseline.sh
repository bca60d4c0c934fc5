#!/bin/sh
# Makes the reference baseline CI compares against: a run of the gate's profile (ci) of the
# backends the gate judges (BACKENDS, native,tcg: those results/thresholds-ci-quick.json is
# calibrated for, as in .github/workflows/vmbench.yml), from a build of the current commit
# (a clean tree; the build directory is brought up to date, as make does), copied to
# results/baseline-ci.json (or OUT). Run it on the machine kind the CI job runs on,
# nothing else measuring, and commit the file with the run's provenance inside it; the
# README says which kind that is.
# usage: ci/baseline.sh [build dir (build)] [OUT (results/baseline-ci.json)]
set -eu
# Paths given are the caller's: made absolute before the script moves to the tree's root.
abs() { case "$1" in /*) printf '%s' "$1" ;; *) printf '%s/%s' "$PWD" "$1" ;; esac; }
BUILD=${1:+$(abs "$1")}
OUT=${2:+$(abs "$2")}
cd "$(dirname "$0")/.."
BUILD=${BUILD:-$PWD/build}
OUT=${OUT:-$PWD/results/baseline-ci.json}
BACKENDS=${BACKENDS:-native,tcg}
command -v jq >/dev/null || { echo "baseline: jq is missing (make deps)" >&2; exit 2; }
git rev-parse --verify -q HEAD >/dev/null ||
	{ echo "baseline: not a git checkout; a baseline names the commit it measured" >&2; exit 2; }
if [ -n "$(git status --porcelain --untracked-files=no)" ]; then
	echo "baseline: the tree has uncommitted changes; a baseline names the commit it measured" >&2
	exit 2
fi
make --no-print-directory build BUILD="$BUILD" >&2
dir=$(mktemp -d "${TMPDIR:-/tmp}/vmbench-baseline.XXXXXX")
trap 'rm -rf "$dir" "$OUT.tmp"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
# Status 1 is a finished run with a failed cell (its reason is in the file): kept, and
# shown below; anything else is not a baseline.
st=0
"$BUILD/vmbench" run --profile ci --backends "$BACKENDS" -o "$dir" || st=$?
if [ "$st" -ne 0 ] && [ "$st" -ne 1 ]; then
	echo "baseline: vmbench run ended with status $st" >&2
	exit 1
fi
jq -e '.complete == true' "$dir/results.json" >/dev/null ||
	{ echo "baseline: the run is incomplete" >&2; exit 1; }
cp "$dir/results.json" "$OUT.tmp"
mv "$OUT.tmp" "$OUT"
jq -r '"baseline: \(.provenance.date), git \(.provenance.vmbench.git.sha[0:12]), " +
	"\(.provenance.host.cpu_model), \(.provenance.host.cpus_online) CPUs; " +
	"\([.results[] | select(.status == "ok" or .status == "noisy")] | length) cells measured, " +
	"\([.results[] | select(.status == "failed")] | length) failed"' "$OUT"
echo "baseline: written to $OUT; commit it" >&2
