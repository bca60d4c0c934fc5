/* The QEMU backends' own shared parts: backends/qemu.c starts and stops the guests,
 * backends/qemu_life.c saves, restores and migrates them. */
#ifndef VMBENCH_BACKEND_QEMU_H
#define VMBENCH_BACKEND_QEMU_H

#include <limits.h>
#include <stdbool.h>

#include "backends/backend.h"
#include "common/compiler.h"
#include "host/qmp.h"

#define QMP_TIMEOUT_MS 10000

struct qemu_flavour {
	const char *accel;
	const char *cpu; /* -cpu, or NULL for QEMU's default */
	bool virtio;	 /* virtio devices: console, disk and a memory balloon */
	/* The guest drivers of its devices, console and disk (the guest's /init loads only
	 * these), with a disk or without: a boot does the same work in every run. */
	const char *modules;
	bool host_tsc; /* the guest reads the host's TSC as it is (TCG) */
	/* The guest is the nanoguest (guests/nanoguest/): a multiboot kernel of its own, on
	 * the serial port, with no initramfs and no disk; told the host's TSC frequency. */
	bool nano;
};

struct qemu_state {
	const struct qemu_flavour *fl;
	char rundir[256];
	char qemu[PATH_MAX];
	char nano[PATH_MAX]; /* the nanoguest's image, for nano flavours */
	char trace_log[PATH_MAX];
	long tsc_khz;	   /* what the command line gives the guest, or -1 */
	char tsc_why[128]; /* why none, where host_tsc and tsc_khz < 0 */
	struct backend_cmd cmd;
	struct qmp qmp;
	struct guest *g;
	bool up;	  /* the guest runs: its monitor and trace log are there for probes */
	char runs_as[96]; /* the user QEMU drops to, or why it keeps ours */
};

/* Starts QEMU for g with flavour fl: booting, or (incoming) waiting with -incoming defer
 * for a state to load over QMP. Returns once the monitor answers; for a boot, once the
 * guest runs and is set up (qemu_running). 0 or -errno with g->reason. */
int qemu_launch(struct guest *g, const struct qemu_flavour *fl, bool incoming) __must_check;
/* The guest runs: its vCPUs are pinned, its facts taken, probes may use it. */
void qemu_running(struct qemu_state *st);
/* QEMU's own last words (its log, its exit) for reasons. */
void qemu_explain(struct guest *g, char *buf, size_t len);
void qemu_stop(struct guest *g);

/* backends/qemu_life.c: backend_ops.save, .restore, .migrate and .resize. */
int qemu_save(struct guest *g, const char *dir, struct mig_stats *st, double *frozen_s)
	__must_check;
int qemu_restore(struct guest *g, const struct qemu_flavour *fl, const char *dir) __must_check;
int qemu_migrate(struct guest *g, const struct qemu_flavour *fl, const struct mig_params *p,
		 int limit_ms, struct mig_stats *st, double *frozen_s) __must_check;
int qemu_resize(struct guest *g, uint64_t bytes) __must_check;

#endif
