#!/bin/sh
# Builds the libFuzzer targets (tests/fuzz, CMake option VMBENCH_FUZZ, clang) and runs each
# in turn, one process at a time, for FUZZ_RUNS executions or FUZZ_SECONDS, whichever
# ends first; then a table of what each did. Exits 1 when a target crashed, leaked or broke
# one of its checks (the input is kept in the artifacts directory), 2 when it could not run.
#
#   FUZZ_RUNS     executions per target (default 1000000)
#   FUZZ_SECONDS  the most time per target, in seconds (default 1800)
#   FUZZ_TARGETS  the targets to run (default: all, in the order below)
#   FUZZ_RSS_MB   the memory a target may use (default 2048)
#   FUZZ_BUILD    the build directory (default build-fuzz)
#
# The seeds (tests/fuzz/corpus/<kind>) are read, never written: what a run adds goes to
# $FUZZ_BUILD/fuzz/corpus/<target>, kept for the next run; crashes to
# $FUZZ_BUILD/fuzz/artifacts/<target>, the log of each run to $FUZZ_BUILD/fuzz/<target>.log.
set -eu
cd "$(dirname "$0")/.."

RUNS=${FUZZ_RUNS:-1000000}
SECONDS_MAX=${FUZZ_SECONDS:-1800}
RSS_MB=${FUZZ_RSS_MB:-2048}
BUILD=${FUZZ_BUILD:-build-fuzz}
ALL="protocol results fio cliopt plot report_md report_html report_tex report_csv"
TARGETS=${FUZZ_TARGETS:-$ALL}
SEEDS=tests/fuzz/corpus
DICTS=tests/fuzz/dict

# target -> the kind of input it reads: its seeds and dictionary. The renderers and the plot
# data read results files, so they share the results seeds (and a crash one of them found
# is replayed by all of them).
kind_of() {
	case "$1" in
	protocol | fio | cliopt) echo "$1" ;;
	results | plot | report_*) echo results ;;
	*) return 1 ;;
	esac
}

# The inputs libFuzzer saved in dir for a crash (a sanitizer's report or a failed check), a
# leak, a timeout or running out of memory; not its slow-unit-* (slow, nothing broken).
findings() {
	find "$1" -type f \( -name 'crash-*' -o -name 'leak-*' -o -name 'timeout-*' \
		-o -name 'oom-*' \) | wc -l
}

for t in $TARGETS; do
	kind_of "$t" >/dev/null || {
		echo "fuzz.sh: unknown target '$t' (known: $ALL)" >&2
		exit 2
	}
done
command -v clang >/dev/null || {
	echo "fuzz.sh: clang is not installed (sh ci/install-deps.sh fuzz)" >&2
	exit 2
}

# Another build type than RelWithDebInfo would not change what is fuzzed, only how fast.
CC=clang cmake -S . -B "$BUILD" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DVMBENCH_FUZZ=ON \
	-DVMBENCH_TESTS=OFF >/dev/null
cmake --build "$BUILD" --target vmbench-fuzz -j "$(nproc)"

out="$BUILD/fuzz"
mkdir -p "$out"
# The plot target's data files: on a tmpfs where there is one, where the fsync of every
# atomic write costs nothing (and nothing is left on the disk after a crash).
scratch=$(mktemp -d /dev/shm/vmbench-fuzz.XXXXXX 2>/dev/null || mktemp -d "$out/scratch.XXXXXX")
trap 'rm -rf "$scratch"' EXIT INT TERM
export VMBENCH_FUZZ_SCRATCH="$scratch"

# Leaks are findings too (libFuzzer checks each new input for them); UBSan's reports with
# the stack that led there.
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1}"

summary="$out/summary.txt"
printf '%-12s %12s %8s %9s %8s %8s %6s\n' target executions seconds exec/s crashes corpus new \
	>"$summary"
failed=0
for t in $TARGETS; do
	kind=$(kind_of "$t")
	corpus="$out/corpus/$t"
	artifacts="$out/artifacts/$t"
	log="$out/$t.log"
	mkdir -p "$corpus" "$artifacts"
	before=$(findings "$artifacts")
	echo "fuzz.sh: $t: up to $RUNS executions or ${SECONDS_MAX}s (log: $log)" >&2
	start=$(date +%s.%N)
	st=0
	# One process, one thread: no -jobs or -workers (this machine's CPUs are shared).
	"$BUILD/tests/fuzz/fuzz_$t" -runs="$RUNS" -max_total_time="$SECONDS_MAX" \
		-rss_limit_mb="$RSS_MB" -timeout=25 -print_final_stats=1 \
		-dict="$DICTS/$kind.dict" -artifact_prefix="$artifacts/" \
		"$corpus" "$SEEDS/$kind" >"$log" 2>&1 || st=$?
	end=$(date +%s.%N)
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
	added=$(sed -n 's/^stat::new_units_added: *//p' "$log" | tail -n 1)
	found=$(($(findings "$artifacts") - before))
	# A crash ends the run before libFuzzer prints its statistics: the last status line's
	# count of executions then.
	[ -n "$execs" ] || execs=$(sed -n 's/^#\([0-9]*\).*/\1/p' "$log" | tail -n 1)
	execs=${execs:-0}
	secs=$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.1f", b - a }')
	rate=$(awk -v n="$execs" -v s="$secs" 'BEGIN { printf "%d", n / (s > 0 ? s : 1) }')
	# The corpus libFuzzer kept in the end (the directory holds every input it ever saved).
	size=$(sed -n 's/.* corp: \([0-9]*\)\/.*/\1/p' "$log" | tail -n 1)
	echo "fuzz.sh: $t: stat::number_of_executed_units: $execs" >&2
	if [ "$st" -ne 0 ] || [ "$found" -gt 0 ]; then
		failed=1
		[ "$found" -gt 0 ] || found=1
		echo "fuzz.sh: $t: exit status $st; the end of its log:" >&2
		tail -n 40 "$log" >&2
	fi
	printf '%-12s %12s %8.0f %9s %8s %8s %6s\n' "$t" "$execs" "$secs" "$rate" "$found" \
		"${size:-?}" "${added:-0}" >>"$summary"
done

echo
cat "$summary"
if [ "$failed" -ne 0 ]; then
	echo "fuzz.sh: findings are in $out/artifacts (replay one: $BUILD/tests/fuzz/fuzz_<target> FILE)" >&2
	exit 1
fi
