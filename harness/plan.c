/* The run plan and the profiles table (printed by `vmbench list --profiles`). */
#include <errno.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness/catalog.h"
#include "harness/plan.h"
#include "harness/registry.h"
#include "host/util.h"

#define FIXED_STOP                                                                       \
	"fixed: the sample count is set before the run; no sample is added, dropped or " \
	"re-run because of its value (outliers are flagged, kept); a cell whose 95% CI " \
	"half-width exceeds 10% of its median is marked noisy"

/* Three sessions at least: the unit of replication, and what the intervals come from. */
const struct profile profile_table[] = {
	/* quick: one boot per session start, no start made only to be timed. */
	{ "quick", "a first look: every backend and workload in 3 sessions", 15, 1, 5000000, 3, 3,
	  FIXED_STOP, 45 },
	/* ci: for a regression gate: with 3 sessions a side, the t-test's few degrees of
	 * freedom leave a real 10% slowdown unflagged too often (ci/power.sh measures it). */
	{ "ci", "a regression gate (vmbench compare): 8 sessions of 5 samples", 40, 1, 5000000, 8,
	  8, FIXED_STOP, 45 },
	{ "standard", "day-to-day comparisons: 8 sessions, more and longer samples", 32, 1,
	  10000000, 10, 8, FIXED_STOP, 120 },
	{ "paper", "numbers to publish: 12 sessions of 5 samples of 25 ms", 60, 2, 25000000, 24, 12,
	  FIXED_STOP, 300 },
};
const size_t profile_count = ARRAY_SIZE(profile_table);

const struct preset preset_table[] = {
	{ "traps",
	  "what one trap costs: the critical instructions in every backend, the "
	  "privileged ones in the nanoguest (an Adams & Agesen table)",
	  "trap.*" },
};
const size_t preset_count = ARRAY_SIZE(preset_table);

const struct preset *preset_find(const char *name)
{
	for (size_t i = 0; i < preset_count; i++)
		if (strcmp(preset_table[i].name, name) == 0)
			return &preset_table[i];
	return NULL;
}

bool plan_applies(const struct backend_ops *b, const struct workload_ops *wl)
{
	if (wl->flags & WL_DRIVEN)
		return false;
	if (b->flags & BK_FREESTANDING)
		return (wl->flags & WL_NANOGUEST) || (wl->needs & WL_NEEDS_RING0);
	return !(wl->needs & WL_NEEDS_RING0);
}

const struct profile *profile_find(const char *name)
{
	for (size_t i = 0; i < profile_count; i++)
		if (strcmp(profile_table[i].name, name) == 0)
			return &profile_table[i];
	return NULL;
}

/* "a, b, c" of the names of a table, for messages. */
static void known_names(char *buf, size_t len, const char *const *names, size_t n)
{
	size_t used = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < n && used < len; i++)
		used += (size_t)snprintf(buf + used, len - used, "%s%s", i ? ", " : "", names[i]);
}

/* Appends to idx[0..count) the entries not for tests that pattern matches and idx does
 * not hold yet; the new count. *matched: whether it matched any, listed before or not.
 * test[i]: entry i is left out of defaults and patterns (for tests, or never a cell). */
static size_t add_matches(const char *pattern, const char *const *names, const unsigned *test,
			  size_t n, size_t *idx, size_t count, bool *matched)
{
	*matched = false;
	for (size_t i = 0; i < n; i++) {
		size_t j;
		if (test[i] || fnmatch(pattern, names[i], 0) != 0)
			continue;
		*matched = true;
		for (j = 0; j < count && idx[j] != i; j++)
			;
		if (j == count)
			idx[count++] = i;
	}
	return count;
}

/*
 * Resolves a list against a table of names. all: the indexes of entries not for tests.
 * Fills idx (deduplicated, in the order given) and returns the count, or -EINVAL.
 */
static int resolve(const char *list, const char *const *names, const unsigned *test, size_t n,
		   size_t *idx, const char *what, char *err, size_t len)
{
	size_t count = 0;

	if (!list) {
		for (size_t i = 0; i < n; i++)
			if (!test[i])
				idx[count++] = i;
		return (int)count;
	}
	char **items;
	size_t nitems;
	int ret = util_split_list(list, &items, &nitems);
	if (ret == -EINVAL) {
		snprintf(err, len, "empty name in the %s list '%s'", what, list);
		return ret;
	}
	if (ret < 0)
		return ret;
	for (size_t k = 0; k < nitems; k++) {
		size_t i;
		if (strpbrk(items[k], "*?[")) {
			bool matched;
			count = add_matches(items[k], names, test, n, idx, count, &matched);
			if (matched)
				continue;
			snprintf(err, len, "no %s matches '%s'", what, items[k]);
			util_free_list(items);
			return -EINVAL;
		}
		for (i = 0; i < n; i++)
			if (strcmp(items[k], names[i]) == 0)
				break;
		if (i == n) {
			char known[1024];
			known_names(known, sizeof(known), names, n);
			snprintf(err, len, "unknown %s '%s' (known: %s)", what, items[k], known);
			util_free_list(items);
			return -EINVAL;
		}
		size_t j;
		for (j = 0; j < count && idx[j] != i; j++)
			;
		if (j == count)
			idx[count++] = i;
	}
	util_free_list(items);
	return (int)count;
}

int plan_build(struct plan *p, const char *backends, const char *workloads,
	       const struct profile *profile, char *err, size_t len)
{
	const size_t nwl = catalog_count();
	const char *bnames[backend_count], *wnames[nwl];
	unsigned btest[backend_count], wtest[nwl];
	size_t bidx[backend_count], widx[nwl];
	int nb, nw;

	memset(p, 0, sizeof(*p));
	for (size_t i = 0; i < backend_count; i++) {
		bnames[i] = backend_table[i]->name;
		btest[i] = backend_table[i]->flags & BK_TEST;
	}
	for (size_t i = 0; i < nwl; i++) {
		wnames[i] = catalog_at(i)->name;
		wtest[i] = catalog_at(i)->flags & (WL_TEST | WL_DRIVEN);
	}
	nb = resolve(backends, bnames, btest, backend_count, bidx, "backend", err, len);
	if (nb < 0)
		return nb;
	nw = resolve(workloads, wnames, wtest, nwl, widx, "workload", err, len);
	if (nw < 0)
		return nw;
	/* Left out of defaults and patterns: here only when named. Its summary says which
	 * host workload runs it (the harness knows none by name). */
	for (int i = 0; i < nw; i++) {
		const struct workload_ops *w = catalog_at(widx[i]);
		if (w->flags & WL_DRIVEN) {
			snprintf(err, len,
				 "%s is not run on its own, only by a host workload in its guest "
				 "(%s)",
				 w->name, w->summary);
			return -EINVAL;
		}
	}
	p->backends = calloc((size_t)nb + 1, sizeof(*p->backends));
	p->workloads = calloc((size_t)nw + 1, sizeof(*p->workloads));
	if (!p->backends || !p->workloads) {
		plan_free(p);
		return -ENOMEM;
	}
	bool any = false;
	for (int i = 0; i < nb; i++)
		p->backends[i] = backend_table[bidx[i]];
	for (int i = 0; i < nw; i++) {
		p->workloads[i] = catalog_at(widx[i]);
		for (int b = 0; b < nb; b++)
			any |= plan_applies(p->backends[b], p->workloads[i]);
	}
	if (!any && nb && nw) {
		/* Nothing would run: a mistake, not an empty results file. */
		snprintf(err, len,
			 "none of these workloads runs on these backends: the privileged trap.* "
			 "operations run only on the backends that boot the nanoguest, which run "
			 "nothing else but the trap.* rows it implements and lifecycle.boot");
		plan_free(p);
		return -EINVAL;
	}
	p->nbackends = (size_t)nb;
	p->nworkloads = (size_t)nw;
	p->profile = *profile;
	return 0;
}

void plan_free(struct plan *p)
{
	free(p->backends);
	free(p->workloads);
	memset(p, 0, sizeof(*p));
}
