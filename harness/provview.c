/* The typed view of a results file's provenance, from one table of places and fields. */
#include <math.h>
#include <stdbool.h>
#include <string.h>

#include "common/compiler.h"
#include "harness/provview.h"

#define F(path, type, field, when)                                  \
	{                                                           \
		path, type, offsetof(struct prov_view, field), when \
	}

const struct prov_field prov_fields[] = {
	F("date", PROV_STR, date, PROV_ALWAYS),
	F("vmbench.version", PROV_STR, version, PROV_ALWAYS),
	F("vmbench.git", PROV_OBJ, git, PROV_SOMETIMES),
	F("vmbench.git.sha", PROV_STR, git_sha, PROV_SOMETIMES),
	F("vmbench.git.dirty", PROV_FLAG, git_dirty, PROV_SOMETIMES),
	F("vmbench.compiler", PROV_STR, compiler, PROV_ALWAYS),
	F("vmbench.cflags", PROV_STR, cflags, PROV_ALWAYS),
	F("command_line", PROV_ARR, command_line, PROV_ALWAYS),
	F("tools", PROV_OBJ, tools, PROV_ALWAYS),
	F("host.hostname", PROV_STR, hostname, PROV_ALWAYS),
	F("host.cpu_model", PROV_STR, cpu_model, PROV_SOMETIMES),
	F("host.microcode", PROV_STR, microcode, PROV_SOMETIMES),
	F("host.kernel.release", PROV_STR, kernel_release, PROV_ALWAYS),
	F("host.kernel.version", PROV_STR, kernel_version, PROV_ALWAYS),
	F("host.cpus_online", PROV_NUM, cpus_online, PROV_ALWAYS),
	F("host.topology.cores", PROV_NUM, cores, PROV_SOMETIMES),
	F("host.topology.packages", PROV_NUM, packages, PROV_SOMETIMES),
	F("host.topology.smt", PROV_FLAG, smt, PROV_SOMETIMES),
	F("host.perf_event_paranoid", PROV_INT, perf_event_paranoid, PROV_SOMETIMES),
	F("host.clocksource", PROV_STR, clocksource, PROV_SOMETIMES),
	F("host.thp", PROV_STR, thp, PROV_SOMETIMES),
	F("host.governor", PROV_STR, governor, PROV_SOMETIMES),
	F("host.boost", PROV_STR, boost, PROV_SOMETIMES),
	F("host.kvm.summary", PROV_STR, kvm_summary, PROV_ALWAYS),
	F("host.mitigations", PROV_OBJ, mitigations, PROV_ALWAYS),
	F("host.pmu.hardware_events", PROV_OBJ, hw_events, PROV_ALWAYS),
	F("backends", PROV_OBJ, backends, PROV_ALWAYS),
	F("run.profile", PROV_STR, profile, PROV_ALWAYS),
	F("run.stop_rule", PROV_STR, stop_rule, PROV_ALWAYS),
	F("run.baseline", PROV_STR, baseline, PROV_ALWAYS),
	F("run.reps", PROV_NUM, reps, PROV_ALWAYS),
	F("run.warmup", PROV_NUM, warmup, PROV_ALWAYS),
	F("run.min_sample_ns", PROV_NUM, min_sample_ns, PROV_ALWAYS),
	F("run.boot_reps", PROV_NUM, boot_reps, PROV_ALWAYS),
	F("run.rounds", PROV_NUM, rounds, PROV_ALWAYS),
	F("run.cpu", PROV_NUM, cpu, PROV_ALWAYS),
	F("run.seed", PROV_INT, seed, PROV_ALWAYS),
	F("run.sizes", PROV_OBJ, sizes, PROV_ALWAYS),
	F("run.image.kernel_version", PROV_STR, image_kernel_version, PROV_SOMETIMES),
	F("run.image.kernel_sha256", PROV_STR, image_kernel_sha256, PROV_SOMETIMES),
	F("run.image.initrd_sha256", PROV_STR, image_initrd_sha256, PROV_SOMETIMES),
};
const size_t prov_field_count = ARRAY_SIZE(prov_fields);
#undef F

#define F(path, type, field, when)                                          \
	{                                                                   \
		path, type, offsetof(struct prov_backend_view, field), when \
	}

const struct prov_field prov_backend_fields[] = {
	F("mode", PROV_STR, mode, PROV_ALWAYS),
	F("status", PROV_STR, status, PROV_ALWAYS),
	F("reason", PROV_STR, reason, PROV_SOMETIMES),
	F("note", PROV_STR, note, PROV_SOMETIMES),
	F("boot_s", PROV_NUM, boot_s, PROV_SOMETIMES),
	F("probes.counting_pass", PROV_ARR, counting_pass, PROV_SOMETIMES),
	F("agent.tmp_fs", PROV_STR, tmp_fs, PROV_SOMETIMES),
};
const size_t prov_backend_field_count = ARRAY_SIZE(prov_backend_fields);
#undef F

/* The JSON value at a dotted path, or NULL. */
static json_t *at(json_t *root, const char *path)
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

static bool has_type(json_t *v, enum prov_type t)
{
	switch (t) {
	case PROV_STR:
		return json_is_string(v);
	case PROV_NUM:
		return json_is_number(v);
	case PROV_INT:
		return json_is_integer(v);
	case PROV_FLAG:
		return json_is_boolean(v);
	case PROV_OBJ:
		return json_is_object(v);
	case PROV_ARR:
		return json_is_array(v);
	}
	return false;
}

/* Fills base's fields from obj: what is absent or of another type is unknown. */
static void read_table(json_t *obj, const struct prov_field *table, size_t n, void *base)
{
	for (size_t i = 0; i < n; i++) {
		json_t *v = at(obj, table[i].path);
		char *dst = (char *)base + table[i].offset;
		bool ok = has_type(v, table[i].type);
		switch (table[i].type) {
		case PROV_STR:
			*(const char **)dst = ok ? json_string_value(v) : NULL;
			break;
		case PROV_NUM:
		case PROV_INT:
			*(double *)dst = ok ? json_number_value(v) : NAN;
			break;
		case PROV_FLAG:
			*(int *)dst = ok ? json_is_true(v) : -1;
			break;
		case PROV_OBJ:
		case PROV_ARR:
			*(json_t **)dst = ok ? v : NULL;
			break;
		}
	}
}

void prov_view_read(json_t *provenance, struct prov_view *v)
{
	read_table(provenance, prov_fields, prov_field_count, v);
}

void prov_backend_view_read(json_t *block, struct prov_backend_view *v)
{
	read_table(block, prov_backend_fields, prov_backend_field_count, v);
}

const char *prov_view_check(json_t *obj, const struct prov_field *table, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		json_t *v = at(obj, table[i].path);
		bool written = v && !json_is_null(v);
		if (written ? !has_type(v, table[i].type) : table[i].when == PROV_ALWAYS)
			return table[i].path;
	}
	return NULL;
}
