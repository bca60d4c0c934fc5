/*
 * The uml backend: User-Mode Linux, the guest kernel built to run as an ordinary host
 * process, its privileged operations replaced by host system calls (paravirtualization
 * in its textbook form). Debian's linux.uml boots the same initramfs as the QEMU backends;
 * the agent's stream is UML's console on the process's stdin and stdout; the test disk is
 * a ubd device. Every UML host process (the kernel, its helpers, one per guest address
 * space) stays in the one process group stop kills, all pinned to the measurement CPU.
 */
#include <errno.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <linux/magic.h>

#include "backends/backend.h"
#include "backends/guestuser.h"
#include "backends/mapcount.h"
#include "common/log.h"
#include "host/util.h"
#include "host/process.h"
#include "common/sysutil.h"
#include "workloads/workload.h"

#define UML_BIN "linux.uml"

struct uml_state {
	char rundir[256]; /* vmbench's: UML's log, the bind mounts */
	char home[280];	  /* UML's own: its pid file, socket, guest memory */
	char uml[PATH_MAX];
	char memdir[PATH_MAX];	/* where UML keeps guest memory: a tmpfs */
	bool maps_held;		/* registered with mapcount_acquire */
	char maps_problem[200]; /* why the map limit could not be raised, for explain */
	struct backend_cmd cmd;
	struct guest *g;
	bool drop;		  /* becomes GUEST_UID before it execs (vmbench is root) */
	struct guest_paths paths; /* what GUEST_UID needs bind-mounted */
};

static int uml_available(const struct backend_cfg *cfg, char *reason, size_t len)
{
	char path[PATH_MAX];

	if (backend_find_program(UML_BIN, "user-mode-linux", path, sizeof(path), reason, len) < 0)
		return -ENOENT;
	if (backend_need_image(cfg, cfg->initrd, reason, len) < 0)
		return -ENOENT;
	return 0;
}

/* A tmpfs UML can map guest memory from (PROT_EXEC: not noexec). */
/* Beside guest memory in its memory directory: UML's own small files. */
#define UML_MEM_SLACK_MIB 16

static bool on_tmpfs(const char *dir)
{
	struct statfs fs;
	struct statvfs vfs;

	return statfs(dir, &fs) == 0 && fs.f_type == TMPFS_MAGIC && statvfs(dir, &vfs) == 0 &&
	       !(vfs.f_flag & ST_NOEXEC) && access(dir, W_OK) == 0;
}

/* UML joins its arguments into one kernel command line split at spaces, and ubd= splits
 * at commas: paths with those cannot be passed. */
static int check_path(struct guest *g, const char *what, const char *path, const char *bad)
{
	if (path && path[strcspn(path, bad)]) {
		snprintf(g->reason, sizeof(g->reason),
			 "UML's command line cannot hold %s %.150s (it has a '%c')", what, path,
			 path[strcspn(path, bad)]);
		return -EINVAL;
	}
	return 0;
}

static void build_argv(struct uml_state *st, const struct backend_cfg *cfg)
{
	struct backend_cmd *c = &st->cmd;

	backend_cmd_add(c, st->uml);
	backend_cmd_addf(c, "mem=%uM", cfg->mem_mib);
	backend_cmd_addf(c, "initrd=%s", cfg->initrd);
	backend_cmd_add(c, "rdinit=/init");
	/* The first console is the agent's stream; the others go nowhere. */
	backend_cmd_add(c, "con=null");
	backend_cmd_add(c, "con0=fd:0,fd:1");
	backend_cmd_add(c, "ssl=null");
	/* loglevel=1: only a panic reaches the console (and the reason of a failed run). */
	backend_cmd_add(c, "quiet");
	backend_cmd_add(c, "loglevel=1");
	/* What UML's boot spends most of its time on, none of it used by a workload: 256
	 * legacy BSD ptys (a device node each, made in turn with the devtmpfs thread),
	 * the RAID6 library timing its algorithms for whole jiffies each (nothing here
	 * uses RAID6; btrfs, which could, is never mounted), the crypto self-tests. */
	backend_cmd_add(c, "pty.legacy_count=0");
	backend_cmd_add(c, "initcall_blacklist=raid6_select_algo");
	backend_cmd_add(c, "cryptomgr.notests");
	/* Debian's x86 modules in the image are not UML's: /init loads none. */
	backend_cmd_add(c, "vmbench.modules=");
	/* UML's pid file and management socket go to the runtime directory, not ~/.uml. */
	backend_cmd_addf(c, "uml_dir=%s", st->home);
	backend_cmd_add(c, "umid=guest");
	if (cfg->disk_path)
		backend_cmd_addf(c, "ubd0=%s", cfg->disk_path);
}

static void uml_child(void *arg)
{
	struct uml_state *st = arg;
	int cpu = st->g->cfg->cpu;

	backend_child_log(st->rundir, "uml.log");
	/* Guest memory is a file UML makes (and unlinks) in $TMPDIR. */
	setenv("TMPDIR", st->memdir, 1);
	/* A guest kernel that escapes into its host processes holds no root. */
	int ret = st->drop ? guestuser_become() : 0;
	if (ret < 0) {
		dprintf(STDERR_FILENO, "cannot become uid %u: %s\n", GUEST_UID, strerror(-ret));
		_exit(126);
	}
	/* Every UML host process inherits this. */
	if (cpu >= 0) {
		cpu_set_t set;
		CPU_ZERO(&set);
		CPU_SET(cpu, &set);
		if (sched_setaffinity(0, sizeof(set), &set) < 0) {
			dprintf(STDERR_FILENO, "cannot pin UML to CPU %d: %s\n", cpu,
				strerror(errno));
			_exit(126);
		}
	}
	execv(st->uml, st->cmd.argv);
	dprintf(STDERR_FILENO, "cannot run %s: %s\n", st->uml, strerror(errno));
}

static void uml_explain(struct guest *g, char *buf, size_t len)
{
	struct uml_state *st = g->priv;

	backend_explain(g, "UML", NULL, st ? st->rundir : NULL, "uml.log", buf, len);
	if (st && st->maps_problem[0])
		util_appendf(buf, len, "%s%s", buf[0] ? "; " : "", st->maps_problem);
}

static json_t *uml_facts(const struct uml_state *st, json_t *map_count)
{
	json_t *argv = backend_cmd_json(&st->cmd);

	return json_pack("{s:s, s:o, s:s, s:i, s:s, s:o, s:s}", "kernel", st->uml, "command_line",
			 argv ? argv : json_null(), "memory_dir", st->memdir, "vcpus", 1, "disk",
			 "ubd (host page cache; UML has no O_DIRECT path)", "vm_max_map_count",
			 map_count ? map_count : json_null(), "runs_as",
			 st->drop ? "uid 1000000" : "the invoking user (not root)");
}

static int uml_start(struct guest *g)
{
	struct uml_state *st = calloc(1, sizeof(*st));
	int ret;

	if (!st)
		return -ENOMEM;
	st->g = g;
	g->priv = st;
	ret = backend_rundir(g, "uml", st->rundir, sizeof(st->rundir));
	if (ret < 0)
		return ret;
	ret = backend_find_program(UML_BIN, "user-mode-linux", st->uml, sizeof(st->uml), g->reason,
				   sizeof(g->reason));
	if (ret < 0)
		return ret;
	/* As root, UML runs as GUEST_UID. The runtime directory stays vmbench's, so that
	 * what vmbench reads there (UML's log) and the mounts it makes there are out of that
	 * user's reach; UML gets a directory of its own inside, and the image and disk
	 * bind-mounted beside it. */
	struct backend_cfg cfg = *g->cfg;
	st->drop = geteuid() == 0;
	snprintf(st->home, sizeof(st->home), "%s/uml", st->rundir);
	if (mkdir(st->home, 0700) < 0 || (st->drop && chown(st->home, GUEST_UID, GUEST_UID) < 0)) {
		ret = -errno;
		snprintf(g->reason, sizeof(g->reason), "cannot give UML its directory: %s",
			 strerror(-ret));
		return ret;
	}
	if (st->drop && (ret = guestuser_paths(g, st->rundir, strrchr(st->rundir, '/') + 1,
					       GU_INITRD, &cfg, &st->paths)) < 0)
		return ret;
	/* Guest memory on disk would make every guest page a file page: a tmpfs, /dev/shm
	 * unless the runtime directory is one with room for it. A tmpfs that fills panics the
	 * guest kernel with words that do not say so: the room is checked first. */
	unsigned need = g->cfg->mem_mib + UML_MEM_SLACK_MIB;
	bool in_run = on_tmpfs(st->home) && backend_need_space(g, st->home, "", need) == 0;
	snprintf(st->memdir, sizeof(st->memdir), "%s",
		 in_run || !on_tmpfs("/dev/shm") ? st->home : "/dev/shm");
	ret = backend_need_space(g, st->memdir, "UML's guest memory", need);
	if (ret < 0)
		return ret;
	g->reason[0] = '\0'; /* what the runtime directory lacked */
	if (check_path(g, "the runtime directory", st->home, " \t") < 0 ||
	    check_path(g, "the initramfs", cfg.initrd, " \t") < 0 ||
	    check_path(g, "the test disk", cfg.disk_path, " \t,:") < 0)
		return -EINVAL;
	build_argv(st, &cfg);
	ret = backend_cmd_check(&st->cmd, g);
	if (ret < 0)
		return ret;
	/* Every guest page may be a host mapping: all of guest memory, twice over. */
	json_t *map_count =
		mapcount_acquire(MAPCOUNT_SYSCTL, MAPCOUNT_STATE, (long)g->cfg->mem_mib * 256 * 2);
	st->maps_held = true;
	const char *action = json_string_value(json_object_get(map_count, "action"));
	if (action && strncmp(action, "cannot", 6) == 0) {
		static bool warned;
		if (!warned)
			log_warn("uml: vm.max_map_count: %s", action);
		warned = true;
		snprintf(st->maps_problem, sizeof(st->maps_problem), "vm.max_map_count: %s",
			 action);
	}
	ret = proc_spawn_piped(uml_child, st, &g->pid, &g->to_guest, &g->from_guest);
	if (ret < 0) {
		snprintf(g->reason, sizeof(g->reason), "cannot start UML: %s", strerror(-ret));
		json_decref(map_count);
		return ret;
	}
	g->facts = uml_facts(st, map_count);
	if (cfg.disk_path)
		g->disk = "/dev/ubda";
	else if (st->paths.no_disk)
		g->no_disk = st->paths.no_disk;
	return 0;
}

/* vm.max_map_count as it was before a killed run's guests raised it. */
static void uml_sweep(char *said, size_t len)
{
	char before[32] = "", after[32] = "";

	(void)!util_read_line(MAPCOUNT_SYSCTL, before, sizeof(before));
	mapcount_release(MAPCOUNT_SYSCTL, MAPCOUNT_STATE);
	(void)!util_read_line(MAPCOUNT_SYSCTL, after, sizeof(after));
	if (strcmp(before, after))
		snprintf(said, len, "vm.max_map_count put back from %s to %s", before, after);
}

static void uml_stop(struct guest *g)
{
	struct uml_state *st = g->priv;

	/* The guest powers off at the end of its stream; then the group goes, UML's helper
	 * processes with it. */
	backend_end_process(g, 2000);
	if (st && st->maps_held)
		mapcount_release(MAPCOUNT_SYSCTL, MAPCOUNT_STATE);
	if (st) {
		guestuser_undo(&st->paths);
		if (st->rundir[0])
			sys_rmtree(st->rundir);
		free(st);
		g->priv = NULL;
	}
}

const struct backend_ops backend_uml = {
	.abi = BACKEND_ABI,
	.name = "uml",
	.mode = "paravirtualization",
	.summary = "User-Mode Linux: the guest kernel runs as host processes, its privileged "
		   "operations replaced by host system calls (ptrace)",
	.flags = BK_NEEDS_IMAGE | BK_PTRACE_KERNEL | BK_MEM_LIMIT,
	.provides = WL_NEEDS_DISK,
	.hello_timeout_s = 60,
	.available = uml_available,
	.start = uml_start,
	.stop = uml_stop,
	.explain = uml_explain,
	.sweep = uml_sweep,
};
