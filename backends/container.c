/*
 * The container backend: OS-level virtualization with a real OCI runtime, crun where it
 * works on this host, else runc (each is tried with a throw-away container first; the
 * results name the one used and why the other was not). The bundle's root is the guest
 * image's rootfs, the same files the VMs boot from, mounted read-only; config.json starts
 * from the runtime's own `spec` template (its default capabilities, masked paths and
 * mounts) with the settings of backends/ocibundle.h. The agent is the container's
 * process, its protocol on the container's stdin and stdout (no terminal). The runtime's
 * state lives in the backend's runtime directory; stop deletes the container, its cgroup
 * and that directory on every path. Its snapshots are CRIU's, through the runtime
 * (backends/ocicheckpoint.c).
 *
 * The gvisor backend is the same bundle under gVisor's runsc with the ptrace platform: a
 * sandboxed container, whose system calls go to the Sentry, an application kernel in user
 * space that intercepts them with ptrace (UML's design, in Go), never to the host kernel.
 * gvisor-kvm is runsc's kvm platform, where KVM runs guests in hardware: the Sentry in
 * ring 0 of a virtual machine, the container in its ring 3.
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "backends/backend.h"
#include "backends/ocibundle.h"
#include "backends/ocicheckpoint.h"
#include "backends/guestuser.h"
#include "common/log.h"
#include "host/kvmcheck.h"
#include "host/process.h"
#include "host/runstate.h"
#include "host/util.h"
#include "common/sysutil.h"
#include "workloads/workload.h"

#define RUNTIME_TIMEOUT_MS 15000
#define CGROUP_ROOT	   "/sys/fs/cgroup"

/* The runtime chosen for this process: probed once per flavour. */
struct runtime_choice {
	bool done;
	int ret;
	char name[16];
	char path[PATH_MAX];
	char version[128];
	char reason[512];  /* why none works, or which works and why the others do not */
	json_t *rejected;  /* [{runtime, reason}] for the ones that did not work */
	json_t *template;  /* its `spec` output, read once */
	char no_disk[640]; /* why its containers run without the run's test disk, or "" */
};

/* A family of OCI runtimes this file drives with the same bundle: the container backend's
 * (crun, else runc) and gVisor's runsc (the gvisor backends). */
#define RT_MAX_GLOBAL 3
struct oci_flavour {
	const char *tag;	  /* of runtime directories: vmbench-<tag>-* */
	const char *const *names; /* the runtimes to try, in order; NULL-ended */
	const char *packages;	  /* their Debian packages, for "not installed" */
	const char
		*global[RT_MAX_GLOBAL]; /* options before its command (a fourth: a compile error) */
	bool kvm;	    /* runs its kernel as a KVM guest: only where KVM runs it in hardware */
	const char *helper; /* argv[0] of a process the runtime starts beside the container that
			     * works for it, counted with it; or NULL */
	unsigned bundle;    /* OCI_* flags of its bundle */
	struct runtime_choice *rt;
};

static struct runtime_choice rt_container, rt_gvisor, rt_gvisor_kvm;
static const struct oci_flavour fl_container = {
	.tag = "container",
	.names = (const char *const[]){ "crun", "runc", NULL },
	.bundle = OCI_USERNS | OCI_SECCOMP,
	.packages = "runc or crun",
	.rt = &rt_container,
};
/* runsc: the Sentry intercepts the container's system calls with ptrace (the platform that
 * works without hardware-assisted KVM), and the sandbox has no network at all. */
static const struct oci_flavour fl_gvisor = {
	.tag = "gvisor",
	.names = (const char *const[]){ "runsc", NULL },
	.packages = "runsc",
	.global = { "--platform=ptrace", "--network=none" },
	.helper = "runsc-gofer",
	.rt = &rt_gvisor,
};
/* The kvm platform: the Sentry runs in ring 0 of a KVM virtual machine and the container's
 * system calls reach it without leaving the VM; the Sentry leaves it for its own host
 * system calls. */
static const struct oci_flavour fl_gvisor_kvm = {
	.tag = "gvisor-kvm",
	.names = (const char *const[]){ "runsc", NULL },
	.packages = "runsc",
	.global = { "--platform=kvm", "--network=none" },
	.kvm = true,
	.helper = "runsc-gofer",
	.rt = &rt_gvisor_kvm,
};

/* The runtime's argv: path, the flavour's global options, then words (NULL-ended), into out,
 * which RT_ARGV proves at compile time to be large enough. */
static void rt_argv(const struct oci_flavour *fl, const char *path, char **out,
		    const char *const *words)
{
	size_t n = 0;

	out[n++] = (char *)path;
	for (size_t i = 0; i < RT_MAX_GLOBAL && fl->global[i]; i++)
		out[n++] = (char *)fl->global[i];
	for (size_t i = 0; words[i]; i++)
		out[n++] = (char *)words[i];
	out[n] = NULL;
}
#define RT_ARGV(fl, path, argv, ...)                                                 \
	do {                                                                         \
		_Static_assert(ARRAY_SIZE(((const char *const[]){ __VA_ARGS__ })) +  \
					       RT_MAX_GLOBAL + 2 <=                  \
				       ARRAY_SIZE(argv),                             \
			       "the runtime's argv is too small for its words");     \
		rt_argv(fl, path, argv, (const char *const[]){ __VA_ARGS__, NULL }); \
	} while (0)

struct container_state {
	const struct oci_flavour *fl;
	char rundir[256];
	char state[300]; /* the runtime's --root */
	char id[64];
	struct backend_cmd cmd;
	json_t *config;
	struct guest_paths mnt; /* with OCI_USERNS */
};

static unsigned container_seq;

/* The runtime's default configuration (`RUNTIME spec`, written into dir and read back). */
static json_t *load_template(const struct oci_flavour *fl, const char *runtime, const char *dir,
			     char *err, size_t len)
{
	char out[1024], path[PATH_MAX], words[300];
	char *spec[16];
	json_error_t jerr;

	RT_ARGV(fl, runtime, spec, "spec", "--bundle", dir);

	int ret = proc_capture(spec, out, sizeof(out), RUNTIME_TIMEOUT_MS);
	if (ret != 0) {
		oci_runtime_words(out, ret, words, sizeof(words));
		snprintf(err, len, "'%.100s spec' failed: %.250s", runtime, words);
		return NULL;
	}
	snprintf(path, sizeof(path), "%s/config.json", dir);
	json_t *c = json_load_file(path, 0, &jerr);
	unlink(path);
	if (!json_is_object(json_object_get(c, "process")) ||
	    !json_is_object(json_object_get(c, "linux")) ||
	    !json_is_array(json_object_get(c, "mounts"))) {
		snprintf(err, len, "'%.100s spec' wrote no usable template: %.200s", runtime,
			 c ? "no process, linux or mounts" : jerr.text);
		json_decref(c);
		return NULL;
	}
	return c;
}

/* What a cgroup driver left behind when the runtime could not clean up: empty directories
 * named after the container, in each v1 hierarchy or the v2 tree. */
static void remove_cgroups(const char *id)
{
	char path[PATH_MAX];
	DIR *d = opendir(CGROUP_ROOT);
	struct dirent *e;

	snprintf(path, sizeof(path), CGROUP_ROOT "/%s", id);
	rmdir(path);
	while (d && (e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), CGROUP_ROOT "/%s/%s", e->d_name, id);
		rmdir(path);
	}
	if (d)
		closedir(d);
}

/* Notes how to end the container should this run be killed before it does: the runtime's
 * delete, then the cgroups it would leave (as remove_cgroups). */
static void note_container(const char *runtime, const struct container_state *st)
{
	char *del[16], name[96], paths[16][PATH_MAX];
	const char *words[17];
	DIR *d = opendir(CGROUP_ROOT);
	struct dirent *e;
	size_t k = 0;

	RT_ARGV(st->fl, runtime, del, "--root", st->state, "delete", "--force", st->id);
	runstate_note(st->id, UNDO_RUN, (const char *const *)del);
	snprintf(paths[k++], sizeof(paths[0]), CGROUP_ROOT "/%s", st->id);
	/* v1's hierarchies are directories (the links beside them name the same ones); v2's
	 * files take no place. */
	while (d && (e = readdir(d)) && k < ARRAY_SIZE(paths))
		if (e->d_name[0] != '.' && e->d_type == DT_DIR)
			snprintf(paths[k++], sizeof(paths[0]), CGROUP_ROOT "/%s/%s", e->d_name,
				 st->id);
	if (d)
		closedir(d);
	for (size_t i = 0; i < k; i++)
		words[i] = paths[i];
	words[k] = NULL;
	snprintf(name, sizeof(name), "%s.cgroups", st->id);
	runstate_note(name, UNDO_RMDIR, words);
}

/* The notes of note_container, once the container is gone. */
static void forget_container(const struct container_state *st)
{
	char name[96];

	snprintf(name, sizeof(name), "%s.cgroups", st->id);
	runstate_forget(st->id);
	runstate_forget(name);
}

/* Ends the container whatever state it is in and removes what it left. */
static void delete_container(const char *runtime, struct container_state *st)
{
	char out[512];
	char *del[16];

	if (!st->id[0])
		return;
	RT_ARGV(st->fl, runtime, del, "--root", st->state, "delete", "--force", st->id);
	/* "does not exist" when the runtime cleaned up after itself: the usual case. */
	(void)!proc_capture(del, out, sizeof(out), RUNTIME_TIMEOUT_MS);
	remove_cgroups(st->id);
	forget_container(st);
}

static int state_init(struct guest *g, const struct oci_flavour *fl, struct container_state *st)
{
	st->fl = fl;
	int ret = backend_rundir(g, fl->tag, st->rundir, sizeof(st->rundir));

	if (ret < 0)
		return ret;
	snprintf(st->state, sizeof(st->state), "%s/state", st->rundir);
	/* Clones are restored by several threads at once: each its own id. */
	snprintf(st->id, sizeof(st->id), "vmbench-%d-%u", (int)getpid(),
		 __atomic_add_fetch(&container_seq, 1, __ATOMIC_RELAXED));
	return 0;
}

static void state_free(const char *runtime, struct container_state *st)
{
	delete_container(runtime, st);
	guestuser_undo(&st->mnt);
	if (st->rundir[0])
		sys_rmtree(st->rundir);
	json_decref(st->config);
	free(st);
}

/* Runs vmbench-true in a container made exactly like the agent's: 0 with the runtime's
 * template in *tmpl when it works here, else -errno with its own words in reason. */
static int try_runtime(const struct oci_flavour *fl, const char *path,
		       const struct backend_cfg *cfg, json_t **tmpl, char *reason, size_t len)
{
	struct guest g = { .cfg = cfg };
	struct container_state *st = calloc(1, sizeof(*st));
	char out[2048];
	int ret;

	if (!st)
		return -ENOMEM;
	reason[0] = '\0';
	ret = state_init(&g, fl, st);
	if (ret < 0) {
		snprintf(reason, len, "%s", g.reason);
		free(st);
		return ret;
	}
	struct backend_cfg c = *cfg;
	if ((fl->bundle & OCI_USERNS) &&
	    guestuser_paths(&g, st->rundir, st->id, GU_ROOTFS, &c, &st->mnt) < 0) {
		snprintf(reason, len, "%s", g.reason);
		state_free(path, st);
		return -EACCES;
	}
	*tmpl = load_template(fl, path, st->rundir, reason, len);
	ret = *tmpl ? oci_write_bundle(*tmpl, st->rundir, &c, st->id, "/vmbench/vmbench-true",
				       fl->bundle, NULL, reason, len)
		    : -EIO;
	if (ret == 0) {
		char *run[16];
		note_container(path, st);
		RT_ARGV(fl, path, run, "--root", st->state, "run", "--bundle", st->rundir, st->id);
		ret = proc_capture(run, out, sizeof(out), RUNTIME_TIMEOUT_MS);
		if (ret != 0) {
			oci_runtime_words(out, ret, reason, len);
			ret = ret < 0 ? ret : -ENOTSUP;
		}
	}
	if (ret < 0) {
		json_decref(*tmpl);
		*tmpl = NULL;
	}
	state_free(path, st);
	return ret;
}

/* The first of the flavour's runtimes that runs a container made with cfg, into fl->rt;
 * failures says why the others (or all) did not: "crun: why; runc: why". */
static int choose_from(const struct oci_flavour *fl, const struct backend_cfg *cfg, char *failures,
		       size_t flen)
{
	struct runtime_choice *rt = fl->rt;
	const char *const *names = fl->names;
	char reason[400];
	bool installed = false;

	failures[0] = '\0';
	for (size_t i = 0; names[i]; i++) {
		char path[PATH_MAX];
		if (sys_find_program(names[i], "/usr/sbin:/usr/bin:/sbin:/bin", path,
				     sizeof(path)) < 0) {
			json_array_append_new(rt->rejected,
					      json_pack("{s:s, s:s}", "runtime", names[i], "reason",
							"not installed"));
			continue;
		}
		installed = true;
		int ret = try_runtime(fl, path, cfg, &rt->template, reason, sizeof(reason));
		if (ret < 0) {
			json_array_append_new(rt->rejected, json_pack("{s:s, s:s}", "runtime",
								      names[i], "reason", reason));
			util_appendf(failures, flen, "%s%s: %s", failures[0] ? "; " : "", names[i],
				     reason);
			continue;
		}
		char *ver[] = { path, "--version", NULL }, out[256];
		snprintf(rt->version, sizeof(rt->version), "%s", names[i]);
		if (proc_capture(ver, out, sizeof(out), RUNTIME_TIMEOUT_MS) == 0)
			oci_runtime_words(out, 0, rt->version, sizeof(rt->version));
		snprintf(rt->name, sizeof(rt->name), "%s", names[i]);
		snprintf(rt->path, sizeof(rt->path), "%s", path);
		/* The note: which one, and why not the one before it. */
		snprintf(rt->reason, sizeof(rt->reason), "with %.100s%s%s%s", rt->version,
			 failures[0] ? " (" : "", failures, failures[0] ? ")" : "");
		return 0;
	}
	if (!installed)
		snprintf(rt->reason, sizeof(rt->reason), "no OCI runtime installed (Debian: %s)",
			 fl->packages);
	else
		snprintf(rt->reason, sizeof(rt->reason), "no OCI runtime works here: %s", failures);
	return installed ? -ENOTSUP : -ENOENT;
}

static int choose_runtime(const struct oci_flavour *fl, const struct backend_cfg *cfg)
{
	struct runtime_choice *rt = fl->rt;
	char failures[400], bare_failures[400];
	struct backend_cfg bare = *cfg;
	struct stat sb;

	rt->done = true;
	rt->rejected = json_array();
	rt->ret = choose_from(fl, cfg, failures, sizeof(failures));
	/* No runtime takes this block device, and one works without it (runsc mounts no host
	 * block device): that one runs without the disk, and the I/O cells say why. */
	bare.disk_path = NULL;
	if (rt->ret == -ENOTSUP && cfg->disk_path && stat(cfg->disk_path, &sb) == 0 &&
	    S_ISBLK(sb.st_mode) &&
	    choose_from(fl, &bare, bare_failures, sizeof(bare_failures)) == 0) {
		snprintf(rt->no_disk, sizeof(rt->no_disk),
			 "%s cannot take the block device %.100s into its containers: %.300s",
			 rt->name, cfg->disk_path, failures);
		util_appendf(rt->reason, sizeof(rt->reason), "; without the test disk %.100s",
			     cfg->disk_path);
		rt->ret = 0;
	}
	return rt->ret;
}

static int oci_available(const struct oci_flavour *fl, const struct backend_cfg *cfg, char *reason,
			 size_t len)
{
	struct runtime_choice *rt = fl->rt;

	if (backend_need_image(cfg, cfg->rootfs, reason, len) < 0)
		return -ENOENT;
	if (geteuid() != 0) {
		snprintf(reason, len, "needs root: vmbench makes rootful containers only");
		return -EPERM;
	}
	if (fl->kvm) {
		/* As the kvm backends: a KVM that emulates guest code in software would time
		 * the emulator, unless the user asks for it. */
		struct kvmcheck p;
		int ret = kvmcheck_run(&p);
		if (ret < 0 || (!p.hardware && !cfg->force_kvm)) {
			snprintf(reason, len, "%s", p.reason);
			return ret < 0 ? ret : -ENOTSUP;
		}
	}
	if (!rt->done)
		choose_runtime(fl, cfg);
	snprintf(reason, len, "%s", rt->reason);
	return rt->ret;
}

static void container_child(void *arg)
{
	struct guest *g = arg;
	struct container_state *st = g->priv;

	backend_child_log(st->rundir, "runtime.log");
	execv(st->cmd.argv[0], st->cmd.argv);
	dprintf(STDERR_FILENO, "cannot run %s: %s\n", st->cmd.argv[0], strerror(errno));
}

static void oci_explain(const struct oci_flavour *fl, struct guest *g, char *buf, size_t len)
{
	struct container_state *st = g->priv;

	backend_explain(g, fl->rt->name[0] ? fl->rt->name : "the runtime",
			"the container's process", st ? st->rundir : NULL, "runtime.log", buf, len);
}

/* What the checkpoint code needs of a container (backends/ocicheckpoint.h), into c. */
static const struct ocicp_ctr *ctr_of(const struct container_state *st, struct ocicp_ctr *c)
{
	*c = (struct ocicp_ctr){ .runtime = st->fl->rt->path,
				 .name = st->fl->rt->name,
				 .global = st->fl->global,
				 .nglobal = RT_MAX_GLOBAL,
				 .state = st->state,
				 .rundir = st->rundir,
				 .id = st->id };
	return c;
}

/* Starts a container of the agent: booted (`run`), or restored (`restore`) from the
 * checkpoint in restore_dir when it is not NULL, in a bundle made the same way. */
static int oci_start(const struct oci_flavour *fl, struct guest *g, const char *restore_dir)
{
	const struct runtime_choice *rt = fl->rt;
	struct container_state *st;
	char reason[sizeof(g->reason)];
	int ret = oci_available(fl, g->cfg, reason, sizeof(reason));

	if (ret < 0) {
		snprintf(g->reason, sizeof(g->reason), "%s", reason);
		return ret;
	}
	st = calloc(1, sizeof(*st));
	if (!st)
		return -ENOMEM;
	g->priv = st;
	ret = state_init(g, fl, st);
	if (ret < 0)
		return ret;
	struct backend_cfg cfg = *g->cfg;
	if (rt->no_disk[0])
		cfg.disk_path = NULL;
	if ((fl->bundle & OCI_USERNS) &&
	    (ret = guestuser_paths(g, st->rundir, st->id, GU_ROOTFS, &cfg, &st->mnt)) < 0)
		return ret;
	ret = oci_write_bundle(rt->template, st->rundir, &cfg, st->id, "/vmbench/vmbench-agent",
			       fl->bundle, &st->config, g->reason, sizeof(g->reason));
	if (ret < 0)
		return ret;
	char *args[16];
	struct ocicp_ctr c;
	note_container(rt->path, st);
	RT_ARGV(fl, rt->path, args, "--root", st->state, "run", "--bundle", st->rundir, st->id);
	for (size_t i = 0; args[i] && !restore_dir; i++)
		backend_cmd_add(&st->cmd, args[i]);
	if (restore_dir)
		ocicp_restore_cmd(ctr_of(st, &c), restore_dir, &st->cmd);
	if ((ret = backend_cmd_check(&st->cmd, g)) < 0)
		return ret;
	ret = proc_spawn_piped(container_child, g, &g->pid, &g->to_guest, &g->from_guest);
	if (ret < 0) {
		snprintf(g->reason, sizeof(g->reason), "cannot start %s: %s", rt->name,
			 strerror(-ret));
		return ret;
	}
	g->facts = json_pack("{s:s, s:s, s:O, s:s, s:o, s:O}", "runtime", rt->name,
			     "runtime_version", rt->version, "runtimes_rejected",
			     rt->rejected ? rt->rejected : json_null(), "container_id", st->id,
			     "command_line", backend_cmd_json(&st->cmd), "config", st->config);
	if (cfg.disk_path)
		g->disk = OCI_GUEST_DISK;
	else if (rt->no_disk[0])
		g->no_disk = rt->no_disk;
	else if (st->mnt.no_disk)
		g->no_disk = st->mnt.no_disk;
	return 0;
}

/* The container's process pid is the guest's, for probes: the agent under runc or crun,
 * the Sentry (the sandbox) under runsc; and the gofer under runsc as the helper. */
static void container_watch(struct guest *g, const struct container_state *st, pid_t pid)
{
	g->watched = pid;
	/* Who the agent (runsc: the Sentry) is on the host, as the kernel says: with a user
	 * namespace, not root; and whether a seccomp filter holds it. */
	char status[64], line[128];
	snprintf(status, sizeof(status), "/proc/%d/status", (int)pid);
	FILE *f = fopen(status, "re");
	while (f && fgets(line, sizeof(line), f)) {
		unsigned uid, mode;
		if (sscanf(line, "Uid: %*u %u", &uid) == 1 && json_is_object(g->facts))
			json_object_set_new(g->facts, "host_uid", json_integer(uid));
		if (sscanf(line, "Seccomp: %u", &mode) == 1 && json_is_object(g->facts))
			json_object_set_new(g->facts, "seccomp",
					    json_string(mode == 2   ? "filter"
							: mode == 1 ? "strict"
								    : "none"));
	}
	if (f)
		fclose(f);
	/* A helper the runtime starts beside the container does its work too: runsc's
	 * gofer, which opens the container's files for the Sentry. */
	int kids[8];
	size_t n = st->fl->helper ? util_children(g->pid, kids, 8) : 0;
	for (size_t i = 0; i < n && !g->helper; i++) {
		char path[64], arg0[64] = "";
		snprintf(path, sizeof(path), "/proc/%d/cmdline", kids[i]);
		if (kids[i] != pid && util_read_line(path, arg0, sizeof(arg0)) == 0 &&
		    strcmp(arg0, st->fl->helper) == 0)
			g->helper = kids[i];
	}
	if (st->fl->helper && !g->helper)
		log_warn("%s: no %s process beside the sandbox: its work is not counted",
			 st->fl->tag, st->fl->helper);
}

/* The container's process, from the runtime's state of it. */
static int container_ready(struct guest *g)
{
	struct container_state *st = g->priv;
	char out[4096];
	char *cmd[16];

	RT_ARGV(st->fl, st->fl->rt->path, cmd, "--root", st->state, "state", st->id);
	int ret = proc_capture(cmd, out, sizeof(out), RUNTIME_TIMEOUT_MS);
	json_t *state = ret == 0 ? json_loads(out, 0, NULL) : NULL;
	json_int_t pid = json_integer_value(json_object_get(state, "pid"));

	json_decref(state);
	if (pid <= 0 || pid > INT32_MAX) {
		snprintf(g->reason, sizeof(g->reason), "'%s state %s' names no process: %.120s",
			 st->fl->rt->name, st->id, ret < 0 ? strerror(-ret) : util_rtrim(out));
		return -EPROTO;
	}
	container_watch(g, st, (pid_t)pid);
	return 0;
}

/* The runtime's statistics of the container (`events --stats`, runc's format, which runsc
 * also speaks): the CPU time of the container's cgroup (runsc: its sandbox's, split among
 * its containers by the Sentry's own accounting). */
static json_t *container_accounting(const struct guest *g, char *reason, size_t len)
{
	const struct container_state *st = g->priv;
	char out[16384];
	char *cmd[16];
	json_error_t jerr;

	if (!st) {
		snprintf(reason, len, "no container");
		return NULL;
	}
	RT_ARGV(st->fl, st->fl->rt->path, cmd, "--root", st->state, "events", "--stats", st->id);
	int ret = proc_capture(cmd, out, sizeof(out), RUNTIME_TIMEOUT_MS);
	if (ret != 0) {
		char words[200];
		oci_runtime_words(out, ret, words, sizeof(words));
		snprintf(reason, len, "'%s events --stats' failed: %s", st->fl->rt->name, words);
		return NULL;
	}
	/* Its output mixes in what the runtime logs on stderr: the event is the object that
	 * starts with its type. */
	const char *event = strstr(out, "{\"type\"");
	json_t *ev = event ? json_loads(event, JSON_DISABLE_EOF_CHECK, &jerr) : NULL;
	json_t *data = json_object_get(ev, "data");
	json_t *cpu =
		json_object_get(json_object_get(json_object_get(data, "cpu"), "usage"), "total");
	json_t *stats = NULL;
	if (json_is_integer(cpu))
		stats = json_pack("{s:I}", "runtime:cpu-ns", json_integer_value(cpu));
	else
		snprintf(reason, len, "'%s events --stats' gave no CPU time: %.150s",
			 st->fl->rt->name,
			 ev	 ? util_printable(util_rtrim(out))
			 : event ? jerr.text
				 : "no event in its output");
	json_decref(ev);
	return stats;
}

static void container_stop(struct guest *g)
{
	struct container_state *st = g->priv;

	/* At the end of its input the agent exits, the container with it, and the runtime
	 * removes it; whatever is left after the grace period is deleted by force. */
	backend_end_process(g, 2000);
	if (st) {
		state_free(st->fl->rt->path, st);
		g->priv = NULL;
	}
}

/* The container backend's snapshots: CRIU's, through runc or crun (ocicheckpoint.h). Not
 * gVisor's, whose runsc checkpoints its Sentry without CRIU, a mechanism of its own. */
static int container_save(struct guest *g, const char *dir, struct mig_stats *ms, double *frozen_s)
{
	struct ocicp_ctr c;

	return ocicp_save(g, ctr_of(g->priv, &c), dir, ms, frozen_s);
}

/* A container restored from the checkpoint in dir, in a bundle of its own (a clone beside
 * others): returns once it runs again, its process watched as ready's. */
static int container_restore(struct guest *g, const char *dir)
{
	int ret = oci_start(&fl_container, g, dir);
	struct container_state *st = g->priv;
	struct ocicp_ctr c;
	pid_t pid;

	if (ret == 0)
		ret = ocicp_restored(g, ctr_of(st, &c), g->ops->hello_timeout_s * 1000, &pid);
	if (ret == 0)
		container_watch(g, st, pid);
	return ret;
}

/* Whether CRIU can checkpoint here, and the runtime chosen with it. */
static int container_offers(const struct backend_cfg *cfg, unsigned needs, char *reason, size_t len)
{
	int ret = oci_available(&fl_container, cfg, reason, len);

	return ret < 0 ? ret : ocicp_offers(rt_container.name, rt_container.path, reason, len);
}

/* One backend per flavour: its hooks that know no guest state yet, and its ops table (what
 * it provides, and its own hooks, last). */
#define OCI_BACKEND(sym, nm, md, sum, kind, timeout, ...)                                   \
	static int sym##_available(const struct backend_cfg *cfg, char *reason, size_t len) \
	{                                                                                   \
		return oci_available(&fl_##sym, cfg, reason, len);                          \
	}                                                                                   \
	static int sym##_start(struct guest *g)                                             \
	{                                                                                   \
		return oci_start(&fl_##sym, g, NULL);                                       \
	}                                                                                   \
	static void sym##_explain(struct guest *g, char *buf, size_t len)                   \
	{                                                                                   \
		oci_explain(&fl_##sym, g, buf, len);                                        \
	}                                                                                   \
	const struct backend_ops backend_##sym = {                                          \
		.abi = BACKEND_ABI,                                                         \
		.name = nm,                                                                 \
		.mode = md,                                                                 \
		.summary = sum,                                                             \
		.flags = BK_NEEDS_IMAGE | (kind) | BK_MEM_LIMIT,                            \
		.hello_timeout_s = timeout,                                                 \
		.available = sym##_available,                                               \
		.start = sym##_start,                                                       \
		.stop = container_stop,                                                     \
		.ready = container_ready,                                                   \
		.explain = sym##_explain,                                                   \
		.accounting = container_accounting,                                         \
		__VA_ARGS__,                                                                \
	}

OCI_BACKEND(container, "container", "os-level",
	    "an OCI container (crun, else runc): the host kernel, with namespaces, a cgroup and "
	    "a read-only root",
	    BK_HOST_KERNEL, 30, .provides = WL_NEEDS_DISK | WL_NEEDS_SNAPSHOT | WL_NEEDS_RESIZE,
	    .save = container_save, .restore = container_restore, .offers = container_offers,
	    .resize = oci_resize);
OCI_BACKEND(gvisor, "gvisor", "application-kernel",
	    "a sandboxed container (gVisor's runsc, ptrace platform): the container's system "
	    "calls go to the Sentry, a kernel in user space, not the host's",
	    BK_PTRACE_KERNEL, 60, .provides = WL_NEEDS_DISK);
OCI_BACKEND(gvisor_kvm, "gvisor-kvm", "application-kernel",
	    "a sandboxed container (gVisor's runsc, KVM platform): the Sentry runs in ring 0 of "
	    "a hardware-assisted virtual machine, the container's system calls stay inside it",
	    BK_VM | BK_HW_ACCEL, 60, .provides = WL_NEEDS_DISK);
