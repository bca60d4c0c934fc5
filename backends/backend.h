/*
 * struct backend_ops: one way of running the guest agent (native, container, UML, QEMU).
 * A backend starts the guest and hands the harness a byte stream to the agent; the
 * harness knows nothing else about it.
 */
#ifndef VMBENCH_BACKEND_H
#define VMBENCH_BACKEND_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include <jansson.h>

#include "harness/compiler.h"

#define BACKEND_ABI 1

enum backend_flags {
	BK_TEST = 1u << 0,	  /* for tests of the harness: listed, never in a default run */
	BK_NEEDS_IMAGE = 1u << 1, /* boots the guest image (kernel and initramfs) */
};

/* What the harness gives every backend. */
struct backend_cfg {
	const char *agent_path; /* the vmbench-agent binary */
	int cpu;		/* measurement CPU (OS index), -1 for none */
	unsigned vcpus;		/* guest CPUs, for VM backends */
	unsigned mem_mib;	/* guest memory, for VM backends and container limits */
	const char *disk_path;	/* the test disk on the host, or NULL when no workload needs it */
	const char *kernel;	/* the guest image for VM backends (BK_NEEDS_IMAGE), or NULL */
	const char *initrd;
	const char *image_reason; /* why kernel and initrd are NULL */
	bool force_kvm;		/* run the KVM backends even where KVM emulates in software */
};

/* A running guest. */
struct guest {
	const struct backend_ops *ops;
	const struct backend_cfg *cfg;
	int to_guest;	/* the harness writes protocol lines here */
	int from_guest; /* and reads the agent's lines here */
	pid_t pid;	/* the host process that is the guest (agent, QEMU, UML, runtime) */
	const char *disk; /* the test disk as the guest sees it, or NULL */
	json_t *facts;	  /* what start learned, for provenance (command line, ...), or NULL;
			   * the harness takes it over after start */
	void *priv;	/* the backend's own state */
	char reason[256]; /* why start failed */
};

struct backend_ops {
	unsigned abi; /* BACKEND_ABI */
	const char *name;
	const char *mode;    /* the taxonomy: native, os-level, paravirtualization, ... */
	const char *summary;
	unsigned flags;
	unsigned provides;   /* WL_NEEDS_* the backend can satisfy */
	int hello_timeout_s; /* from start to the agent's HELLO */
	/* 0 when the backend can run here; -errno with a reason otherwise. */
	int (*available)(const struct backend_cfg *cfg, char *reason, size_t len);
	/* Starts the guest; fills to_guest, from_guest, pid. -errno with g->reason. */
	int (*start)(struct guest *g);
	/* Ends the guest on every path: kills, reaps, closes, removes what start made. */
	void (*stop)(struct guest *g);
};

/*
 * For backends whose guest is one child process of the harness (native, null): start gives
 * the guest a private temporary directory ($TMPDIR in the child) and forks child(g);
 * stop closes the stream, lets the agent exit at end of input, kills its process group
 * after a grace period, reaps it and removes the directory with whatever was left in it.
 */
int backend_child_start(struct guest *g, void (*child)(void *arg)) __must_check;
void backend_child_stop(struct guest *g);

#endif
