/* The backend and probe registries, built from backends/list.h and probes/list.h. */
#include <errno.h>
#include <string.h>

#include "backends/list.h"
#include "harness/registry.h"
#include "workloads/workload.h"
#include "probes/list.h"

#define X(sym) extern const struct backend_ops backend_##sym;
BACKEND_LIST(X)
#undef X
#define X(sym) extern const struct probe_ops probe_##sym;
PROBE_LIST(X)
#undef X

const struct backend_ops *const backend_table[] = {
#define X(sym) &backend_##sym,
	BACKEND_LIST(X)
#undef X
};
const size_t backend_count = ARRAY_SIZE(backend_table);

const struct probe_ops *const probe_table[] = {
#define X(sym) &probe_##sym,
	PROBE_LIST(X)
#undef X
};
const size_t probe_count = ARRAY_SIZE(probe_table);

const struct backend_ops *backend_find(const char *name)
{
	for (size_t i = 0; i < backend_count; i++)
		if (strcmp(backend_table[i]->name, name) == 0)
			return backend_table[i];
	return NULL;
}

const struct backend_ops *backend_baseline(void)
{
	for (size_t i = 0; i < backend_count; i++)
		if (backend_table[i]->flags & BK_BASELINE)
			return backend_table[i];
	return NULL;
}

int backend_check(const struct backend_ops *ops, const char **why)
{
	if (ops->abi != BACKEND_ABI)
		*why = "backend ABI mismatch";
	else if (!ops->name || !ops->mode || !ops->summary)
		*why = "backend without name, mode or summary";
	else if (!ops->available || !ops->start || !ops->stop)
		*why = "backend without available, start or stop";
	else if (ops->hello_timeout_s <= 0)
		*why = "backend without a HELLO timeout";
	else if (__builtin_popcount(ops->flags & (BK_HOST_KERNEL | BK_PTRACE_KERNEL | BK_VM)) != 1)
		*why = "backend that is not exactly one of host kernel, ptrace kernel or VM";
	else if ((ops->flags & BK_HW_ACCEL) && !(ops->flags & BK_VM))
		*why = "hardware-assisted backend that is not a VM";
	else if ((ops->flags & BK_BASELINE) && !(ops->flags & BK_HOST_KERNEL))
		*why = "baseline backend that does not run on the host kernel";
	else if (!(ops->flags & BK_FREESTANDING) != !(ops->provides & WL_NEEDS_RING0))
		*why = "ring 0 is the nanoguest's: a backend provides it if and only if it boots "
		       "the nanoguest";
	else if ((ops->flags & BK_FREESTANDING) &&
		 (!(ops->flags & BK_VM) || (ops->flags & BK_NEEDS_IMAGE)))
		*why = "the nanoguest is a VM's guest of its own, not the image";
	else if (!(ops->provides & WL_NEEDS_SNAPSHOT) != !(ops->save && ops->restore) ||
		 !ops->save != !ops->restore)
		*why = "a backend provides snapshots if and only if it has save and restore";
	else if (!(ops->provides & WL_NEEDS_MIGRATE) != !ops->migrate)
		*why = "a backend provides migration if and only if it has migrate";
	else if (!(ops->provides & WL_NEEDS_RESIZE) != !ops->resize)
		*why = "a backend provides resizing if and only if it has resize";
	else if ((ops->provides & WL_NEEDS_RESIZE) && !(ops->flags & BK_MEM_LIMIT))
		*why = "a backend resizes only a guest with a memory size of its own";
	else if (ops->offers && !(ops->provides & (WL_NEEDS_SNAPSHOT | WL_NEEDS_MIGRATE)))
		*why = "a backend that offers no lifecycle operation has nothing to check them by";
	else
		return 0;
	return -EINVAL;
}

int probe_check(const struct probe_ops *ops, const char **why)
{
	if (ops->abi != PROBE_ABI)
		*why = "probe ABI mismatch";
	else if (!ops->name || !ops->summary)
		*why = "probe without name or summary";
	else if (!ops->available || !ops->snapshot)
		*why = "probe without available or snapshot";
	else
		return 0;
	return -EINVAL;
}
