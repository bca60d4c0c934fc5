/*
 * qemudev: accesses to QEMU's emulated devices, by device, from QEMU's own trace events.
 * Under TCG these are an emulated CPU's "exits": every port or MMIO access leaves the
 * translated code for a device model; under KVM they are the exits QEMU handles itself.
 * In the counting pass the probe turns on memory_region_ops_read/write and the virtio
 * queue events over QMP (trace-event-set-state), reads the trace log QEMU writes from where it
 * stood, counts the lines by memory region name ('serial', 'ide', 'virtio-pci-notify', 'hpet', ...)
 * and turns the events off again. The agent's own READY/GO/DONE lines cross the console inside the
 * phase too: a couple of dozen accesses, spread over all operations. Every line is a write()
 * of QEMU's (its log is flushed line by line: 40.0 writes and 40.0 lines per 4 KiB read
 * under tcg, counted with syscalls:sys_enter_write), counted as trace-writes, so that the
 * traps probe's host-syscalls can be QEMU's own.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>

#include "host/qmp.h"
#include "probes/probe.h"

/* Port and MMIO accesses, and virtio kicks (MMIO writes too, but QEMU serves them from an
 * event notifier that bypasses the memory-region trace); with the requests QEMU takes off
 * a virtio queue and the interrupts it raises as counters. */
static const struct {
	const char *event, *name; /* name NULL: "dev:" and the memory region's name */
	enum probe_kind kind;	  /* a guest access is a trap; QEMU's own work is not */
} events[] = {
	{ "memory_region_ops_read", NULL, PROBE_TRAP },
	{ "memory_region_ops_write", NULL, PROBE_TRAP },
	{ "virtio_queue_notify", "dev:virtio-kick", PROBE_TRAP },
	{ "virtqueue_pop", "virtio-requests", PROBE_COUNTER },
	{ "virtio_notify", "virtio-interrupts", PROBE_COUNTER },
	{ "virtio_notify_irqfd", "virtio-interrupts", PROBE_COUNTER },
};

#define QMP_MS 5000
/* Less free space than this beside the trace log: QEMU may have lost lines of it. */
#define TRACE_MIN_FREE (1ull << 20)
#define MAX_DEVICE     PROBE_MAX_VALUES

struct qemudev_state {
	FILE *log;
	long offset; /* read up to here: the end of the last whole line */
	bool kvm;
	double lines; /* every line read: one host write() of QEMU's each */
	size_t ndev;
	struct {
		char name[48];
		enum probe_kind kind;
		double count;
	} dev[MAX_DEVICE];
};

/* Turns every event on or off; the first error, having tried them all. */
static int set_events(const struct guest *g, bool on)
{
	char err[256];
	int ret = 0;

	for (size_t i = 0; i < sizeof(events) / sizeof(events[0]); i++) {
		json_t *args = json_pack("{s:s, s:b}", "name", events[i].event, "enable", on);
		int r = qmp_execute(guest_monitor(g), "trace-event-set-state", args, NULL, QMP_MS,
				    err, sizeof(err));
		json_decref(args);
		if (r < 0 && ret == 0)
			ret = r;
	}
	return ret;
}

static int qemudev_available(const struct guest *g, char *reason, size_t len)
{
	if (!guest_monitor(g) || !guest_trace_log(g)) {
		snprintf(reason, len, "not a QEMU guest");
		return -ENOTSUP;
	}
	return 0;
}

static int qemudev_open(struct probe *p)
{
	struct qemudev_state *st = calloc(1, sizeof(*st));
	struct stat sb;

	if (!st)
		return -ENOMEM;
	st->log = fopen(guest_trace_log(p->guest), "re");
	if (!st->log || fstat(fileno(st->log), &sb) < 0 || set_events(p->guest, true) < 0) {
		(void)!set_events(p->guest, false); /* what did turn on */
		if (st->log)
			fclose(st->log);
		free(st);
		return -EIO;
	}
	/* Under KVM a guest's device access is already a VM exit (kvmstats): here it is
	 * counted by device, as a counter, not a second time as a trap. */
	st->kvm = guest_is(p->guest, BK_HW_ACCEL);
	st->offset = (long)sb.st_size; /* what earlier passes left */
	p->priv = st;
	return 0;
}

/* memory_region_ops_write cpu 0 mr 0x... addr 0x3f8 value 0x48 size 1 name 'serial'
 * virtqueue_pop vq 0x... elem 0x... in_num 1 out_num 2 */
static void count_line(struct qemudev_state *st, const char *line)
{
	size_t len = strcspn(line, " ");
	char name[48] = "", region[40];
	enum probe_kind kind = PROBE_TRAP;

	/* QEMU's own accesses (cpu -1: an interrupt it delivers, DMA) are not the guest's. */
	if (strstr(line, " cpu -1 "))
		return;
	for (size_t i = 0; i < sizeof(events) / sizeof(events[0]); i++) {
		if (strlen(events[i].event) != len || strncmp(line, events[i].event, len) != 0)
			continue;
		const char *n = strstr(line, " name '");
		kind = events[i].kind;
		if (events[i].name)
			snprintf(name, sizeof(name), "%s", events[i].name);
		else if (n && sscanf(n + 7, "%39[^']", region) == 1)
			snprintf(name, sizeof(name), "dev:%s", region);
		else
			return;
		break;
	}
	if (!name[0])
		return;
	for (size_t i = 0; i < st->ndev; i++)
		if (!strcmp(st->dev[i].name, name)) {
			st->dev[i].count++;
			return;
		}
	if (st->ndev < MAX_DEVICE) {
		snprintf(st->dev[st->ndev].name, sizeof(st->dev[0].name), "%s", name);
		st->dev[st->ndev].kind = kind;
		st->dev[st->ndev++].count = 1;
	}
}

static int qemudev_snapshot(struct probe *p, struct probe_snapshot *out)
{
	struct qemudev_state *st = p->priv;
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;

	/* QEMU's writes to a full filesystem fail unseen: the counts would be cut short. */
	struct statvfs vfs;
	if (fstatvfs(fileno(st->log), &vfs) == 0 &&
	    (unsigned long long)vfs.f_bavail * vfs.f_frsize < TRACE_MIN_FREE)
		return -ENOSPC;
	clearerr(st->log);
	if (fseek(st->log, st->offset, SEEK_SET) < 0)
		return -errno;
	while ((n = getline(&line, &cap, st->log)) > 0) {
		if (line[n - 1] != '\n')
			break; /* QEMU is still writing it: the next snapshot reads it whole */
		st->offset += (long)n;
		st->lines++;
		count_line(st, line);
	}
	free(line);
	for (size_t i = 0; i < st->ndev; i++)
		probe_put(out, st->dev[i].name, st->kvm ? PROBE_COUNTER : st->dev[i].kind,
			  st->dev[i].count);
	probe_put(out, "trace-writes", PROBE_COUNTER, st->lines);
	return 0;
}

static void qemudev_close(struct probe *p)
{
	struct qemudev_state *st = p->priv;

	(void)!set_events(p->guest, false);
	if (st)
		fclose(st->log);
	free(st);
	p->priv = NULL;
}

/* QEMU writes one line of trace log per event this probe turned on, each a write(): those
 * host system calls are the probe's, not what QEMU does for the guest. */
static void qemudev_adjust(const struct probe *p, struct probe_phase *ph)
{
	struct probe_delta *hs = probe_phase_find(ph, "host-syscalls");
	struct probe_delta *tw = probe_phase_find(ph, "trace-writes");

	if (!hs || !tw)
		return;
	hs->delta -= tw->delta;
	if (hs->delta < 0)
		hs->delta = 0;
	hs->adjusted = "trace_writes_subtracted";
}

const struct probe_ops probe_qemudev = {
	.abi = PROBE_ABI,
	.name = "qemudev",
	.summary = "accesses to QEMU's emulated devices by device (QEMU trace events "
		   "memory_region_ops_read/write, in the counting pass)",
	.flags = PROBE_COUNT_PASS,
	.available = qemudev_available,
	.open = qemudev_open,
	.snapshot = qemudev_snapshot,
	.close = qemudev_close,
	.adjust = qemudev_adjust,
};
