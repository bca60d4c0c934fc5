/*
 * perf and traps: host-side perf_event counters on the guest's host task tree (the agent
 * and its children for native and containers; every UML process; gVisor's Sentry, the
 * processes it runs the container in and its gofer; QEMU with all its threads), inherited
 * by the children those start.
 *
 * Both run in the counting pass, an extra sample after the timed ones: their events slow
 * down what they count. traps (tracepoints) counts what leaves the guest per operation: system
 * calls into the host kernel (raw_syscalls:sys_enter) for native and containers; ptrace stops for
 * UML (the UML kernel's wait4 for a stopped guest process: one per guest system call, fault or
 * signal), with the host system calls, ptrace calls and signals behind them as counters;
 * QEMU's host system calls. perf: software counters, task-clock,
 * context-switches, cpu-migrations, page-faults. Hardware counters (cycles, instructions,
 * LLC and dTLB load misses, branch misses, or --events) where the host's PMU offers them,
 * split into guest and host mode for KVM (exclude_host / exclude_guest); where it does not,
 * they are left out, never zeros.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "host/perfev.h"
#include "probes/probe.h"

struct pev {
	const char *name;  /* in the results */
	const char *event; /* libpfm4 name or tracepoint */
	enum probe_kind kind;
};

static const struct pev software[] = {
	{ "task-clock", "task-clock", PROBE_COUNTER },
	{ "context-switches", "context-switches", PROBE_COUNTER },
	{ "cpu-migrations", "cpu-migrations", PROBE_COUNTER },
	{ "page-faults", "page-faults", PROBE_COUNTER },
};
static const struct pev native_traps[] = {
	{ "syscalls", "raw_syscalls:sys_enter", PROBE_TRAP },
};
static const struct pev uml_traps[] = {
	{ "ptrace-stops", "syscalls:sys_enter_wait4", PROBE_TRAP },
	{ "host-syscalls", "raw_syscalls:sys_enter", PROBE_COUNTER },
	{ "ptrace-calls", "syscalls:sys_enter_ptrace", PROBE_COUNTER },
	{ "host-signals", "signal:signal_generate", PROBE_COUNTER },
};
static const struct pev vm_traps[] = {
	{ "host-syscalls", "raw_syscalls:sys_enter", PROBE_COUNTER },
};
/* A KVM guest with no monitor to ask (gVisor's Sentry on its kvm platform): its exits
 * from KVM's tracepoint on the vCPU threads. */
static const struct pev kvm_traps[] = {
	{ "vm-exits", "kvm:kvm_exit", PROBE_TRAP },
};

static const char *const default_hw[PERFEV_NDEFAULT_HW + 1] = PERFEV_DEFAULT_HW;

#define MAX_EVENTS 40

struct perf_state {
	size_t n;
	struct {
		char name[48];
		enum probe_kind kind;
		struct perfev ev;
	} e[MAX_EVENTS];
};

static size_t tree(const struct guest *g, pid_t *tids)
{
	pid_t roots[] = { guest_watched(g), g->helper };
	size_t n = perfev_tree(roots, 2, tids, PERFEV_MAX_TASKS);

	if (n == PERFEV_MAX_TASKS)
		log_warn("perf: the host tasks of %s are more than %d: some are not counted",
			 g->ops->name, PERFEV_MAX_TASKS);
	return n;
}

static int perf_available(const struct guest *g, char *reason, size_t len)
{
	/* Not where perf_event_paranoid forbids it, or without perf events at all. */
	return perfev_try("task-clock", guest_watched(g), reason, len);
}

/* Opens one event on the tasks; false (and nothing kept) when it cannot count here. */
static bool add(struct perf_state *st, const char *name, const char *event, enum probe_kind kind,
		int exclude, const pid_t *tids, size_t ntids)
{
	struct perf_event_attr attr;
	char err[256];

	if (st->n == MAX_EVENTS || perfev_encode(event, &attr, err, sizeof(err)) < 0) {
		log_dbg("perf: %s: %s", name, err);
		return false;
	}
	attr.exclude_guest = exclude > 0;
	attr.exclude_host = exclude < 0;
	if (perfev_open(&st->e[st->n].ev, &attr, tids, ntids, err, sizeof(err)) < 0) {
		log_dbg("perf: %s: %s", name, err);
		return false;
	}
	snprintf(st->e[st->n].name, sizeof(st->e[0].name), "%s", name);
	st->e[st->n].kind = kind;
	st->n++;
	return true;
}

static void add_table(struct perf_state *st, const struct pev *t, size_t n, const pid_t *tids,
		      size_t ntids)
{
	for (size_t i = 0; i < n; i++)
		add(st, t[i].name, t[i].event, t[i].kind, 0, tids, ntids);
}

#define ADD_TABLE(st, t, tids, n) add_table(st, t, sizeof(t) / sizeof(t[0]), tids, n)

static struct perf_state *state_new(struct probe *p, pid_t *tids, size_t *ntids)
{
	struct perf_state *st = calloc(1, sizeof(*st));

	*ntids = tree(p->guest, tids);
	if (st && !*ntids) {
		free(st);
		return NULL;
	}
	p->priv = st;
	return st;
}

static int perf_open(struct probe *p)
{
	pid_t tids[PERFEV_MAX_TASKS];
	size_t ntids;
	struct perf_state *st = state_new(p, tids, &ntids);
	const char *const *hw = p->guest->cfg->events ? p->guest->cfg->events : default_hw;

	if (!st)
		return -ESRCH;
	ADD_TABLE(st, software, tids, ntids);
	bool kvm = guest_is(p->guest, BK_HW_ACCEL);
	for (size_t i = 0; hw[i]; i++) {
		if (!kvm) {
			add(st, hw[i], hw[i], PROBE_COUNTER, 0, tids, ntids);
			continue;
		}
		/* Under KVM the same counter split: what the guest ran, what the host did. */
		char name[48];
		snprintf(name, sizeof(name), "%s:guest", hw[i]);
		add(st, name, hw[i], PROBE_COUNTER, -1, tids, ntids);
		snprintf(name, sizeof(name), "%s:host", hw[i]);
		add(st, name, hw[i], PROBE_COUNTER, 1, tids, ntids);
	}
	return 0;
}

static int traps_open(struct probe *p)
{
	pid_t tids[PERFEV_MAX_TASKS];
	size_t ntids;
	struct perf_state *st = state_new(p, tids, &ntids);

	if (!st)
		return -ESRCH;
	if (guest_is(p->guest, BK_HOST_KERNEL))
		ADD_TABLE(st, native_traps, tids, ntids);
	else if (guest_is(p->guest, BK_PTRACE_KERNEL))
		ADD_TABLE(st, uml_traps, tids, ntids);
	else /* VMs: QEMU's exits and device accesses come from kvmstats and qemudev */
		ADD_TABLE(st, vm_traps, tids, ntids);
	if (guest_is(p->guest, BK_VM | BK_HW_ACCEL) && !guest_monitor(p->guest))
		ADD_TABLE(st, kvm_traps, tids, ntids);
	return 0;
}

static int perf_snapshot(struct probe *p, struct probe_snapshot *out)
{
	struct perf_state *st = p->priv;

	for (size_t i = 0; i < st->n; i++) {
		double count, enabled, running;
		if (perfev_read(&st->e[i].ev, &count, &enabled, &running) < 0)
			continue;
		struct probe_value *v = probe_put(out, st->e[i].name, st->e[i].kind, count);
		if (!v)
			break;
		v->enabled = enabled;
		v->running = running;
	}
	return 0;
}

static void perf_close(struct probe *p)
{
	struct perf_state *st = p->priv;

	for (size_t i = 0; st && i < st->n; i++)
		perfev_close(&st->e[i].ev);
	free(st);
	p->priv = NULL;
}

const struct probe_ops probe_perf = {
	.abi = PROBE_ABI,
	.name = "perf",
	.summary = "software and hardware perf_event counters on the guest's host tasks (in the "
		   "counting pass)",
	/* Per-task counters hook every context switch, and UML makes two per guest system
	 * call: on during the timed samples they would slow down what is measured. */
	.flags = PROBE_COUNT_PASS,
	.available = perf_available,
	.open = perf_open,
	.snapshot = perf_snapshot,
	.close = perf_close,
};

const struct probe_ops probe_traps = {
	.abi = PROBE_ABI,
	.name = "traps",
	.summary = "tracepoints on the guest's host tasks: system calls, ptrace stops, VM exits "
		   "(in a counting pass of their own)",
	.flags = PROBE_COUNT_PASS,
	.available = perf_available,
	.open = traps_open,
	.snapshot = perf_snapshot,
	.close = perf_close,
};
