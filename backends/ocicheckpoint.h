/*
 * The container backend's lifecycle operations through its OCI runtime and CRIU (private to
 * backends/container.c and backends/ocicheckpoint.c): `runc checkpoint --leave-running`
 * into a state directory, `runc restore` of a new container from it, and whether this host
 * can do either at all (`criu check`, measured once per run).
 */
#ifndef VMBENCH_OCICHECKPOINT_H
#define VMBENCH_OCICHECKPOINT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "backends/backend.h"
#include "common/compiler.h"
#include "host/migrate.h"

/* A container as the checkpoint code sees it (container.c's state, borrowed). */
struct ocicp_ctr {
	const char *runtime;	   /* the runtime's path */
	const char *name;	   /* its name: runc, crun */
	const char *const *global; /* its options before the command: nglobal at most, */
	size_t nglobal;		   /* fewer when one is NULL */
	const char *state;	   /* its --root */
	const char *rundir;	   /* the container's runtime directory */
	const char *id;
};

/* The images in a state directory; CRIU's work files (logs, statistics) in a container's
 * runtime directory, for a checkpoint and for a restore; the pid file of a restore there. */
#define OCICP_IMAGES	   "images"
#define OCICP_DUMP_WORK	   "checkpoint"
#define OCICP_RESTORE_WORK "restore"
#define OCICP_PID_FILE	   "container.pid"

/* Whether containers of the runtime name (at path) can be checkpointed and restored here:
 * CRIU installed, `criu check` passing, the tools CRIU runs for a network namespace, a
 * runtime built with CRIU. Measured at the first call of the process, the same answer
 * after. 0, or -errno with why in reason. */
int ocicp_offers(const char *name, const char *path, char *reason, size_t len) __must_check;

/* Checkpoints the running container c into dir/OCICP_IMAGES and lets it run on (as
 * backend_ops.save). 0, or -errno with g->reason. */
int ocicp_save(struct guest *g, const struct ocicp_ctr *c, const char *dir, struct mig_stats *st,
	       double *frozen_s) __must_check;

/* After the restore command (ocicp_restore_cmd) started as g->pid: waits within timeout_ms
 * for the restored container's process, into *pid. 0, or -errno with g->reason (the
 * runtime's and CRIU's words when the restore failed). */
int ocicp_restored(struct guest *g, const struct ocicp_ctr *c, int timeout_ms, pid_t *pid)
	__must_check;

/* The runtime's commands, into cmd (its overflow flag set when they do not fit):
 * checkpoint c into dir/OCICP_IMAGES, leaving it running; restore a new container c (its
 * bundle is c->rundir) from dir/OCICP_IMAGES, in the foreground, as the runtime runs one. */
void ocicp_checkpoint_cmd(const struct ocicp_ctr *c, const char *dir, struct backend_cmd *cmd);
void ocicp_restore_cmd(const struct ocicp_ctr *c, const char *dir, struct backend_cmd *cmd);

/* CRIU's own error in text (`criu check`'s output, a dump.log or restore.log), into line:
 * the message of its first "Error (file:line): message" that is not the report of a helper
 * program CRIU ran ("exited, status=1"), else of its first; false when there is none. */
bool ocicp_criu_error(const char *text, char *line, size_t len);
/* What `criu check` (its output out, its exit status or -errno) says: 0 when it passed;
 * -ENOTSUP (or the -errno) with CRIU's first error (else its first line, else how it
 * ended) in line. */
int ocicp_check_says(const char *out, int status, char *line, size_t len) __must_check;
/* Whether runtime name, whose `--version` printed version, checkpoints with CRIU: runc does;
 * crun when built with it (+CRIU). 0, or -ENOTSUP with why in reason. */
int ocicp_runtime_can(const char *name, const char *version, char *reason, size_t len) __must_check;
/* Whether the container's stdin and stdout at its start were pipes (the runtime's
 * descriptors.json, a JSON array of what fds 0, 1, 2 were): the runtime hands a restored
 * container's pipes in their place only then. 0, or -EPROTO with why in err. */
int ocicp_descriptors(const char *json, char *err, size_t len) __must_check;

/* CRIU's account of a dump (its stats-dump file). */
struct ocicp_dump_stats {
	double freezing_s; /* from the start of the freeze until every task was stopped */
	double frozen_s;   /* from then until they ran again */
	uint64_t pages_written;
};
/* Decodes a stats-dump file of n bytes. 0, or -EINVAL when it is not one. */
int ocicp_dump_stats(const unsigned char *buf, size_t n, struct ocicp_dump_stats *s) __must_check;

#endif
