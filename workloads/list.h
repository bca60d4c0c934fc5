/*
 * The workloads, one X-macro entry each: X(symbol). Each symbol names a
 * `const struct workload_ops workload_<symbol>` defined in a file of workloads/.
 * Order here is the order of reports.
 */
#define WORKLOAD_LIST(X)                                                                           \
	X(cpu_int)                                                                                 \
	X(cpu_fp)                                                                                  \
	X(syscall_getppid)                                                                         \
	X(null)
