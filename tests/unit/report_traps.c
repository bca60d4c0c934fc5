/*
 * Unit tests of harness/report_traps.c: the table of what one trap costs (rows, columns,
 * entries, and a note whose facts follow the cells), where each backend's guest kernel
 * runs, and the trapcost plot's data.
 */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "harness/plot.h"
#include "harness/report.h"
#include "harness/report_model.h"
#include "host/util.h"
#include "tests/test_util.h"

static char dir[PATH_MAX];

static void setup(void)
{
	strcpy(dir, "/tmp/vmbench-report-traps-test.XXXXXX");
	cr_assert_not_null(mkdtemp(dir));
}

static void teardown(void)
{
	static const char *const names[] = { "report.md",	   "report.csv",
					     "report.tex",	   "report.html",
					     "plots/trapcost.dat", "plots/overhead.dat" };
	char path[PATH_MAX + 32];

	for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		unlink(path);
	}
	snprintf(path, sizeof(path), "%s/plots", dir);
	rmdir(path);
	cr_expect_eq(rmdir(dir), 0, "%s left behind: %s", dir, strerror(errno));
}

TestSuite(report_traps, .init = setup, .fini = teardown);

/* A measured cell of three sessions about value ns/op; extra (taken over) its facts. */
static struct cell *add(struct results *r, const char *backend, const char *workload, double value,
			json_t *extra)
{
	struct cell *c = results_add(r, backend, "mode", workload, "ns/op", BETTER_LOWER);
	const size_t sizes[] = { 2, 2, 2 };
	double x[6];

	cr_assert_not_null(c);
	for (int i = 0; i < 6; i++)
		x[i] = value * (1 + 0.001 * (i % 2));
	cr_assert_eq(cell_set_sessions(c, x, sizes, 3), 0);
	c->extra = extra;
	return c;
}

/*
 * native, tcg and tcg-nano: trap.none everywhere; trap.cpuid on native and tcg (tcg with one
 * device access per operation counted); trap.popf in ring 3 (native: the flip did nothing)
 * and ring 0 (tcg-nano: it took effect); trap.vmcall and trap.pio_qemu on tcg-nano, the
 * latter skipped; getppid (no trap.* workload) on native, uml and a backend this build does
 * not know.
 */
static void build(struct results *r)
{
	results_init(r);
	r->complete = true;
	r->provenance = json_pack("{s:s, s:{s:s, s:s}}", "date", "2026-12-01T00:00:00Z", "host",
				  "hostname", "box", "cpu_model", "Test CPU");
	cr_assert_not_null(r->provenance);
	add(r, "native", "syscall.getppid", 100, NULL);
	add(r, "native", "trap.none", 1.5, json_pack("{s:i}", "ring", 3));
	add(r, "native", "trap.cpuid", 30, json_pack("{s:i, s:b}", "ring", 3, "hypervisor_bit", 0));
	add(r, "native", "trap.popf", 20,
	    json_pack("{s:i, s:b, s:b}", "ring", 3, "if_changed", 0, "umip", 0));
	add(r, "tcg", "trap.none", 6, json_pack("{s:i}", "ring", 3));
	struct cell *c = add(r, "tcg", "trap.cpuid", 1389,
			     json_pack("{s:i, s:b, s:s}", "ring", 3, "hypervisor_bit", 1,
				       "hypervisor_vendor", "TCGTCGTCGTCG"));
	cr_assert_eq(traps_add(&c->traps, "dev:acpi", 1.0), 0);
	add(r, "tcg", "trap.popf", 60,
	    json_pack("{s:i, s:b, s:b}", "ring", 3, "if_changed", 0, "umip", 1));
	add(r, "tcg-nano", "trap.none", 5, json_pack("{s:i}", "ring", 0));
	add(r, "tcg-nano", "trap.popf", 40, json_pack("{s:i, s:b}", "ring", 0, "if_changed", 1));
	add(r, "tcg-nano", "trap.vmcall", 900,
	    json_pack("{s:i, s:s, s:i}", "ring", 0, "outcome", "#UD", "tsc_khz", 2000000));
	c = results_add(r, "tcg-nano", "mode", "trap.pio_qemu", "ns/op", BETTER_LOWER);
	cr_assert_not_null(c);
	cell_set_status(c, CELL_SKIPPED, "no ACPI PM timer here");
	add(r, "uml", "syscall.getppid", 15000, NULL);
	add(r, "frobnicate", "syscall.getppid", 300, NULL);
}

static const char *at(const struct report_table *t, size_t row, size_t col)
{
	cr_assert_lt(row, t->nrows);
	cr_assert_lt(col, t->ncols);
	const char *s = t->cells[row * t->ncols + col];
	return s ? s : "";
}

Test(report_traps, rows_columns_entries)
{
	struct results r;
	struct report_model m;

	build(&r);
	cr_assert_eq(report_model_build(&m, &r, dir), 0);
	const struct report_table *t = m.trapcost;
	cr_assert_not_null(t);
	cr_assert_str_eq(t->caption, "What one trap costs");
	/* The backends with a trap.* cell, in results order, each with its measured ring;
	 * uml and the unknown backend have none. */
	cr_assert_eq(t->ncols, 4);
	cr_assert_str_eq(t->head[0], "operation");
	cr_assert_str_eq(t->head[1], "native (ring 3)");
	cr_assert_str_eq(t->head[2], "tcg (ring 3)");
	cr_assert_str_eq(t->head[3], "tcg-nano (ring 0)");
	/* The operations with a cell, by plot_order (none 1, cpuid 3, pio_qemu 6), then those
	 * without one in catalog order; getppid is no row. */
	static const char *const rows[] = { "trap.none", "trap.cpuid", "trap.pio_qemu", "trap.popf",
					    "trap.vmcall" };
	cr_assert_eq(t->nrows, ARRAY_SIZE(rows));
	for (size_t i = 0; i < ARRAY_SIZE(rows); i++)
		cr_assert_str_eq(at(t, i, 0), rows[i]);
	cr_assert_str_eq(at(t, 0, 1), "1.50 ns/op");
	cr_assert_str_eq(at(t, 1, 2), "1.39 µs/op, 1.00 dev:acpi/op");
	cr_assert_str_eq(at(t, 1, 3), "—");
	cr_assert_str_eq(at(t, 2, 1), "—");
	cr_assert_str_eq(at(t, 2, 3), "skipped [1]");
	/* Timed with the TSC at a known rate: in its cycles too. */
	cr_assert_str_eq(at(t, 4, 3), "900 ns/op (1800 TSC cycles)");
	report_model_free(&m);
	results_free(&r);
}

Test(report_traps, note_follows_the_data)
{
	struct results r;
	struct report_model m;

	build(&r);
	cr_assert_eq(report_model_build(&m, &r, dir), 0);
	const char *note = m.trapcost->note;
	cr_assert_not_null(note);
	cr_assert_not_null(strstr(note, "The native column is each operation on the host itself"),
			   "%s", note);
	cr_assert_not_null(strstr(note,
				  "trap.popf's IF flip (extra.if_changed): silently did "
				  "nothing in ring 3 under native, tcg; took effect in ring 0 "
				  "under tcg-nano."),
			   "%s", note);
	cr_assert_not_null(strstr(note, "Popek and Goldberg"), "%s", note);
	cr_assert_not_null(strstr(note, "UMIP (extra.umip): off under native; on under tcg."), "%s",
			   note);
	cr_assert_not_null(strstr(note, "trap.vmcall (extra.outcome): #UD under tcg-nano."), "%s",
			   note);
	cr_assert_not_null(strstr(note, "trap.cpuid's hypervisor bit (extra.hypervisor_bit): "
					"clear under native; set ('TCGTCGTCGTCG') under tcg."),
			   "%s", note);
	cr_assert_not_null(strstr(note, "those that need ring 0 run only in a nanoguest"), "%s",
			   note);
	cr_assert_not_null(strstr(note, "[1] no ACPI PM timer here."), "%s", note);
	report_model_free(&m);

	/* Other facts, another note: the flip took effect natively too, and vmcall returned.
	 * Nothing is left of the silent flip. */
	struct cell *c = (struct cell *)results_find(&r, "native", "trap.popf");
	json_object_set_new(c->extra, "if_changed", json_true());
	c = (struct cell *)results_find(&r, "tcg", "trap.popf");
	json_object_set_new(c->extra, "if_changed", json_true());
	c = (struct cell *)results_find(&r, "tcg-nano", "trap.vmcall");
	json_object_set_new(c->extra, "outcome", json_string("returned"));
	cr_assert_eq(report_model_build(&m, &r, dir), 0);
	note = m.trapcost->note;
	cr_assert_not_null(strstr(note, "trap.popf's IF flip (extra.if_changed): took effect in "
					"ring 3 under native, tcg; took effect in ring 0 under "
					"tcg-nano."),
			   "%s", note);
	cr_assert_null(strstr(note, "Popek"), "%s", note);
	cr_assert_not_null(strstr(note, "trap.vmcall (extra.outcome): returned under tcg-nano."),
			   "%s", note);
	report_model_free(&m);
	results_free(&r);
}

/* Where the guest kernel runs: from each backend's flags, the ring from its cells. */
Test(report_traps, guest_kernel_column)
{
	struct results r;
	struct report_model m;

	build(&r);
	struct cell *k = results_add(&r, "kvm-nano", "mode", "trap.none", "ns/op", BETTER_LOWER);
	cr_assert_not_null(k);
	cell_set_status(k, CELL_SKIPPED, "no KVM");
	cr_assert_eq(report_model_build(&m, &r, dir), 0);
	const struct report_table *t = m.backtab;
	size_t col = 0;
	for (size_t i = 0; i < t->ncols; i++)
		if (!strcmp(t->head[i], "where the guest kernel runs"))
			col = i;
	cr_assert_neq(col, 0);
	static const struct {
		const char *backend, *where;
	} want[] = {
		{ "native", "host kernel itself (no guest kernel); its trap.* code ran in ring 3 "
			    "(measured)" },
		{ "tcg", "ring 0 of an emulated CPU; its trap.* code ran in ring 3 (measured)" },
		{ "tcg-nano", "ring 0 of an emulated CPU (the nanoguest, no Linux); its trap.* "
			      "code ran in ring 0 (measured)" },
		{ "uml", "a host process in ring 3 (syscalls trapped by ptrace)" },
		{ "frobnicate", "—" },
		{ "kvm-nano", "ring 0, VMX/SVM non-root (the nanoguest, no Linux)" },
	};
	for (size_t i = 0; i < ARRAY_SIZE(want); i++) {
		size_t row;
		for (row = 0; row < t->nrows && strcmp(at(t, row, 0), want[i].backend); row++)
			;
		cr_assert_lt(row, t->nrows, "no row of %s", want[i].backend);
		cr_assert_str_eq(at(t, row, col), want[i].where, "%s", want[i].backend);
	}
	/* kvm-nano ran nothing: no column of its own, named in the note instead. */
	cr_assert_eq(m.trapcost->ncols, 4);
	cr_assert_str_eq(at(m.trapcost, 2, 3), "skipped [1]");
	cr_assert_not_null(strstr(m.trapcost->note, "Not run here: kvm-nano"), "%s",
			   m.trapcost->note);
	cr_assert_not_null(strstr(m.trapcost->note, "[1] no ACPI PM timer here."), "%s",
			   m.trapcost->note);
	report_model_free(&m);
	results_free(&r);
}

/* Noisy medians and several trap kinds, compactly. */
Test(report_traps, noisy_and_kinds)
{
	struct results r;
	struct report_model m;

	build(&r);
	struct cell *c = (struct cell *)results_find(&r, "tcg", "trap.none");
	cr_assert_eq(traps_add(&c->traps, "kvm:io", 1.0), 0);
	cr_assert_eq(traps_add(&c->traps, "kvm:irq", 0.02), 0);
	cr_assert_eq(traps_add(&c->traps, "kvm:other", 0.01), 0);
	c = (struct cell *)results_find(&r, "native", "trap.none");
	cr_assert_eq(traps_add(&c->traps, "syscalls", 0), 0);
	c = (struct cell *)results_find(&r, "tcg-nano", "trap.none");
	cell_set_status(c, CELL_NOISY, "wide");
	cr_assert_eq(report_model_build(&m, &r, dir), 0);
	cr_assert_str_eq(at(m.trapcost, 0, 1), "1.50 ns/op, 0.00 traps/op");
	cr_assert_str_eq(at(m.trapcost, 0, 2),
			 "6.00 ns/op, 1.03 traps/op (kvm:io 1.00, kvm:irq 0.02, …)");
	cr_assert_str_eq(at(m.trapcost, 0, 3), "5.00 ns/op (noisy)");
	cr_assert_not_null(strstr(m.trapcost->note, "noisy: "), "%s", m.trapcost->note);
	report_model_free(&m);
	results_free(&r);
}

/* Every renderer shows it where the run has it; none where it has no trap.* cell. */
Test(report_traps, rendered_only_with_trap_cells)
{
	struct results r;
	char err[256], path[PATH_MAX + 32];
	size_t len;

	build(&r);
	cr_assert_eq(report_write(&r, dir, REPORT_ALL, err, sizeof(err)), 0, "%s", err);
	snprintf(path, sizeof(path), "%s/report.md", dir);
	char *md = util_read_file(path, 1 << 24, &len);
	cr_assert_not_null(md);
	cr_assert_not_null(strstr(md, "## What one trap costs\n\n| operation | native (ring 3) | "
				      "tcg (ring 3) | tcg-nano (ring 0) |"),
			   "%s", md);
	cr_assert_not_null(strstr(md, "| trap.pio_qemu | — | — | skipped \\[1\\] |"), "%s", md);
	free(md);
	snprintf(path, sizeof(path), "%s/report.tex", dir);
	char *tex = util_read_file(path, 1 << 24, &len);
	cr_assert_not_null(tex);
	cr_assert_not_null(strstr(tex, "\\label{tab:vmbench-trapcost}"));
	cr_assert_not_null(strstr(tex, "\\#UD"), "%s", tex);
	free(tex);
	snprintf(path, sizeof(path), "%s/report.html", dir);
	char *html = util_read_file(path, 1 << 24, &len);
	cr_assert_not_null(html);
	cr_assert_not_null(strstr(html, "<h2 id=\"trapcost\">What one trap costs</h2>"));
	free(html);
	results_free(&r);

	/* No trap.* cell: no table, and no word of it. */
	results_init(&r);
	r.provenance = json_object();
	add(&r, "native", "syscall.getppid", 100, NULL);
	struct report_model m;
	cr_assert_eq(report_model_build(&m, &r, dir), 0);
	cr_assert_null(m.trapcost);
	report_model_free(&m);
	cr_assert_eq(report_write(&r, dir, REPORT_MD, err, sizeof(err)), 0, "%s", err);
	snprintf(path, sizeof(path), "%s/report.md", dir);
	md = util_read_file(path, 1 << 24, &len);
	cr_assert_not_null(md);
	cr_assert_null(strstr(md, "What one trap costs"), "%s", md);
	cr_assert_null(strstr(md, "trap."), "%s", md);
	free(md);
	results_free(&r);
}

/* The plot's data: a row per measured operation, a median and CI per backend that
 * measured one; no data file without trap.* cells. */
Test(report_traps, plot_data)
{
	struct results r;
	char err[256], path[PATH_MAX + 32];
	size_t n, len;

	build(&r);
	cr_assert_eq(plot_write_data(&r, dir, &n, err, sizeof(err)), 0, "%s", err);
	snprintf(path, sizeof(path), "%s/plots/trapcost.dat", dir);
	char *dat = util_read_file(path, 1 << 24, &len);
	cr_assert_not_null(dat, "%s: %s", path, strerror(errno));
	cr_assert_eq(strncmp(dat,
			     "# operation\tnative\tnative_lo\tnative_hi\ttcg\ttcg_lo\ttcg_hi\t"
			     "tcg-nano\ttcg-nano_lo\ttcg-nano_hi\n",
			     76),
		     0, "%s", dat);
	/* pio_qemu was skipped: no row; vmcall only on tcg-nano. */
	cr_assert_null(strstr(dat, "trap.pio_qemu"), "%s", dat);
	cr_assert_not_null(strstr(dat, "\ntrap.none\t1.5"), "%s", dat);
	cr_assert_not_null(strstr(dat, "\ntrap.vmcall\t?\t?\t?\t?\t?\t?\t900"), "%s", dat);
	cr_assert_eq(test_count(dat, "\n"), 5, "a header and 4 rows: %s", dat);
	free(dat);
	results_free(&r);

	results_init(&r);
	r.provenance = json_object();
	add(&r, "native", "syscall.getppid", 100, NULL);
	cr_assert_eq(plot_write_data(&r, dir, &n, err, sizeof(err)), 0, "%s", err);
	cr_assert_neq(access(path, F_OK), 0, "%s written without trap.* cells", path);
	results_free(&r);
}
