/* The provenance block: host, kernel, CPU, tools, vmbench's own version and git state. */
#include <dirent.h>
#include <sched.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "host/hostinfo.h"
#include "host/process.h"
#include "harness/provenance.h"
#include "host/util.h"

#ifdef __clang__
#define COMPILER "clang " __clang_version__
#else
#define COMPILER "gcc " __VERSION__
#endif

/* The first line of a file as a JSON string, or null. */
static json_t *file_line(const char *path)
{
	char buf[1024];

	if (util_read_line(path, buf, sizeof(buf)) < 0)
		return json_null();
	return util_json_text(util_rtrim(buf));
}

/* The first CPU's field of /proc/cpuinfo ("model name", "microcode"), or null. */
static json_t *cpuinfo(const char *field)
{
	char *text = util_read_file("/proc/cpuinfo", 1 << 22, NULL);
	json_t *value = json_null();
	size_t n = strlen(field);

	for (char *save, *line = text ? strtok_r(text, "\n", &save) : NULL; line;
	     line = strtok_r(NULL, "\n", &save)) {
		char *colon = strchr(line, ':');
		if (strncmp(line, field, n) == 0 && (line[n] == ' ' || line[n] == '\t') && colon) {
			json_decref(value);
			value = util_json_text(colon[1] ? colon + 2 : "");
			break;
		}
	}
	free(text);
	return value;
}

/* Every file of dir as name: first line (module parameters), or null without dir. */
static json_t *dir_lines(const char *dir)
{
	DIR *d = opendir(dir);
	json_t *obj;
	struct dirent *e;

	if (!d)
		return json_null();
	obj = json_object();
	while ((e = readdir(d))) {
		char path[PATH_MAX];
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		json_object_set_new(obj, e->d_name, file_line(path));
	}
	closedir(d);
	return obj;
}

/* Turbo/boost: cpufreq's boost switch, or intel_pstate's no_turbo (inverted), or null. */
static json_t *boost(void)
{
	char buf[32];

	if (util_read_line("/sys/devices/system/cpu/cpufreq/boost", buf, sizeof(buf)) == 0)
		return json_boolean(atoi(buf) != 0);
	if (util_read_line("/sys/devices/system/cpu/intel_pstate/no_turbo", buf, sizeof(buf)) == 0)
		return json_boolean(atoi(buf) == 0);
	return json_null();
}

/* KVM's module parameters (kvm, and kvm_intel or kvm_amd), for provenance. */
static json_t *kvm_modules(void)
{
	json_t *obj = json_object();
	const char *mods[] = { "kvm", "kvm_intel", "kvm_amd" };

	for (size_t i = 0; obj && i < ARRAY_SIZE(mods); i++) {
		char dir[128];
		snprintf(dir, sizeof(dir), "/sys/module/%s/parameters", mods[i]);
		json_t *params = dir_lines(dir);
		if (json_is_object(params))
			json_object_set_new(obj, mods[i], params);
		else
			json_decref(params);
	}
	return obj;
}

static json_t *mitigations(void)
{
	json_t *obj = dir_lines("/sys/devices/system/cpu/vulnerabilities");

	return json_is_null(obj) ? json_object() : obj;
}

json_t *provenance_git(void)
{
	char sha[128], status[4096];
	char *rev[] = { "git", "-C", VMBENCH_SOURCE_DIR, "rev-parse", "HEAD", NULL };
	char *st[] = { "git",	 "-C",		VMBENCH_SOURCE_DIR,
		       "status", "--porcelain", "--untracked-files=no",
		       NULL };

	if (proc_capture(rev, sha, sizeof(sha), 5000) != 0)
		return json_null();
	int ret = proc_capture(st, status, sizeof(status), 5000);
	return json_pack("{s:s, s:o}", "sha", util_rtrim(sha), "dirty",
			 ret == 0 ? json_boolean(status[0] != '\0') : json_null());
}

static json_t *host_block(void)
{
	struct utsname u;
	char hostname[256] = "";
	struct host_kvm kvm;
	struct host_pmu pmu;
	int cpu;

	uname(&u);
	gethostname(hostname, sizeof(hostname) - 1);
	host_kvm_info(&kvm);
	host_pmu_info(&pmu);
	int paranoid = host_perf_paranoid();
	json_t *topo = host_topology(&cpu);
	json_t *hw = json_object();
	for (size_t i = 0; i < ARRAY_SIZE(pmu.hw); i++)
		json_object_set_new(hw, pmu.hw[i].name,
				    pmu.hw[i].ok ? json_true() : json_string(pmu.hw[i].reason));

	json_t *h = json_pack(
		"{s:o, s:o, s:i, s:{s:o, s:o, s:o, s:o}, s:o, s:o, s:o, s:o, s:o, s:o, s:{s:s, "
		"s:b, "
		"s:i}, s:{s:s, s:o}, s:o}",
		"hostname", util_json_text(hostname), "cpu_model", cpuinfo("model name"),
		"cpus_online", (int)sysconf(_SC_NPROCESSORS_ONLN), "kernel", "release",
		util_json_text(u.release), "version", util_json_text(u.version), "machine",
		util_json_text(u.machine), "cmdline", file_line("/proc/cmdline"), "clocksource",
		file_line("/sys/devices/system/clocksource/clocksource0/current_clocksource"),
		"thp", file_line("/sys/kernel/mm/transparent_hugepage/enabled"), "governor",
		file_line("/sys/devices/system/cpu/cpu0/cpufreq/scaling_governor"), "smt_control",
		file_line("/sys/devices/system/cpu/smt/control"), "mitigations", mitigations(),
		"perf_event_paranoid", paranoid == INT_MIN ? json_null() : json_integer(paranoid),
		"kvm", "summary", kvm.summary, "usable", kvm.accessible, "api_version",
		kvm.api_version, "pmu", "present", pmu.pmus, "hardware_events", hw, "topology",
		topo ? topo : json_null());
	if (h) {
		json_object_set_new(h, "microcode", cpuinfo("microcode"));
		json_object_set_new(h, "boost", boost());
		json_object_set_new(json_object_get(h, "kvm"), "modules", kvm_modules());
	}
	return h;
}

json_t *provenance_collect(int argc, char **argv)
{
	char date[64];
	json_t *cmd = json_array();

	for (int i = 0; cmd && i < argc; i++)
		json_array_append_new(cmd, util_json_text(argv[i]));
	util_utc_now(date, sizeof(date), false);
	return json_pack("{s:{s:s, s:o, s:s, s:s}, s:s, s:o, s:o, s:o}", "vmbench", "version",
			 VMBENCH_VERSION, "git", provenance_git(), "compiler", COMPILER, "cflags",
			 VMBENCH_CFLAGS, "date", date, "command_line", cmd ? cmd : json_null(),
			 "host", host_block(), "tools", host_tool_versions());
}

json_t *provenance_binding(int cpu)
{
	cpu_set_t set;
	json_t *mine = json_array();

	if (mine && sched_getaffinity(0, sizeof(set), &set) == 0)
		for (int i = 0; i < CPU_SETSIZE; i++)
			if (CPU_ISSET(i, &set))
				json_array_append_new(mine, json_integer(i));
	return json_pack("{s:o, s:o}", "measurement_cpu",
			 cpu >= 0 ? json_integer(cpu) : json_null(), "harness_cpus",
			 mine ? mine : json_null());
}

json_t *provenance_run(const struct profile *pf, unsigned rounds, const struct backend_cfg *b)
{
	json_t *run = json_pack("{s:s, s:i, s:i, s:I, s:i, s:i, s:i, s:i, s:i}", "profile",
				pf->name, "reps", (int)pf->reps, "warmup", (int)pf->warmup,
				"min_sample_ns", (json_int_t)pf->min_sample_ns, "boot_reps",
				(int)pf->boot_reps, "rounds", (int)rounds, "cpu", b->cpu, "vcpus",
				(int)b->vcpus, "mem_mib", (int)b->mem_mib);

	if (!run)
		return NULL;
	json_object_set_new(run, "stop_rule", json_string(pf->stop_rule));
	return run;
}
