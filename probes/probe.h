/*
 * struct probe_ops: one source of host-side counts around a measured phase. The harness
 * snapshots every open probe between the agent's READY and its own GO, and again at
 * DONE; the deltas, divided by the operation count, belong to that workload alone.
 */
#ifndef VMBENCH_PROBE_H
#define VMBENCH_PROBE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "backends/backend.h"
#include "common/compiler.h"

#define PROBE_ABI	 3
#define PROBE_MAX_VALUES 128

enum probe_kind {
	PROBE_TRAP,    /* events that leave the guest: VM exits, device accesses, ptrace stops */
	PROBE_COUNTER, /* hardware and software counters */
};

struct probe_value {
	char name[48];
	enum probe_kind kind;
	double value;
	/* For a counter the kernel may multiplex: the times it was enabled and running (ns),
	 * 0 for values that are always counted. The delta is scaled by their deltas. */
	double enabled, running;
};

struct probe_snapshot {
	size_t n;
	struct probe_value v[PROBE_MAX_VALUES];
};

/* Appends a value to a snapshot (always counted: no enabled/running times); the new value,
 * or NULL when the snapshot is full. */
static inline struct probe_value *probe_put(struct probe_snapshot *out, const char *name,
					    enum probe_kind kind, double value)
{
	if (out->n == PROBE_MAX_VALUES)
		return NULL;
	struct probe_value *v = &out->v[out->n++];
	snprintf(v->name, sizeof(v->name), "%s", name);
	v->kind = kind;
	v->value = value;
	v->enabled = v->running = 0;
	return v;
}

/* One value's change over a phase (harness/attribute.h works these out from snapshots). */
struct probe_delta {
	char name[48];
	enum probe_kind kind;
	double delta;
	bool scaled;	      /* multiplexed: scaled by its enabled/running times */
	const char *source;   /* the probe's name */
	const char *adjusted; /* the results key that says how an adjust hook changed it */
};

/* The deltas of every probe over one phase, before they are divided by its operations. */
struct probe_phase {
	struct probe_delta *d;
	size_t n;
};

/* The delta named name in ph, or NULL. */
static inline struct probe_delta *probe_phase_find(struct probe_phase *ph, const char *name)
{
	for (size_t i = 0; i < ph->n; i++)
		if (strcmp(ph->d[i].name, name) == 0)
			return &ph->d[i];
	return NULL;
}

struct probe {
	const struct probe_ops *ops;
	const struct guest *guest;
	void *priv;
};

enum probe_flags {
	/* Opened only for a separate counting pass after each measured one, never while
	 * the samples are timed: its events slow down what they count (tracepoints put every
	 * system call of the host on its slow path). */
	PROBE_COUNT_PASS = 1u << 0,
};

struct probe_ops {
	unsigned abi; /* PROBE_ABI */
	const char *name;
	const char *summary;
	unsigned flags;
	/* 0 when the probe can watch this guest; -errno with a reason otherwise. A value a
	 * snapshot leaves out counts as 0 (a probe may report only what it has seen). */
	int (*available)(const struct guest *g, char *reason, size_t len);
	int (*open)(struct probe *p); /* optional */
	int (*snapshot)(struct probe *p, struct probe_snapshot *out);
	void (*close)(struct probe *p); /* optional */
	/* Optional: corrects the phase's deltas of every probe for what this probe itself
	 * caused (the trace log qemudev has QEMU write costs host system calls), after all
	 * deltas are known and before they are divided by the operations. */
	void (*adjust)(const struct probe *p, struct probe_phase *ph);
};

#endif
