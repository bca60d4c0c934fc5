/*
 * kvmstats: KVM's own statistics of the guest, over QMP query-stats (the kernel's binary
 * statistics, which KVM keeps whether anyone reads them: no cost to the measured samples).
 * Traps are the VM exits by kind: kvm:io, kvm:mmio, kvm:halt, kvm:irq, kvm:irq-window,
 * and kvm:other for the rest of KVM's exits count; every other cumulative statistic of
 * the vCPUs (summed over them) and of the VM is a counter: kvm:insn_emulation,
 * kvm:hypercalls, kvm:pf_taken, kvm-vm:remote_tlb_flush, ...
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "host/qmp.h"
#include "probes/probe.h"

#define QMP_MS 5000

/* Exit kinds: KVM's statistic and the trap's name. */
static const struct {
	const char *stat, *name;
} exit_kinds[] = {
	{ "io_exits", "kvm:io" },
	{ "mmio_exits", "kvm:mmio" },
	{ "halt_exits", "kvm:halt" },
	{ "irq_exits", "kvm:irq" },
	{ "irq_window_exits", "kvm:irq-window" },
};

static int kvmstats_available(const struct guest *g, char *reason, size_t len)
{
	if (!guest_monitor(g) || !guest_is(g, BK_VM | BK_HW_ACCEL)) {
		snprintf(reason, len, "not a QEMU+KVM guest");
		return -ENOTSUP;
	}
	return 0;
}

/* The value of a counter already in out, or NULL. */
static struct probe_value *find(struct probe_snapshot *out, const char *name)
{
	for (size_t i = 0; i < out->n; i++)
		if (!strcmp(out->v[i].name, name))
			return &out->v[i];
	return NULL;
}

/* Whether query-stats-schemas says target's stat name is cumulative (a count that only
 * grows: its delta means something; "instant" and "peak" values do not). */
static bool cumulative(json_t *schemas, const char *target, const char *name)
{
	size_t i, k;
	json_t *sc, *st;

	json_array_foreach(schemas, i, sc) {
		if (strcmp(json_string_value(json_object_get(sc, "provider")) ?: "", "kvm") ||
		    strcmp(json_string_value(json_object_get(sc, "target")) ?: "", target))
			continue;
		json_array_foreach(json_object_get(sc, "stats"), k, st)
			if (!strcmp(json_string_value(json_object_get(st, "name")) ?: "", name))
				return !strcmp(json_string_value(json_object_get(st, "type")) ?: "",
					       "cumulative");
	}
	return false;
}

/*
 * Adds one query-stats reply (a list of {provider, qom-path, stats: [{name, value}]}) to
 * out: cumulative integer values summed over the entries (the vCPUs), under prefix.
 */
static void add_reply(json_t *schemas, const char *target, json_t *reply, const char *prefix,
		      struct probe_snapshot *out)
{
	size_t i, k;
	json_t *entry, *stat;

	json_array_foreach(reply, i, entry) {
		if (strcmp(json_string_value(json_object_get(entry, "provider")) ?: "", "kvm"))
			continue;
		json_array_foreach(json_object_get(entry, "stats"), k, stat) {
			const char *name = json_string_value(json_object_get(stat, "name"));
			json_t *value = json_object_get(stat, "value");
			char key[48];
			if (!name || !json_is_integer(value) || !cumulative(schemas, target, name))
				continue;
			snprintf(key, sizeof(key), "%s:%s", prefix, name);
			struct probe_value *v = find(out, key);
			if (v)
				v->value += (double)json_integer_value(value);
			else
				probe_put(out, key, PROBE_COUNTER,
					  (double)json_integer_value(value));
		}
	}
}

/* Turns kvm:exits and the exit statistics into trap kinds; the rest stay counters. */
static void exits_to_traps(struct probe_snapshot *out)
{
	struct probe_value *all = find(out, "kvm:exits");
	char key[48];

	if (!all)
		return;
	double rest = all->value;
	for (size_t i = 0; i < sizeof(exit_kinds) / sizeof(exit_kinds[0]); i++) {
		snprintf(key, sizeof(key), "kvm:%s", exit_kinds[i].stat);
		struct probe_value *v = find(out, key);
		if (!v)
			continue;
		snprintf(v->name, sizeof(v->name), "%s", exit_kinds[i].name);
		v->kind = PROBE_TRAP;
		rest -= v->value;
	}
	snprintf(all->name, sizeof(all->name), "kvm:other");
	all->kind = PROBE_TRAP;
	all->value = rest > 0 ? rest : 0;
}

static int kvmstats_open(struct probe *p)
{
	char err[256];
	json_t *schemas = NULL;
	int ret = qmp_execute(guest_monitor(p->guest), "query-stats-schemas", NULL, &schemas,
			      QMP_MS, err, sizeof(err));

	if (ret < 0)
		return ret;
	p->priv = schemas;
	return 0;
}

static void kvmstats_close(struct probe *p)
{
	json_decref(p->priv);
	p->priv = NULL;
}

static int kvmstats_snapshot(struct probe *p, struct probe_snapshot *out)
{
	char err[256];
	json_t *vcpu = NULL, *vm = NULL;
	json_t *a = json_pack("{s:s}", "target", "vcpu"), *b = json_pack("{s:s}", "target", "vm");
	int ret = qmp_execute(guest_monitor(p->guest), "query-stats", a, &vcpu, QMP_MS, err,
			      sizeof(err));

	if (ret == 0)
		ret = qmp_execute(guest_monitor(p->guest), "query-stats", b, &vm, QMP_MS, err,
				  sizeof(err));
	if (ret == 0) {
		add_reply(p->priv, "vcpu", vcpu, "kvm", out);
		add_reply(p->priv, "vm", vm, "kvm-vm", out);
		exits_to_traps(out);
	}
	json_decref(a);
	json_decref(b);
	json_decref(vcpu);
	json_decref(vm);
	return ret;
}

const struct probe_ops probe_kvmstats = {
	.abi = PROBE_ABI,
	.name = "kvmstats",
	.summary = "KVM's statistics over QMP query-stats: VM exits by kind, emulated "
		   "instructions, hypercalls, page faults",
	.available = kvmstats_available,
	.open = kvmstats_open,
	.snapshot = kvmstats_snapshot,
	.close = kvmstats_close,
};
