/* What the OCI container backends share: config.json from a runtime's template, and a
 * runtime's words for a user. */
#ifndef VMBENCH_OCIBUNDLE_H
#define VMBENCH_OCIBUNDLE_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "backends/backend.h"
#include "common/compiler.h"

/* Where the test disk appears inside the container. */
#define OCI_GUEST_DISK "/dev/vmbench-disk"

/*
 * Writes dir/config.json for arg0 from the runtime's template tmpl (its `spec` output) with
 * what the container backends promise: the image's rootfs read-only, no terminal, pid,
 * mount, ipc, uts and network namespaces, no new privileges, cfg->mem_mib as the memory
 * limit, cfg->cpu as the cpuset, a private /tmp, and the test disk bind-mounted at
 * OCI_GUEST_DISK (with a device rule when it is a block device). id names the cgroup.
 * 0 (with the written configuration in *config when config is not NULL) or -errno with err.
 */
int oci_write_bundle(json_t *tmpl, const char *dir, const struct backend_cfg *cfg, const char *id,
		     const char *arg0, unsigned flags, json_t **config, char *err, size_t len)
	__must_check;

/* backend_ops.resize of a running container (backends/ocimemory.c): the memory limit the
 * bundle set, changed in its cgroup. */
int oci_resize(struct guest *g, uint64_t bytes) __must_check;

/* A runtime's words for a user, into buf: its error line (runc logs `level=error msg="..."`),
 * else its first line of out, made printable; else how it ended (status: its exit status, or
 * -errno of the run). */
void oci_runtime_words(const char *out, int status, char *buf, size_t len);

/* flags: a user namespace, container root mapped to GUEST_UID and up on the host
 * (backends/guestuser.h). */
#define OCI_USERNS 1u
/* flags: vmbench's seccomp filter (ocibundle.c): runc's and crun's templates have none. */
#define OCI_SECCOMP	2u
#define OCI_USERNS_SIZE 65536u
/* The pids limit of every container: the fork workloads' few processes at a time, and no
 * fork bomb on the host. */
#define OCI_PIDS_MAX 512

#endif
