/* The table of host-measured workloads, built from harness/hostwl_list.h. */
#include <errno.h>

#include "harness/hostwl.h"
#include "harness/hostwl_list.h"

#define X(sym) extern const struct host_workload host_workload_##sym;
HOST_WORKLOAD_LIST(X)
#undef X

const struct host_workload *const host_workload_table[] = {
#define X(sym) &host_workload_##sym,
	HOST_WORKLOAD_LIST(X)
#undef X
};
const size_t host_workload_count = ARRAY_SIZE(host_workload_table);

int host_workload_check(const struct host_workload *hw, const char **why)
{
	const struct workload_ops *m = hw->meta;

	if (hw->abi != HOST_WORKLOAD_ABI || !m || m->abi != WORKLOAD_ABI)
		*why = "host workload ABI mismatch";
	else if (!m->name || !m->unit || !m->summary)
		*why = "host workload without name, unit or summary";
	else if (!(m->flags & WL_HOST))
		*why = "host workload not flagged WL_HOST";
	else if (m->setup || m->op || m->measure || m->point)
		*why = "a host workload has no agent hooks";
	else if (!hw->run)
		*why = "host workload without a run hook";
	else
		return 0;
	return -EINVAL;
}
