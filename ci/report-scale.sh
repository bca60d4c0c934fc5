#!/bin/sh
# How 'vmbench merge', 'report', 'plot' and 'compare' scale with the size of a results file.
# For each size it writes synthetic runs of several hosts (8 backends each, the catalog's
# workloads and made-up ones, 3 sessions of 4 samples a cell with raw data, traps and
# counters, some cells skipped), merges them into one file of about that many cells (merge
# also writes its reports, and its plots where gnuplot is installed), derives from that
# file, and prints each command's wall time, CPU time and peak RSS (GNU time).
# A report of numbers, not a test: tests/unit/results_index.c holds the check that can
# fail. plot runs only where gnuplot is installed.
# KEEP=DIR keeps the files there (DIR/<cells>/...); LIMIT=SECONDS stops a command that
# takes longer (default 600), and the sizes after it are still tried.
# usage: ci/report-scale.sh [build dir (build)] [cells ... (1000 10000 100000)]
set -eu
BUILD=${1:-build}
if [ $# -gt 1 ]; then shift; else set -- 1000 10000 100000; fi
VMBENCH=$BUILD/vmbench
LIMIT=${LIMIT:-600}
[ -x "$VMBENCH" ] || { echo "report-scale: build vmbench first (make)" >&2; exit 2; }
[ -x /usr/bin/time ] || { echo "report-scale: GNU time is missing (Debian: time)" >&2; exit 2; }
for n in "$@" "$LIMIT"; do
	case "$n" in
	'' | *[!0-9]* | 0) echo "report-scale: '$n' is not a positive whole number" >&2; exit 2 ;;
	esac
done
if [ -n "${KEEP:-}" ]; then
	mkdir -p "$KEEP"
	out=$KEEP
else
	out=$(mktemp -d)
	trap 'rm -rf "$out"' EXIT
fi

# The catalog's workloads (name, unit, better), test ones left out: the reports' tables and
# plots of real names (summary, trap costs, fio, boot) get rows.
catalog=$out/catalog.txt
"$VMBENCH" list | awk '/^workloads:/ { on = 1; next } /^[a-z]+:$/ { on = 0 }
	on && NF >= 3 && !/\[test\]$/ { print $1, $2, $3 }' >"$catalog"

# Writes nhost run files of 8 backends x nwl workloads into dir/runs. Numbers come from a
# fixed seed: the same size gives the same files.
gen_runs() {
	mkdir -p "$1/runs"
	awk -v dir="$1/runs" -v nhost="$2" -v nwl="$3" '
	function r() { return rand() }
	function nums(x, k,   i, s) {
		s = ""
		for (i = 1; i <= k; i++) s = s (i > 1 ? "," : "") x[i]
		return s
	}
	NR == FNR { wl[++ncat] = $1; unit[ncat] = $2; better[ncat] = $3; next }
	END {
		srand(1)
		split("native container gvisor uml tcg tcg-virtio kvm kvm-virtio", bk, " ")
		split("native os-level application-kernel paravirtualization emulation " \
		      "emulation+pv-io hardware-assisted hardware-assisted+pv-io", mode, " ")
		for (i = ncat + 1; i <= nwl; i++) {
			wl[i] = sprintf("synthetic.w%04d", i)
			unit[i] = "ns/op"
			better[i] = "lower"
		}
		for (h = 1; h <= nhost; h++) {
			f = sprintf("%s/host%04d.json", dir, h)
			printf "{\"schema\":\"vmbench/1\",\"complete\":true,\"provenance\":{" \
			       "\"date\":\"2026-12-01T00:00:00Z\",\"host\":{\"hostname\":" \
			       "\"host%04d\",\"cpu_model\":\"Synthetic CPU\",\"cpus_online\":2}," \
			       "\"run\":{\"profile\":\"quick\",\"reps\":12,\"warmup\":1,\"rounds\":3," \
			       "\"baseline\":\"native\"},\"backends\":{", h > f
			for (b = 1; b <= 8; b++)
				printf "%s\"%s\":{\"mode\":\"%s\",\"status\":\"ok\",\"boot_s\":%.3f}",
				       (b > 1 ? "," : ""), bk[b], mode[b], 0.05 * b > f
			printf "}},\"results\":[" > f
			first = 1
			for (b = 1; b <= 8; b++)
				for (w = 1; w <= nwl; w++) {
					printf "%s", first ? "" : "," > f
					first = 0
					cell(f, b, w)
				}
			print "]}" > f
			close(f)
		}
	}
	function cell(f, b, w,   base, i, x, ns, it, st, reason, slow) {
		st = "ok"; reason = "null"
		if (b == 7 && (w % 5) == 0) { st = "skipped"; reason = "\"KVM is not usable here\"" }
		printf "{\"backend\":\"%s\",\"mode\":\"%s\",\"workload\":\"%s\",", bk[b], mode[b],
		       wl[w] > f
		if (st != "ok") {
			printf "\"status\":\"%s\",\"reason\":%s,\"unit\":\"%s\",\"better\":\"%s\"," \
			       "\"samples\":[]}", st, reason, unit[w], better[w] > f
			return
		}
		slow = b == 1 ? 1 : 1 + b * 0.7
		base = (50 + (w * 37) % 900) * slow
		for (i = 1; i <= 12; i++) {
			x[i] = sprintf("%.6f", base * (1 + 0.02 * r() + (b == 4 ? 0.3 * r() : 0)))
			ns[i] = sprintf("%d", x[i] * 5000)
			it[i] = 5000
		}
		printf "\"status\":\"ok\",\"reason\":null,\"unit\":\"%s\",\"better\":\"%s\"," \
		       "\"samples\":[%s],\"sessions\":[{\"samples\":[%s,%s,%s,%s]}," \
		       "{\"samples\":[%s,%s,%s,%s]},{\"samples\":[%s,%s,%s,%s]}]," \
		       "\"raw\":{\"iters\":5000,\"warmup\":1,\"loop_ns\":0.5,\"ops\":60000," \
		       "\"sample_ns\":[%s],\"sample_iters\":[%s]},\"extra\":{\"ring\":3%s}," \
		       "\"traps\":{\"per_op\":%.4f,\"by_kind\":{\"syscalls\":%.4f,\"kvm:io\":%.4f}}," \
		       "\"counters\":{\"task-clock\":{\"per_op\":%.3f,\"total\":%d,\"ops\":5000," \
		       "\"scaled\":false,\"source\":\"perf\"},\"page-faults\":{\"per_op\":0," \
		       "\"total\":0,\"ops\":5000,\"scaled\":false,\"source\":\"perf\"}}," \
		       "\"wall_s\":%.4f,\"probed_sample\":%.6f}",
		       unit[w], better[w], nums(x, 12), x[1], x[2], x[3], x[4], x[5], x[6], x[7],
		       x[8], x[9], x[10], x[11], x[12], nums(ns, 12), nums(it, 12),
		       wl[w] ~ /^io\./ ? sprintf(",\"clat_p99_us\":%.1f", 100 * slow) : "", 1 + b * 0.1,
		       1, b * 0.1, x[1], x[1] * 5000, 0.2 + r(), x[1] * 1.05 > f
	}' "$catalog" /dev/null
}

# Runs a command under GNU time; prints its wall time, CPU time (user and system, gnuplot's
# included for plot: on a busy machine the wall time is also the others' load), peak RSS
# and exit status.
measure() {
	name=$1
	shift
	status=0
	/usr/bin/time -f '%e %U %S %M' -o "$dir/time.$name" timeout "$LIMIT" "$@" \
		>"$dir/out.$name" 2>"$dir/err.$name" || status=$?
	# GNU time leads with "Command exited with non-zero status N" then.
	tail -n 1 "$dir/time.$name" | awk -v name="$name" -v status="$status" -v limit="$LIMIT" '
		{ printf "%-8s %8.2f s wall %8.2f s cpu %7d MiB peak RSS   exit %s%s\n", name,
			$1, $2 + $3, $4 / 1024, status,
			status == 124 ? " (stopped after " limit " s)" : "" }'
}

gnuplot_ok=0
command -v gnuplot >/dev/null && gnuplot_ok=1
[ "$gnuplot_ok" = 1 ] || echo "report-scale: no gnuplot, so no 'plot' row (Debian: gnuplot-nox)"
for want in "$@"; do
	# Hosts x 8 backends x workloads, about the size asked: more workloads for larger files
	# (a merged file of many hosts is the large one), at most 256 hosts (merge's limit).
	nwl=25
	[ "$want" -gt 2000 ] && nwl=50
	[ "$want" -gt 20000 ] && nwl=100
	nhost=$(((want + 8 * nwl - 1) / (8 * nwl)))
	while [ "$nhost" -gt 256 ]; do
		nwl=$((nwl * 2))
		nhost=$(((want + 8 * nwl - 1) / (8 * nwl)))
	done
	dir=$out/$want
	rm -rf "$dir"
	mkdir -p "$dir"
	gen_runs "$dir" "$nhost" "$nwl"
	echo "== $((nhost * 8 * nwl)) cells: $nhost hosts x 8 backends x $nwl workloads"
	measure merge "$VMBENCH" merge -o "$dir/merged" "$dir"/runs/*.json
	merged=$dir/merged/results.json
	if [ ! -s "$merged" ]; then
		echo "report-scale: merge wrote no $merged:" >&2
		tail -n 5 "$dir/err.merge" >&2
		continue
	fi
	echo "results.json: $(($(wc -c <"$merged") / 1048576)) MiB"
	measure report "$VMBENCH" report "$merged" -o "$dir"
	[ "$gnuplot_ok" = 1 ] && measure plot "$VMBENCH" plot "$merged" -o "$dir"
	measure compare "$VMBENCH" compare "$merged" "$merged"
	rm -rf "$dir/runs"
done
