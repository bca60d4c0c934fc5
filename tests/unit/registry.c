/* Unit tests of the registries: every entry of every table is checked here, so a broken
 * backend, probe, workload or profile fails the unit tests, not a run; and the check
 * functions are shown to reject broken copies of real entries. */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include <stdio.h>
#include <sys/stat.h>

#include "harness/catalog.h"
#include "harness/cli.h"
#include "harness/plan.h"
#include "harness/plot.h"
#include "harness/registry.h"
#include "harness/report.h"
#include "harness/report_model.h"
#include "workloads/workload.h"

#define BK_KNOWN_FLAGS                                                                        \
	(BK_TEST | BK_NEEDS_IMAGE | BK_BASELINE | BK_HOST_KERNEL | BK_PTRACE_KERNEL | BK_VM | \
	 BK_HW_ACCEL | BK_MEM_LIMIT | BK_FREESTANDING)
#define WL_KNOWN_PLOTS                                                                      \
	(PLOT_TRAPS | PLOT_MEMLAT | PLOT_FIO | PLOT_BOOT | PLOT_TRAPCOST | PLOT_LIFECYCLE | \
	 PLOT_MIGRATION)
#define WL_KNOWN_NEEDS                                                                           \
	(WL_NEEDS_DISK | WL_NEEDS_2CPU | WL_NEEDS_RING0 | WL_NEEDS_SNAPSHOT | WL_NEEDS_MIGRATE | \
	 WL_NEEDS_RESIZE)
#define WL_KNOWN_FLAGS \
	(WL_TEST | WL_SUBTRACT_LOOP | WL_HOST | WL_NANOGUEST | WL_WRITES_DISK | WL_DRIVEN)
#define PROBE_KNOWN_FLAGS (PROBE_COUNT_PASS)

static bool filled(const char *s)
{
	return s && s[0];
}

/* Names must be present and unique within their table: names[i] against all before it. */
static void check_names(const char *table, const char *const *names, size_t n)
{
	cr_assert_gt(n, 0, "the %s table is empty", table);
	for (size_t i = 0; i < n; i++) {
		cr_assert(filled(names[i]), "%s entry %zu has no name", table, i);
		for (size_t k = 0; k < i; k++)
			cr_assert_str_neq(names[i], names[k], "%s name '%s' is used twice", table,
					  names[i]);
	}
}

Test(registry, every_backend_passes_its_check)
{
	const char *names[64] = { 0 };

	cr_assert_leq(backend_count, 64);
	for (size_t i = 0; i < backend_count; i++) {
		const struct backend_ops *b = backend_table[i];
		const char *why = NULL;
		cr_assert_not_null(b, "backend entry %zu is NULL", i);
		names[i] = b->name;
		cr_assert_eq(backend_check(b, &why), 0, "backend %s: %s", b->name, why);
		cr_assert_eq(b->abi, BACKEND_ABI, "backend %s", b->name);
		cr_assert(filled(b->summary), "backend %s has no summary", b->name);
		cr_assert(filled(b->mode), "backend %s has no mode", b->name);
		cr_assert_gt(b->hello_timeout_s, 0, "backend %s", b->name);
		cr_assert_eq(b->flags & ~BK_KNOWN_FLAGS, 0, "backend %s: unknown flags", b->name);
		cr_assert_eq(b->provides & ~WL_KNOWN_NEEDS, 0, "backend %s: provides unknown needs",
			     b->name);
	}
	check_names("backend", names, backend_count);
	/* One baseline, which every ratio refers to; a run records its name. */
	size_t baselines = 0;
	for (size_t i = 0; i < backend_count; i++)
		baselines += (backend_table[i]->flags & BK_BASELINE) != 0;
	cr_assert_eq(baselines, 1, "%zu backends declare themselves the baseline", baselines);
	cr_assert_not_null(backend_baseline());
	for (size_t i = 0; i < backend_count; i++)
		cr_assert_eq(backend_find(names[i]), backend_table[i], "backend_find(%s)",
			     names[i]);
}

Test(registry, every_probe_passes_its_check)
{
	const char *names[64] = { 0 };

	cr_assert_leq(probe_count, 64);
	for (size_t i = 0; i < probe_count; i++) {
		const struct probe_ops *p = probe_table[i];
		const char *why = NULL;
		cr_assert_not_null(p, "probe entry %zu is NULL", i);
		names[i] = p->name;
		cr_assert_eq(probe_check(p, &why), 0, "probe %s: %s", p->name, why);
		cr_assert_eq(p->abi, PROBE_ABI, "probe %s", p->name);
		cr_assert(filled(p->summary), "probe %s has no summary", p->name);
		cr_assert_eq(p->flags & ~PROBE_KNOWN_FLAGS, 0, "probe %s: unknown flags", p->name);
	}
	check_names("probe", names, probe_count);
}

Test(registry, every_workload_passes_its_check)
{
	const char *names[128] = { 0 };

	cr_assert_leq(workload_count, 128);
	for (size_t i = 0; i < workload_count; i++) {
		const struct workload_ops *w = workload_table[i];
		const char *why = NULL;
		cr_assert_not_null(w, "workload entry %zu is NULL", i);
		names[i] = w->name;
		cr_assert_eq(workload_check(w, &why), 0, "workload %s: %s", w->name, why);
		cr_assert_eq(w->abi, WORKLOAD_ABI, "workload %s", w->name);
		cr_assert(filled(w->summary), "workload %s has no summary", w->name);
		cr_assert(filled(w->unit), "workload %s has no unit", w->name);
		cr_assert(w->better == BETTER_LOWER || w->better == BETTER_HIGHER,
			  "workload %s: better %d out of range", w->name, (int)w->better);
		cr_assert(w->value == WL_TIME || w->value == WL_RATE,
			  "workload %s: value %d out of range", w->name, (int)w->value);
		cr_assert_eq(w->needs & ~WL_KNOWN_NEEDS, 0, "workload %s: unknown needs", w->name);
		cr_assert_eq(w->flags & ~WL_KNOWN_FLAGS, 0, "workload %s: unknown flags", w->name);
		cr_assert_eq(w->plots & ~WL_KNOWN_PLOTS, 0, "workload %s: unknown plots", w->name);
		cr_assert_eq(w->flags & WL_HOST, 0,
			     "workload %s: measured by the host, yet in the agent's table",
			     w->name);
	}
	check_names("workload", names, workload_count);
	for (size_t i = 0; i < workload_count; i++)
		cr_assert_eq(workload_find(names[i]), workload_table[i], "workload_find(%s)",
			     names[i]);
}

/* A need no backend provides would make its workload skipped everywhere, silently. */
Test(registry, every_need_of_a_workload_is_provided_by_some_backend)
{
	unsigned provided = 0;

	for (size_t i = 0; i < backend_count; i++)
		if (!(backend_table[i]->flags & BK_TEST))
			provided |= backend_table[i]->provides;
	for (size_t i = 0; i < workload_count; i++) {
		const struct workload_ops *w = workload_table[i];
		cr_assert_eq(w->needs & ~provided, 0, "workload %s needs what no backend provides",
			     w->name);
	}
}

/* Every workload runs on some backend, and every backend has workloads: the nanoguest's
 * backends run only its own, and what needs ring 0 runs nowhere else; what a host workload
 * drives (WL_DRIVEN) is a cell nowhere. */
Test(registry, every_workload_applies_somewhere_and_every_backend_has_some)
{
	for (size_t i = 0; i < catalog_count(); i++) {
		const struct workload_ops *w = catalog_at(i);
		size_t where = 0;
		for (size_t k = 0; k < backend_count; k++)
			where += plan_applies(backend_table[k], w);
		if (w->flags & WL_DRIVEN)
			cr_assert_eq(where, 0, "workload %s is driven, yet a cell", w->name);
		else
			cr_assert_gt(where, 0, "workload %s runs on no backend", w->name);
		cr_assert(!((w->flags & WL_NANOGUEST) && (w->needs & WL_NEEDS_RING0)),
			  "workload %s: ring 0 only, yet also the agent's", w->name);
	}
	for (size_t k = 0; k < backend_count; k++) {
		size_t what = 0;
		for (size_t i = 0; i < catalog_count(); i++)
			what += plan_applies(backend_table[k], catalog_at(i));
		cr_assert_gt(what, 0, "backend %s runs no workload", backend_table[k]->name);
	}
}

/* Every preset names workloads that exist. */
Test(registry, every_preset_resolves)
{
	const char *names[32] = { 0 };

	cr_assert_leq(preset_count, 32);
	for (size_t i = 0; i < preset_count; i++) {
		const struct preset *ps = &preset_table[i];
		struct plan p;
		char err[512] = "";
		names[i] = ps->name;
		cr_assert(filled(ps->summary), "preset %s has no summary", ps->name);
		cr_assert_eq(
			plan_build(&p, NULL, ps->workloads, &profile_table[0], err, sizeof(err)), 0,
			"preset %s: %s", ps->name, err);
		cr_assert_gt(p.nworkloads, 0, "preset %s", ps->name);
		plan_free(&p);
		cr_assert_eq(preset_find(ps->name), ps);
	}
	check_names("preset", names, preset_count);
}

/* There is no profile_check: what a profile must hold is written down here. */
Test(registry, every_profile_is_sane)
{
	const char *names[32] = { 0 };

	cr_assert_leq(profile_count, 32);
	for (size_t i = 0; i < profile_count; i++) {
		const struct profile *p = &profile_table[i];
		names[i] = p->name;
		cr_assert(filled(p->summary), "profile %s has no summary", p->name);
		cr_assert(filled(p->stop_rule), "profile %s has no stop rule", p->name);
		cr_assert_geq(p->reps, 1, "profile %s", p->name);
		cr_assert_geq(p->rounds, 1, "profile %s", p->name);
		cr_assert_gt(p->min_sample_ns, 0, "profile %s", p->name);
		cr_assert_geq(p->boot_reps, 1, "profile %s", p->name);
		/* Every round takes at least one sample of every cell. */
		cr_assert_leq(p->rounds, p->reps, "profile %s: more rounds than samples", p->name);
	}
	check_names("profile", names, profile_count);
	for (size_t i = 0; i < profile_count; i++)
		cr_assert_eq(profile_find(names[i]), &profile_table[i], "profile_find(%s)",
			     names[i]);
}

Test(registry, every_host_workload_passes_its_check)
{
	cr_assert_gt(host_workload_count, 0);
	for (size_t i = 0; i < host_workload_count; i++) {
		const struct host_workload *hw = host_workload_table[i];
		const char *why = NULL;
		cr_assert_not_null(hw, "host workload entry %zu is NULL", i);
		cr_assert_eq(host_workload_check(hw, &why), 0, "host workload %zu: %s", i, why);
		cr_assert_eq(hw->meta->plots & ~WL_KNOWN_PLOTS, 0, "%s: unknown plots",
			     hw->meta->name);
		cr_assert_eq(catalog_host(hw->meta), hw, "catalog_host(%s)", hw->meta->name);
	}
	struct host_workload broken = *host_workload_table[0];
	const char *why = NULL;
	broken.run = NULL;
	cr_assert_eq(host_workload_check(&broken, &why), -EINVAL, "no run hook accepted");
	broken = *host_workload_table[0];
	broken.abi++;
	cr_assert_eq(host_workload_check(&broken, &why), -EINVAL, "a wrong ABI accepted");
	struct workload_ops meta = *host_workload_table[0]->meta;
	broken = *host_workload_table[0];
	broken.meta = &meta;
	meta.flags &= ~WL_HOST;
	cr_assert_eq(host_workload_check(&broken, &why), -EINVAL, "no WL_HOST accepted");
}

/* The catalog is every workload once, by name: the agent's and the host's. */
Test(registry, the_catalog_has_every_workload_once)
{
	size_t n = catalog_count();
	const char *names[256] = { 0 };

	cr_assert_eq(n, workload_count + host_workload_count);
	cr_assert_leq(n, 256);
	for (size_t i = 0; i < n; i++) {
		names[i] = catalog_at(i)->name;
		cr_assert_eq(catalog_find(names[i]), catalog_at(i), "catalog_find(%s)", names[i]);
		cr_assert_eq(catalog_host(catalog_at(i)) != NULL,
			     (catalog_at(i)->flags & WL_HOST) != 0, "%s: host or agent", names[i]);
	}
	check_names("catalog", names, n);
	cr_assert_null(catalog_at(n));
	/* lmbench summary rows are labelled once each. */
	for (size_t i = 0; i < n; i++)
		for (size_t k = 0; k < i; k++)
			if (catalog_at(i)->lmbench && catalog_at(k)->lmbench)
				cr_assert_str_neq(catalog_at(i)->lmbench, catalog_at(k)->lmbench,
						  "lmbench row '%s' twice", catalog_at(i)->lmbench);
}

Test(registry, every_report_format_has_a_renderer)
{
	const char *names[32] = { 0 };
	unsigned all = 0;
	char list[128], err[256];

	cr_assert_leq(report_renderer_count, 32);
	for (size_t i = 0; i < report_renderer_count; i++) {
		const struct report_renderer *r = report_renderers[i];
		cr_assert_not_null(r, "renderer entry %zu is NULL", i);
		names[i] = r->name;
		cr_assert_not_null(r->render, "renderer %s has no render hook", r->name);
		cr_assert(r->bit && !(r->bit & (r->bit - 1)), "renderer %s: bit %#x", r->name,
			  r->bit);
		cr_assert_eq(all & r->bit, 0, "renderer %s shares its bit", r->name);
		all |= r->bit;
	}
	check_names("renderer", names, report_renderer_count);
	cr_assert_eq(all, REPORT_ALL, "REPORT_ALL is every renderer's bit");
	/* The names the CLI offers parse back to every format. */
	unsigned parsed = 0;
	report_format_names(REPORT_ALL, ",", list, sizeof(list));
	cr_assert_eq(report_parse_formats(list, &parsed, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(parsed, REPORT_ALL);
}

Test(registry, every_plot_has_a_writer_and_a_script)
{
	const char *names[32] = { 0 };
	char *dir = plot_scripts_dir();

	cr_assert_not_null(dir);
	cr_assert_leq(plot_count, 32);
	for (size_t i = 0; i < plot_count; i++) {
		const struct plot_def *p = &plot_table[i];
		char path[4096];
		struct stat st;
		names[i] = p->stem;
		cr_assert(filled(p->caption), "plot %s has no caption", p->stem);
		cr_assert_not_null(p->data, "plot %s has no data writer", p->stem);
		cr_assert_eq(p->members & ~WL_KNOWN_PLOTS, 0, "plot %s: unknown members", p->stem);
		snprintf(path, sizeof(path), "%s/%s.gp", dir, p->stem);
		cr_assert_eq(stat(path, &st), 0, "plot %s has no script %s", p->stem, path);
		/* A plot of some workloads has at least one. */
		bool any = !p->members;
		for (size_t w = 0; w < catalog_count() && !any; w++)
			any = (catalog_at(w)->plots & p->members) != 0;
		cr_assert(any, "plot %s shows no workload", p->stem);
	}
	check_names("plot", names, plot_count);
	free(dir);
}

Test(registry, every_command_is_complete)
{
	const char *names[32] = { 0 };

	cr_assert_leq(cli_command_count, 32);
	for (size_t i = 0; i < cli_command_count; i++) {
		const struct cli_cmd *c = cli_commands[i];
		cr_assert_not_null(c, "command entry %zu is NULL", i);
		names[i] = c->name;
		cr_assert(filled(c->summary), "command %s has no summary", c->name);
		cr_assert(filled(c->about), "command %s has no help text", c->name);
		cr_assert_not_null(c->run, "command %s has no run hook", c->name);
		cr_assert(!c->nargs || filled(c->missing),
			  "command %s takes arguments but has no message for their absence",
			  c->name);
	}
	check_names("command", names, cli_command_count);
}

/* The checks must reject what they exist for: a copy of a real entry, broken one way. */
static void expect_rejected(int ret, const char *why, const char *what)
{
	cr_assert_eq(ret, -EINVAL, "%s was accepted (%d)", what, ret);
	cr_assert(filled(why), "%s was rejected without a reason", what);
}

Test(registry, backend_check_rejects_broken_entries)
{
	const struct backend_ops *real = backend_table[0];
	struct backend_ops b;
	const char *why;
	int ret;

#define BROKEN(field, value)                                                      \
	do {                                                                      \
		b = *real;                                                        \
		b.field = value;                                                  \
		why = NULL;                                                       \
		ret = backend_check(&b, &why);                                    \
		expect_rejected(ret, why, "a backend with " #field " = " #value); \
	} while (0)
	BROKEN(abi, BACKEND_ABI + 1);
	BROKEN(abi, 0);
	BROKEN(name, NULL);
	BROKEN(mode, NULL);
	BROKEN(summary, NULL);
	BROKEN(available, NULL);
	BROKEN(start, NULL);
	BROKEN(stop, NULL);
	BROKEN(hello_timeout_s, 0);
	BROKEN(hello_timeout_s, -1);
#undef BROKEN
	b = *real;
	b.ready = NULL;
	b.explain = NULL;
	why = NULL;
	cr_assert_eq(backend_check(&b, &why), 0, "optional hooks left NULL: %s", why);
}

/* A resize is declared and has its hook, on a guest with a memory size of its own. */
Test(registry, backend_check_rejects_a_resize_it_cannot_do)
{
	const struct backend_ops *real = NULL;
	struct backend_ops b;
	const char *why;
	int ret;

	for (size_t i = 0; i < backend_count && !real; i++)
		if (backend_table[i]->provides & WL_NEEDS_RESIZE)
			real = backend_table[i];
	cr_assert_not_null(real, "no backend resizes its guests");
#define BROKEN(what, change)                     \
	do {                                     \
		b = *real;                       \
		change;                          \
		why = NULL;                      \
		ret = backend_check(&b, &why);   \
		expect_rejected(ret, why, what); \
	} while (0)
	BROKEN("resizing declared without resize", b.resize = NULL);
	BROKEN("resize without declaring it", b.provides &= ~WL_NEEDS_RESIZE);
	BROKEN("resizing a guest without a memory size", b.flags &= ~BK_MEM_LIMIT);
#undef BROKEN
}

Test(registry, probe_check_rejects_broken_entries)
{
	const struct probe_ops *real = probe_table[0];
	struct probe_ops p;
	const char *why;
	int ret;

#define BROKEN(field, value)                                                    \
	do {                                                                    \
		p = *real;                                                      \
		p.field = value;                                                \
		why = NULL;                                                     \
		ret = probe_check(&p, &why);                                    \
		expect_rejected(ret, why, "a probe with " #field " = " #value); \
	} while (0)
	BROKEN(abi, PROBE_ABI + 1);
	BROKEN(name, NULL);
	BROKEN(summary, NULL);
	BROKEN(available, NULL);
	BROKEN(snapshot, NULL);
#undef BROKEN
	p = *real;
	p.open = NULL;
	p.close = NULL;
	why = NULL;
	cr_assert_eq(probe_check(&p, &why), 0, "optional hooks left NULL: %s", why);
}

/* The first workload that has an op and no point, and the first that measures itself. */
static const struct workload_ops *workload_with(bool op)
{
	for (size_t i = 0; i < workload_count; i++) {
		const struct workload_ops *w = workload_table[i];
		if (!(w->flags & WL_HOST) && (op ? w->op && !w->point : w->measure != NULL))
			return w;
	}
	cr_assert_fail("no workload with %s", op ? "an op" : "a measure hook");
	return NULL;
}

static int noop_op(struct wl_ctx *ctx, uint64_t iters)
{
	return 0;
}

static int noop_point(struct wl_ctx *ctx, size_t i)
{
	return 0;
}

Test(registry, workload_check_rejects_broken_entries)
{
	const struct workload_ops *real = workload_with(true);
	struct workload_ops w;
	const char *why;
	int ret;

#define BROKEN(field, value)                                                       \
	do {                                                                       \
		w = *real;                                                         \
		w.field = value;                                                   \
		why = NULL;                                                        \
		ret = workload_check(&w, &why);                                    \
		expect_rejected(ret, why, "a workload with " #field " = " #value); \
	} while (0)
	BROKEN(abi, WORKLOAD_ABI + 1);
	BROKEN(name, NULL);
	BROKEN(summary, NULL);
	BROKEN(unit, NULL);
	BROKEN(op, NULL); /* and no measure: nothing to run */
	/* An op and a measure hook: which one runs? */
	BROKEN(measure, workload_with(false)->measure);
	/* A host workload is measured by the harness: it has no agent hooks. */
	BROKEN(flags, real->flags | WL_HOST);
	/* Points are prepared for an op; a measure hook has none. */
	real = workload_with(false);
	BROKEN(point, noop_point);
	/* A loop cost to subtract needs the loop it is measured on, and only then. */
	real = workload_find("syscall.getppid");
	BROKEN(empty, NULL);
	BROKEN(flags, real->flags & ~WL_SUBTRACT_LOOP);
	/* arm starts what measure collects. */
	BROKEN(arm, workload_find("io.randread4k.qd1")->arm);
#undef BROKEN
	w = *workload_with(true);
	w.point = noop_point;
	why = NULL;
	cr_assert_eq(workload_check(&w, &why), 0, "an op with points: %s", why);
	w = *workload_with(false);
	w.op = noop_op;
	w.measure = NULL;
	w.arm = NULL;
	cr_assert_eq(workload_check(&w, &why), 0, "a measure hook swapped for an op: %s", why);
}
