/* The probes, one X-macro entry each: X(symbol) names `probe_<symbol>` in probes/. */
/* runtime first: its snapshots bracket the others' (harness/cellrun.c). */
#define PROBE_LIST(X) \
	X(runtime)    \
	X(perf)       \
	X(traps)      \
	X(qemudev)    \
	X(kvmstats)   \
	X(procstat)
