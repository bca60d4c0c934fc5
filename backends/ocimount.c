/* Mounts for a container whose root is no host root: see ocimount.h. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "backends/ocibundle.h"
#include "backends/ocimount.h"
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
					 "the container's unprivileged root cannot reach %.100s: "
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

/* Whether the container's root (OCI_USERNS_BASE) may read and write the file st is of. */
static bool userns_rw(const struct stat *st)
{
	if (st->st_uid == OCI_USERNS_BASE)
		return (st->st_mode & 0600) == 0600;
	if (st->st_gid == OCI_USERNS_BASE)
		return (st->st_mode & 060) == 060;
	return (st->st_mode & 06) == 06;
}

/* The test disk vmbench made in its cache becomes the container root's; one the user gave
 * is used only where that user may already read and write it. */
static const char *disk_usable(const char *disk)
{
	char *cache = util_cache_dir(), real[PATH_MAX], rcache[PATH_MAX];
	struct stat st;
	bool ours = false;

	if (stat(disk, &st) < 0)
		return NULL; /* the bundle says what is wrong with it */
	if (userns_rw(&st)) {
		free(cache);
		return NULL;
	}
	if (cache && realpath(disk, real) && realpath(cache, rcache))
		ours = S_ISREG(st.st_mode) && !strncmp(real, rcache, strlen(rcache)) &&
		       real[strlen(rcache)] == '/';
	free(cache);
	if (ours && chown(disk, OCI_USERNS_BASE, OCI_USERNS_BASE) == 0)
		return NULL;
	return "the test disk is not readable and writable by the container's root, an "
	       "unprivileged host user (uid "
	       "1000000"
	       "): give it that owner or mode 0666 "
	       "for the container's io cells";
}

static int bind(struct guest *g, const char *src, const char *dst, bool dir, bool ro)
{
	int fd = dir ? mkdir(dst, 0700) : open(dst, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);

	if (fd < 0 || (!dir && close(fd) < 0) || mount(src, dst, NULL, MS_BIND, NULL) < 0 ||
	    (ro && mount(NULL, dst, NULL, MS_REMOUNT | MS_BIND | MS_RDONLY, NULL) < 0)) {
		int ret = -errno;
		snprintf(g->reason, sizeof(g->reason), "cannot bind-mount %.90s at %.90s: %s",
			 src, dst, strerror(errno));
		return ret;
	}
	return 0;
}

int oci_mounts_make(struct guest *g, const char *rundir, const char *id, struct backend_cfg *cfg,
		    struct oci_mounts *m)
{
	int ret = walkable(g, rundir);

	memset(m, 0, sizeof(*m));
	if (ret < 0 || !cfg->rootfs) /* no image: the bundle says so */
		return ret;
	snprintf(m->note, sizeof(m->note), "%s.mounts", id);
	snprintf(m->rootfs, sizeof(m->rootfs), "%s/rootfs", rundir);
	if (cfg->disk_path && (m->no_disk = disk_usable(cfg->disk_path)))
		cfg->disk_path = NULL;
	if (cfg->disk_path)
		snprintf(m->disk, sizeof(m->disk), "%s/disk", rundir);
	runstate_note(m->note, UNDO_UMOUNT,
		      (const char *const[]){ m->rootfs, m->disk[0] ? m->disk : NULL, NULL });
	ret = bind(g, cfg->rootfs, m->rootfs, true, true);
	if (ret == 0 && m->disk[0])
		ret = bind(g, cfg->disk_path, m->disk, false, false);
	if (ret < 0)
		return ret;
	cfg->rootfs = m->rootfs;
	if (m->disk[0])
		cfg->disk_path = m->disk;
	return 0;
}

void oci_mounts_undo(struct oci_mounts *m)
{
	/* Lazily: a runtime that has not quite let go does not keep them. */
	if (m->rootfs[0])
		umount2(m->rootfs, MNT_DETACH | UMOUNT_NOFOLLOW);
	if (m->disk[0])
		umount2(m->disk, MNT_DETACH | UMOUNT_NOFOLLOW);
	if (m->note[0])
		runstate_forget(m->note);
	memset(m, 0, sizeof(*m));
}
