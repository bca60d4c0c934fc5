/* `vmbench doctor`: every backend's availability with its reason, and what the host offers. */
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "harness/doctor.h"
#include "host/hostinfo.h"
#include "host/kvmcheck.h"
#include "harness/registry.h"

static void print_events(FILE *out, const char *label, const struct host_event *ev, size_t n)
{
	fprintf(out, "  %-20s ", label);
	for (size_t i = 0; i < n; i++)
		fprintf(out, "%s%s: %s", i ? "; " : "", ev[i].name,
			ev[i].ok ? "yes" : ev[i].reason);
	fputc('\n', out);
}

int doctor_report(FILE *out, const struct backend_cfg *cfg, const char *agent_note)
{
	struct host_kvm kvm;
	struct host_pmu pmu;
	int available = 0, cpu;

	fprintf(out, "backends:\n");
	for (size_t i = 0; i < backend_count; i++) {
		const struct backend_ops *b = backend_table[i];
		char reason[512] = "";
		const char *why;

		if (backend_check(b, &why) < 0) {
			fprintf(out, "  %-12s broken: %s\n", b->name, why);
			continue;
		}
		bool ok = b->available(cfg, reason, sizeof(reason)) == 0;
		fprintf(out, "  %-12s %-24s %s%s%s%s\n", b->name, b->mode,
			ok ? "available" : "unavailable", reason[0] ? ": " : "", reason,
			b->flags & BK_TEST ? " (for tests)" : "");
		if (ok && !(b->flags & BK_TEST))
			available++;
	}

	host_kvm_info(&kvm);
	host_pmu_info(&pmu);
	json_t *topo = host_topology(&cpu);
	int paranoid = host_perf_paranoid();

	fprintf(out, "host:\n");
	fprintf(out, "  %-20s %s\n", "agent", agent_note);
	fprintf(out, "  %-20s %s\n", "kvm", kvm.summary);
	struct kvmcheck probe;
	if (kvm.accessible) {
		int pr = kvmcheck_run(&probe);
		if (pr < 0)
			fprintf(out, "  %-20s cannot run a guest: %s\n", "kvm probe", probe.reason);
		else
			fprintf(out,
				"  %-20s %.0f guest instructions in %.4f s: %.3g per second (%s)\n",
				"kvm probe", probe.instructions, probe.seconds, probe.rate,
				probe.hardware ? "hardware-assisted" : "software");
	}
	fprintf(out, "  %-20s %s\n", "libpfm4 PMUs",
		pmu.pfm_ok ? (pmu.pmus[0] ? pmu.pmus : "none present") : "libpfm4 failed");
	print_events(out, "hardware events", pmu.hw, ARRAY_SIZE(pmu.hw));
	print_events(out, "software events", pmu.sw, ARRAY_SIZE(pmu.sw));
	if (paranoid == INT_MIN)
		fprintf(out, "  %-20s unreadable\n", "perf_event_paranoid");
	else
		fprintf(out, "  %-20s %d\n", "perf_event_paranoid", paranoid);
	if (topo) {
		fprintf(out,
			"  %-20s %d package(s), %d core(s), %d PU(s), SMT %s; measurement CPU %d\n",
			"topology (hwloc)",
			(int)json_integer_value(json_object_get(topo, "packages")),
			(int)json_integer_value(json_object_get(topo, "cores")),
			(int)json_integer_value(json_object_get(topo, "pus")),
			json_is_true(json_object_get(topo, "smt")) ? "on" : "off",
			cfg->cpu >= 0 ? cfg->cpu : cpu);
		json_decref(topo);
	} else {
		fprintf(out, "  %-20s hwloc could not load the topology\n", "topology");
	}

	json_t *tools = host_tool_versions();
	const char *name;
	json_t *v;
	fprintf(out, "tools (Debian packages):\n");
	json_object_foreach(tools, name, v)
		fprintf(out, "  %-20s %s\n", name,
			json_is_string(v) ? json_string_value(v) : "not installed");
	json_decref(tools);
	return available;
}
