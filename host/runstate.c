/* A run's footprint on the host, findable after a kill: see runstate.h. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/sysutil.h"
#include "host/process.h"
#include "host/runstate.h"
#include "host/util.h"

/* A leftover's note is its undo kind, then one word per line. */
#define NOTE_MAX_WORDS 24
/* Processes get SIGKILL; their exit takes a moment before the cgroup can go. */
#define CGROUP_GONE_MS 3000
/* A container runtime's delete. */
#define UNDO_RUN_TIMEOUT_MS 20000

static const char *const undo_names[] = { "rmtree", "rmdir", "run", "umount" };

static char run_dir[PATH_MAX];
static char run_cgroup[PATH_MAX];
static int cgroup_fd = -1;

int runstate_base(char *buf, size_t len)
{
	const char *env = getenv("VMBENCH_STATE_DIR"), *xdg = getenv("XDG_RUNTIME_DIR");
	struct stat st;
	int n;

	if (env && *env)
		n = snprintf(buf, len, "%s", env);
	else if (geteuid() == 0)
		n = snprintf(buf, len, "/run/vmbench");
	else if (xdg && *xdg && access(xdg, W_OK) == 0)
		n = snprintf(buf, len, "%s/vmbench", xdg);
	else
		n = snprintf(buf, len, "/tmp/vmbench-%u", (unsigned)geteuid());
	if (n < 0 || (size_t)n >= len)
		return -ENAMETOOLONG;
	if (mkdir(buf, 0700) < 0 && errno != EEXIST)
		return -errno;
	/* What is in it is run (a runtime's delete) and removed: it must be ours alone. */
	if (lstat(buf, &st) < 0)
		return -errno;
	if (!S_ISDIR(st.st_mode) || st.st_uid != geteuid() || (st.st_mode & 022))
		return -EPERM;
	return 0;
}

/* The start time of process pid (clock ticks since boot), which tells it from a later
 * process given the same pid; 0 when it does not exist or has ended (a zombie, which its
 * parent has not reaped yet, holds nothing any more). */
static unsigned long long start_time(int pid)
{
	char path[64], buf[1024], state = 0;
	unsigned long long start = 0;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	if (util_read_line(path, buf, sizeof(buf)) < 0)
		return 0;
	/* The command name may hold spaces and parentheses: fields count from the last ')'. */
	const char *p = strrchr(buf, ')');
	if (!p || sscanf(p + 1,
			 " %c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %*u %*u %*d %*d "
			 "%*d %*d %*d %*d %llu",
			 &state, &start) != 2)
		return 0;
	return state == 'Z' || state == 'X' ? 0 : start;
}

bool runstate_alive(const char *name)
{
	int pid;
	unsigned long long start;
	char end;

	if (sscanf(name, "%d.%llu%c", &pid, &start, &end) != 2 || pid <= 0)
		return true; /* not a run's: never touched */
	return start_time(pid) == start;
}

/* The mount point of the cgroup v2 hierarchy, or -ENOENT; its root (the cgroup it shows,
 * "/" unless a subtree is mounted) into root when not NULL. */
static int cgroup2_mount_root(char *buf, size_t len, char *root, size_t rootlen)
{
	FILE *f = fopen("/proc/self/mountinfo", "re");
	char line[1024];
	int ret = -ENOENT;

	while (f && fgets(line, sizeof(line), f)) {
		char mnt[PATH_MAX], sub[PATH_MAX];
		const char *sep = strstr(line, " - ");
		if (!sep || strncmp(sep, " - cgroup2 ", 11) != 0 ||
		    sscanf(line, "%*s %*s %*s %4095s %4095s", sub, mnt) != 2)
			continue;
		if ((size_t)snprintf(buf, len, "%s", mnt) < len &&
		    (!root || (size_t)snprintf(root, rootlen, "%s", sub) < rootlen))
			ret = 0;
		break;
	}
	if (f)
		fclose(f);
	return ret;
}

static int cgroup2_mount(char *buf, size_t len)
{
	return cgroup2_mount_root(buf, len, NULL, 0);
}

/* The cgroup v2 directory this process is in, from /proc/self/cgroup's "0::" line. */
static int own_cgroup(char *buf, size_t len)
{
	char mnt[PATH_MAX], line[PATH_MAX], root[PATH_MAX];
	FILE *f = fopen("/proc/self/cgroup", "re");
	int ret = -ENOENT;

	if (cgroup2_mount_root(mnt, sizeof(mnt), root, sizeof(root)) < 0) {
		if (f)
			fclose(f);
		return -ENOENT;
	}
	size_t rn = strcmp(root, "/") ? strlen(root) : 0;
	while (f && fgets(line, sizeof(line), f)) {
		if (strncmp(line, "0::/", 4))
			continue;
		line[strcspn(line, "\n")] = '\0';
		/* Relative to the mount's root (a subtree may be mounted); "/" is the root, as a
		 * cgroup namespace's root shows too. */
		const char *rel = line + 3;
		if (rn && !(!strncmp(rel, root, rn) && (rel[rn] == '/' || !rel[rn])))
			break; /* not below what is mounted: not reachable here */
		rel += rn;
		if (!strcmp(rel, "/"))
			rel = "";
		if ((size_t)snprintf(buf, len, "%s%s", mnt, rel) < len && !strstr(rel, ".."))
			ret = 0;
		break;
	}
	if (f)
		fclose(f);
	return ret;
}

/* A cgroup this run may have made: a directory called vmbench-* below the cgroup v2
 * mount, and nothing else (the path comes from a file). */
static bool run_cgroup_path(const char *path)
{
	char mnt[PATH_MAX];
	size_t n;
	const char *last = strrchr(path, '/');

	if (cgroup2_mount(mnt, sizeof(mnt)) < 0 || !last)
		return false;
	n = strlen(mnt);
	return !strncmp(path, mnt, n) && path[n] == '/' && !strncmp(last, "/vmbench-", 9) &&
	       !strstr(path, "..");
}

/* In the cgroup vmbench was started in (a user's session, a CI job's): the run's processes
 * stay where whoever started it counts and limits them. */
static int make_cgroup(const char *name)
{
	char parent[PATH_MAX], path[PATH_MAX + 32];

	if (own_cgroup(parent, sizeof(parent)) < 0)
		return -ENOENT;
	if ((size_t)snprintf(run_cgroup, sizeof(run_cgroup), "%s/vmbench-%s", parent, name) >=
	    sizeof(run_cgroup)) {
		run_cgroup[0] = '\0';
		return -ENAMETOOLONG;
	}
	if (mkdir(run_cgroup, 0755) < 0) {
		run_cgroup[0] = '\0';
		return -errno;
	}
	snprintf(path, sizeof(path), "%s/cgroup.procs", run_cgroup);
	cgroup_fd = open(path, O_WRONLY | O_CLOEXEC);
	if (cgroup_fd < 0) {
		int ret = -errno;
		rmdir(run_cgroup);
		run_cgroup[0] = '\0';
		return ret;
	}
	snprintf(path, sizeof(path), "%s/cgroup", run_dir);
	return util_write_atomic(path, run_cgroup, strlen(run_cgroup));
}

int runstate_open(char *err, size_t len)
{
	char base[PATH_MAX], name[64], notes[PATH_MAX + 8];
	int ret = runstate_base(base, sizeof(base));

	if (ret < 0) {
		snprintf(err, len, "cannot use %s for the run's state: %s",
			 ret == -EPERM ? "a directory not private to this user" : "its directory",
			 strerror(-ret));
		return ret;
	}
	unsigned long long start = start_time(getpid());
	if (!start) {
		snprintf(err, len, "cannot read this process's start time from /proc");
		return -ENOENT;
	}
	snprintf(name, sizeof(name), "%d.%llu", (int)getpid(), start);
	if ((size_t)snprintf(run_dir, sizeof(run_dir), "%s/%s", base, name) >= sizeof(run_dir)) {
		run_dir[0] = '\0';
		snprintf(err, len, "the state directory's path is too long: %.200s", base);
		return -ENAMETOOLONG;
	}
	snprintf(notes, sizeof(notes), "%s/notes", run_dir);
	if (mkdir(run_dir, 0700) < 0 || mkdir(notes, 0700) < 0) {
		ret = -errno;
		snprintf(err, len, "cannot create %s: %s", run_dir, strerror(errno));
		run_dir[0] = '\0';
		return ret;
	}
	/* Without a cgroup (not root, no cgroup v2), children still die with the run
	 * (PR_SET_PDEATHSIG); only their own children can outlive a kill. */
	(void)make_cgroup(name);
	return 0;
}

const char *runstate_dir(void)
{
	return run_dir[0] ? run_dir : NULL;
}

int runstate_cgroup_fd(void)
{
	return cgroup_fd;
}

void runstate_leave(void)
{
	if (cgroup_fd >= 0)
		close(cgroup_fd);
	cgroup_fd = -1;
}

void runstate_note(const char *name, enum runstate_undo how, const char *const *words)
{
	char path[PATH_MAX + 64], text[4096];
	size_t n = 0;

	if (!run_dir[0] || strchr(name, '/'))
		return;
	n += (size_t)snprintf(text, sizeof(text), "%s\n", undo_names[how]);
	for (size_t i = 0; words[i] && i < NOTE_MAX_WORDS && n < sizeof(text); i++)
		n += (size_t)snprintf(text + n, sizeof(text) - n, "%s\n", words[i]);
	if (n >= sizeof(text))
		return;
	/* Whole or not at all (a kill may come at any time), but no fsync: it is for a kill
	 * of this run, not for a crash of the host. */
	char tmp[PATH_MAX + 64];
	snprintf(path, sizeof(path), "%s/notes/%s", run_dir, name);
	snprintf(tmp, sizeof(tmp), "%s/notes/.%s", run_dir, name);
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0)
		return;
	bool whole = write(fd, text, n) == (ssize_t)n;
	close(fd);
	if (!whole || rename(tmp, path) < 0)
		unlink(tmp);
}

void runstate_forget(const char *name)
{
	char path[PATH_MAX + 64];

	if (!run_dir[0] || strchr(name, '/'))
		return;
	snprintf(path, sizeof(path), "%s/notes/%s", run_dir, name);
	unlink(path);
}

/* A write to a kernel file (cgroupfs), which takes no temporary file. */
static int write_word(const char *path, const char *word)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	int ret = fd >= 0 && write(fd, word, strlen(word)) == (ssize_t)strlen(word) ? 0 : -errno;

	if (fd >= 0)
		close(fd);
	return ret;
}

static void said_add(char *said, size_t len, const char *what)
{
	util_appendf(said, len, "%s%s", said[0] ? ", " : "", what);
}

/* Kills every process of the cgroup at path and removes it; how many there were. */
static int end_cgroup(const char *path, char *said, size_t len)
{
	char file[PATH_MAX + 32], buf[PATH_MAX + 32];
	int procs = 0;

	snprintf(file, sizeof(file), "%s/cgroup.procs", path);
	for (int waited = 0; rmdir(path) < 0 && errno == EBUSY; waited += 20) {
		FILE *f = fopen(file, "re");
		int n = 0;
		/* cgroup.kill (Linux 5.14) kills at once, also what forks meanwhile; the loop
		 * below is for older kernels and catches up. */
		snprintf(buf, sizeof(buf), "%s/cgroup.kill", path);
		(void)write_word(buf, "1");
		while (f && fgets(buf, sizeof(buf), f)) {
			int pid = atoi(buf);
			if (pid > 0 && kill(pid, SIGKILL) == 0)
				n++;
		}
		if (f)
			fclose(f);
		procs = n > procs ? n : procs;
		if (waited >= CGROUP_GONE_MS)
			break;
		usleep(20 * 1000);
	}
	if (procs) {
		snprintf(buf, sizeof(buf), "%d process%s", procs, procs == 1 ? "" : "es");
		said_add(said, len, buf);
	}
	return procs;
}

/* Undoes one note of kind how (none of another kind); 1 when it removed something. Paths
 * and programs come from a file in the run's private directory, and are still held to what
 * a run writes. */
static int undo_note(const char *path, enum runstate_undo how, char *said, size_t len)
{
	char *text = util_read_file(path, 8192, NULL), *words[NOTE_MAX_WORDS + 1];
	size_t n = 0;
	int done = 0;

	for (char *save = NULL, *w = text ? strtok_r(text, "\n", &save) : NULL;
	     w && n < NOTE_MAX_WORDS; w = strtok_r(NULL, "\n", &save))
		words[n++] = w;
	words[n] = NULL;
	if (n && strcmp(words[0], undo_names[how])) {
		free(text);
		return 0;
	}
	if (n >= 2 && !strcmp(words[0], undo_names[UNDO_RMTREE]) && words[1][0] == '/' &&
	    strstr(words[1], "/vmbench-") && !strstr(words[1], "..")) {
		struct stat st;
		if (lstat(words[1], &st) == 0 && S_ISDIR(st.st_mode)) {
			sys_rmtree(words[1]);
			said_add(said, len, words[1]);
			done = 1;
		}
	} else if (n >= 2 && !strcmp(words[0], undo_names[UNDO_RMDIR])) {
		for (size_t i = 1; i < n; i++)
			if (words[i][0] == '/' && rmdir(words[i]) == 0) {
				said_add(said, len, words[i]);
				done++;
			}
	} else if (n >= 2 && !strcmp(words[0], undo_names[UNDO_UMOUNT])) {
		for (size_t i = 1; i < n; i++)
			if (words[i][0] == '/' &&
			    umount2(words[i], MNT_DETACH | UMOUNT_NOFOLLOW) == 0) {
				said_add(said, len, words[i]);
				done++;
			}
	} else if (n >= 2 && !strcmp(words[0], undo_names[UNDO_RUN]) && words[1][0] == '/') {
		char out[256];
		if (proc_capture(words + 1, out, sizeof(out), UNDO_RUN_TIMEOUT_MS) == 0) {
			char what[300];
			snprintf(what, sizeof(what), "'%.250s'", strrchr(path, '/') + 1);
			said_add(said, len, what);
			done = 1;
		}
	}
	free(text);
	unlink(path);
	return done;
}

int runstate_clean(const char *dir, char *said, size_t len)
{
	char path[PATH_MAX + 64], cg[PATH_MAX];
	struct stat st;
	int count = 0;

	/* One cleaner at a time: a killed run's guard and the next run may both find it. */
	int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (dfd < 0)
		return 0;
	if (fstat(dfd, &st) < 0 || st.st_uid != geteuid() || flock(dfd, LOCK_EX | LOCK_NB) < 0) {
		close(dfd);
		return 0;
	}
	snprintf(path, sizeof(path), "%s/cgroup", dir);
	if (util_read_line(path, cg, sizeof(cg)) == 0 && run_cgroup_path(cg))
		count += end_cgroup(cg, said, len);
	/* A container's delete before the mounts it may use go, those before the directories
	 * they are in. A note of no known kind goes with the directory, undone by none. */
	static const enum runstate_undo order[] = { UNDO_RUN, UNDO_UMOUNT, UNDO_RMDIR,
						    UNDO_RMTREE };
	DIR *d;
	struct dirent *e;
	for (size_t k = 0; k < sizeof(order) / sizeof(order[0]); k++) {
		snprintf(path, sizeof(path), "%s/notes", dir);
		d = opendir(path);
		while (d && (e = readdir(d))) {
			if (e->d_name[0] == '.')
				continue;
			snprintf(path, sizeof(path), "%s/notes/%s", dir, e->d_name);
			count += undo_note(path, order[k], said, len);
		}
		if (d)
			closedir(d);
	}
	/* The backends' runtime directories are inside. */
	bool more = false;
	d = opendir(dir);
	while (d && (e = readdir(d)))
		more |= e->d_name[0] != '.' && strcmp(e->d_name, "notes") &&
			strcmp(e->d_name, "cgroup");
	if (d)
		closedir(d);
	if (more) {
		said_add(said, len, "runtime directories");
		count++;
	}
	sys_rmtree(dir);
	close(dfd);
	return count;
}

void runstate_close(void)
{
	char said[16] = "";

	runstate_leave();
	if (run_dir[0])
		(void)runstate_clean(run_dir, said, sizeof(said));
	run_dir[0] = run_cgroup[0] = '\0';
}

int runstate_each_stale(const char *base, void (*fn)(const char *dir, int pid, void *arg),
			void *arg)
{
	DIR *d = opendir(base);
	struct dirent *e;
	int n = 0;

	while (d && (e = readdir(d))) {
		char path[PATH_MAX];
		if (e->d_name[0] == '.' || runstate_alive(e->d_name) ||
		    (size_t)snprintf(path, sizeof(path), "%s/%s", base, e->d_name) >= sizeof(path))
			continue;
		fn(path, atoi(e->d_name), arg);
		n++;
	}
	if (d)
		closedir(d);
	return n;
}
