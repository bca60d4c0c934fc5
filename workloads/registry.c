/* The workload registry, built from the X-macro list in workloads/list.h. */
#include <errno.h>
#include <string.h>

#include "workloads/list.h"
#include "workloads/workload.h"

#define X(sym) extern const struct workload_ops workload_##sym;
WORKLOAD_LIST(X)
#undef X

const struct workload_ops *const workload_table[] = {
#define X(sym) &workload_##sym,
	WORKLOAD_LIST(X)
#undef X
};
const size_t workload_count = ARRAY_SIZE(workload_table);

const struct workload_ops *workload_find(const char *name)
{
	for (size_t i = 0; i < workload_count; i++)
		if (strcmp(workload_table[i]->name, name) == 0)
			return workload_table[i];
	return NULL;
}

void workload_release_others(const struct workload_ops *next)
{
	for (size_t i = 0; i < workload_count; i++) {
		void (*release)(void) = workload_table[i]->release;
		if (release && (!next || next->release != release))
			release();
	}
}

int workload_check(const struct workload_ops *ops, const char **why)
{
	if (ops->abi != WORKLOAD_ABI)
		*why = "workload ABI mismatch";
	else if (!ops->name || !ops->unit || !ops->summary)
		*why = "workload without name, unit or summary";
	else if (ops->flags & WL_HOST)
		*why = "a workload the host measures is not the agent's (harness/hostwl.h)";
	else if (ops->needs & WL_NEEDS_RING0)
		*why = ops->op || ops->measure || ops->empty || ops->setup || ops->point
			       ? "a ring-0 workload is the nanoguest's: the agent has no hooks for "
				 "it"
			       : NULL;
	else if (!ops->op == !ops->measure)
		*why = "workload needs exactly one of op and measure";
	else if (ops->point && !ops->op)
		*why = "a workload with points needs an op";
	else if (ops->arm && !ops->measure)
		*why = "arm is for workloads that measure themselves";
	else if ((ops->flags & WL_SUBTRACT_LOOP) && ops->point)
		*why = "one loop cost per RUN: a workload that subtracts it has no points";
	else if (!(ops->flags & WL_SUBTRACT_LOOP) != !ops->empty)
		*why = "a workload that subtracts its loop's cost needs its empty loop, and only "
		       "it (WL_LOOP_OPS)";
	else
		return 0;
	return *why ? -EINVAL : 0;
}
