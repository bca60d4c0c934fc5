/*
 * Reports of a results file. One model, built once from the results: the provenance lines,
 * tables of cells (backends, the lmbench-style summary, every workload at a glance, one table
 * per workload with its traps and counters) and the plots; then four renderings of it.
 * Every ratio to native carries its bootstrap 95% CI (results_ratio_to_native); a ratio
 * whose interval cannot be computed is not shown.
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <openssl/evp.h>

#include "harness/report.h"
#include "host/util.h"
#include "harness/catalog.h"
#include "workloads/workload.h"

const struct report_plot report_plots[] = {
	{ "overhead", "Slowdown relative to native per workload and backend (log scale, 95% CI)" },
	{ "traps", "Traps per operation by kind (log scale)" },
	{ "memlat", "Memory latency against working set size" },
	{ "fio", "fio 4 KiB random I/O: IOPS and p99 completion latency" },
	{ "boot", "Boot time to the agent's HELLO" },
};
const size_t report_nplots = ARRAY_SIZE(report_plots);

/* ---- the model ---- */

#define MAX_COLS 16

struct table {
	char *id;      /* for anchors and labels */
	char *caption; /* a heading above it */
	char *note;    /* a paragraph below it, or NULL */
	size_t ncols, nrows, cap;
	char *head[MAX_COLS];
	char align[MAX_COLS]; /* 'l' or 'r' */
	char **cells;	      /* nrows * ncols; NULL is empty */
};

struct model {
	const struct results *r;
	bool oom;
	char *title;
	struct prov {
		char *key, *val;
	} *prov;
	size_t nprov;
	const char **backends, **workloads; /* in results order, unique */
	size_t nb, nw;
	bool *ran; /* per backend: any cell more than skipped */
	struct table *backtab, *summary, *overview;
	struct table **per; /* one per workload */
	char *plots_dir;    /* dir/plots */
	char *not_run;	    /* "kvm, kvm-virtio": backends that ran nothing, or NULL */
	bool plot_ok[8];    /* plots/<stem>.png exists */
};

static __printf(2, 3) char *xasprintf(struct model *m, const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0) {
		s = NULL;
		m->oom = true;
	}
	va_end(ap);
	return s;
}

static struct table *table_new(struct model *m, const char *id, const char *caption,
			       const char *const *head, const char *align, size_t ncols)
{
	struct table *t = calloc(1, sizeof(*t));

	if (!t || ncols > MAX_COLS) {
		free(t);
		m->oom = true;
		return NULL;
	}
	t->id = strdup(id);
	t->caption = strdup(caption);
	t->ncols = ncols;
	for (size_t i = 0; i < ncols; i++) {
		t->head[i] = strdup(head[i]);
		t->align[i] = align[i] == 'r' ? 'r' : 'l';
		if (!t->head[i])
			m->oom = true;
	}
	if (!t->id || !t->caption)
		m->oom = true;
	return t;
}

/* A new row of empty cells; NULL on ENOMEM. */
static char **table_row(struct model *m, struct table *t)
{
	if (!t)
		return NULL;
	if (t->nrows == t->cap) {
		size_t cap = t->cap ? 2 * t->cap : 16;
		char **c = realloc(t->cells, cap * t->ncols * sizeof(*c));
		if (!c) {
			m->oom = true;
			return NULL;
		}
		t->cells = c;
		t->cap = cap;
	}
	char **row = t->cells + t->nrows++ * t->ncols;
	memset(row, 0, t->ncols * sizeof(*row));
	return row;
}

static void table_free(struct table *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < t->nrows * t->ncols; i++)
		free(t->cells[i]);
	for (size_t i = 0; i < t->ncols; i++)
		free(t->head[i]);
	free(t->cells);
	free(t->id);
	free(t->caption);
	free(t->note);
	free(t);
}

/* The JSON value at a dotted path ("host.kernel.release"), or NULL. */
static json_t *jpath(json_t *root, const char *path)
{
	char key[128];

	while (root && *path) {
		size_t n = strcspn(path, ".");
		if (n >= sizeof(key))
			return NULL;
		memcpy(key, path, n);
		key[n] = '\0';
		root = json_is_object(root) ? json_object_get(root, key) : NULL;
		path += n + (path[n] == '.');
	}
	return root;
}

static const char *jstr(json_t *root, const char *path)
{
	json_t *v = jpath(root, path);

	return json_is_string(v) ? json_string_value(v) : NULL;
}

/* A number at a path or in an object member; NaN when absent or not a number. */
static double jnum(json_t *root, const char *path)
{
	json_t *v = jpath(root, path);

	return json_is_number(v) ? json_number_value(v) : NAN;
}

/* Three significant digits, without an exponent for ordinary magnitudes. */
static void fmt_sig(double v, char *buf, size_t len)
{
	double a = fabs(v);

	if (!isfinite(v))
		snprintf(buf, len, "n/a");
	else if (a == 0)
		snprintf(buf, len, "0");
	else if (a >= 100)
		snprintf(buf, len, "%.0f", v);
	else if (a >= 10)
		snprintf(buf, len, "%.1f", v);
	else if (a >= 1)
		snprintf(buf, len, "%.2f", v);
	else if (a >= 0.01)
		snprintf(buf, len, "%.3f", v);
	else
		snprintf(buf, len, "%.2g", v);
}

/* How to show values of a unit: times in ns, µs, ms or s by the size of a reference value;
 * other units as they are. */
struct scale {
	double div;
	char unit[32];
};

static void scale_for(double ref, const char *unit, struct scale *s)
{
	double mult = 0;
	const char *rest = "";

	if (!strncmp(unit, "ns", 2) && (unit[2] == '\0' || unit[2] == '/')) {
		mult = 1;
		rest = unit + 2;
	} else if (!strcmp(unit, "s")) {
		mult = 1e9;
	}
	if (mult == 0 || !isfinite(ref)) {
		s->div = 1;
		snprintf(s->unit, sizeof(s->unit), "%s", unit);
		return;
	}
	static const struct {
		double ns;
		const char *name;
	} steps[] = { { 1e9, "s" }, { 1e6, "ms" }, { 1e3, "µs" }, { 1, "ns" } };
	double ns = fabs(ref) * mult;
	size_t i = 0;
	while (i + 1 < ARRAY_SIZE(steps) && ns < steps[i].ns)
		i++;
	s->div = steps[i].ns / mult;
	snprintf(s->unit, sizeof(s->unit), "%s%s", steps[i].name, rest);
}

/* "164 ns/op" */
static void fmt_value(double v, const char *unit, char *buf, size_t len)
{
	struct scale s;
	char num[32];

	scale_for(v, unit, &s);
	fmt_sig(v / s.div, num, sizeof(num));
	snprintf(buf, len, "%s %s", num, s.unit);
}

/* "164 [160–170] ns/op" for a measured cell. */
static void fmt_median_ci(const struct cell *c, char *buf, size_t len)
{
	struct scale s;
	char med[32], lo[32], hi[32];

	scale_for(c->stats.median, c->unit, &s);
	fmt_sig(c->stats.median / s.div, med, sizeof(med));
	if (!c->stats.has_ci) {
		snprintf(buf, len, "%s %s (no CI: n=%zu)", med, s.unit, c->n);
		return;
	}
	fmt_sig(c->stats.ci_lo / s.div, lo, sizeof(lo));
	fmt_sig(c->stats.ci_hi / s.div, hi, sizeof(hi));
	snprintf(buf, len, "%s [%s–%s] %s", med, lo, hi, s.unit);
}

/* "×4.02 [3.90–4.15]", or "" when there is no ratio with an interval. */
static void fmt_ratio(const struct results *r, const struct cell *c, char *buf, size_t len)
{
	struct ratio q;
	char v[32], lo[32], hi[32];

	buf[0] = '\0';
	if (results_ratio_to_native(r, c, &q) < 0 || !q.has_ci)
		return;
	fmt_sig(q.value, v, sizeof(v));
	fmt_sig(q.ci_lo, lo, sizeof(lo));
	fmt_sig(q.ci_hi, hi, sizeof(hi));
	snprintf(buf, len, "×%s [%s–%s]", v, lo, hi);
}

/* What a summary cell shows: the value, and the ratio for others than native. */
static char *summary_cell(struct model *m, const struct cell *c)
{
	char val[160], ratio[160];

	if (!c)
		return xasprintf(m, "—");
	if (!cell_measured(c))
		return xasprintf(m, "%s", cell_status_name(c->status));
	fmt_value(c->stats.median, c->unit, val, sizeof(val));
	fmt_ratio(m->r, c, ratio, sizeof(ratio));
	return xasprintf(m, "%s%s%s%s", val, ratio[0] ? " " : "", ratio,
			 c->status == CELL_UNTRUSTWORTHY ? " (noisy)" : "");
}

/* ---- provenance ---- */

static void prov_add(struct model *m, const char *key, const char *fmt, ...) __printf(3, 4);

static void prov_add(struct model *m, const char *key, const char *fmt, ...)
{
	va_list ap;
	char *val;

	va_start(ap, fmt);
	int n = vasprintf(&val, fmt, ap);
	va_end(ap);
	if (n < 0) {
		m->oom = true;
		return;
	}
	struct prov *p = realloc(m->prov, (m->nprov + 1) * sizeof(*p));
	char *k = strdup(key);
	if (p)
		m->prov = p;
	if (!p || !k) {
		free(k);
		free(val);
		m->oom = true;
		return;
	}
	m->prov[m->nprov++] = (struct prov){ k, val };
}

static const char *or_unknown(const char *s)
{
	return s ? s : "unknown";
}

/* "12 not affected, 3 mitigated, 1 vulnerable" from /sys/.../vulnerabilities. */
static void mitigations_line(struct model *m, json_t *mit)
{
	size_t na = 0, mitig = 0, vuln = 0, other = 0;
	const char *k;
	json_t *v;
	char names[512] = "";

	json_object_foreach(mit, k, v) {
		const char *s = json_is_string(v) ? json_string_value(v) : "";
		if (!strncmp(s, "Not affected", 12)) {
			na++;
		} else if (!strncmp(s, "Mitigation", 10)) {
			mitig++;
		} else if (!strncmp(s, "Vulnerable", 10)) {
			vuln++;
			util_appendf(names, sizeof(names), "%s%s", names[0] ? ", " : "", k);
		} else {
			other++;
		}
	}
	prov_add(m, "CPU vulnerabilities",
		 "%zu mitigated, %zu vulnerable%s%s%s, %zu not affected%s", mitig, vuln,
		 vuln ? " (" : "", names, vuln ? ")" : "", na, other ? ", others unknown" : "");
}

/* Hardware PMU events: counted, or why not (provenance host.pmu.hardware_events). */
static void pmu_line(struct model *m, json_t *ev)
{
	char ok[256] = "", no[512] = "";
	const char *k, *first_reason = NULL;
	json_t *v;
	bool same = true;

	json_object_foreach(ev, k, v) {
		if (json_is_true(v)) {
			util_appendf(ok, sizeof(ok), "%s%s", ok[0] ? ", " : "", k);
			continue;
		}
		const char *why = json_is_string(v) ? json_string_value(v) : "unknown";
		if (!first_reason)
			first_reason = why;
		same &= !strcmp(first_reason, why);
		util_appendf(no, sizeof(no), "%s%s", no[0] ? ", " : "", k);
	}
	if (!json_is_object(ev) || json_object_size(ev) == 0) {
		prov_add(m, "Hardware counters", "not recorded");
	} else if (!no[0]) {
		prov_add(m, "Hardware counters", "%s counted", ok);
	} else if (!ok[0]) {
		prov_add(m, "Hardware counters",
			 "unavailable on this host (%s: %s); the tables show software counters "
			 "only, and no hardware event is ever written as zero",
			 no, same ? first_reason : "various reasons, see provenance");
	} else {
		prov_add(m, "Hardware counters", "%s counted; %s unavailable (%s)", ok, no,
			 same ? first_reason : "various reasons, see provenance");
	}
}

static void build_provenance(struct model *m)
{
	json_t *p = m->r->provenance;
	json_t *git = jpath(p, "vmbench.git");
	char tools[512] = "";
	const char *k;
	json_t *v;

	prov_add(m, "Date", "%s", or_unknown(jstr(p, "date")));
	prov_add(m, "Host",
		 "%s: %s, %.0f CPUs online (%.0f cores, %.0f packages, SMT %s), microcode %s",
		 or_unknown(jstr(p, "host.hostname")), or_unknown(jstr(p, "host.cpu_model")),
		 jnum(p, "host.cpus_online"), jnum(p, "host.topology.cores"),
		 jnum(p, "host.topology.packages"),
		 json_is_true(jpath(p, "host.topology.smt")) ? "on" : "off",
		 or_unknown(jstr(p, "host.microcode")));
	prov_add(m, "Host kernel", "%s %s", or_unknown(jstr(p, "host.kernel.release")),
		 or_unknown(jstr(p, "host.kernel.version")));
	prov_add(m, "Settings",
		 "clocksource %s; THP %s; governor %s; boost %s; perf_event_paranoid %s",
		 or_unknown(jstr(p, "host.clocksource")), or_unknown(jstr(p, "host.thp")),
		 or_unknown(jstr(p, "host.governor")), or_unknown(jstr(p, "host.boost")),
		 json_is_integer(jpath(p, "host.perf_event_paranoid"))
			 ? (json_integer_value(jpath(p, "host.perf_event_paranoid")) > 1 ? "≥2"
											 : "≤1")
			 : "unknown");
	if (json_is_object(jpath(p, "host.mitigations")))
		mitigations_line(m, jpath(p, "host.mitigations"));
	prov_add(m, "KVM", "%s", or_unknown(jstr(p, "host.kvm.summary")));
	pmu_line(m, jpath(p, "host.pmu.hardware_events"));
	char rounds[128] = "";
	if (jnum(p, "run.rounds") > 1)
		snprintf(rounds, sizeof(rounds), " in %.0f rounds", jnum(p, "run.rounds"));
	if (json_is_integer(jpath(p, "run.seed")))
		util_appendf(rounds, sizeof(rounds),
			     ", backends and workloads in a random order "
			     "each round (seed %lld)",
			     (long long)json_integer_value(jpath(p, "run.seed")));
	char boots[64] = "";
	if (isfinite(jnum(p, "run.boot_reps")))
		snprintf(boots, sizeof(boots), "; %.0f boots per backend",
			 jnum(p, "run.boot_reps"));
	prov_add(m, "Run",
		 "profile %s: %.0f samples per cell%s, each at least %.0f ms, after %.0f warm-up "
		 "samples%s%s; measurement CPU %.0f",
		 or_unknown(jstr(p, "run.profile")), jnum(p, "run.reps"), rounds,
		 jnum(p, "run.min_sample_ns") / 1e6, jnum(p, "run.warmup"),
		 jnum(p, "run.rounds") > 1 ? " in each round" : "", boots, jnum(p, "run.cpu"));
	if (jstr(p, "run.stop_rule"))
		prov_add(m, "Stop rule", "%s", jstr(p, "run.stop_rule"));
	const char *ks = jstr(p, "run.image.kernel_sha256"),
		   *is = jstr(p, "run.image.initrd_sha256");
	if (ks)
		prov_add(m, "Guest image", "kernel %s (sha256 %.16s…), initramfs sha256 %.16s…",
			 or_unknown(jstr(p, "run.image.kernel_version")), ks, or_unknown(is));
	json_object_foreach(jpath(p, "tools"), k, v)
		if (json_is_string(v))
			util_appendf(tools, sizeof(tools), "%s%s %s", tools[0] ? ", " : "", k,
				     json_string_value(v));
	if (tools[0])
		prov_add(m, "Tools", "%s", tools);
	prov_add(m, "vmbench", "%s, git %.12s%s, %s %s", or_unknown(jstr(p, "vmbench.version")),
		 git ? or_unknown(jstr(git, "sha")) : "(not a checkout)",
		 json_is_true(jpath(git, "dirty")) ? " (dirty)" : "",
		 or_unknown(jstr(p, "vmbench.compiler")), or_unknown(jstr(p, "vmbench.cflags")));
	json_t *cmd = jpath(p, "command_line");
	char line[1024] = "";
	size_t i;
	json_array_foreach(cmd, i, v)
		if (json_is_string(v))
			util_appendf(line, sizeof(line), "%s%s", i ? " " : "",
				     json_string_value(v));
	if (line[0])
		prov_add(m, "Command", "%s", line);
	if (!m->r->complete)
		prov_add(m, "Complete",
			 "no: the run was interrupted or is still going; cells "
			 "that did not run are missing");
}

/* ---- tables ---- */

static void build_lists(struct model *m)
{
	m->backends = results_backends(m->r, &m->nb);
	m->workloads = results_workloads(m->r, &m->nw);
	m->ran = calloc(m->nb + 1, sizeof(*m->ran));
	if (!m->backends || !m->workloads || !m->ran) {
		m->oom = true;
		return;
	}
	for (size_t i = 0; i < m->r->n; i++)
		for (size_t b = 0; b < m->nb; b++)
			if (m->r->cells[i].status != CELL_SKIPPED &&
			    !strcmp(m->r->cells[i].backend, m->backends[b]))
				m->ran[b] = true;
}

/* A probe effect (cell_probe_effect) as the change it made: "+31%", "-2.0%", "0%". */
static void fmt_effect(double f, char *buf, size_t len)
{
	double pct = (f - 1) * 100;

	if (fabs(pct) < 0.05)
		snprintf(buf, len, "0%%");
	else
		snprintf(buf, len, "%+.*f%%", fabs(pct) < 9.95 ? 1 : 0, pct);
}

/* The median probe effect over a backend's cells: "+4.0% (median of 12)", or "". */
static void backend_effect(const struct model *m, const char *backend, char *buf, size_t len)
{
	double *f = calloc(m->r->n, sizeof(*f));
	size_t n = 0;
	struct summary s;

	buf[0] = '\0';
	for (size_t i = 0; f && i < m->r->n; i++) {
		double e = cell_probe_effect(&m->r->cells[i]);
		if (isfinite(e) && !strcmp(m->r->cells[i].backend, backend))
			f[n++] = e;
	}
	if (n && stats_summarize(f, n, &s) == 0) {
		fmt_effect(s.median, buf, len);
		util_appendf(buf, len, " (median of %zu)", n);
	}
	free(f);
}

static void build_backends(struct model *m)
{
	static const char *const head[] = {
		"backend", "mode",	   "status", "boot", "probes (counting pass)",
		"what they do to a sample", "note"
	};
	json_t *all = jpath(m->r->provenance, "backends");

	m->backtab = table_new(m, "backends", "Backends", head, "lllrlrl", ARRAY_SIZE(head));
	if (m->backtab)
		m->backtab->note = xasprintf(
			m, "What the probes do to a sample: the counting sample, taken with them "
			   "attached, against the median of the samples taken without (+: slower); "
			   "the reason the counting pass is a pass of its own.");
	for (size_t b = 0; b < m->nb; b++) {
		json_t *bi = json_object_get(all, m->backends[b]);
		char **row = table_row(m, m->backtab);
		char boot[160] = "", probes[256] = "", effect[64];
		json_t *v;
		size_t i;
		if (!row)
			return;
		if (json_is_number(json_object_get(bi, "boot_s")))
			fmt_value(jnum(bi, "boot_s"), "s", boot, sizeof(boot));
		json_array_foreach(jpath(bi, "probes.counting_pass"), i, v)
			if (json_is_string(v))
				util_appendf(probes, sizeof(probes), "%s%s", i ? ", " : "",
					     json_string_value(v));
		const char *note = jstr(bi, "reason") ? jstr(bi, "reason") : jstr(bi, "note");
		row[0] = xasprintf(m, "%s", m->backends[b]);
		row[1] = xasprintf(m, "%s", or_unknown(jstr(bi, "mode")));
		row[2] = xasprintf(m, "%s", or_unknown(jstr(bi, "status")));
		row[3] = xasprintf(m, "%s", boot);
		backend_effect(m, m->backends[b], effect, sizeof(effect));
		row[4] = xasprintf(m, "%s", probes);
		row[5] = xasprintf(m, "%s", effect);
		row[6] = xasprintf(m, "%s", note ? note : "");
	}
}

/* The lmbench OS subset (lmbench's "Processor, Processes" and "Context switching" tables)
 * and the workloads that measure the same thing. */
static const struct {
	const char *label, *workload;
} lmbench_rows[] = {
	{ "null call", "syscall.getppid" },
	{ "read", "syscall.read" },
	{ "write", "syscall.write" },
	{ "stat", "syscall.stat" },
	{ "fstat", "syscall.fstat" },
	{ "open/close", "syscall.openclose" },
	{ "signal install", "signal.install" },
	{ "signal handle", "signal.handle" },
	{ "protection fault", "signal.protfault" },
	{ "fork", "proc.fork" },
	{ "exec", "proc.exec" },
	{ "sh", "proc.sh" },
	{ "ctx switch (2p/0K)", "ctx.pipe" },
	{ "page fault", "mem.pagefault" },
};

/* A table of rows × backends; rows are workloads, labelled by label[i] or the workload. */
static struct table *cross_table(struct model *m, const char *id, const char *caption,
				 const char *first, const char *const *labels,
				 const char *const *workloads, size_t nrows)
{
	const char *head[MAX_COLS] = { first }, *cols[MAX_COLS];
	char align[MAX_COLS + 1] = "l";
	size_t nb = 0;

	/* Backends that ran nothing at all are left out (the backends table says why). */
	for (size_t b = 0; b < m->nb && nb < MAX_COLS - 1; b++) {
		if (!m->ran[b])
			continue;
		cols[nb] = m->backends[b];
		head[nb + 1] = m->backends[b];
		align[nb + 1] = 'r';
		nb++;
	}
	struct table *t = table_new(m, id, caption, head, align, nb + 1);
	for (size_t i = 0; t && i < nrows; i++) {
		bool any = false;
		for (size_t b = 0; b < nb; b++)
			any |= results_find(m->r, cols[b], workloads[i]) != NULL;
		if (!any)
			continue;
		char **row = table_row(m, t);
		if (!row)
			break;
		row[0] = xasprintf(m, "%s", labels ? labels[i] : workloads[i]);
		for (size_t b = 0; b < nb; b++)
			row[b + 1] = summary_cell(m, results_find(m->r, cols[b], workloads[i]));
	}
	return t;
}

static void build_summary(struct model *m)
{
	const char *labels[ARRAY_SIZE(lmbench_rows)], *wls[ARRAY_SIZE(lmbench_rows)];

	for (size_t i = 0; i < ARRAY_SIZE(lmbench_rows); i++) {
		labels[i] = lmbench_rows[i].label;
		wls[i] = lmbench_rows[i].workload;
	}
	m->summary = cross_table(m, "summary", "Summary: the lmbench OS operations", "operation",
				 labels, wls, ARRAY_SIZE(lmbench_rows));
	if (m->summary)
		m->summary->note = xasprintf(
			m, "Median latency per operation; ×r is the ratio to native with its 95%% "
			   "bootstrap confidence interval (higher is slower).");
	m->overview =
		cross_table(m, "overview", "All workloads", "workload", NULL, m->workloads, m->nw);
	if (m->overview)
		m->overview->note = xasprintf(
			m, "Medians; ×r is the backend's median over native's, with its 95%% "
			   "bootstrap confidence interval. For rates (GB/s, IOPS, MB/s) a ratio "
			   "below 1 is slower; for times, above 1.");
}

/* "ide 22.4, piix-bmdma 12.6, …": the largest kinds first. */
static void fmt_kinds(json_t *by_kind, char *buf, size_t len)
{
	const char *done[8];
	size_t ndone = 0;

	buf[0] = '\0';
	while (ndone < ARRAY_SIZE(done)) {
		const char *k, *best = NULL;
		double bv = 0;
		json_t *v;
		json_object_foreach(by_kind, k, v) {
			double x = json_is_number(v) ? json_number_value(v) : 0;
			if (x > bv && !util_listed(done, ndone, k)) {
				best = k;
				bv = x;
			}
		}
		if (!best)
			break;
		char num[32];
		fmt_sig(bv, num, sizeof(num));
		util_appendf(buf, len, "%s%s %s", ndone ? ", " : "", best, num);
		done[ndone++] = best;
	}
}

/* The counters a table shows per operation, in this order, when a cell has them. */
static const char *const shown_counters[] = {
	"instructions", "cycles",	    "task-clock",
	"page-faults",	"context-switches", "host-syscalls",
	"ptrace-calls", "virtio-requests",  "kvm:insn_emulation",
};

static void fmt_counters(json_t *counters, char *buf, size_t len)
{
	size_t shown = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < ARRAY_SIZE(shown_counters) && shown < 5; i++) {
		json_t *c = json_object_get(counters, shown_counters[i]);
		double v = jnum(c, "per_op");
		char num[160];
		if (!isfinite(v))
			continue;
		if (!strcmp(shown_counters[i], "task-clock"))
			fmt_value(v, "ns", num, sizeof(num));
		else
			fmt_sig(v, num, sizeof(num));
		util_appendf(buf, len, "%s%s %s%s", shown ? ", " : "", shown_counters[i], num,
			     json_is_true(json_object_get(c, "scaled")) ? " (scaled)" : "");
		shown++;
	}
}

static void build_workload(struct model *m, size_t w)
{
	static const char *const head[] = { "backend",	   "median [95% CI]", "vs native [95% CI]",
					    "traps/op",	   "traps by kind",   "counters/op",
					    "probe effect", "note" };
	const char *name = m->workloads[w];
	const struct workload_ops *wl = catalog_find(name);
	const struct cell *any = NULL;

	for (size_t b = 0; b < m->nb && !any; b++)
		any = results_find(m->r, m->backends[b], name);
	char *caption = xasprintf(m, "%s%s%s (%s, %s is better)", name, wl ? ": " : "",
				  wl ? wl->summary : "", any ? any->unit : "",
				  any && any->better == BETTER_HIGHER ? "higher" : "lower");
	struct table *t =
		table_new(m, name, caption ? caption : name, head, "lrrrllrl", ARRAY_SIZE(head));
	free(caption);
	m->per[w] = t;
	if (t && m->not_run)
		t->note = xasprintf(m, "Not run here: %s (see Backends).", m->not_run);
	for (size_t b = 0; t && b < m->nb; b++) {
		const struct cell *c = results_find(m->r, m->backends[b], name);
		char med[160] = "", ratio[160] = "", kinds[256] = "", ctr[384] = "", traps[32] = "",
		     effect[32] = "";
		if (!c || !m->ran[b])
			continue;
		char **row = table_row(m, t);
		if (!row)
			return;
		if (cell_measured(c)) {
			fmt_median_ci(c, med, sizeof(med));
			fmt_ratio(m->r, c, ratio, sizeof(ratio));
		} else {
			snprintf(med, sizeof(med), "%s", cell_status_name(c->status));
		}
		if (c->traps && isfinite(jnum(c->traps, "per_op")))
			fmt_sig(jnum(c->traps, "per_op"), traps, sizeof(traps));
		if (c->traps)
			fmt_kinds(json_object_get(c->traps, "by_kind"), kinds, sizeof(kinds));
		if (c->counters)
			fmt_counters(c->counters, ctr, sizeof(ctr));
		if (isfinite(cell_probe_effect(c)))
			fmt_effect(cell_probe_effect(c), effect, sizeof(effect));
		row[0] = xasprintf(m, "%s", c->backend);
		row[1] = xasprintf(m, "%s", med);
		row[2] = xasprintf(m, "%s", ratio);
		row[3] = xasprintf(m, "%s", traps);
		row[4] = xasprintf(m, "%s", kinds);
		row[5] = xasprintf(m, "%s", ctr);
		row[6] = xasprintf(m, "%s", effect);
		row[7] = xasprintf(
			m, "%s%s%s", c->status == CELL_OK ? "" : cell_status_name(c->status),
			c->status != CELL_OK && c->reason ? ": " : "", c->reason ? c->reason : "");
	}
}

static void model_free(struct model *m)
{
	for (size_t i = 0; i < m->nprov; i++) {
		free(m->prov[i].key);
		free(m->prov[i].val);
	}
	free(m->prov);
	table_free(m->backtab);
	table_free(m->summary);
	table_free(m->overview);
	for (size_t i = 0; m->per && i < m->nw; i++)
		table_free(m->per[i]);
	free(m->per);
	free(m->backends);
	free(m->workloads);
	free(m->title);
	free(m->plots_dir);
	free(m->not_run);
	free(m->ran);
}

static int model_build(struct model *m, const struct results *r, const char *dir)
{
	json_t *p = r->provenance;

	memset(m, 0, sizeof(*m));
	m->r = r;
	m->title = xasprintf(m, "vmbench on %s (%s), %s", or_unknown(jstr(p, "host.hostname")),
			     or_unknown(jstr(p, "host.cpu_model")), or_unknown(jstr(p, "date")));
	m->plots_dir = xasprintf(m, "%s/plots", dir);
	for (size_t i = 0; m->plots_dir && i < report_nplots && i < ARRAY_SIZE(m->plot_ok); i++) {
		char path[4096];
		struct stat st;
		snprintf(path, sizeof(path), "%s/%s.png", m->plots_dir, report_plots[i].stem);
		m->plot_ok[i] = stat(path, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0;
	}
	build_provenance(m);
	build_lists(m);
	if (m->oom)
		return -ENOMEM;
	char skipped[512] = "";
	for (size_t b = 0; b < m->nb; b++)
		if (!m->ran[b])
			util_appendf(skipped, sizeof(skipped), "%s%s", skipped[0] ? ", " : "",
				     m->backends[b]);
	if (skipped[0])
		m->not_run = xasprintf(m, "%s", skipped);
	build_backends(m);
	build_summary(m);
	m->per = calloc(m->nw + 1, sizeof(*m->per));
	if (!m->per)
		return -ENOMEM;
	for (size_t w = 0; w < m->nw; w++)
		build_workload(m, w);
	return m->oom ? -ENOMEM : 0;
}

/* ---- Markdown ---- */

/* Text in a Markdown table cell: pipes escaped, no line breaks. */
static void md_text(FILE *f, const char *s)
{
	for (; s && *s; s++) {
		if (*s == '|')
			fputs("\\|", f);
		else if (*s == '\n' || *s == '\r')
			fputc(' ', f);
		else
			fputc(*s, f);
	}
}

static void md_table(FILE *f, const struct table *t, int level)
{
	if (!t || !t->nrows)
		return;
	fprintf(f, "%.*s %s\n\n", level, "######", t->caption);
	for (size_t c = 0; c < t->ncols; c++) {
		fputs("| ", f);
		md_text(f, t->head[c]);
		fputc(' ', f);
	}
	fputs("|\n", f);
	for (size_t c = 0; c < t->ncols; c++)
		fputs(t->align[c] == 'r' ? "|---:" : "|---", f);
	fputs("|\n", f);
	for (size_t i = 0; i < t->nrows; i++) {
		for (size_t c = 0; c < t->ncols; c++) {
			fputs("| ", f);
			md_text(f, t->cells[i * t->ncols + c]);
			fputc(' ', f);
		}
		fputs("|\n", f);
	}
	if (t->note)
		fprintf(f, "\n%s\n", t->note);
	fputc('\n', f);
}

/* Above the per-workload tables (plain text, nothing to escape in Markdown or HTML). */
static const char per_workload_intro[] =
	"Median with its 95% confidence interval; the ratio to native with its 95% bootstrap "
	"interval; traps and counters per operation from the counting pass; the probe effect: "
	"that pass's sample, taken with the probes attached, against the median (+: slower).";

static void render_md(FILE *f, const struct model *m)
{
	fprintf(f, "# %s\n\n## Provenance\n\n", m->title);
	for (size_t i = 0; i < m->nprov; i++)
		fprintf(f, "- **%s**: %s\n", m->prov[i].key, m->prov[i].val);
	fputc('\n', f);
	md_table(f, m->backtab, 2);
	md_table(f, m->summary, 2);
	bool any = false;
	for (size_t i = 0; i < report_nplots && i < ARRAY_SIZE(m->plot_ok); i++) {
		if (!m->plot_ok[i])
			continue;
		if (!any)
			fputs("## Plots\n\n", f);
		any = true;
		fprintf(f, "![%s](plots/%s.png)\n\n*%s* ([SVG](plots/%s.svg))\n\n",
			report_plots[i].caption, report_plots[i].stem, report_plots[i].caption,
			report_plots[i].stem);
	}
	md_table(f, m->overview, 2);
	fprintf(f, "## Per workload\n\n%s\n\n", per_workload_intro);
	for (size_t w = 0; w < m->nw; w++)
		md_table(f, m->per[w], 3);
}

/* ---- CSV (RFC 4180) ---- */

static void csv_field(FILE *f, const char *s, bool last)
{
	if (s && strpbrk(s, ",\"\r\n")) {
		fputc('"', f);
		for (; *s; s++) {
			if (*s == '"')
				fputc('"', f);
			fputc(*s, f);
		}
		fputc('"', f);
	} else if (s) {
		fputs(s, f);
	}
	fputs(last ? "\r\n" : ",", f);
}

static void csv_num(FILE *f, double v, bool last)
{
	char buf[40] = "";

	if (isfinite(v))
		snprintf(buf, sizeof(buf), "%.10g", v);
	csv_field(f, buf, last);
}

static const char *const csv_counters[] = { "task-clock", "context-switches", "page-faults",
					    "cycles",	  "instructions",     "host-syscalls" };

static void render_csv(FILE *f, const struct model *m)
{
	const struct results *r = m->r;

	fputs("backend,mode,workload,status,reason,unit,better,n,median,ci95_lo,ci95_hi,"
	      "ratio_to_native,ratio_ci95_lo,ratio_ci95_hi,traps_per_op,traps_by_kind,"
	      "probed_sample,probe_effect",
	      f);
	for (size_t i = 0; i < ARRAY_SIZE(csv_counters); i++)
		fprintf(f, ",%s_per_op", csv_counters[i]);
	fputs("\r\n", f);
	for (size_t i = 0; i < r->n; i++) {
		const struct cell *c = &r->cells[i];
		struct ratio q;
		/* A ratio only with its CI, as everywhere in the reports. */
		bool has_ratio = results_ratio_to_native(r, c, &q) == 0 && q.has_ci;
		char kinds[1024] = "";
		const char *k;
		json_t *v;
		json_object_foreach(json_object_get(c->traps, "by_kind"), k, v)
			if (json_is_number(v))
				util_appendf(kinds, sizeof(kinds), "%s%s=%.6g", kinds[0] ? ";" : "",
					     k, json_number_value(v));
		csv_field(f, c->backend, false);
		csv_field(f, c->mode, false);
		csv_field(f, c->workload, false);
		csv_field(f, cell_status_name(c->status), false);
		csv_field(f, c->reason, false);
		csv_field(f, c->unit, false);
		csv_field(f, c->better == BETTER_LOWER ? "lower" : "higher", false);
		csv_num(f, (double)c->n, false);
		csv_num(f, c->has_stats ? c->stats.median : NAN, false);
		csv_num(f, c->has_stats && c->stats.has_ci ? c->stats.ci_lo : NAN, false);
		csv_num(f, c->has_stats && c->stats.has_ci ? c->stats.ci_hi : NAN, false);
		csv_num(f, has_ratio ? q.value : NAN, false);
		csv_num(f, has_ratio ? q.ci_lo : NAN, false);
		csv_num(f, has_ratio ? q.ci_hi : NAN, false);
		csv_num(f, jnum(c->traps, "per_op"), false);
		csv_field(f, kinds, false);
		csv_num(f, c->probed, false);
		csv_num(f, cell_probe_effect(c), false);
		for (size_t j = 0; j < ARRAY_SIZE(csv_counters); j++)
			csv_num(f, jnum(json_object_get(c->counters, csv_counters[j]), "per_op"),
				j + 1 == ARRAY_SIZE(csv_counters));
	}
}

/* ---- LaTeX (booktabs) ---- */

static void tex_text(FILE *f, const char *s)
{
	static const struct {
		const char *from, *to;
	} map[] = {
		{ "\\", "\\textbackslash{}" },
		{ "&", "\\&" },
		{ "%", "\\%" },
		{ "$", "\\$" },
		{ "#", "\\#" },
		{ "_", "\\_" },
		{ "{", "\\{" },
		{ "}", "\\}" },
		{ "~", "\\textasciitilde{}" },
		{ "^", "\\textasciicircum{}" },
		{ "×", "$\\times$" },
		{ "µ", "$\\mu$" },
		{ "–", "--" },
		{ "—", "---" },
		{ "≥", "$\\geq$" },
		{ "≤", "$\\leq$" },
		{ "…", "\\ldots{}" },
		{ "<", "\\textless{}" },
		{ ">", "\\textgreater{}" },
	};

	while (s && *s) {
		size_t i;
		for (i = 0; i < ARRAY_SIZE(map); i++) {
			size_t n = strlen(map[i].from);
			if (!strncmp(s, map[i].from, n)) {
				fputs(map[i].to, f);
				s += n;
				break;
			}
		}
		if (i == ARRAY_SIZE(map)) {
			/* Other non-ASCII never reaches LaTeX as raw bytes. */
			fputc((unsigned char)*s < 0x80 ? *s : '?', f);
			s++;
		}
	}
}

/* A table cell; "value ×ratio [lo–hi]" on two lines (a tabular in the cell), so that a row
 * of several backends stays narrow enough to read when scaled to the line width. */
static void tex_cell(FILE *f, const char *s, char align)
{
	const char *x = s ? strstr(s, " ×") : NULL;
	char *value;

	if (!x || !(value = strndup(s, (size_t)(x - s)))) {
		tex_text(f, s);
		return;
	}
	fprintf(f, "\\begin{tabular}[c]{@{}%c@{}}", align);
	tex_text(f, value);
	fputs("\\\\ ", f);
	tex_text(f, x + 1);
	fputs("\\end{tabular}", f);
	free(value);
}

static void tex_table(FILE *f, const struct table *t)
{
	if (!t || !t->nrows)
		return;
	/* Scaled down to the line width only when wider (graphicx's \\width is the table's). */
	fputs("\\begin{table}[htbp]\n\\centering\n\\small\n"
	      "\\resizebox{\\ifdim\\width>\\linewidth\\linewidth\\else\\width\\fi}{!}{%\n"
	      "\\begin{tabular}{",
	      f);
	for (size_t c = 0; c < t->ncols; c++)
		fputc(t->align[c], f);
	fputs("}\n\\toprule\n", f);
	for (size_t c = 0; c < t->ncols; c++) {
		fputs(c ? " & " : "", f);
		tex_text(f, t->head[c]);
	}
	fputs(" \\\\\n\\midrule\n", f);
	for (size_t i = 0; i < t->nrows; i++) {
		for (size_t c = 0; c < t->ncols; c++) {
			fputs(c ? " & " : "", f);
			tex_cell(f, t->cells[i * t->ncols + c], t->align[c]);
		}
		fputs(" \\\\\n", f);
	}
	fputs("\\bottomrule\n\\end{tabular}}\n\\caption{", f);
	tex_text(f, t->caption);
	if (t->note) {
		fputs(". ", f);
		tex_text(f, t->note);
	}
	fprintf(f, "}\n\\label{tab:vmbench-%s}\n\\end{table}\n\n", t->id);
}

static void render_tex(FILE *f, const struct model *m)
{
	fputs("% vmbench report: \\input{report.tex} in a document with "
	      "\\usepackage{booktabs,graphicx}.\n%\n",
	      f);
	fputs("% ", f);
	tex_text(f, m->title);
	fputc('\n', f);
	for (size_t i = 0; i < m->nprov; i++) {
		fprintf(f, "%% %s: ", m->prov[i].key);
		for (const char *s = m->prov[i].val; *s; s++)
			fputc(*s == '\n' ? ' ' : *s, f);
		fputc('\n', f);
	}
	fputc('\n', f);
	tex_table(f, m->summary);
	tex_table(f, m->overview);
}

/* ---- HTML ---- */

static void html_text(FILE *f, const char *s)
{
	for (; s && *s; s++) {
		switch (*s) {
		case '&':
			fputs("&amp;", f);
			break;
		case '<':
			fputs("&lt;", f);
			break;
		case '>':
			fputs("&gt;", f);
			break;
		case '"':
			fputs("&quot;", f);
			break;
		default:
			fputc(*s, f);
		}
	}
}

static void html_table(FILE *f, const struct table *t, int level)
{
	if (!t || !t->nrows)
		return;
	fprintf(f, "<h%d id=\"", level);
	html_text(f, t->id);
	fprintf(f, "\">");
	html_text(f, t->caption);
	fprintf(f, "</h%d>\n<table class=\"cells\">\n<thead><tr>", level);
	for (size_t c = 0; c < t->ncols; c++) {
		fputs("<th>", f);
		html_text(f, t->head[c]);
		fputs("</th>", f);
	}
	fputs("</tr></thead>\n<tbody>\n", f);
	for (size_t i = 0; i < t->nrows; i++) {
		fputs("<tr>", f);
		for (size_t c = 0; c < t->ncols; c++) {
			fputs(t->align[c] == 'r' ? "<td class=\"num\">" : "<td>", f);
			html_text(f, t->cells[i * t->ncols + c]);
			fputs("</td>", f);
		}
		fputs("</tr>\n", f);
	}
	fputs("</tbody>\n</table>\n", f);
	if (t->note) {
		fputs("<p class=\"note\">", f);
		html_text(f, t->note);
		fputs("</p>\n", f);
	}
}

/* The file as a base64 data: URI inside an <img>; -errno when it cannot be read. */
static int html_image(FILE *f, const char *path, const struct report_plot *p)
{
	size_t len;
	char *data = util_read_file(path, 64u << 20, &len);

	if (!data)
		return -errno;
	unsigned char *b64 = malloc(4 * ((len + 2) / 3) + 1);
	if (!b64) {
		free(data);
		return -ENOMEM;
	}
	EVP_EncodeBlock(b64, (const unsigned char *)data, (int)len);
	fprintf(f, "<figure><img class=\"plot\" data-plot=\"%s\" alt=\"", p->stem);
	html_text(f, p->caption);
	fprintf(f, "\" src=\"data:image/png;base64,%s\"><figcaption>", b64);
	html_text(f, p->caption);
	fputs("</figcaption></figure>\n", f);
	free(b64);
	free(data);
	return 0;
}

static const char html_style[] =
	"body{font-family:'DejaVu Sans',Helvetica,Arial,sans-serif;margin:2em auto;"
	"max-width:110em;padding:0 1em;color:#222}"
	"table.cells{border-collapse:collapse;margin:.5em 0 1em;font-size:90%}"
	"table.cells th,table.cells td{border-bottom:1px solid #ddd;padding:.25em .6em;"
	"text-align:left;vertical-align:top}"
	"table.cells th{border-bottom:2px solid #444;background:#f4f4f4}"
	"td.num{text-align:right;white-space:nowrap}"
	"dl.prov{display:grid;grid-template-columns:max-content auto;gap:.2em 1em}"
	"dl.prov dt{font-weight:bold}dl.prov dd{margin:0}"
	"figure{margin:1em 0}img.plot{max-width:100%;border:1px solid #ddd}"
	"p.note{font-size:90%;color:#555}.broken{color:#b00;font-weight:bold}";

/* Marks each plot loaded or broken once the page has loaded; a broken one says so. */
static const char html_script[] =
	"window.addEventListener('load',function(){"
	"document.querySelectorAll('img.plot').forEach(function(i){"
	"var ok=i.complete&&i.naturalWidth>0;i.setAttribute('data-state',ok?'loaded':'broken');"
	"if(!ok){var p=document.createElement('p');p.className='broken';"
	"p.textContent='plot '+i.getAttribute('data-plot')+' did not load';"
	"i.parentNode.insertBefore(p,i);}});"
	"document.body.setAttribute('data-ready','1');});";

static int render_html(FILE *f, const struct model *m)
{
	fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>", f);
	html_text(f, m->title);
	fprintf(f, "</title>\n<style>%s</style>\n<script>%s</script>\n</head>\n<body>\n<h1>",
		html_style, html_script);
	html_text(f, m->title);
	fputs("</h1>\n<h2 id=\"provenance\">Provenance</h2>\n<dl class=\"prov\">\n", f);
	for (size_t i = 0; i < m->nprov; i++) {
		fputs("<dt>", f);
		html_text(f, m->prov[i].key);
		fputs("</dt><dd>", f);
		html_text(f, m->prov[i].val);
		fputs("</dd>\n", f);
	}
	fputs("</dl>\n", f);
	html_table(f, m->backtab, 2);
	html_table(f, m->summary, 2);
	bool any = false;
	for (size_t i = 0; i < report_nplots && i < ARRAY_SIZE(m->plot_ok); i++) {
		char path[4096];
		if (!m->plot_ok[i])
			continue;
		if (!any)
			fputs("<h2 id=\"plots\">Plots</h2>\n", f);
		any = true;
		snprintf(path, sizeof(path), "%s/%s.png", m->plots_dir, report_plots[i].stem);
		int ret = html_image(f, path, &report_plots[i]);
		if (ret < 0)
			return ret;
	}
	html_table(f, m->overview, 2);
	fprintf(f, "<h2 id=\"per-workload\">Per workload</h2>\n<p class=\"note\">%s</p>\n",
		per_workload_intro);
	for (size_t w = 0; w < m->nw; w++)
		html_table(f, m->per[w], 3);
	fputs("</body>\n</html>\n", f);
	return 0;
}

/* ---- files ---- */

/* The formats, by bit, with their file name extensions. */
static const struct {
	const char *name;
	unsigned bit;
} formats_known[] = { { "md", REPORT_MD },
		      { "csv", REPORT_CSV },
		      { "tex", REPORT_TEX },
		      { "html", REPORT_HTML } };

void report_format_names(unsigned mask, const char *sep, char *buf, size_t len)
{
	buf[0] = '\0';
	for (size_t k = 0; k < ARRAY_SIZE(formats_known); k++)
		if (mask & formats_known[k].bit)
			util_appendf(buf, len, "%s%s", buf[0] ? sep : "", formats_known[k].name);
}

int report_parse_formats(const char *list, unsigned *formats, char *err, size_t len)
{
	char **items;
	size_t n;
	int ret = util_split_list(list, &items, &n);

	if (ret < 0) {
		snprintf(err, len, "bad format list '%s'", list);
		return ret == -ENOMEM ? ret : -EINVAL;
	}
	*formats = 0;
	for (size_t i = 0; i < n; i++) {
		size_t k;
		for (k = 0; k < ARRAY_SIZE(formats_known) && strcmp(items[i], formats_known[k].name);
		     k++)
			;
		if (k == ARRAY_SIZE(formats_known)) {
			char known[64];
			report_format_names(REPORT_ALL, ", ", known, sizeof(known));
			snprintf(err, len, "unknown format '%s' (known: %s)", items[i], known);
			util_free_list(items);
			return -EINVAL;
		}
		*formats |= formats_known[k].bit;
	}
	util_free_list(items);
	return 0;
}

static int write_one(const struct model *m, const char *dir, unsigned fmt, char *err, size_t len)
{
	const char *ext = "";
	char path[4096], *buf = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&buf, &size);
	int ret = 0;

	for (size_t k = 0; k < ARRAY_SIZE(formats_known); k++)
		if (formats_known[k].bit == fmt)
			ext = formats_known[k].name;
	snprintf(path, sizeof(path), "%s/report.%s", dir, ext);
	if (!f) {
		snprintf(err, len, "cannot write %s: %s", path, strerror(ENOMEM));
		return -ENOMEM;
	}
	if (fmt == REPORT_MD)
		render_md(f, m);
	else if (fmt == REPORT_CSV)
		render_csv(f, m);
	else if (fmt == REPORT_TEX)
		render_tex(f, m);
	else
		ret = render_html(f, m);
	if (fclose(f) != 0 && !ret)
		ret = -ENOMEM;
	if (!ret)
		ret = util_write_atomic(path, buf, size);
	if (ret < 0)
		snprintf(err, len, "cannot write %s: %s", path, strerror(-ret));
	free(buf);
	return ret;
}

int report_write(const struct results *r, const char *dir, unsigned formats, char *err, size_t len)
{
	struct model m;
	int ret = model_build(&m, r, dir);

	if (ret < 0) {
		snprintf(err, len, "out of memory");
		model_free(&m);
		return ret;
	}
	for (unsigned bit = 1; bit <= REPORT_HTML && ret == 0; bit <<= 1)
		if (formats & bit)
			ret = write_one(&m, dir, bit, err, len);
	model_free(&m);
	return ret;
}
