/*
 * struct backend_ops: one way of running the guest agent (native, container, UML, QEMU).
 * A backend starts the guest and hands the harness a byte stream to the agent; the
 * harness knows nothing else about it.
 */
#ifndef VMBENCH_BACKEND_H
#define VMBENCH_BACKEND_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <jansson.h>

#include "common/compiler.h"
#include "host/migrate.h"

#define BACKEND_ABI 6

/* What a backend is: probes, reports and the harness decide by these, never by names. */
enum backend_flags {
	BK_TEST = 1u << 0,	  /* for tests of the harness: listed, never in a default run */
	BK_NEEDS_IMAGE = 1u << 1, /* runs the guest image (kernel and initramfs, or its rootfs) */
	BK_BASELINE = 1u << 2,	  /* no virtualization: the reference every ratio refers to */
	/* The guest's system calls are the host kernel's own (native, containers). */
	BK_HOST_KERNEL = 1u << 3,
	/* A guest kernel in host processes that traps its processes' system calls with ptrace
	 * (User-Mode Linux; gVisor's Sentry on its ptrace platform). */
	BK_PTRACE_KERNEL = 1u << 4,
	BK_VM = 1u << 5,       /* a guest kernel on a virtual machine's (emulated) hardware */
	BK_HW_ACCEL = 1u << 6, /* guest code runs on the CPU's virtualization extensions */
	/* The guest has cfg->mem_mib of memory (a VM's RAM, UML's mem=, a container's cgroup
	 * limit); without it, the host's. Problem sizes are set for the smallest. */
	BK_MEM_LIMIT = 1u << 7,
	/* The guest is the nanoguest (guests/nanoguest/), not the image: it runs the workloads
	 * marked WL_NANOGUEST or needing WL_NEEDS_RING0, and no others. */
	BK_FREESTANDING = 1u << 8,
};

/* What the harness gives every backend. */
struct backend_cfg {
	const char *agent_path;	  /* the vmbench-agent binary */
	int cpu;		  /* measurement CPU (OS index), -1 for none */
	unsigned vcpus;		  /* guest CPUs, for VM backends */
	unsigned mem_mib;	  /* guest memory, for VM backends and container limits */
	const char *disk_path;	  /* the test disk on the host, or NULL when no workload needs it */
	const char *kernel;	  /* the guest image (BK_NEEDS_IMAGE): the kernel, or NULL */
	const char *initrd;	  /* its initramfs, for VM and UML backends */
	const char *rootfs;	  /* the same files unpacked, the containers' root */
	const char *image_reason; /* why kernel, initrd and rootfs are NULL */
	bool force_kvm;		  /* run the KVM backends even where KVM emulates in software */
	const char *const *events; /* hardware events for the probes (libpfm4 names, NULL
				    * ended), or NULL for their default */
};

struct qmp;

/* A running guest. */
struct guest {
	const struct backend_ops *ops;
	const struct backend_cfg *cfg;
	int to_guest;	  /* the harness writes protocol lines here */
	int from_guest;	  /* and reads the agent's lines here */
	pid_t pid;	  /* the host process that is the guest (agent, QEMU, UML, runtime) */
	pid_t watched;	  /* the one whose counts are the guest's, when not pid (a container's
			   * agent or gVisor's Sentry, not its runtime); 0 otherwise */
	pid_t helper;	  /* a host process outside watched's tree that does the guest's work
			   * (gVisor's gofer, which opens files for the Sentry), counted with it
			   * by the perf probes; 0 for none */
	const char *disk; /* the test disk as the guest sees it, or NULL */
	/* Why the guest has no test disk although the run has one (its cells that need one are
	 * skipped with it), or NULL. */
	const char *no_disk;
	json_t *facts;	  /* what start learned, for provenance (command line, ...), or NULL;
			   * the harness takes it over after start */
	void *priv;	  /* the backend's own state */
	char reason[256]; /* why start failed */
};

/* The host process whose counts are the guest's. */
static inline pid_t guest_watched(const struct guest *g)
{
	return g->watched ? g->watched : g->pid;
}

struct backend_ops {
	unsigned abi; /* BACKEND_ABI */
	const char *name;
	const char *mode; /* the taxonomy: native, os-level, paravirtualization, ... */
	const char *summary;
	unsigned flags;
	unsigned provides;   /* WL_NEEDS_* the backend can satisfy */
	int hello_timeout_s; /* from start to the agent's HELLO */
	/* 0 when the backend can run here (reason may then hold a note: which runtime, ...);
	 * -errno with a reason otherwise. */
	int (*available)(const struct backend_cfg *cfg, char *reason, size_t len);
	/* Starts the guest; fills to_guest, from_guest, pid. -errno with g->reason. */
	int (*start)(struct guest *g);
	/* Ends the guest on every path: kills, reaps, closes, removes what start made. */
	void (*stop)(struct guest *g);
	/* Optional: called once the agent said HELLO, to learn what only a running guest
	 * can tell (a container's process id). 0 or -errno with g->reason. */
	int (*ready)(struct guest *g);
	/* Optional: why the guest went quiet or closed its stream (its host process's exit
	 * status, the first complaint in its log), for the reason line. */
	void (*explain)(struct guest *g, char *buf, size_t len);
	/* Optional interfaces of a running guest, for probes (NULL: the backend has none).
	 * monitor: the VM monitor's QMP connection, or NULL while there is none. */
	struct qmp *(*monitor)(const struct guest *g);
	/* trace_log: the file the VM writes the trace events a probe enables to, or NULL. */
	const char *(*trace_log)(const struct guest *g);
	/* accounting: the runtime's own cumulative statistics of the guest as {name: number},
	 * asked of it around a phase (an OCI runtime's `events --stats`: under runsc the
	 * Sentry's accounting of the container's tasks, under runc its cgroup's); NULL with
	 * why in reason. */
	json_t *(*accounting)(const struct guest *g, char *reason, size_t len);
	/* Optional: puts back what the backend changes on the host for its guests beyond the
	 * run's directory and notes (host/runstate.h), once no live run uses it: what a killed
	 * run left. What it did goes into said, empty when nothing. */
	void (*sweep)(char *said, size_t len);
	/*
	 * Optional lifecycle operations of a running guest (lifecycle.*), each declared in
	 * provides as well: WL_NEEDS_SNAPSHOT for save and restore, WL_NEEDS_MIGRATE for
	 * migrate. They run on guests started with the same cfg.
	 * save: writes the guest's whole state into dir (a private directory, empty: one file
	 * or a checkpoint's images, the backend's choice) while the guest runs, then lets it
	 * run on. st: what the backend's own account says (bytes, downtime), NAN where it says
	 * nothing; *frozen_s: how long the guest did not run, by the host's clock. 0, or
	 * -errno with g->reason (the guest runs on where it can).
	 */
	int (*save)(struct guest *g, const char *dir, struct mig_stats *st, double *frozen_s);
	/* restore: what start does, but the guest resumes from the state save wrote into dir
	 * instead of booting (several guests may be restored from one dir, at once); returns
	 * once it runs. -errno with g->reason. */
	int (*restore)(struct guest *g, const char *dir);
	/* Optional: whether the operations of needs (WL_NEEDS_SNAPSHOT, _MIGRATE) can be done
	 * here, where they hang on a tool that may fail its own check (CRIU's): measured, at
	 * most once per run. 0, or -errno with why in reason (the cells are skipped with it). */
	int (*offers)(const struct backend_cfg *cfg, unsigned needs, char *reason, size_t len);
	/* migrate: moves g's running guest live into a new host process of the backend (the
	 * same cfg) over a unix socket, within limit_ms. 0: g now describes the new one, whose
	 * streams carry on the agent's conversation, and the old one has ended; -errno with
	 * g->reason: g is unchanged and its guest runs on where it can, the new one has ended.
	 * st and *frozen_s as for save, also on failure as far as known. */
	int (*migrate)(struct guest *g, const struct mig_params *p, int limit_ms,
		       struct mig_stats *st, double *frozen_s);
	/* resize (WL_NEEDS_RESIZE): asks that g's running guest have bytes of memory (at most
	 * cfg->mem_mib MiB, which gives it all back): a VM's balloon, a container's cgroup
	 * limit. Returns once asked, not once the guest has it: the caller watches the guest
	 * for that. The first call for a guest may look up what it needs (the caller makes
	 * it untimed, to the size the guest has). 0, or -errno with g->reason. */
	int (*resize)(struct guest *g, uint64_t bytes);
};

static inline struct qmp *guest_monitor(const struct guest *g)
{
	return g->ops->monitor ? g->ops->monitor(g) : NULL;
}

static inline const char *guest_trace_log(const struct guest *g)
{
	return g->ops->trace_log ? g->ops->trace_log(g) : NULL;
}

static inline bool guest_is(const struct guest *g, unsigned flags)
{
	return (g->ops->flags & flags) == flags;
}

/*
 * For backends whose guest is one child process of the harness (native, null): start gives
 * the guest a private temporary directory ($TMPDIR in the child) and forks child(g);
 * stop closes the stream, lets the agent exit at end of input, kills its process group
 * after a grace period, reaps it and removes the directory with whatever was left in it.
 */
int backend_child_start(struct guest *g, void (*child)(void *arg)) __must_check;
/* The same for a guest that is a program: path runs pinned to cfg->cpu, started without a
 * copy of the harness (host/spawn.h), so a start costs the program's exec and no more. */
int backend_exec_start(struct guest *g, const char *path) __must_check;
void backend_child_stop(struct guest *g);

/* Ends the guest's host process g->pid: drops facts nobody took, closes the stream, lets
 * the process end by itself within grace_ms (end of input), then ends its whole process
 * group and reaps it. */
void backend_end_process(struct guest *g, int grace_ms);

/* For available(): -ENOENT with "no guest image: why" in reason when has (the parts of the
 * image the backend needs) is false, else 0. */
int backend_need_image(const struct backend_cfg *cfg, bool has, char *reason, size_t len);

/* A program on $PATH (else /usr/bin:/bin) into path; -ENOENT with "NAME is not installed
 * (Debian: PACKAGE)" in reason. */
int backend_find_program(const char *name, const char *package, char *path, size_t len,
			 char *reason, size_t rlen) __must_check;

/* A command line under construction, kept whole for provenance; overflow is set when an
 * argument did not fit (the command must not run then). */
struct backend_cmd {
	char *argv[64];
	char strings[12][PATH_MAX + 128];
	int n, ns;
	bool overflow;
};
void backend_cmd_add(struct backend_cmd *c, const char *arg);
void backend_cmd_addf(struct backend_cmd *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* 0, or -E2BIG with g->reason when the command line overflowed. */
int backend_cmd_check(const struct backend_cmd *c, struct guest *g) __must_check;
/* The arguments as a JSON array of strings, or NULL. */
json_t *backend_cmd_json(const struct backend_cmd *c);

/* A private 0700 runtime directory (under $XDG_RUNTIME_DIR, $TMPDIR or /tmp) named
 * vmbench-<tag>-XXXXXX, in dir. 0 or -errno with g->reason. */
int backend_rundir(struct guest *g, const char *tag, char *dir, size_t len) __must_check;
/* Whether the filesystem of dir has need_mib free for what (a guest's memory, a trace
 * log): checked before a start, since a full one fails later and unclearly (a guest kernel
 * panic, a trace log cut short). 0, or -ENOSPC with g->reason. */
int backend_need_space(struct guest *g, const char *dir, const char *what, unsigned need_mib)
	__must_check;
/* For explain hooks: how the guest's host process g->pid (named what) ended, if it has
 * within a moment (it stays unreaped for stop), and the first non-empty line of
 * rundir/log. relayed names the process whose death what reports as 128+signal (an OCI
 * runtime's container process), or NULL. */
void backend_explain(struct guest *g, const char *what, const char *relayed, const char *rundir,
		     const char *log, char *buf, size_t len);
/* In a backend's child before exec: stderr to rundir/log, no core files. */
void backend_child_log(const char *rundir, const char *log);

#endif
