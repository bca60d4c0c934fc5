/* The host-measured workloads, one X-macro entry each: X(symbol) names
 * `host_workload_<symbol>` in harness/hostwl_<symbol>.c. */
#define HOST_WORKLOAD_LIST(X) X(boot) X(snapshot) X(restore) X(clone) X(migrate) X(resize)
