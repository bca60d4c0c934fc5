/* The provenance lines of a report: host, settings, run, image, tools, command, in the
 * words a reader checks them by. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness/report_model.h"
#include "host/util.h"

static void prov_add(struct report_model *m, const char *key, const char *fmt, ...) __printf(3, 4);

static void prov_add(struct report_model *m, const char *key, const char *fmt, ...)
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
	struct report_prov *p = realloc(m->prov, (m->nprov + 1) * sizeof(*p));
	char *k = strdup(key);
	if (p)
		m->prov = p;
	if (!p || !k) {
		free(k);
		free(val);
		m->oom = true;
		return;
	}
	m->prov[m->nprov++] = (struct report_prov){ k, val };
}

/* "12 not affected, 3 mitigated, 1 vulnerable" from /sys/.../vulnerabilities. */
static void mitigations_line(struct report_model *m, json_t *mit)
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
static void pmu_line(struct report_model *m, json_t *ev)
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

void report_prov_build(struct report_model *m)
{
	json_t *p = m->r->provenance;
	json_t *git = report_jpath(p, "vmbench.git");
	char tools[512] = "";
	const char *k;
	json_t *v;

	prov_add(m, "Date", "%s", report_or_unknown(report_jstr(p, "date")));
	prov_add(m, "Host",
		 "%s: %s, %.0f CPUs online (%.0f cores, %.0f packages, SMT %s), microcode %s",
		 report_or_unknown(report_jstr(p, "host.hostname")),
		 report_or_unknown(report_jstr(p, "host.cpu_model")),
		 report_jnum(p, "host.cpus_online"), report_jnum(p, "host.topology.cores"),
		 report_jnum(p, "host.topology.packages"),
		 json_is_true(report_jpath(p, "host.topology.smt")) ? "on" : "off",
		 report_or_unknown(report_jstr(p, "host.microcode")));
	prov_add(m, "Host kernel", "%s %s",
		 report_or_unknown(report_jstr(p, "host.kernel.release")),
		 report_or_unknown(report_jstr(p, "host.kernel.version")));
	prov_add(m, "Settings",
		 "clocksource %s; THP %s; governor %s; boost %s; perf_event_paranoid %s",
		 report_or_unknown(report_jstr(p, "host.clocksource")),
		 report_or_unknown(report_jstr(p, "host.thp")),
		 report_or_unknown(report_jstr(p, "host.governor")),
		 report_or_unknown(report_jstr(p, "host.boost")),
		 json_is_integer(report_jpath(p, "host.perf_event_paranoid"))
			 ? (json_integer_value(report_jpath(p, "host.perf_event_paranoid")) > 1
				    ? "≥2"
				    : "≤1")
			 : "unknown");
	if (json_is_object(report_jpath(p, "host.mitigations")))
		mitigations_line(m, report_jpath(p, "host.mitigations"));
	prov_add(m, "KVM", "%s", report_or_unknown(report_jstr(p, "host.kvm.summary")));
	pmu_line(m, report_jpath(p, "host.pmu.hardware_events"));
	char rounds[128] = "";
	if (report_jnum(p, "run.rounds") > 1)
		snprintf(rounds, sizeof(rounds), " in %.0f rounds", report_jnum(p, "run.rounds"));
	if (json_is_integer(report_jpath(p, "run.seed")))
		util_appendf(rounds, sizeof(rounds),
			     ", backends and workloads in a random order "
			     "each round (seed %lld)",
			     (long long)json_integer_value(report_jpath(p, "run.seed")));
	char boots[64] = "";
	if (isfinite(report_jnum(p, "run.boot_reps")))
		snprintf(boots, sizeof(boots), "; %.0f boots per backend",
			 report_jnum(p, "run.boot_reps"));
	prov_add(m, "Run",
		 "profile %s: %.0f samples per cell%s, each at least %.0f ms, after %.0f warm-up "
		 "samples%s%s; measurement CPU %.0f",
		 report_or_unknown(report_jstr(p, "run.profile")), report_jnum(p, "run.reps"),
		 rounds, report_jnum(p, "run.min_sample_ns") / 1e6, report_jnum(p, "run.warmup"),
		 report_jnum(p, "run.rounds") > 1 ? " in each round" : "", boots,
		 report_jnum(p, "run.cpu"));
	if (report_jstr(p, "run.stop_rule"))
		prov_add(m, "Stop rule", "%s", report_jstr(p, "run.stop_rule"));
	const char *ks = report_jstr(p, "run.image.kernel_sha256"),
		   *is = report_jstr(p, "run.image.initrd_sha256");
	if (ks)
		prov_add(m, "Guest image", "kernel %s (sha256 %.16s…), initramfs sha256 %.16s…",
			 report_or_unknown(report_jstr(p, "run.image.kernel_version")), ks,
			 report_or_unknown(is));
	json_object_foreach(report_jpath(p, "tools"), k, v)
		if (json_is_string(v))
			util_appendf(tools, sizeof(tools), "%s%s %s", tools[0] ? ", " : "", k,
				     json_string_value(v));
	if (tools[0])
		prov_add(m, "Tools", "%s", tools);
	prov_add(m, "vmbench", "%s, git %.12s%s, %s %s",
		 report_or_unknown(report_jstr(p, "vmbench.version")),
		 git ? report_or_unknown(report_jstr(git, "sha")) : "(not a checkout)",
		 json_is_true(report_jpath(git, "dirty")) ? " (dirty)" : "",
		 report_or_unknown(report_jstr(p, "vmbench.compiler")),
		 report_or_unknown(report_jstr(p, "vmbench.cflags")));
	json_t *cmd = report_jpath(p, "command_line");
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
