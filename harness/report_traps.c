/*
 * What one trap costs, as Adams and Agesen tabulate it (ASPLOS 2006; kvm-unit-tests'
 * vmexit): the operations drawn in the trapcost plot × the backends that have a cell of
 * them, each the median per operation and the traps the probes counted, with a note of the
 * facts the cells recorded (ring, UMIP, popf's IF flip, vmcall's outcome, cpuid's
 * hypervisor bit). And where each backend's guest kernel runs, for the backends table:
 * both from flags and recorded facts, never from a backend's name.
 */
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness/catalog.h"
#include "harness/plot.h"
#include "harness/registry.h"
#include "harness/report_model.h"
#include "host/util.h"

#define TRAP_MAX_BACKENDS (REPORT_MAX_COLS - 1)
/* Distinct reasons of skipped and failed cells given a footnote each; more share none. */
#define TRAP_MAX_NOTES 16
/* Distinct values of one fact the note lists. */
#define FACT_MAX_GROUPS 8

/* The ring a cell's code ran in (extra.ring), or -1 where it does not say. */
static int cell_ring(const struct cell *c)
{
	json_t *v = json_object_get(c ? c->extra : NULL, "ring");
	json_int_t ring = json_is_integer(v) ? json_integer_value(v) : -1;

	return ring >= 0 && ring <= 3 ? (int)ring : -1;
}

/* "ring 3", "rings 0, 3" of a set of rings (bit i: ring i); "" for none. */
static void fmt_rings(unsigned rings, char *buf, size_t len)
{
	buf[0] = '\0';
	for (int i = 0; i < 4; i++)
		if (rings & (1u << i))
			util_appendf(buf, len, "%s%d",
				     buf[0] ? ", " : (rings & (rings - 1) ? "rings " : "ring "), i);
}

void report_guest_kernel(const struct report_model *m, const char *column, char *buf, size_t len)
{
	/* The first cell of a column: its backend is the column's. */
	const struct cell *first = results_column_first(m->r, column);
	/* The file names its backends; this build may not know one (a file from another). */
	const struct backend_ops *b = first ? backend_find(first->backend) : NULL;
	unsigned rings = 0;
	char measured[32];
	size_t n;
	const struct cell **cs = results_column_cells(m->r, column, &n);

	for (size_t i = 0; cs && i < n; i++) {
		int ring = cell_ring(cs[i]);
		if (ring >= 0)
			rings |= 1u << ring;
	}
	free(cs);
	if (!b)
		snprintf(buf, len, "—");
	else if (b->flags & BK_HOST_KERNEL)
		snprintf(buf, len, "host kernel itself (no guest kernel)");
	else if (b->flags & BK_PTRACE_KERNEL)
		snprintf(buf, len, "a host process in ring 3 (syscalls trapped by ptrace)");
	else if (b->flags & BK_VM)
		snprintf(buf, len, "%s",
			 b->flags & BK_HW_ACCEL ? "ring 0, VMX/SVM non-root"
						: "ring 0 of an emulated CPU");
	else
		snprintf(buf, len, "—");
	if (b && (b->flags & BK_FREESTANDING))
		util_appendf(buf, len, " (the nanoguest, no Linux)");
	fmt_rings(rings, measured, sizeof(measured));
	if (measured[0])
		util_appendf(buf, len, "; its trap.* code ran in %s (measured)", measured);
}

/* ---- the facts of the note: the backends grouped by what their cells say ---- */

struct facts {
	size_t n;
	struct {
		char value[96];
		char who[512];
	} g[FACT_MAX_GROUPS];
};

static void facts_add(struct facts *f, const char *value, const char *who)
{
	size_t i;

	for (i = 0; i < f->n && strcmp(f->g[i].value, value); i++)
		;
	if (i == f->n) {
		if (f->n == FACT_MAX_GROUPS)
			return;
		snprintf(f->g[i].value, sizeof(f->g[i].value), "%s", value);
		f->g[i].who[0] = '\0';
		f->n++;
	}
	util_appendf(f->g[i].who, sizeof(f->g[i].who), "%s%s", f->g[i].who[0] ? ", " : "", who);
}

/* " lead: v1 under a, b; v2 under c." onto buf, when there is any fact. */
static void facts_put(const struct facts *f, const char *lead, char *buf, size_t len)
{
	if (!f->n)
		return;
	util_appendf(buf, len, " %s: ", lead);
	for (size_t i = 0; i < f->n; i++)
		util_appendf(buf, len, "%s%s under %s", i ? "; " : "", f->g[i].value, f->g[i].who);
	util_appendf(buf, len, ".");
}

/* What a cell says of one fact, into buf ("" when it says nothing). */
typedef void (*fact_fn)(const struct cell *c, char *buf, size_t len);

/* popf: whether flipping IF took effect, and in which ring. */
static void fact_if_changed(const struct cell *c, char *buf, size_t len)
{
	json_t *v = json_object_get(c->extra, "if_changed");
	char rings[32];

	buf[0] = '\0';
	if (!json_is_boolean(v))
		return;
	fmt_rings(cell_ring(c) >= 0 ? 1u << cell_ring(c) : 0, rings, sizeof(rings));
	snprintf(buf, len, "%s%s%s", json_is_true(v) ? "took effect" : "silently did nothing",
		 rings[0] ? " in " : "", rings);
}

/* vmcall: what the instruction did ("#UD", "returned"). */
static void fact_outcome(const struct cell *c, char *buf, size_t len)
{
	const char *s = json_string_value(json_object_get(c->extra, "outcome"));

	snprintf(buf, len, "%s", s ? s : "");
}

/* cpuid: the hypervisor bit, and the hypervisor's signature where it is set. */
static void fact_hypervisor(const struct cell *c, char *buf, size_t len)
{
	json_t *v = json_object_get(c->extra, "hypervisor_bit");
	const char *vendor = json_string_value(json_object_get(c->extra, "hypervisor_vendor"));

	buf[0] = '\0';
	if (!json_is_boolean(v))
		return;
	if (json_is_false(v))
		snprintf(buf, len, "clear");
	else if (vendor && vendor[0])
		snprintf(buf, len, "set ('%s')", vendor);
	else
		snprintf(buf, len, "set");
}

/* UMIP, as the kernel the cell ran on shows the CPU. */
static void fact_umip(const struct cell *c, char *buf, size_t len)
{
	json_t *v = json_object_get(c->extra, "umip");

	snprintf(buf, len, "%s", !json_is_boolean(v) ? "" : json_is_true(v) ? "on" : "off");
}

/* Facts of one operation, a sentence each, led by the workload and then by what. */
static const struct {
	fact_fn fn;
	const char *what;
} row_facts[] = {
	{ fact_if_changed, "'s IF flip (extra.if_changed)" },
	{ fact_outcome, " (extra.outcome)" },
	{ fact_hypervisor, "'s hypervisor bit (extra.hypervisor_bit)" },
};

/* ---- the table ---- */

/* One table under construction: its columns, rows and footnotes. */
struct trap_table {
	struct report_model *m;
	const char *cols[TRAP_MAX_BACKENDS];
	size_t nb, over;
	const char **rows;
	size_t nrows;
	const char *notes[TRAP_MAX_NOTES]; /* the reasons footnoted, [1] first */
	size_t nnotes;
	bool noisy, absent; /* some entry is noisy; some operation has no cell of a column */
};

/* The footnote number of a reason, 0 when there are too many to number. */
static size_t footnote(struct trap_table *tt, const char *reason)
{
	for (size_t i = 0; i < tt->nnotes; i++)
		if (!strcmp(tt->notes[i], reason))
			return i + 1;
	if (tt->nnotes == TRAP_MAX_NOTES)
		return 0;
	tt->notes[tt->nnotes++] = reason;
	return tt->nnotes;
}

/* The traps the probes counted per operation, compactly and to the hundredth (what the
 * table asks is whether an operation traps, and how often): "1.00 kvm:io/op" for one kind,
 * "1.02 traps/op (kvm:io 1.00, kvm:irq 0.02, …)" for several, the largest first; kinds
 * below a hundredth per operation (a timer's interrupt now and then, the protocol's own
 * lines) are left out of the list, and "0.00 traps/op" is an operation that does not trap. */
static void fmt_traps(const struct traps *t, char *buf, size_t len)
{
	const struct trap_kind *top[2] = { NULL, NULL };
	size_t n = 0;

	for (size_t i = 0; i < t->n; i++) {
		const struct trap_kind *k = &t->kind[i];
		if (!(k->per_op >= 0.005))
			continue;
		n++;
		if (!top[0] || k->per_op > top[0]->per_op) {
			top[1] = top[0];
			top[0] = k;
		} else if (!top[1] || k->per_op > top[1]->per_op) {
			top[1] = k;
		}
	}
	if (n == 1 && fabs(top[0]->per_op - t->per_op) < 0.005) {
		snprintf(buf, len, "%.2f %s/op", t->per_op, top[0]->name);
		return;
	}
	snprintf(buf, len, "%.2f traps/op", t->per_op);
	if (n == 1)
		util_appendf(buf, len, " (%s %.2f, …)", top[0]->name, top[0]->per_op);
	else if (n >= 2)
		util_appendf(buf, len, " (%s %.2f, %s %.2f%s)", top[0]->name, top[0]->per_op,
			     top[1]->name, top[1]->per_op, n > 2 ? ", …" : "");
}

static char *entry(struct trap_table *tt, const struct cell *c)
{
	char val[160], traps[256] = "";

	if (!c) {
		tt->absent = true;
		return report_asprintf(tt->m, "—");
	}
	if (!cell_measured(c)) {
		size_t note = c->reason ? footnote(tt, c->reason) : 0;
		if (!note)
			return report_asprintf(tt->m, "%s", cell_status_name(c->status));
		return report_asprintf(tt->m, "%s [%zu]", cell_status_name(c->status), note);
	}
	report_fmt_value(c->stats.median, c->unit, val, sizeof(val));
	/* Where the cell timed with the TSC at a known rate (the nanoguest), also in its ticks,
	 * the unit of the classic tables: "1 cpuid = 1 exit = N cycles". */
	json_t *khz = c->extra ? json_object_get(c->extra, "tsc_khz") : NULL;
	if (json_is_number(khz) && json_number_value(khz) > 0 && !strcmp(c->unit, "ns/op")) {
		/* To three significant digits, as the time beside it. */
		double cycles = c->stats.median * json_number_value(khz) / 1e6;
		double step = cycles >= 1000 ? pow(10, floor(log10(cycles)) - 2) : 1;
		util_appendf(val, sizeof(val), " (%.0f TSC cycles)", round(cycles / step) * step);
	}
	if (c->status == CELL_NOISY) {
		util_appendf(val, sizeof(val), " (noisy)");
		tt->noisy = true;
	}
	if (c->traps.present && isfinite(c->traps.per_op))
		fmt_traps(&c->traps, traps, sizeof(traps));
	return report_asprintf(tt->m, "%s%s%s", val, traps[0] ? ", " : "", traps);
}

/* The columns: the backends with a cell of any operation, in results order. */
static void pick_columns(struct trap_table *tt, const char **wl, size_t nw)
{
	const struct report_model *m = tt->m;

	for (size_t b = 0; b < m->nb; b++) {
		bool any = false;
		/* A backend that ran nothing (not available here) is named in the note. */
		if (!m->ran[b])
			continue;
		for (size_t w = 0; w < nw && !any; w++)
			any = results_find(m->r, m->backends[b], wl[w]) != NULL;
		if (!any)
			continue;
		if (tt->nb == TRAP_MAX_BACKENDS)
			tt->over++;
		else
			tt->cols[tt->nb++] = m->backends[b];
	}
}

/* A column's head: the backend, and the ring its operations ran in where they say. */
static char *column_head(struct trap_table *tt, const char *col)
{
	unsigned rings = 0;
	char text[32];

	for (size_t w = 0; w < tt->nrows; w++) {
		int ring = cell_ring(results_find(tt->m->r, col, tt->rows[w]));
		if (ring >= 0)
			rings |= 1u << ring;
	}
	fmt_rings(rings, text, sizeof(text));
	return report_asprintf(tt->m, "%s%s%s%s", col, text[0] ? " (" : "", text,
			       text[0] ? ")" : "");
}

/* The paragraph under the table: how to read it, then what the cells recorded. */
static void build_note(struct trap_table *tt, bool heads_ring, char *buf, size_t len)
{
	const struct results *r = tt->m->r;
	const char *base = results_baseline(r);
	char value[96], lead[160], bases[256] = "";
	size_t nbase = 0;
	bool ring0 = false, loop = true;
	struct facts f;

	/* The baseline's columns (one per host in a merged file). */
	for (size_t b = 0; b < tt->nb; b++) {
		const struct cell *c = results_column_first(r, tt->cols[b]);
		if (c && !strcmp(c->backend, base))
			util_appendf(bases, sizeof(bases), "%s%s", nbase++ ? ", " : "",
				     tt->cols[b]);
	}
	for (size_t w = 0; w < tt->nrows; w++) {
		const struct workload_ops *wl = catalog_find(tt->rows[w]);
		ring0 |= wl && (wl->needs & WL_NEEDS_RING0);
		loop &= wl && (wl->flags & WL_SUBTRACT_LOOP);
	}
	snprintf(buf, len,
		 "Median time per operation%s, and where the probes counted, the traps per "
		 "operation and their largest kinds.",
		 loop ? " (the cost of its loop taken out)" : "");
	if (tt->m->not_run)
		util_appendf(buf, len, " Not run here: %s (the backends table says why).",
			     tt->m->not_run);
	/* A hardware-assisted backend says so by its flags; what KVM did here is the capability
	 * probe's measurement (a KVM that executes guest code in software still exits, but its
	 * times are not VT-x's). */
	json_t *binfo = json_object_get(r->provenance, "backends");
	for (size_t b = 0; b < tt->nb; b++) {
		const struct cell *c = results_column_first(r, tt->cols[b]);
		const struct backend_ops *ops = c ? backend_find(c->backend) : NULL;
		/* Keyed by column: a merged file names its backends backend@host there. */
		const char *note = json_string_value(
			json_object_get(json_object_get(binfo, tt->cols[b]), "note"));
		if (ops && (ops->flags & BK_HW_ACCEL) && note)
			util_appendf(buf, len, " %s: %s.", tt->cols[b], note);
	}
	if (nbase)
		util_appendf(buf, len,
			     " The %s column%s each operation on the host itself, where it exists "
			     "there.",
			     bases, nbase > 1 ? "s are" : " is");
	if (tt->absent)
		util_appendf(buf, len,
			     " —: no cell, the operation is not for that backend's guest%s.",
			     ring0 ? " (those that need ring 0 run only in a nanoguest, and a "
				     "nanoguest runs only those made for it)"
				   : "");
	if (heads_ring)
		util_appendf(buf, len,
			     " A head gives the ring its operations ran in (extra.ring).");
	/* UMIP is the guest's CPU's: the first cell of each column that records it. */
	f.n = 0;
	for (size_t b = 0; b < tt->nb; b++)
		for (size_t w = 0; w < tt->nrows; w++) {
			const struct cell *c = results_find(r, tt->cols[b], tt->rows[w]);
			if (!c)
				continue;
			fact_umip(c, value, sizeof(value));
			if (value[0]) {
				facts_add(&f, value, tt->cols[b]);
				break;
			}
		}
	if (f.n)
		util_appendf(buf, len,
			     " Sensitive but unprivileged instructions (sgdt, sidt, smsw, sldt, "
			     "str) run in ring 3 without a trap unless UMIP is on.");
	facts_put(&f, "UMIP (extra.umip)", buf, len);
	for (size_t w = 0; w < tt->nrows; w++)
		for (size_t k = 0; k < ARRAY_SIZE(row_facts); k++) {
			bool silent = false;
			f.n = 0;
			for (size_t b = 0; b < tt->nb; b++) {
				const struct cell *c = results_find(r, tt->cols[b], tt->rows[w]);
				if (!c)
					continue;
				row_facts[k].fn(c, value, sizeof(value));
				if (value[0])
					facts_add(&f, value, tt->cols[b]);
				silent |= row_facts[k].fn == fact_if_changed &&
					  json_is_false(json_object_get(c->extra, "if_changed"));
			}
			snprintf(lead, sizeof(lead), "%s%s", tt->rows[w], row_facts[k].what);
			facts_put(&f, lead, buf, len);
			if (silent)
				util_appendf(buf, len,
					     " A sensitive instruction that fails silently instead "
					     "of trapping: the case Popek and Goldberg's condition "
					     "for trap-and-emulate rules out.");
		}
	if (tt->noisy)
		util_appendf(buf, len,
			     " noisy: the median's 95%% interval is wider than %.0f%% either side.",
			     RESULTS_MAX_CI_HALF * 100);
	for (size_t i = 0; i < tt->nnotes; i++)
		util_appendf(buf, len, " [%zu] %s%s", i + 1, tt->notes[i],
			     i + 1 < tt->nnotes ? ";" : ".");
}

void report_traps_build(struct report_model *m)
{
	struct trap_table tt = { .m = m };
	const char *head[REPORT_MAX_COLS] = { "operation" };
	char align[REPORT_MAX_COLS + 1] = "l";
	size_t nw;
	const char **wl = plot_members(PLOT_TRAPCOST, &nw);

	if (!wl) {
		m->oom = true;
		return;
	}
	pick_columns(&tt, wl, nw);
	/* The rows: the operations with a cell in a column, in the plot's order. */
	tt.rows = wl;
	for (size_t w = 0; w < nw; w++) {
		bool any = false;
		for (size_t b = 0; b < tt.nb && !any; b++)
			any = results_find(m->r, tt.cols[b], wl[w]) != NULL;
		if (any)
			wl[tt.nrows++] = wl[w];
	}
	if (!tt.nrows)
		goto out;
	bool heads_ring = false;
	for (size_t b = 0; b < tt.nb; b++) {
		head[b + 1] = column_head(&tt, tt.cols[b]);
		heads_ring |= head[b + 1] && strcmp(head[b + 1], tt.cols[b]);
		align[b + 1] = 'r';
	}
	char *cap =
		tt.over ? report_asprintf(m,
					  "What one trap costs (the first %zu backends of %zu; "
					  "every one is in the per-workload tables and the CSV)",
					  tt.nb, tt.nb + tt.over)
			: NULL;
	/* A head that could not be made leaves nothing to build a table of. */
	if (!m->oom)
		m->trapcost = report_table_new(m, "trapcost", cap ? cap : "What one trap costs",
					       head, align, tt.nb + 1);
	free(cap);
	for (size_t b = 0; b < tt.nb; b++)
		free((char *)head[b + 1]);
	for (size_t w = 0; m->trapcost && w < tt.nrows; w++) {
		char **row = report_table_row(m, m->trapcost);
		if (!row)
			break;
		row[0] = report_asprintf(m, "%s", tt.rows[w]);
		for (size_t b = 0; b < tt.nb; b++)
			row[b + 1] = entry(&tt, results_find(m->r, tt.cols[b], tt.rows[w]));
	}
	if (m->trapcost) {
		char note[8192];
		build_note(&tt, heads_ring, note, sizeof(note));
		m->trapcost->note = report_asprintf(m, "%s", note);
	}
out:
	free(wl);
}
