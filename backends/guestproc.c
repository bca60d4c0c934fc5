/* Shared by the backends: a guest that is one child process of the harness, a private
 * runtime directory, and what a guest's host process said when it ended. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/statvfs.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "backends/backend.h"
#include "common/sysutil.h"
#include "host/process.h"
#include "host/runstate.h"
#include "host/spawn.h"
#include "host/util.h"

struct child_state {
	char tmpdir[256];
	struct guest *g;
	void (*child)(void *arg);
};

static void child_main(void *arg)
{
	struct child_state *st = arg;

	setenv("TMPDIR", st->tmpdir, 1);
	st->child(st->g);
}

/* Where a child guest's files go: on tmpfs, as the guests' and containers' /tmp is, so that
 * file workloads compare like with like; $TMPDIR or /tmp where that is tmpfs, else
 * /dev/shm, else $TMPDIR or /tmp as they are (the agent reports the kind in HELLO). */
static const char *tmp_base(void)
{
	const char *tmp = getenv("TMPDIR");
	char kind[32];

	if (!tmp || !*tmp)
		tmp = "/tmp";
	if (sys_fs_kind(tmp, kind, sizeof(kind)) == 0 && !strcmp(kind, "tmpfs"))
		return tmp;
	if (sys_fs_kind("/dev/shm", kind, sizeof(kind)) == 0 && !strcmp(kind, "tmpfs") &&
	    access("/dev/shm", W_OK) == 0)
		return "/dev/shm";
	return tmp;
}

/* A child_state with a fresh temporary directory, as g->priv; NULL with g->reason set. */
static struct child_state *child_state_new(struct guest *g, int *ret)
{
	struct child_state *st = calloc(1, sizeof(*st));

	if (!st) {
		*ret = -ENOMEM;
		return NULL;
	}
	snprintf(st->tmpdir, sizeof(st->tmpdir), "%.200s/vmbench-guest-XXXXXX", tmp_base());
	if (!mkdtemp(st->tmpdir)) {
		*ret = -errno;
		snprintf(g->reason, sizeof(g->reason), "cannot create a temporary directory: %s",
			 strerror(errno));
		free(st);
		return NULL;
	}
	/* On tmpfs outside the run's directory: noted, so that a killed run's is found. */
	runstate_note(strrchr(st->tmpdir, '/') + 1, UNDO_RMTREE,
		      (const char *const[]){ st->tmpdir, NULL });
	st->g = g;
	g->priv = st;
	return st;
}

int backend_child_start(struct guest *g, void (*child)(void *arg))
{
	int ret = 0;
	struct child_state *st = child_state_new(g, &ret);

	if (!st)
		return ret;
	st->child = child;
	ret = proc_spawn_piped(child_main, st, &g->pid, &g->to_guest, &g->from_guest);
	if (ret < 0)
		snprintf(g->reason, sizeof(g->reason), "cannot start the agent: %s",
			 strerror(-ret));
	return ret;
}

/* Our environment with TMPDIR set to dir: a NULL-terminated array of our strings and one
 * new one, *mine; free both. */
static char **env_with_tmpdir(const char *dir, char **mine)
{
	size_t n = 0, k = 0;

	while (environ && environ[n])
		n++;
	char **env = calloc(n + 2, sizeof(*env));
	if (!env)
		return NULL;
	for (size_t i = 0; i < n; i++)
		if (strncmp(environ[i], "TMPDIR=", 7) != 0)
			env[k++] = environ[i];
	if (asprintf(&env[k], "TMPDIR=%s", dir) < 0) {
		free(env);
		return NULL;
	}
	*mine = env[k];
	return env;
}

int backend_exec_start(struct guest *g, const char *path)
{
	int ret = 0;
	struct child_state *st = child_state_new(g, &ret);
	enum spawn_step step;

	if (!st)
		return ret;
	char *mine;
	char **env = env_with_tmpdir(st->tmpdir, &mine);
	if (!env)
		return -ENOMEM;
	char *argv[] = { (char *)path, NULL };
	struct spawn_exec x = { .path = path, .argv = argv, .envp = env, .cpu = g->cfg->cpu };
	ret = spawn_exec_piped(&x, &g->pid, &g->to_guest, &g->from_guest, &step);
	free(mine);
	free(env);
	if (ret < 0 && step == SPAWN_PIN)
		snprintf(g->reason, sizeof(g->reason), "cannot pin the agent to CPU %d: %s",
			 g->cfg->cpu, strerror(-ret));
	else if (ret < 0 && step == SPAWN_STDIO)
		snprintf(g->reason, sizeof(g->reason), "cannot give the agent its pipes: %s",
			 strerror(-ret));
	else if (ret < 0)
		snprintf(g->reason, sizeof(g->reason), "cannot run %s: %s", path, strerror(-ret));
	return ret;
}

void backend_end_process(struct guest *g, int grace_ms)
{
	json_decref(g->facts); /* when start failed after learning them */
	g->facts = NULL;
	if (g->to_guest >= 0)
		close(g->to_guest);
	if (g->from_guest >= 0)
		close(g->from_guest);
	g->to_guest = g->from_guest = -1;
	proc_terminate(g->pid, grace_ms);
	g->pid = 0;
}

void backend_child_stop(struct guest *g)
{
	struct child_state *st = g->priv;

	backend_end_process(g, 1000);
	if (st) {
		/* What the agent or its workloads left when they were killed. */
		sys_rmtree(st->tmpdir);
		runstate_forget(strrchr(st->tmpdir, '/') + 1);
		free(st);
		g->priv = NULL;
	}
}

int backend_rundir(struct guest *g, const char *tag, char *dir, size_t len)
{
	/* In the run's directory, which a killed run's guard or the next run removes. */
	const char *base = runstate_dir();

	if (!base)
		base = getenv("XDG_RUNTIME_DIR");
	if (!base || !*base || access(base, W_OK) < 0)
		base = getenv("TMPDIR");
	if (!base || !*base)
		base = "/tmp";
	if ((size_t)snprintf(dir, len, "%s/vmbench-%s-XXXXXX", base, tag) >= len) {
		dir[0] = '\0';
		snprintf(g->reason, sizeof(g->reason), "runtime directory path too long");
		return -ENAMETOOLONG;
	}
	if (!mkdtemp(dir)) { /* mkdtemp makes it 0700 */
		int ret = -errno;
		snprintf(g->reason, sizeof(g->reason),
			 "cannot create a runtime directory in %s: %s", base, strerror(errno));
		dir[0] = '\0';
		return ret;
	}
	return 0;
}

int backend_need_space(struct guest *g, const char *dir, const char *what, unsigned need_mib)
{
	struct statvfs vfs;

	if (statvfs(dir, &vfs) < 0)
		return 0; /* the start says what is wrong with dir */
	unsigned long long mib = (unsigned long long)vfs.f_bavail * vfs.f_frsize >> 20;
	if (mib >= need_mib)
		return 0;
	snprintf(g->reason, sizeof(g->reason),
		 "%.60s needs %u MiB in %.100s, which has %llu MiB free: free some space there",
		 what, need_mib, dir, mib);
	return -ENOSPC;
}

void backend_child_log(const char *rundir, const char *log)
{
	char path[PATH_MAX];
	struct rlimit no_core = { 0, 0 };

	snprintf(path, sizeof(path), "%s/%s", rundir, log);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd >= 0)
		dup2(fd, STDERR_FILENO);
	/* A guest kernel that panics may abort its host process (UML does): no core file
	 * in the user's directory. */
	setrlimit(RLIMIT_CORE, &no_core);
}

/* Whether pid has ended, within wait_ms, leaving it unreaped (WNOWAIT: stop reaps it, and
 * ends the rest of its process group). */
static bool ended(pid_t pid, int wait_ms, siginfo_t *si)
{
	for (int waited = 0; pid > 0; waited += 10) {
		memset(si, 0, sizeof(*si));
		if (waitid(P_PID, (id_t)pid, si, WEXITED | WNOHANG | WNOWAIT) == 0 &&
		    si->si_pid == pid)
			return true;
		if (waited >= wait_ms)
			break;
		struct timespec ts = { 0, 10 * 1000000 };
		nanosleep(&ts, NULL);
	}
	return false;
}

void backend_explain(struct guest *g, const char *what, const char *relayed, const char *rundir,
		     const char *log, char *buf, size_t len)
{
	siginfo_t si;
	char path[PATH_MAX], line[200];

	buf[0] = '\0';
	/* The stream ends a moment before the process does. */
	if (ended(g->pid, 300, &si)) {
		if (si.si_code == CLD_EXITED && relayed && si.si_status > 128)
			snprintf(buf, len,
				 "%s was killed by signal %d (%s): %s exited with status %d",
				 relayed, si.si_status - 128, strsignal(si.si_status - 128), what,
				 si.si_status);
		else if (si.si_code == CLD_EXITED)
			snprintf(buf, len, "%s exited with status %d", what, si.si_status);
		else
			snprintf(buf, len, "%s was killed by signal %d (%s)", what, si.si_status,
				 strsignal(si.si_status));
	}
	if (!rundir || !rundir[0])
		return;
	snprintf(path, sizeof(path), "%s/%s", rundir, log);
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	FILE *f = fd >= 0 ? fdopen(fd, "r") : NULL;
	if (!f) {
		if (fd >= 0)
			close(fd);
		return;
	}
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		util_printable(line);
		if (line[strspn(line, " \t")]) {
			util_appendf(buf, len, "%s%s says: %s", buf[0] ? "; " : "", what, line);
			break;
		}
	}
	fclose(f);
}
