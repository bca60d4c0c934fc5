/*
 * The provenance of a results file as the reports read it: typed fields, filled from the
 * file's free-form provenance object by one table of (place, type, field). The writers
 * (provenance.c, run.c, session.c) and this table must agree on every place:
 * tests/unit/provview.c checks what a run writes against the table, so a renamed key fails
 * a test instead of turning a report line into "unknown".
 */
#ifndef VMBENCH_PROVVIEW_H
#define VMBENCH_PROVVIEW_H

#include <stddef.h>

#include <jansson.h>

/* Strings are NULL, numbers NAN, flags -1 where a file has no such fact; the JSON
 * members are borrowed from the provenance object (NULL where absent). */
struct prov_view {
	const char *date, *version, *git_sha, *compiler, *cflags;
	int git_dirty;
	json_t *git, *command_line, *tools;
	const char *hostname, *cpu_model, *microcode, *kernel_release, *kernel_version;
	double cpus_online, cores, packages, perf_event_paranoid;
	int smt;
	const char *clocksource, *thp, *governor, *boost, *kvm_summary;
	json_t *mitigations, *hw_events, *backends;
	const char *profile, *stop_rule, *baseline;
	double reps, warmup, min_sample_ns, boot_reps, rounds, cpu, seed;
	json_t *sizes; /* run.sizes: {"memory_bytes", "llc_bytes", "bytes": {workload: size}} */
	const char *image_kernel_version, *image_kernel_sha256, *image_initrd_sha256;
};

/* One backend's block (provenance backends.<name>). */
struct prov_backend_view {
	const char *mode, *status, *reason, *note;
	const char *tmp_fs; /* the filesystem the agent's file workloads used */
	double boot_s;
	json_t *counting_pass; /* the names of the counting pass's probes */
};

enum prov_type { PROV_STR, PROV_NUM, PROV_INT, PROV_FLAG, PROV_OBJ, PROV_ARR };

/* Who writes a fact, for the check: every run, or only some (a fact of this host that
 * may be missing, a profile that shuffles, a run with a guest image). */
enum prov_when { PROV_ALWAYS, PROV_SOMETIMES };

struct prov_field {
	const char *path; /* dotted, from the provenance object (or the backend's block) */
	enum prov_type type;
	size_t offset;
	enum prov_when when;
};

extern const struct prov_field prov_fields[], prov_backend_fields[];
extern const size_t prov_field_count, prov_backend_field_count;

void prov_view_read(json_t *provenance, struct prov_view *v);
void prov_backend_view_read(json_t *block, struct prov_backend_view *v);

/* The first field of table that obj does not have with its type (written always) or has
 * with another type (written at all): its path, or NULL when all agree. */
const char *prov_view_check(json_t *obj, const struct prov_field *table, size_t n);

#endif
