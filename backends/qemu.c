/*
 * QEMU backends: one guest image, booted under full-system emulation (TCG) or KVM, with
 * emulated devices (tcg, kvm: IDE, 8250 serial, PIT/HPET) or with paravirtual ones
 * (tcg-virtio, kvm-virtio: virtio-blk, virtio console); no NIC. The KVM ones run only
 * where the capability probe finds hardware-assisted KVM, unless forced. The agent's stream is the
 * serial port or the virtio console, wired to QEMU's stdio; QEMU is driven over QMP on a unix
 * socket in a private 0700 runtime directory, and its vCPU thread is pinned to the measurement CPU.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include "backends/backend.h"
#include "backends/qemu.h"
#include "host/hostinfo.h"
#include "host/kvmcheck.h"
#include "host/process.h"
#include "host/qmp.h"
#include "host/util.h"
#include "common/sysutil.h"
#include "workloads/workload.h"

#define QEMU_BIN "qemu-system-x86_64"
/* Free space for the trace log at a start: a counting pass's device accesses under TCG
 * write tens of bytes each. */
#define QEMU_TRACE_MIN_MIB 64

/* The user QEMU runs as once it has opened its files: not root, where we are root. */
#define QEMU_USER "nobody"

/* The nanoguest's image: next to the agent, as the build puts it, else next to vmbench
 * (an agent given with --agent from elsewhere). 0, or -ENOENT with why. */
static int nano_path(const struct backend_cfg *cfg, char *path, size_t len, char *reason,
		     size_t rlen)
{
	const char *slash = cfg->agent_path ? strrchr(cfg->agent_path, '/') : NULL;
	int dir = slash ? (int)(slash - cfg->agent_path) : 1;

	snprintf(path, len, "%.*s/vmbench-nanoguest", dir, slash ? cfg->agent_path : ".");
	if (access(path, R_OK) == 0)
		return 0;
	int e = errno;
	char *exe = util_exe_dir();
	if (exe) {
		char mine[PATH_MAX];
		snprintf(mine, sizeof(mine), "%.4000s/vmbench-nanoguest", exe);
		free(exe);
		if (access(mine, R_OK) == 0) {
			snprintf(path, len, "%s", mine);
			return 0;
		}
	}
	snprintf(reason, rlen, "no nanoguest: %.200s: %s (it is built with vmbench)", path,
		 strerror(e));
	return -ENOENT;
}

/* The nanoguest's command line: the host's TSC frequency, where it is known. */
static void nano_argv(struct qemu_state *st)
{
	struct backend_cmd *c = &st->cmd;

	backend_cmd_add(c, "-kernel");
	backend_cmd_add(c, st->nano);
	if (st->tsc_khz > 0) {
		backend_cmd_add(c, "-append");
		backend_cmd_addf(c, "vmbench.tsc_khz=%ld", st->tsc_khz);
	}
	backend_cmd_add(c, "-chardev");
	backend_cmd_add(c, "stdio,id=agent,signal=off");
	backend_cmd_add(c, "-serial");
	backend_cmd_add(c, "chardev:agent");
}

#define ARG(x)	 backend_cmd_add(c, x)
#define FMT(...) backend_cmd_addf(c, __VA_ARGS__)
/* The guest image: kernel, initramfs, the kernel's command line, console and disk. */
static void image_argv(struct qemu_state *st, const struct backend_cfg *cfg)
{
	const struct qemu_flavour *fl = st->fl;
	struct backend_cmd *c = &st->cmd;

	ARG("-kernel");
	ARG(cfg->kernel);
	ARG("-initrd");
	ARG(cfg->initrd);
	ARG("-append");
	/* tsc=reliable: emulation makes the TSC watchdog misfire, which would leave the guest
	 * on a 4 ms jiffies clock. tsc_early_khz: under TCG the guest's TSC is the host's;
	 * calibrating it against the emulated PIT fails now and then, and the fallback costs
	 * the boot about 0.2 s (KVM tells its guests the frequency itself).
	 * cryptomgr.notests: the self-tests of the kernel's crypto algorithms (no workload
	 * uses them) are about a tenth of a TCG boot. loglevel: where the kernel's console
	 * is a file of its own (the virtio flavours'), 1, so that a dying kernel says why
	 * there (an emergency, and after an oops all it says: qemu_explain); where it is the
	 * agent's line, 0, since a message of a live kernel could split a protocol line. */
	char khz[48] = "";
	if (st->tsc_khz > 0)
		snprintf(khz, sizeof(khz), " tsc_early_khz=%ld", st->tsc_khz);
	FMT("console=ttyS0 quiet loglevel=%d panic=-1 tsc=reliable%s cryptomgr.notests "
	    "vmbench.console=%s vmbench.modules=%s",
	    fl->virtio ? 1 : 0, khz, fl->virtio ? "hvc0" : "ttyS0", fl->modules);
	ARG("-chardev");
	ARG("stdio,id=agent,signal=off");
	if (fl->virtio) {
		ARG("-serial");
		FMT("file:%s/console.log", st->rundir);
		ARG("-device");
		ARG("virtio-serial-pci");
		ARG("-device");
		ARG("virtconsole,chardev=agent");
		/* The paravirtual way to take memory from a running guest and give it back
		 * (lifecycle.resize): the guest's driver hands pages to the host. */
		ARG("-device");
		ARG("virtio-balloon-pci");
	} else {
		ARG("-serial");
		ARG("chardev:agent");
	}
	/* No NIC: no workload uses the network, and a NIC's driver costs every boot its
	 * probe (and the guest an attack surface). */
	if (cfg->disk_path) {
		ARG("-drive");
		FMT("file=%s,format=raw,if=%s,cache=none%s", cfg->disk_path,
		    fl->virtio ? "none" : "ide", fl->virtio ? ",id=disk" : "");
		if (fl->virtio) {
			ARG("-device");
			ARG("virtio-blk-pci,drive=disk");
		}
	}
}

/* Builds QEMU's command line in st->cmd. */
static void build_argv(struct qemu_state *st, const struct backend_cfg *cfg)
{
	const struct qemu_flavour *fl = st->fl;
	struct backend_cmd *c = &st->cmd;

	ARG(st->qemu);
	ARG("-accel");
	ARG(fl->accel);
	ARG("-machine");
	ARG("pc");
	if (fl->cpu) {
		ARG("-cpu");
		ARG(fl->cpu);
	}
	ARG("-smp");
	FMT("%u", cfg->vcpus);
	ARG("-m");
	FMT("%u", cfg->mem_mib);
	ARG("-nodefaults");
	ARG("-no-user-config");
	ARG("-display");
	ARG("none");
	ARG("-no-reboot");
	st->tsc_khz = fl->host_tsc ? host_tsc_khz(st->tsc_why, sizeof(st->tsc_why)) : -1;
	if (fl->nano)
		nano_argv(st);
	else
		image_argv(st, cfg);
	ARG("-qmp");
	FMT("unix:%s/qmp.sock,server=on,wait=off", st->rundir);
	/* Trace events go here once a probe enables them over QMP (none at start). */
	ARG("-trace");
	FMT("file=%s", st->trace_log);
	/* A guest that escapes into QEMU finds a process that may not exec, fork or change
	 * its scheduling (seccomp), and holds no root. The seccomp filter's
	 * elevateprivileges=deny also denies the setuid() of -runas (QEMU dies of SIGSYS):
	 * with -runas the dropped user is what keeps privileges out of reach. */
	const char *sandbox = "on,obsolete=deny,spawn=deny,resourcecontrol=deny";
	bool drop = geteuid() == 0 && getpwnam(QEMU_USER);
	ARG("-sandbox");
	FMT("%s%s", sandbox, drop ? "" : ",elevateprivileges=deny");
	if (geteuid() != 0) {
		snprintf(st->runs_as, sizeof(st->runs_as), "the invoking user (not root)");
	} else if (!drop) {
		snprintf(st->runs_as, sizeof(st->runs_as),
			 "root: this host has no user " QEMU_USER " to drop to");
	} else {
		ARG("-runas");
		ARG(QEMU_USER);
		snprintf(st->runs_as, sizeof(st->runs_as), QEMU_USER);
	}
}
#undef ARG
#undef FMT

static void qemu_child(void *arg)
{
	struct qemu_state *st = arg;
	int cpu = st->g->cfg->cpu;

	backend_child_log(st->rundir, "qemu.log");
	/* QEMU's own threads stay off the measurement CPU; its vCPU thread is moved there
	 * once QMP names it. */
	cpu_set_t set;
	if (cpu >= 0 && sched_getaffinity(0, sizeof(set), &set) == 0 && CPU_COUNT(&set) > 1) {
		CPU_CLR(cpu, &set);
		sched_setaffinity(0, sizeof(set), &set);
	}
	execv(st->qemu, st->cmd.argv);
	dprintf(STDERR_FILENO, "cannot run %s: %s\n", st->qemu, strerror(errno));
}

/* How much of a console's file is read for a dying kernel's words. */
#define CONSOLE_READ_MAX (1L << 20)

/* The guest kernel's death in its console's file (the virtio flavours': their agent has the
 * virtio console, the kernel the serial port): its first report and its panic, appended to
 * buf. The emulated flavours' kernel is kept quiet: its console is the agent's line. */
static void console_death(const struct qemu_state *st, char *buf, size_t len)
{
	char path[PATH_MAX], line[200];
	int said = 0;

	if (!st->fl->virtio ||
	    (size_t)snprintf(path, sizeof(path), "%s/console.log", st->rundir) >= sizeof(path))
		return;
	/* QEMU writes the file, and the guest what is in it: a regular file is read, not a
	 * link or a pipe, and no further than the kernel's words would be. */
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	struct stat sb;
	FILE *f = fd >= 0 && fstat(fd, &sb) == 0 && S_ISREG(sb.st_mode) ? fdopen(fd, "r") : NULL;
	if (!f && fd >= 0)
		close(fd);
	while (f && said < 2 && ftell(f) < CONSOLE_READ_MAX && fgets(line, sizeof(line), f)) {
		char *at = (char *)util_kernel_report(line);
		bool panic = at && strstr(at, "Kernel panic");
		/* The first report, then only the panic. */
		if (!at || (said && !panic))
			continue;
		at[strcspn(at, "\r\n")] = '\0';
		/* An oops's count and the kernel's build flags after it say nothing here. */
		char *tail = strstr(at, " [#");
		if (tail)
			*tail = '\0';
		util_printable(at);
		util_appendf(buf, len, "%s%s",
			     said     ? " ... "
			     : buf[0] ? "; the guest's kernel: "
				      : "the guest's kernel: ",
			     at);
		said += panic ? 2 : 1;
	}
	if (f)
		fclose(f);
}

void qemu_explain(struct guest *g, char *buf, size_t len)
{
	struct qemu_state *st = g->priv;

	backend_explain(g, "QEMU", NULL, st ? st->rundir : NULL, "qemu.log", buf, len);
	/* With panic=-1 a guest whose kernel panics reboots, and QEMU (-no-reboot) exits
	 * with 0: its console says what happened. */
	if (st && st->rundir[0])
		console_death(st, buf, len);
}

/* The vCPU threads go to the measurement CPU. */
static void pin_vcpus(struct qemu_state *st)
{
	json_t *cpus = NULL, *c;
	char err[256];
	size_t i;
	int cpu = st->g->cfg->cpu;

	if (cpu < 0 || qmp_execute(&st->qmp, "query-cpus-fast", NULL, &cpus, QMP_TIMEOUT_MS, err,
				   sizeof(err)) < 0)
		return;
	json_array_foreach(cpus, i, c) {
		json_int_t tid = json_integer_value(json_object_get(c, "thread-id"));
		cpu_set_t set;
		CPU_ZERO(&set);
		CPU_SET(cpu, &set);
		if (tid > 0)
			sched_setaffinity((pid_t)tid, sizeof(set), &set);
	}
	json_decref(cpus);
}

/* For provenance: the exact command line, and the statistics the accelerator offers over
 * QMP (query-stats-schemas; KVM offers exits, io_exits, halt_exits... per vCPU, TCG
 * nothing) with one query-stats of the VM where there are any. */
static json_t *qemu_facts(struct qemu_state *st)
{
	json_t *argv = backend_cmd_json(&st->cmd), *schemas = NULL, *stats = NULL;
	char err[256];

	if (qmp_execute(&st->qmp, "query-stats-schemas", NULL, &schemas, QMP_TIMEOUT_MS, err,
			sizeof(err)) < 0)
		schemas = json_string(err);
	else if (json_array_size(schemas) > 0) {
		json_t *args = json_pack("{s:s}", "target", "vm");
		if (qmp_execute(&st->qmp, "query-stats", args, &stats, QMP_TIMEOUT_MS, err,
				sizeof(err)) < 0)
			stats = json_string(err);
		json_decref(args);
	}
	/* The guest's TSC frequency as the command line gave it, or why it did not. */
	json_t *tsc = !st->fl->host_tsc ? json_null()
		      : st->tsc_khz > 0 ? json_integer(st->tsc_khz)
					: json_string(st->tsc_why);
	return json_pack("{s:s, s:o, s:o, s:o, s:o, s:s}", "accelerator", st->fl->accel,
			 "command_line", argv ? argv : json_null(), "stats_schemas",
			 schemas ? schemas : json_null(), "vm_stats_at_boot",
			 stats ? stats : json_null(), "tsc_early_khz", tsc, "runs_as", st->runs_as);
}

int qemu_launch(struct guest *g, const struct qemu_flavour *fl, bool incoming)
{
	struct qemu_state *st = calloc(1, sizeof(*st));
	char sock[300], err[256], why[256];
	int ret;

	if (!st)
		return -ENOMEM;
	st->fl = fl;
	st->g = g;
	st->qmp.fd = -1;
	g->priv = st;
	ret = backend_rundir(g, "qemu", st->rundir, sizeof(st->rundir));
	if (ret < 0)
		return ret;
	ret = backend_find_program(QEMU_BIN, "qemu-system-x86", st->qemu, sizeof(st->qemu),
				   g->reason, sizeof(g->reason));
	if (ret < 0)
		return ret;
	snprintf(st->trace_log, sizeof(st->trace_log), "%s/trace.log", st->rundir);
	/* A trace log cut by a full filesystem would undercount device accesses, silently. */
	ret = backend_need_space(g, st->rundir, "QEMU's trace log", QEMU_TRACE_MIN_MIB);
	if (ret < 0)
		return ret;
	if (fl->nano &&
	    (ret = nano_path(g->cfg, st->nano, sizeof(st->nano), g->reason, sizeof(g->reason))) < 0)
		return ret;
	build_argv(st, g->cfg);
	if (incoming) {
		/* The state comes later, by descriptor over QMP (host/migrate.h). */
		backend_cmd_add(&st->cmd, "-incoming");
		backend_cmd_add(&st->cmd, "defer");
	}
	ret = backend_cmd_check(&st->cmd, g);
	if (ret < 0)
		return ret;
	ret = proc_spawn_piped(qemu_child, st, &g->pid, &g->to_guest, &g->from_guest);
	if (ret < 0) {
		snprintf(g->reason, sizeof(g->reason), "cannot start QEMU: %s", strerror(-ret));
		return ret;
	}
	snprintf(sock, sizeof(sock), "%s/qmp.sock", st->rundir);
	ret = qmp_connect(&st->qmp, sock, g->pid, QMP_TIMEOUT_MS, err, sizeof(err));
	if (ret < 0) {
		/* QEMU's own words, when it wrote any, say more than ours. */
		qemu_explain(g, why, sizeof(why));
		snprintf(g->reason, sizeof(g->reason), "%.100s%s%.150s", err, why[0] ? "; " : "",
			 why);
		return ret;
	}
	if (incoming)
		return 0;
	json_t *status = NULL;
	ret = qmp_execute(&st->qmp, "query-status", NULL, &status, QMP_TIMEOUT_MS, err,
			  sizeof(err));
	const char *state = json_string_value(json_object_get(status, "status"));
	if (ret == 0 && (!state || strcmp(state, "running") != 0)) {
		snprintf(g->reason, sizeof(g->reason), "QEMU's guest is %.40s, not running",
			 state ? state : "in an unknown state");
		ret = -EIO;
	} else if (ret < 0) {
		snprintf(g->reason, sizeof(g->reason), "%s", err);
	}
	json_decref(status);
	if (ret < 0)
		return ret;
	qemu_running(st);
	return 0;
}

void qemu_running(struct qemu_state *st)
{
	struct guest *g = st->g;

	pin_vcpus(st);
	json_decref(g->facts);
	g->facts = qemu_facts(st);
	st->up = true;
	if (g->cfg->disk_path && !st->fl->nano)
		g->disk = st->fl->virtio ? "/dev/vda" : "/dev/sda";
}

void qemu_stop(struct guest *g)
{
	struct qemu_state *st = g->priv;

	if (st)
		st->up = false;
	if (st && st->qmp.fd >= 0) {
		char err[128];
		/* Ask politely; the process group is ended below whatever the answer. */
		(void)!qmp_execute(&st->qmp, "quit", NULL, NULL, 2000, err, sizeof(err));
		qmp_close(&st->qmp);
	}
	backend_end_process(g, 2000);
	if (st) {
		if (st->rundir[0])
			sys_rmtree(st->rundir);
		free(st);
		g->priv = NULL;
	}
}

/* The monitor and the trace log, for probes, once the guest runs. */
static struct qmp *qemu_monitor(const struct guest *g)
{
	const struct qemu_state *st = g->priv;

	return st && st->up ? (struct qmp *)&st->qmp : NULL;
}

static const char *qemu_trace_log(const struct guest *g)
{
	const struct qemu_state *st = g->priv;

	return st && st->up ? st->trace_log : NULL;
}

/* The emulated devices: the 8250 is built into the kernel, IDE is ata_piix. */
#define EMULATED .modules = "ata_piix,sd_mod"
#define VIRTIO	 .virtio = true, .modules = "virtio_pci,virtio_console,virtio_blk,virtio_balloon"
static const struct qemu_flavour fl_tcg = { .accel = "tcg", .host_tsc = true, EMULATED };
static const struct qemu_flavour fl_tcg_virtio = { .accel = "tcg", .host_tsc = true, VIRTIO };
/* kvm: the guest is not told it is virtualized (kvm=off hides KVM's CPUID leaves, so no
 * kvmclock and no paravirtual features); kvm-virtio: virtio devices and kvmclock. */
static const struct qemu_flavour fl_kvm = { .accel = "kvm", .cpu = "host,kvm=off", EMULATED };
static const struct qemu_flavour fl_kvm_virtio = { .accel = "kvm", .cpu = "host", VIRTIO };
/* The nanoguest on tcg's and kvm's CPU: its TSC ticks at the host's rate under both. */
static const struct qemu_flavour fl_tcg_nano = { .accel = "tcg", .host_tsc = true, .nano = true };
/* Without arch-capabilities: a nested KVM without VMX (which runs guest code in software,
 * and still runs the nanoguest) makes QEMU abort setting that MSR; the nanoguest never
 * reads it. */
static const struct qemu_flavour fl_kvm_nano = {
	.accel = "kvm", .cpu = "host,kvm=off,arch-capabilities=off", .host_tsc = true, .nano = true
};

/* What a flavour needs here: QEMU and its guest, the image or the nanoguest. Where the guest
 * reads the host's TSC as it is (tsc), the host's TSC frequency is measured here, before any
 * boot is timed: once per run. */
static int qemu_available(const struct backend_cfg *cfg, bool nano, bool tsc, char *reason,
			  size_t len)
{
	char path[PATH_MAX], why[128];

	if (tsc)
		(void)host_tsc_khz(why, sizeof(why));
	if (backend_find_program(QEMU_BIN, "qemu-system-x86", path, sizeof(path), reason, len) < 0)
		return -ENOENT;
	if (nano)
		return nano_path(cfg, path, sizeof(path), reason, len);
	return backend_need_image(cfg, cfg->kernel && cfg->initrd, reason, len) < 0 ? -ENOENT : 0;
}

/*
 * KVM's flavours, after the capability probe. A Linux guest needs KVM to run guest code in
 * hardware (unless forced). The nanoguest runs a bounded number of iterations, so it runs
 * even where KVM executes guest code in software: its rows then show KVM's exits, slowly
 * but really, and its note says so.
 */
static int kvm_flavour_available(const struct backend_cfg *cfg, bool nano, char *reason, size_t len)
{
	struct kvmcheck p;
	int ret = qemu_available(cfg, nano, nano, reason, len);

	if (ret < 0)
		return ret;
	ret = kvmcheck_run(&p);
	if (ret < 0) {
		snprintf(reason, len, "%s", p.reason);
		return ret;
	}
	if (nano && !p.hardware)
		snprintf(reason, len,
			 "KVM here runs guest code in software (%.2f million instructions/s): the "
			 "exits counted are KVM's own, the times are not those of VT-x/AMD-V",
			 p.rate / 1e6);
	else if (nano)
		snprintf(reason, len, "%s", p.reason);
	if (nano || p.hardware || cfg->force_kvm)
		return 0;
	snprintf(reason, len, "%s", p.reason);
	return -ENOTSUP;
}

static int tcg_available(const struct backend_cfg *cfg, char *reason, size_t len)
{
	return qemu_available(cfg, false, true, reason, len);
}

static int tcg_nano_available(const struct backend_cfg *cfg, char *reason, size_t len)
{
	return qemu_available(cfg, true, true, reason, len);
}

static int kvm_available(const struct backend_cfg *cfg, char *reason, size_t len)
{
	return kvm_flavour_available(cfg, false, reason, len);
}

static int kvm_nano_available(const struct backend_cfg *cfg, char *reason, size_t len)
{
	return kvm_flavour_available(cfg, true, reason, len);
}

/* One backend per flavour: its hooks and its ops table. The image's flavours save, restore
 * and migrate their guests (the nanoguest runs none of the lifecycle workloads); prov and
 * the hooks after timeout: what a flavour does besides (the virtio ones' balloon). */
#define QEMU_BACKEND(sym, nm, md, fl, prov, sum, avail, timeout, ...)                            \
	static int sym##_restore(struct guest *g, const char *dir)                               \
	{                                                                                        \
		return qemu_restore(g, &fl_##sym, dir);                                          \
	}                                                                                        \
	static int sym##_migrate(struct guest *g, const struct mig_params *p, int limit_ms,      \
				 struct mig_stats *st, double *frozen_s)                         \
	{                                                                                        \
		return qemu_migrate(g, &fl_##sym, p, limit_ms, st, frozen_s);                    \
	}                                                                                        \
	QEMU_OPS(sym, nm, md, BK_NEEDS_IMAGE | BK_MEM_LIMIT | (fl),                              \
		 WL_NEEDS_DISK | WL_NEEDS_SNAPSHOT | WL_NEEDS_MIGRATE | (prov), sum, avail,      \
		 timeout, .save = qemu_save, .restore = sym##_restore, .migrate = sym##_migrate, \
		 __VA_ARGS__)
#define QEMU_OPS(sym, nm, md, fl, prov, sum, avail, timeout, ...)               \
	static int sym##_start(struct guest *g)                                 \
	{                                                                       \
		return qemu_launch(g, &fl_##sym, false);                        \
	}                                                                       \
	const struct backend_ops backend_##sym = { .abi = BACKEND_ABI,          \
						   .name = nm,                  \
						   .mode = md,                  \
						   .summary = sum,              \
						   .flags = BK_VM | (fl),       \
						   .provides = (prov),          \
						   .hello_timeout_s = timeout,  \
						   .available = avail,          \
						   .start = sym##_start,        \
						   .stop = qemu_stop,           \
						   .explain = qemu_explain,     \
						   .monitor = qemu_monitor,     \
						   .trace_log = qemu_trace_log, \
						   __VA_ARGS__ }

QEMU_BACKEND(tcg, "tcg", "emulation", 0, 0,
	     "QEMU TCG: full-system emulation by binary translation, emulated devices "
	     "(IDE, 8250 serial, PIT/HPET)",
	     tcg_available, 120);
QEMU_BACKEND(tcg_virtio, "tcg-virtio", "emulation+pv-io", 0, WL_NEEDS_RESIZE,
	     "QEMU TCG with paravirtual I/O: virtio-blk, virtio console, virtio-balloon",
	     tcg_available, 120, .resize = qemu_resize);
QEMU_BACKEND(kvm, "kvm", "hardware-assisted", BK_HW_ACCEL, 0,
	     "QEMU+KVM: hardware-assisted full virtualization, guest unaware, emulated devices "
	     "as tcg",
	     kvm_available, 60);
QEMU_BACKEND(kvm_virtio, "kvm-virtio", "hardware-assisted+pv-io", BK_HW_ACCEL, WL_NEEDS_RESIZE,
	     "QEMU+KVM with virtio devices and kvmclock (the hybrid most clouds run)",
	     kvm_available, 60, .resize = qemu_resize);
QEMU_OPS(tcg_nano, "tcg-nano", "emulation", BK_FREESTANDING, WL_NEEDS_RING0,
	 "the nanoguest under QEMU TCG: privileged operations from ring 0 of an emulated CPU",
	 tcg_nano_available, 30);
QEMU_OPS(kvm_nano, "kvm-nano", "hardware-assisted", BK_FREESTANDING | BK_HW_ACCEL, WL_NEEDS_RING0,
	 "the nanoguest under QEMU+KVM: privileged operations from ring 0, each exit counted",
	 kvm_nano_available, 60);
