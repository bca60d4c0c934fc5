/* Formatting helpers of the report model: numbers to three significant digits, times in
 * their unit, ratios with their intervals, and reading the provenance JSON. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "harness/report_model.h"
#include "host/util.h"

const char *report_or_unknown(const char *s)
{
	return s ? s : "unknown";
}

/* Three significant digits, without an exponent for ordinary magnitudes. */
void report_fmt_sig(double v, char *buf, size_t len)
{
	double a = fabs(v);

	if (!isfinite(v))
		snprintf(buf, len, "n/a");
	else if (a == 0)
		snprintf(buf, len, "0");
	/* By the magnitude after rounding: 9.9996 is "10.0", not "10.00". */
	else if (a >= 99.95)
		snprintf(buf, len, "%.0f", v);
	else if (a >= 9.995)
		snprintf(buf, len, "%.1f", v);
	else if (a >= 0.9995)
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
void report_fmt_value(double v, const char *unit, char *buf, size_t len)
{
	struct scale s;
	char num[32];

	scale_for(v, unit, &s);
	report_fmt_sig(v / s.div, num, sizeof(num));
	snprintf(buf, len, "%s %s", num, s.unit);
}

/* "164 [160–170] ns/op" for a measured cell. */
void report_fmt_median_ci(const struct cell *c, char *buf, size_t len)
{
	struct scale s;
	char med[32], lo[32], hi[32];

	scale_for(c->stats.median, c->unit, &s);
	report_fmt_sig(c->stats.median / s.div, med, sizeof(med));
	if (!c->stats.has_ci) {
		snprintf(buf, len, "%s %s (no CI: %zu session%s)", med, s.unit, c->nsessions,
			 c->nsessions == 1 ? "" : "s");
		return;
	}
	report_fmt_sig(c->stats.ci_lo / s.div, lo, sizeof(lo));
	report_fmt_sig(c->stats.ci_hi / s.div, hi, sizeof(hi));
	snprintf(buf, len, "%s [%s–%s] %s", med, lo, hi, s.unit);
}

/* "×4.02 [3.90–4.15]", "×4.02 [3.10–5.20] noisy" when either side is noisy, or "" when
 * there is no ratio with an interval. */
void report_fmt_ratio(const struct results *r, const struct cell *c, char *buf, size_t len)
{
	struct ratio q;
	char v[32], lo[32], hi[32];

	buf[0] = '\0';
	if (results_ratio_to_native(r, c, &q) < 0 || !q.has_ci)
		return;
	report_fmt_sig(q.value, v, sizeof(v));
	report_fmt_sig(q.ci_lo, lo, sizeof(lo));
	report_fmt_sig(q.ci_hi, hi, sizeof(hi));
	snprintf(buf, len, "×%s [%s–%s]%s", v, lo, hi, results_ratio_noisy(r, c) ? " noisy" : "");
}

/* A probe effect (cell_probe_effect) as the change it made: "+31%", "-2.0%", "0%". */
void report_fmt_effect(double f, char *buf, size_t len)
{
	double pct = (f - 1) * 100;

	if (fabs(pct) < 0.05)
		snprintf(buf, len, "0%%");
	else
		snprintf(buf, len, "%+.*f%%", fabs(pct) < 9.95 ? 1 : 0, pct);
}

/* "ide 22.4, piix-bmdma 12.6, …": the largest kinds first. */
void report_fmt_kinds(const struct traps *t, char *buf, size_t len)
{
	const char *done[8];
	size_t ndone = 0;

	buf[0] = '\0';
	while (ndone < ARRAY_SIZE(done)) {
		const char *best = NULL;
		double bv = 0;
		for (size_t i = 0; i < t->n; i++) {
			const char *k = t->kind[i].name;
			if (t->kind[i].per_op > bv && !util_listed(done, ndone, k)) {
				best = k;
				bv = t->kind[i].per_op;
			}
		}
		if (!best)
			break;
		char num[32];
		report_fmt_sig(bv, num, sizeof(num));
		util_appendf(buf, len, "%s%s %s", ndone ? ", " : "", best, num);
		done[ndone++] = best;
	}
}

/* The counters a table shows per operation, in this order, when a cell has them. */
static const char *const shown_counters[] = {
	"instructions",	      "cycles",	      "task-clock",
	"runtime:cpu-ns",     "page-faults",  "context-switches",
	"host-syscalls",      "ptrace-calls", "virtio-requests",
	"kvm:insn_emulation",
};

void report_fmt_counters(const struct counters *cs, char *buf, size_t len)
{
	size_t shown = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < ARRAY_SIZE(shown_counters) && shown < 5; i++) {
		const struct counter *c = counters_get(cs, shown_counters[i]);
		double v = c ? c->per_op : NAN;
		char num[160];
		if (!isfinite(v))
			continue;
		size_t nl = strlen(shown_counters[i]);
		/* task-clock and the *-ns counters are times in nanoseconds. */
		if (!strcmp(shown_counters[i], "task-clock") ||
		    (nl > 3 && !strcmp(shown_counters[i] + nl - 3, "-ns")))
			report_fmt_value(v, "ns", num, sizeof(num));
		else
			report_fmt_sig(v, num, sizeof(num));
		util_appendf(buf, len, "%s%s %s%s", shown ? ", " : "", shown_counters[i], num,
			     c->scaled == 1 ? " (scaled)" : "");
		shown++;
	}
}

void report_fmt_exact(double v, char *buf, size_t len)
{
	buf[0] = '\0';
	if (isfinite(v))
		snprintf(buf, len, "%.10g", v);
}
