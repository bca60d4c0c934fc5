/* The probes, one X-macro entry each: X(symbol) names `probe_<symbol>` in probes/. */
#define PROBE_LIST(X) \
	X(perf)       \
	X(traps)      \
	X(qemudev)    \
	X(kvmstats)   \
	X(procstat)   \
	X(runtime)
