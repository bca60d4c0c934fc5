/*
 * The host user guests run as where vmbench is root: UML's host processes, and a
 * container's root through a user namespace. It is no account's (GUEST_UID), so that a
 * guest that escapes its sandbox owns nothing of the host. That user may not walk into
 * root's private directories, where the image and the test disk live (/root/.cache): what
 * the guest needs of them is bind-mounted into its runtime directory, which that user may
 * walk through (mode 0711 up from the runs' state directory), the image read-only. The
 * mounts are noted (host/runstate.h), so that a killed run's are undone too.
 */
#ifndef VMBENCH_GUESTUSER_H
#define VMBENCH_GUESTUSER_H

#include <stddef.h>

#include "backends/backend.h"
#include "common/compiler.h"

/* Above any regular user; it may fall in a range of /etc/subuid (useradd hands out 65536
 * ids a user from 100000, LXD takes 1000000 and up): vmbench warns when it does. */
#define GUEST_UID 1000000u

/* What guestuser_paths binds: the image's rootfs (a container's), its initramfs (UML's). */
#define GU_ROOTFS 1u
#define GU_INITRD 2u

struct guest_paths {
	char rootfs[300], initrd[300], disk[300];
	char note[96];
	const char *no_disk; /* why the guest gets no test disk, or NULL */
};

/* Makes what (GU_*) and the test disk reachable by GUEST_UID in rundir for the guest called
 * name, and points cfg (a copy of the guest's) at them. 0, or -errno with g->reason. */
int guestuser_paths(struct guest *g, const char *rundir, const char *name, unsigned what,
		    struct backend_cfg *cfg, struct guest_paths *p) __must_check;
/* Undoes guestuser_paths (whatever part of it was done). */
void guestuser_undo(struct guest_paths *p);
/* In a child about to exec a guest's host process: becomes GUEST_UID, still dying with its
 * parent. 0 or -errno. */
int guestuser_become(void) __must_check;

#endif
