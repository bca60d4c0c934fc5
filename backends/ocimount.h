/*
 * What a container in a user namespace (OCI_USERNS) needs from the host. Its root is an
 * unprivileged host user (OCI_USERNS_BASE), which may not walk into root's private
 * directories, where the image's rootfs and the test disk live (/root/.cache/vmbench):
 * both are bind-mounted into the container's runtime directory, which that user may walk
 * through (mode 0711 up from the runs' state directory), the rootfs read-only. The mounts
 * are noted (host/runstate.h), so that a killed run's are undone too.
 */
#ifndef VMBENCH_OCIMOUNT_H
#define VMBENCH_OCIMOUNT_H

#include <stddef.h>

#include "backends/backend.h"
#include "common/compiler.h"

struct oci_mounts {
	char rootfs[300], disk[300];
	char note[96];
	const char *no_disk; /* why the container gets no test disk, or NULL */
};

/* Makes the mounts for the container id in rundir and points cfg (a copy of the guest's)
 * at them. 0, or -errno with g->reason. */
int oci_mounts_make(struct guest *g, const char *rundir, const char *id, struct backend_cfg *cfg,
		    struct oci_mounts *m) __must_check;
/* Undoes oci_mounts_make (whatever part of it was done). */
void oci_mounts_undo(struct oci_mounts *m);

#endif
