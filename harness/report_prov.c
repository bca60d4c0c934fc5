/* The provenance lines of a report: host, settings, run, image, tools, command, in the
 * words a reader checks them by. */
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness/provview.h"
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
	struct report_prov *p = m->prov;
	char *k = NULL;
	/* A merged file of many hosts has many lines. */
	if (m->nprov == m->prov_cap) {
		size_t cap = m->prov_cap ? 2 * m->prov_cap : 32;
		if ((p = realloc(m->prov, cap * sizeof(*p)))) {
			m->prov = p;
			m->prov_cap = cap;
		}
	}
	/* A merged file's lines say which host's run they describe. */
	if (m->prov_host ? asprintf(&k, "%s: %s", m->prov_host, key) < 0 : !(k = strdup(key)))
		k = NULL;
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

/* The run's problem sizes (run.sizes): "mem.bw.copy 96 MiB, mem.lat 128 MiB, ..., the
 * largest that fit the smallest backend's 512 MiB". */
static void sizes_line(struct report_model *m, json_t *sizes)
{
	json_t *bytes = json_object_get(sizes, "bytes"), *v;
	double mem = json_number_value(json_object_get(sizes, "memory_bytes"));
	char all[512] = "";
	const char *name;

	json_object_foreach(bytes, name, v) {
		double b = json_number_value(v);
		util_appendf(all, sizeof(all), "%s%s %.0f %s", all[0] ? ", " : "", name,
			     b >= 1 << 20 ? b / (1 << 20) : b / 1024, b >= 1 << 20 ? "MiB" : "KiB");
	}
	if (all[0])
		prov_add(m, "Problem sizes",
			 "%s: the same in every backend, the largest that fit the smallest "
			 "backend's %.0f MiB",
			 all, mem / (1 << 20));
}

/* The filesystem each backend's file workloads used (the agent's HELLO): one kind, or
 * which backend had which, since file numbers compare only on the same kind. */
static void files_line(struct report_model *m, json_t *backends)
{
	char all[512] = "";
	const char *name, *first = NULL;
	json_t *block;
	bool same = true;

	json_object_foreach(backends, name, block) {
		struct prov_backend_view b;
		prov_backend_view_read(block, &b);
		if (!b.tmp_fs)
			continue;
		if (!first)
			first = b.tmp_fs;
		same &= !strcmp(first, b.tmp_fs);
		util_appendf(all, sizeof(all), "%s%s %s", all[0] ? ", " : "", name, b.tmp_fs);
	}
	if (!first)
		return;
	if (same)
		prov_add(m, "Files",
			 "the agent's $TMPDIR, where its file workloads work, was on %s in every "
			 "backend that ran",
			 first);
	else
		prov_add(m, "Files",
			 "the agent's $TMPDIR, where its file workloads work, was on different "
			 "filesystems (%s): their numbers do not compare across them",
			 all);
}

/* The command line of a run or a merge. */
static void command_line(struct report_model *m, json_t *cmd)
{
	char line[1024] = "";
	size_t i;
	json_t *v;

	json_array_foreach(cmd, i, v)
		if (json_is_string(v))
			util_appendf(line, sizeof(line), "%s%s", i ? " " : "",
				     json_string_value(v));
	if (line[0])
		prov_add(m, "Command", "%s", line);
}

/* The lines of one run's provenance. */
static void run_lines(struct report_model *m, json_t *prov)
{
	struct prov_view p;
	char tools[512] = "";
	const char *k;
	json_t *v;

	prov_view_read(prov, &p);
	prov_add(m, "Date", "%s", report_or_unknown(p.date));
	prov_add(m, "Host",
		 "%s: %s, %.0f CPUs online (%.0f cores, %.0f packages, SMT %s), microcode %s",
		 report_or_unknown(p.hostname), report_or_unknown(p.cpu_model), p.cpus_online,
		 p.cores, p.packages, p.smt == 1 ? "on" : "off", report_or_unknown(p.microcode));
	prov_add(m, "Host kernel", "%s %s", report_or_unknown(p.kernel_release),
		 report_or_unknown(p.kernel_version));
	prov_add(m, "Settings",
		 "clocksource %s; THP %s; governor %s; boost %s; perf_event_paranoid %s",
		 report_or_unknown(p.clocksource), report_or_unknown(p.thp),
		 report_or_unknown(p.governor), report_or_unknown(p.boost),
		 isfinite(p.perf_event_paranoid) ? (p.perf_event_paranoid > 1 ? "≥2" : "≤1")
						 : "unknown");
	if (p.mitigations)
		mitigations_line(m, p.mitigations);
	prov_add(m, "KVM", "%s", report_or_unknown(p.kvm_summary));
	pmu_line(m, p.hw_events);
	char rounds[128] = "";
	if (p.rounds > 1)
		snprintf(rounds, sizeof(rounds), " in %.0f sessions per backend, one a round",
			 p.rounds);
	/* Printed as the double the view holds, never cast: a file's integer near INT64_MAX is
	 * 2^63 as a double, which long long cannot hold (the cast would be undefined). */
	if (isfinite(p.seed))
		util_appendf(rounds, sizeof(rounds),
			     ", backends and workloads in a random order "
			     "each round (seed %.0f)",
			     p.seed);
	char boots[64] = "";
	if (isfinite(p.boot_reps))
		snprintf(boots, sizeof(boots), "; %.0f boots per backend", p.boot_reps);
	prov_add(m, "Run",
		 "profile %s: %.0f samples per cell%s, each at least %.0f ms, after %.0f warm-up "
		 "samples%s%s; measurement CPU %.0f",
		 report_or_unknown(p.profile), p.reps, rounds, p.min_sample_ns / 1e6, p.warmup,
		 p.rounds > 1 ? " in each session" : "", boots, p.cpu);
	if (p.stop_rule)
		prov_add(m, "Stop rule", "%s", p.stop_rule);
	sizes_line(m, p.sizes);
	files_line(m, p.backends);
	if (p.image_kernel_sha256)
		prov_add(m, "Guest image", "kernel %s (sha256 %.16s…), initramfs sha256 %.16s…",
			 report_or_unknown(p.image_kernel_version), p.image_kernel_sha256,
			 report_or_unknown(p.image_initrd_sha256));
	json_object_foreach(p.tools, k, v)
		if (json_is_string(v))
			util_appendf(tools, sizeof(tools), "%s%s %s", tools[0] ? ", " : "", k,
				     json_string_value(v));
	if (tools[0])
		prov_add(m, "Tools", "%s", tools);
	prov_add(m, "vmbench", "%s, git %.12s%s, %s %s", report_or_unknown(p.version),
		 p.git ? report_or_unknown(p.git_sha) : "(not a checkout)",
		 p.git_dirty == 1 ? " (dirty)" : "", report_or_unknown(p.compiler),
		 report_or_unknown(p.cflags));
	command_line(m, p.command_line);
}

void report_prov_build(struct report_model *m)
{
	json_t *hosts = json_object_get(m->r->provenance, "hosts"), *v;
	const char *label;

	if (json_object_size(hosts) == 0) {
		run_lines(m, m->r->provenance);
	} else {
		prov_add(m, "Hosts",
			 "%zu runs merged (vmbench merge): a backend's column is backend@host, "
			 "and each ratio is against the %s of its own host",
			 json_object_size(hosts), results_baseline(m->r));
		json_object_foreach(hosts, label, v) {
			m->prov_host = label;
			run_lines(m, v);
		}
		m->prov_host = NULL;
		prov_add(m, "Merged", "%s by vmbench %s",
			 report_or_unknown(
				 json_string_value(json_object_get(m->r->provenance, "date"))),
			 report_or_unknown(json_string_value(json_object_get(
				 json_object_get(m->r->provenance, "vmbench"), "version"))));
		command_line(m, json_object_get(m->r->provenance, "command_line"));
	}
	if (!m->r->complete)
		prov_add(m, "Complete",
			 "no: the run was interrupted or is still going; cells "
			 "that did not run are missing");
}
