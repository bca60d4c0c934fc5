/* The host user guests run as, and the paths it may reach: see guestuser.h. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <grp.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "backends/guestuser.h"
#include "common/log.h"
#include "host/runstate.h"
#include "host/util.h"

/* Lets anyone walk through dir and its parents up to the runs' state directory (they
 * list nothing: 0711). Directories outside it are the user's: they must allow it. */
static int walkable(struct guest *g, const char *dir)
{
	char base[PATH_MAX], path[PATH_MAX];
	struct stat st;

	if (runstate_base(base, sizeof(base)) < 0)
		base[0] = '\0';
	snprintf(path, sizeof(path), "%s", dir);
	for (char *slash; path[0]; *slash = '\0') {
		if (stat(path, &st) < 0)
			return -errno;
		/* dir is the container's own (backend_rundir made it), wherever it is. */
		bool ours = !strcmp(path, dir) || (base[0] && !strncmp(path, base, strlen(base)));
		if (!(st.st_mode & S_IXOTH)) {
			if (!ours || chmod(path, (st.st_mode & 07777) | 0111) < 0) {
				snprintf(g->reason, sizeof(g->reason),
					 "the guest's unprivileged host user cannot reach %.100s: "
					 "%.60s is not searchable by others",
					 dir, path);
				return -EACCES;
			}
		}
		slash = strrchr(path, '/');
		if (!slash || slash == path)
			break;
	}
	return 0;
}

/* Whether GUEST_UID may read and write the file st is of. */
static bool userns_rw(const struct stat *st)
{
	if (st->st_uid == GUEST_UID)
		return (st->st_mode & 0600) == 0600;
	if (st->st_gid == GUEST_UID)
		return (st->st_mode & 060) == 060;
	return (st->st_mode & 06) == 06;
}

/* The test disk vmbench made in its cache (testdisk-*.raw, right in it) becomes the guest
 * user's; one the user gave, or any other file, is used only where that user may already
 * read and write it. */
static const char *disk_usable(const char *disk)
{
	char *cache = util_cache_dir(), real[PATH_MAX], rcache[PATH_MAX];
	struct stat st;
	bool ours = false;

	if (stat(disk, &st) < 0 || userns_rw(&st)) {
		free(cache); /* a disk that is not there: the bundle says what is wrong */
		return NULL;
	}
	if (cache && realpath(disk, real) && realpath(cache, rcache)) {
		size_t n = strlen(rcache);
		const char *name = real + n + 1;
		ours = S_ISREG(st.st_mode) && !strncmp(real, rcache, n) && real[n] == '/' &&
		       !strchr(name, '/') && !strncmp(name, "testdisk-", 9) && strlen(name) > 13 &&
		       !strcmp(name + strlen(name) - 4, ".raw");
	}
	free(cache);
	/* By descriptor, never through a link swapped in since realpath: the file checked is
	 * the one given away, and only a file of ours. */
	int fd = ours ? open(real, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC) : -1;
	struct stat fst;
	bool given = fd >= 0 && fstat(fd, &fst) == 0 && S_ISREG(fst.st_mode) &&
		     fst.st_uid == geteuid() && fst.st_dev == st.st_dev &&
		     fst.st_ino == st.st_ino && fchown(fd, GUEST_UID, GUEST_UID) == 0;
	if (fd >= 0)
		close(fd);
	if (given)
		return NULL;
	return "the test disk is not readable and writable by the guest's unprivileged host "
	       "user (uid 1000000): give it that owner or mode 0666 for the io cells";
}

static int bind(struct guest *g, const char *src, const char *dst, bool dir, bool ro)
{
	int fd = dir ? mkdir(dst, 0700) : open(dst, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);

	if (fd < 0 || (!dir && close(fd) < 0) || mount(src, dst, NULL, MS_BIND, NULL) < 0 ||
	    (ro && mount(NULL, dst, NULL, MS_REMOUNT | MS_BIND | MS_RDONLY, NULL) < 0)) {
		int ret = -errno;
		snprintf(g->reason, sizeof(g->reason), "cannot bind-mount %.90s at %.90s: %s", src,
			 dst, strerror(errno));
		return ret;
	}
	return 0;
}

/* Whose subordinate ids (/etc/subuid, /etc/subgid: another user's containers, LXD's)
 * include GUEST_UID, into who; false when no one's do. */
static bool subid_owner(char *who, size_t len)
{
	const char *files[] = { "/etc/subuid", "/etc/subgid" };
	char line[256];

	for (size_t i = 0; i < 2; i++) {
		FILE *f = fopen(files[i], "re");
		while (f && fgets(line, sizeof(line), f)) {
			char name[128];
			unsigned long long start, count;
			if (sscanf(line, "%127[^:]:%llu:%llu", name, &start, &count) == 3 &&
			    start <= GUEST_UID && GUEST_UID - start < count) {
				snprintf(who, len, "%s (%s)", name, files[i]);
				fclose(f);
				return true;
			}
		}
		if (f)
			fclose(f);
	}
	return false;
}

int guestuser_paths(struct guest *g, const char *rundir, const char *name, unsigned what,
		    struct backend_cfg *cfg, struct guest_paths *p)
{
	int ret = walkable(g, rundir);
	static bool said;
	char who[200];

	if (!said && subid_owner(who, sizeof(who)))
		log_warn("uid %u, which guests run as, is among the subordinate ids of %s: a "
			 "guest that escaped would own that user's container files",
			 GUEST_UID, who);
	said = true;

	memset(p, 0, sizeof(*p));
	if (ret < 0)
		return ret;
	snprintf(p->note, sizeof(p->note), "%s.mounts", name);
	if ((what & GU_ROOTFS) && cfg->rootfs)
		snprintf(p->rootfs, sizeof(p->rootfs), "%s/rootfs", rundir);
	if ((what & GU_INITRD) && cfg->initrd)
		snprintf(p->initrd, sizeof(p->initrd), "%s/initrd", rundir);
	if (cfg->disk_path && (p->no_disk = disk_usable(cfg->disk_path)))
		cfg->disk_path = NULL;
	if (cfg->disk_path)
		snprintf(p->disk, sizeof(p->disk), "%s/disk", rundir);
	const char *points[4];
	size_t n = 0;
	for (const char *m[] = { p->rootfs, p->initrd, p->disk }, **q = m; q < m + 3; q++)
		if ((*q)[0])
			points[n++] = *q;
	points[n] = NULL;
	runstate_note(p->note, UNDO_UMOUNT, points);
	if (p->rootfs[0] && (ret = bind(g, cfg->rootfs, p->rootfs, true, true)) < 0)
		return ret;
	if (p->initrd[0] && (ret = bind(g, cfg->initrd, p->initrd, false, true)) < 0)
		return ret;
	if (p->disk[0] && (ret = bind(g, cfg->disk_path, p->disk, false, false)) < 0)
		return ret;
	if (p->rootfs[0])
		cfg->rootfs = p->rootfs;
	if (p->initrd[0])
		cfg->initrd = p->initrd;
	if (p->disk[0])
		cfg->disk_path = p->disk;
	return 0;
}

void guestuser_undo(struct guest_paths *p)
{
	/* Lazily: a process that has not quite let go does not keep them. */
	for (const char *m[] = { p->rootfs, p->initrd, p->disk }, **q = m; q < m + 3; q++)
		if ((*q)[0])
			umount2(*q, MNT_DETACH | UMOUNT_NOFOLLOW);
	if (p->note[0])
		runstate_forget(p->note);
	memset(p, 0, sizeof(*p));
}

int guestuser_become(void)
{
	pid_t parent = getppid();

	if (setgroups(0, NULL) < 0 || setgid(GUEST_UID) < 0 || setuid(GUEST_UID) < 0)
		return -errno;
	/* A change of credentials clears the parent-death signal. */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	return getppid() == parent ? 0 : -ESRCH;
}
