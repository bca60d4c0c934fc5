/* Unit tests of harness/plan.h: plan_build (defaults, explicit lists, errors) and profiles. */
#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include <criterion/criterion.h>

#include "harness/catalog.h"
#include "harness/plan.h"
#include "harness/registry.h"

static bool has_backend(const struct plan *p, const char *name)
{
	for (size_t i = 0; i < p->nbackends; i++)
		if (strcmp(p->backends[i]->name, name) == 0)
			return true;
	return false;
}

static bool has_workload(const struct plan *p, const char *name)
{
	for (size_t i = 0; i < p->nworkloads; i++)
		if (strcmp(p->workloads[i]->name, name) == 0)
			return true;
	return false;
}

static const struct profile *quick(void)
{
	const struct profile *pr = profile_find("quick");

	cr_assert_not_null(pr);
	return pr;
}

Test(profile, find)
{
	const struct profile *pr = profile_find("quick");

	cr_assert_not_null(pr);
	cr_assert_str_eq(pr->name, "quick");
	cr_assert_gt(pr->reps, 0);
	cr_assert_gt(pr->min_sample_ns, 0);
	/* The regression gate's: sessions of 5 samples, a boot per session, no more. */
	const struct profile *ci = profile_find("ci");
	cr_assert_not_null(ci);
	cr_assert_eq(ci->reps, 5 * ci->rounds);
	cr_assert_eq(ci->boot_reps, ci->rounds);
	cr_assert_not_null(profile_find("standard"));
	cr_assert_not_null(profile_find("paper"));
	cr_assert_null(profile_find("fast"));
	cr_assert_null(profile_find(""));
	cr_assert_null(profile_find("Quick"));
}

Test(profile, table_consistent)
{
	cr_assert_gt(profile_count, 0);
	for (size_t i = 0; i < profile_count; i++) {
		const struct profile *pr = &profile_table[i];
		cr_assert_not_null(pr->name);
		cr_assert_not_null(pr->summary);
		cr_assert_eq(profile_find(pr->name), pr, "profile %s found elsewhere", pr->name);
		cr_assert_gt(pr->reps, 0, "profile %s", pr->name);
	}
}

Test(plan, defaults_skip_test_entries)
{
	struct plan p;
	char err[512] = "";

	cr_assert_eq(plan_build(&p, NULL, NULL, quick(), err, sizeof(err)), 0, "%s", err);
	cr_assert_gt(p.nbackends, 0);
	cr_assert_gt(p.nworkloads, 0);
	cr_assert(has_backend(&p, "native"));
	cr_assert_not(has_backend(&p, "null"), "the test backend is in the default plan");
	cr_assert(has_workload(&p, "syscall.getppid"));
	cr_assert_not(has_workload(&p, "null"), "the test workload is in the default plan");
	cr_assert_not(has_workload(&p, "mem.dirty"), "a driven workload is in the default plan");

	/* Every non-test entry of the registries, in registry order, and nothing else. */
	size_t k = 0;
	for (size_t i = 0; i < backend_count; i++) {
		if (backend_table[i]->flags & BK_TEST)
			continue;
		cr_assert_lt(k, p.nbackends);
		cr_assert_eq(p.backends[k], backend_table[i]);
		k++;
	}
	cr_assert_eq(k, p.nbackends);
	k = 0;
	for (size_t i = 0; i < catalog_count(); i++) {
		if (catalog_at(i)->flags & (WL_TEST | WL_DRIVEN))
			continue;
		cr_assert_lt(k, p.nworkloads);
		cr_assert_eq(p.workloads[k], catalog_at(i));
		k++;
	}
	cr_assert_eq(k, p.nworkloads);
	plan_free(&p);
	cr_assert_null(p.backends);
	cr_assert_null(p.workloads);
	cr_assert_eq(p.nbackends, 0);
}

Test(plan, explicit_lists_keep_order_and_dedup)
{
	struct plan p;
	char err[512] = "";

	cr_assert_eq(plan_build(&p, "null,native,null",
				"syscall.getppid,null,syscall.getppid,cpu.int", quick(), err,
				sizeof(err)),
		     0, "%s", err);
	cr_assert_eq(p.nbackends, 2);
	cr_assert_str_eq(p.backends[0]->name, "null");
	cr_assert_str_eq(p.backends[1]->name, "native");
	cr_assert_eq(p.nworkloads, 3);
	cr_assert_str_eq(p.workloads[0]->name, "syscall.getppid");
	cr_assert_str_eq(p.workloads[1]->name, "null");
	cr_assert_str_eq(p.workloads[2]->name, "cpu.int");
	plan_free(&p);
}

Test(plan, one_list_explicit)
{
	struct plan p;
	char err[512] = "";

	cr_assert_eq(plan_build(&p, "null", NULL, quick(), err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(p.nbackends, 1);
	cr_assert_str_eq(p.backends[0]->name, "null");
	cr_assert(has_workload(&p, "syscall.getppid"));
	cr_assert_not(has_workload(&p, "null"));
	plan_free(&p);
}

Test(plan, unknown_backend)
{
	struct plan p;
	char err[512] = "";

	cr_assert_eq(plan_build(&p, "native,xen", NULL, quick(), err, sizeof(err)), -EINVAL);
	cr_assert_not_null(strstr(err, "xen"), "'%s' does not name the backend", err);
	cr_assert_not_null(strstr(err, "known:"), "'%s' does not list the known ones", err);
	cr_assert_not_null(strstr(err, "native"), "'%s' does not list native", err);
	cr_assert_null(p.backends);
	cr_assert_null(p.workloads);
}

Test(plan, unknown_workload)
{
	struct plan p;
	char err[512] = "";

	cr_assert_eq(plan_build(&p, NULL, "cpu.int,disk.nope", quick(), err, sizeof(err)), -EINVAL);
	cr_assert_not_null(strstr(err, "disk.nope"), "'%s' does not name the workload", err);
	cr_assert_not_null(strstr(err, "known:"), "'%s' does not list the known ones", err);
	cr_assert_not_null(strstr(err, "syscall.getppid"), "'%s' does not list them all", err);
	cr_assert_null(p.backends);
	cr_assert_null(p.workloads);
}

Test(plan, names_are_exact)
{
	struct plan p;
	char err[512] = "";

	cr_assert_eq(plan_build(&p, "Native", NULL, quick(), err, sizeof(err)), -EINVAL);
	cr_assert_eq(plan_build(&p, "native ", NULL, quick(), err, sizeof(err)), -EINVAL);
	cr_assert_eq(plan_build(&p, NULL, "cpu", quick(), err, sizeof(err)), -EINVAL);
}

Test(plan, empty_items)
{
	const char *bad[] = { "native,,null", "", ",native", "native," };
	struct plan p;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char err[512] = "";
		cr_assert_eq(plan_build(&p, bad[i], NULL, quick(), err, sizeof(err)), -EINVAL,
			     "backends '%s' accepted", bad[i]);
		cr_assert_neq(err[0], '\0', "no reason for '%s'", bad[i]);
		err[0] = '\0';
		cr_assert_eq(plan_build(&p, NULL, bad[i], quick(), err, sizeof(err)), -EINVAL,
			     "workloads '%s' accepted", bad[i]);
		cr_assert_neq(err[0], '\0', "no reason for '%s'", bad[i]);
	}
}

Test(plan, profile_is_a_copy)
{
	struct plan p;
	char err[512] = "";
	const struct profile *pr = quick();
	unsigned reps = pr->reps;

	cr_assert_eq(plan_build(&p, NULL, NULL, pr, err, sizeof(err)), 0, "%s", err);
	cr_assert_str_eq(p.profile.name, "quick");
	cr_assert_eq(p.profile.reps, pr->reps);
	cr_assert_eq(p.profile.warmup, pr->warmup);
	cr_assert_eq(p.profile.min_sample_ns, pr->min_sample_ns);
	/* --reps overrides the copy, never the table. */
	p.profile.reps = reps + 7;
	cr_assert_eq(profile_find("quick")->reps, reps);
	plan_free(&p);
}

/* A pattern selects every workload not for tests that it matches, in table order, once. */
Test(plan, patterns_select_workloads)
{
	struct plan p;
	char err[512] = "";

	cr_assert_eq(plan_build(&p, NULL, "trap.*", quick(), err, sizeof(err)), 0, "%s", err);
	cr_assert(has_workload(&p, "trap.cpuid"));
	cr_assert(has_workload(&p, "trap.pio_qemu"));
	cr_assert(!has_workload(&p, "cpu.int"));
	for (size_t i = 0; i < p.nworkloads; i++)
		cr_assert_eq(strncmp(p.workloads[i]->name, "trap.", 5), 0, "%s",
			     p.workloads[i]->name);
	size_t all = p.nworkloads;
	plan_free(&p);
	/* An exact name before its pattern keeps its place and is not repeated. */
	cr_assert_eq(plan_build(&p, NULL, "trap.none,cpu.int,trap.*", quick(), err, sizeof(err)), 0,
		     "%s", err);
	cr_assert_eq(p.nworkloads, all + 1);
	cr_assert_str_eq(p.workloads[0]->name, "trap.none");
	cr_assert_str_eq(p.workloads[1]->name, "cpu.int");
	plan_free(&p);
	/* Workloads for tests only by name. */
	cr_assert_eq(plan_build(&p, NULL, "nul?", quick(), err, sizeof(err)), -EINVAL);
	cr_assert_not_null(strstr(err, "no workload matches 'nul?'"), "%s", err);
}

/* The nanoguest's backends run what it implements; ring 0 runs nowhere else. */
Test(plan, applies_by_capability)
{
	const struct workload_ops *cpuid = catalog_find("trap.cpuid"),
				  *pio = catalog_find("trap.pio_qemu"),
				  *getppid = catalog_find("syscall.getppid"),
				  *boot = catalog_find("lifecycle.boot");
	const struct backend_ops *native = backend_find("native"), *nano = backend_find("tcg-nano");

	cr_assert(cpuid && pio && getppid && boot && native && nano);
	cr_assert(plan_applies(native, cpuid));
	cr_assert(plan_applies(nano, cpuid));
	cr_assert(!plan_applies(native, pio));
	cr_assert(plan_applies(nano, pio));
	cr_assert(plan_applies(native, getppid));
	cr_assert(!plan_applies(nano, getppid));
	cr_assert(plan_applies(nano, boot));
}

/* A plan in which no workload runs on any backend is refused, not run empty; a pattern
 * that matches only names listed before it still matches. */
Test(plan, nothing_applies_and_overlapping_patterns)
{
	struct plan p;
	char err[512] = "";

	cr_assert_eq(plan_build(&p, "native", "trap.pio_qemu", quick(), err, sizeof(err)), -EINVAL);
	cr_assert_not_null(strstr(err, "none of these workloads runs"), "%s", err);
	cr_assert_null(p.backends);
	cr_assert_eq(plan_build(&p, "tcg-nano", "syscall.getppid", quick(), err, sizeof(err)),
		     -EINVAL);
	cr_assert_eq(plan_build(&p, NULL, "trap.*,trap.cpuid*", quick(), err, sizeof(err)), 0, "%s",
		     err);
	plan_free(&p);
}

/* A workload a host workload drives in its guest (mem.dirty, lifecycle.migrate's) is never
 * a cell: in no default plan, matched by no pattern, refused by name with a reason. */
Test(plan, driven_workloads_are_never_cells)
{
	const struct workload_ops *dirty = catalog_find("mem.dirty");
	struct plan p;
	char err[512] = "";

	cr_assert_not_null(dirty);
	cr_assert(dirty->flags & WL_DRIVEN);
	for (size_t i = 0; i < backend_count; i++)
		cr_assert_not(plan_applies(backend_table[i], dirty), "a cell on %s",
			      backend_table[i]->name);
	cr_assert_eq(plan_build(&p, NULL, "mem.*", quick(), err, sizeof(err)), 0, "%s", err);
	cr_assert(has_workload(&p, "mem.lat"));
	cr_assert_not(has_workload(&p, "mem.dirty"), "a pattern matched a driven workload");
	plan_free(&p);
	cr_assert_eq(plan_build(&p, NULL, "mem.dirt?", quick(), err, sizeof(err)), -EINVAL);
	cr_assert_not_null(strstr(err, "no workload matches"), "%s", err);
	err[0] = '\0';
	cr_assert_eq(plan_build(&p, "native", "cpu.int,mem.dirty", quick(), err, sizeof(err)),
		     -EINVAL);
	cr_assert_not_null(strstr(err, "mem.dirty is not run on its own"), "%s", err);
	cr_assert_not_null(strstr(err, "lifecycle.migrate"), "'%s' does not say what runs it", err);
	cr_assert_null(p.backends);
	cr_assert_null(p.workloads);
}
