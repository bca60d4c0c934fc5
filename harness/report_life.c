/*
 * The lifecycle tables of a report: the operations of PLOT_LIFECYCLE side by side per
 * backend (boot against restore against clone, snapshot, migration), and a migration's
 * figures against the rate its guest dirties memory (PLOT_MIGRATION's series). The raw
 * figures they show are those results/SCHEMA.md documents for the lifecycle workloads.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "harness/plot.h"
#include "harness/report_model.h"
#include "host/util.h"

/* A member's number, NAN when it is missing or not a number. */
static double member(json_t *obj, const char *key)
{
	json_t *v = json_object_get(obj, key);

	return json_is_number(v) ? json_number_value(v) : NAN;
}

/* A count or a rate as it is ("%g"), or "—" for NAN. */
static char *count(struct report_model *m, double v)
{
	return isfinite(v) ? report_asprintf(m, "%g", v) : report_asprintf(m, "—");
}

/* "12.3 unit" scaled by scale, or "—" for NAN. */
static char *figure(struct report_model *m, double v, double scale, const char *unit)
{
	char buf[64];

	if (!isfinite(v))
		return report_asprintf(m, "—");
	report_fmt_sig(v * scale, buf, sizeof(buf));
	return report_asprintf(m, "%s%s%s", buf, unit[0] ? " " : "", unit);
}

/* A cell's entry: median [CI] unit where measured, else its status. */
static char *entry(struct report_model *m, const struct cell *c)
{
	char buf[128];

	if (!c)
		return report_asprintf(m, "—");
	if (!cell_measured(c))
		return report_asprintf(m, "%s", cell_status_name(c->status));
	report_fmt_median_ci(c, buf, sizeof(buf));
	return report_asprintf(m, "%s", buf);
}

/* The median of raw[key] over the column's lifecycle cells that have it, NAN if none. */
static double raw_median(const struct report_model *m, const char *col, const char **wl, size_t nw,
			 const char *key)
{
	for (size_t w = 0; w < nw; w++) {
		const struct cell *c = results_find(m->r, col, wl[w]);
		json_t *a = c && cell_measured(c) ? json_object_get(c->raw, key) : NULL;
		if (a)
			return plot_json_median(a);
	}
	return NAN;
}

static const char lifecycle_note[] =
	"Each entry is the median [95% CI] of fresh guests. boot: from starting the backend to "
	"the agent's HELLO. restore: from starting a guest from a saved state to its agent's "
	"answer; the guest resumes where it was saved, with no firmware, kernel or init to "
	"run. clone: several guests restored at once from one state, until the last answers. "
	"snapshot: saving a running guest's whole state to a file while it runs, until it runs "
	"on; it stops only for the final pass. migrate: the downtime of a live migration of a "
	"guest that dirties nothing (the table below has the rest). resize: half the guest's "
	"memory taken away (a VM's balloon inflated, a container's cgroup limit lowered), from "
	"the request until the guest sees its memory shrunk by that much; given back: the same "
	"for returning it. state: the saved file's size; stop: how long the guest did not run "
	"while it was saved, by the host's clock; clones' memory: the proportional set size of "
	"the clones together.";

static void build_lifecycle(struct report_model *m, const char **wl, size_t nw)
{
	const char *head[REPORT_MAX_COLS] = { "backend" };
	char align[REPORT_MAX_COLS + 1] = "l";
	size_t nc = 1, extra, kept = 0;

	/* The operations the results have: a table of one says nothing its per-workload
	 * table does not (a run that booted and did nothing else of a lifecycle). */
	for (size_t w = 0; w < nw; w++) {
		bool any = false;
		for (size_t b = 0; b < m->nb && !any; b++)
			any = results_find(m->r, m->backends[b], wl[w]) != NULL;
		if (any && nc < REPORT_MAX_COLS - 4) {
			wl[kept++] = wl[w];
			head[nc] = wl[w];
			align[nc++] = 'r';
		}
	}
	nw = kept;
	if (nw < 2)
		return;
	extra = nc;
	head[nc++] = "state";
	head[nc++] = "stop while saved";
	head[nc++] = "clones' memory";
	head[nc++] = "given back";
	memset(align + extra, 'r', 4);
	m->lifecycle = report_table_new(m, "lifecycle", "Lifecycle operations", head, align, nc);
	for (size_t b = 0; m->lifecycle && b < m->nb; b++) {
		const char *col = m->backends[b];
		bool has = false;
		for (size_t w = 0; w < nw; w++)
			has |= results_find(m->r, col, wl[w]) != NULL;
		char **row = has ? report_table_row(m, m->lifecycle) : NULL;
		if (!row)
			continue;
		row[0] = report_asprintf(m, "%s", col);
		for (size_t w = 0; w < extra - 1; w++)
			row[w + 1] = entry(m, results_find(m->r, col, wl[w]));
		row[extra] = figure(m, raw_median(m, col, wl, nw, "bytes"), 1.0 / (1 << 20), "MiB");
		row[extra + 1] = figure(m, raw_median(m, col, wl, nw, "frozen_s"), 1e3, "ms");
		double pss = raw_median(m, col, wl, nw, "at_once_pss_kib");
		double n = raw_median(m, col, wl, nw, "clones");
		char unit[32];
		snprintf(unit, sizeof(unit), "MiB for %.0f", n);
		row[extra + 2] = figure(m, pss, 1.0 / 1024, isfinite(n) ? unit : "MiB");
		row[extra + 3] = figure(m, raw_median(m, col, wl, nw, "give_back_s"), 1e3, "ms");
	}
	if (m->lifecycle)
		m->lifecycle->note = report_asprintf(m, "%s", lifecycle_note);
}

static const char migration_note[] =
	"The guest's agent dirties memory at the rate asked while its backend moves it live to "
	"a second process on this host, over a link capped for every backend alike. Three "
	"figures of one stop: the backend's own downtime (QEMU's: from stopping the source to "
	"the end of the migration); the stop by the host's clock, from the source's STOP event "
	"to the destination's RESUME event, which adds resuming the guest on the destination; "
	"and the longest gap the guest saw between two reads of its own clock. They differ "
	"because the guest's clock stands still while the guest is stopped (its backend keeps "
	"it and the destination carries it on), so the stop itself does not show inside the "
	"guest; what the guest sees are the stalls of its virtual CPU while it runs during the "
	"passes over its memory. A rate whose migration does not converge within the limit is "
	"cancelled, the guest running on at the source, and higher rates are not tried; "
	"post-copy is tried once at that rate. A guest lost at a rate (its kernel died in or "
	"just before that rate's move) is that rate's outcome in its session, with the "
	"backend's and the kernel's words, and the rates above it are not tried there.";

/* The migration rows of one cell: a row per point, and post-copy's. */
static void migration_rows(struct report_model *m, const struct cell *c)
{
	json_t *pt, *points = json_object_get(c->series, "points");
	size_t i;

	json_array_foreach(points, i, pt) {
		char **row = report_table_row(m, m->migration);
		if (!row)
			return;
		json_t *s = json_object_get(pt, "samples");
		json_t *nc = json_object_get(pt, "not_converged");
		json_t *nt = json_object_get(pt, "not_tried");
		row[0] = report_asprintf(m, "%s", c->column);
		row[1] = count(m, member(pt, "x"));
		row[2] = figure(m, plot_json_median(json_object_get(pt, "dirtied_mib_s")), 1, "");
		row[3] = figure(m, plot_json_median(s), 1, "ms");
		row[4] = figure(m, plot_json_median(json_object_get(pt, "frozen_s")), 1e3, "ms");
		row[5] = figure(m, plot_json_median(json_object_get(pt, "guest_gap_ms")), 1, "ms");
		row[6] = figure(m, plot_json_median(json_object_get(pt, "total_s")), 1, "s");
		row[7] = figure(m, plot_json_median(json_object_get(pt, "transferred_bytes")),
				1.0 / (1 << 20), "MiB");
		row[8] = count(m, plot_json_median(json_object_get(pt, "rounds")));
		json_t *gl = json_object_get(pt, "guest_lost");
		size_t ok = json_array_size(s), no = json_array_size(nc),
		       lost = json_array_size(gl);
		char base[512];
		if (no)
			snprintf(base, sizeof(base), "%zu of %zu converged; %s", ok, ok + no,
				 json_string_value(json_array_get(nc, 0)) ?: "");
		else if (!ok && (lost || json_array_size(nt)))
			snprintf(base, sizeof(base), "%s",
				 json_string_value(json_array_get(nt, 0)) ?: "");
		else
			snprintf(base, sizeof(base), "%zu of %zu converged", ok, ok);
		if (lost)
			row[9] = report_asprintf(m, "%s%sthe guest was lost in %zu session%s: %s",
						 base, base[0] ? "; " : "", lost,
						 lost > 1 ? "s" : "",
						 json_string_value(json_array_get(gl, 0)) ?: "");
		else
			row[9] = report_asprintf(m, "%s", base);
	}
	/* Post-copy as measured in some session, else why none could be. */
	json_t *pcs = json_object_get(c->raw, "postcopy"), *pc = json_array_get(pcs, 0), *one;
	json_array_foreach(pcs, i, one)
		if (json_object_get(one, "downtime_ms")) {
			pc = one;
			break;
		}
	char **row = pc ? report_table_row(m, m->migration) : NULL;
	if (!row)
		return;
	row[0] = report_asprintf(m, "%s", c->column);
	double rate = member(pc, "rate_mib_s");
	row[1] = isfinite(rate) ? report_asprintf(m, "%g, post-copy", rate)
				: report_asprintf(m, "post-copy");
	const char *why = json_string_value(json_object_get(pc, "reason"));
	row[3] = figure(m, member(pc, "downtime_ms"), 1, "ms");
	row[4] = figure(m, member(pc, "frozen_s"), 1e3, "ms");
	row[5] = figure(m, member(pc, "guest_gap_ms"), 1, "ms");
	row[6] = figure(m, member(pc, "total_s"), 1, "s");
	row[7] = figure(m, member(pc, "transferred_bytes"), 1.0 / (1 << 20), "MiB");
	row[9] = why ? report_asprintf(m, "not measured: %s", why)
		     : report_asprintf(m, "%g pages asked for after the switch",
				       member(pc, "requests"));
}

static void build_migration(struct report_model *m, const char **wl, size_t nw)
{
	static const char *const head[] = { "backend",	   "rate asked",  "dirtied", "downtime",
					    "stop (host)", "gap (guest)", "total",   "sent",
					    "passes",	   "outcome" };
	for (size_t i = 0; i < m->r->n; i++) {
		const struct cell *c = &m->r->cells[i];
		bool member = false;
		for (size_t w = 0; w < nw; w++)
			member |= !strcmp(c->workload, wl[w]);
		if (!member || !c->series)
			continue;
		if (!m->migration)
			m->migration = report_table_new(m, "migration",
							"Live migration against the dirty rate "
							"(MiB/s)",
							head, "lrrrrrrrrl", ARRAY_SIZE(head));
		if (!m->migration)
			return;
		migration_rows(m, c);
	}
	if (m->migration)
		m->migration->note = report_asprintf(m, "%s", migration_note);
}

void report_life_build(struct report_model *m)
{
	size_t nw;
	const char **wl = plot_members(PLOT_LIFECYCLE, &nw);

	if (!wl) {
		m->oom = true;
		return;
	}
	build_lifecycle(m, wl, nw);
	free(wl);
	wl = plot_members(PLOT_MIGRATION, &nw);
	if (!wl) {
		m->oom = true;
		return;
	}
	build_migration(m, wl, nw);
	free(wl);
}
