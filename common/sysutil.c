/* Small system helpers shared by the agent and the harness. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <dirent.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "common/sysutil.h"

/* Deeper trees are left (each level holds a descriptor); ours are a few levels deep. */
#define RMTREE_MAX_DEPTH 64

int sys_find_program(const char *name, const char *fallback, char *out, size_t len)
{
	const char *path = getenv("PATH");
	char dirs[1024];

	snprintf(dirs, sizeof(dirs), "%s", path && *path ? path : fallback);
	for (char *save, *d = strtok_r(dirs, ":", &save); d; d = strtok_r(NULL, ":", &save)) {
		snprintf(out, len, "%s/%s", d, name);
		if (access(out, X_OK) == 0)
			return 0;
	}
	return -ENOENT;
}

/* Whether name in dirfd is the root of a mount (a bind mount of an image or a disk). */
static bool mount_root(int dirfd, const char *name, dev_t parent_dev, const struct stat *st)
{
	struct statx sx;

	if (st->st_dev != parent_dev)
		return true;
	/* A bind mount from the same file system keeps its st_dev. */
	return statx(dirfd, name, AT_SYMLINK_NOFOLLOW, 0, &sx) == 0 &&
	       (sx.stx_attributes_mask & STATX_ATTR_MOUNT_ROOT) &&
	       (sx.stx_attributes & STATX_ATTR_MOUNT_ROOT);
}

/* Empties the directory open at fd. Everything is reached through descriptors opened with
 * O_NOFOLLOW: what another user renames or swaps for a link meanwhile moves nothing
 * outside the tree under our feet. */
static void empty_dir(int fd, int depth)
{
	DIR *d = fdopendir(fd);
	struct dirent *e;
	struct stat self, st;

	if (!d) {
		close(fd);
		return;
	}
	if (fstat(fd, &self) < 0) {
		closedir(d);
		return;
	}
	while ((e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		if (fstatat(fd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 ||
		    mount_root(fd, e->d_name, self.st_dev, &st))
			continue;
		if (!S_ISDIR(st.st_mode)) {
			unlinkat(fd, e->d_name, 0);
			continue;
		}
		int sub = depth < RMTREE_MAX_DEPTH
				  ? openat(fd, e->d_name,
					   O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
				  : -1;
		if (sub >= 0) {
			empty_dir(sub, depth + 1);
			unlinkat(fd, e->d_name, AT_REMOVEDIR);
		}
	}
	closedir(d);
}

void sys_rmtree(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

	if (fd < 0)
		return;
	empty_dir(fd, 0);
	rmdir(dir);
}

int sys_fs_kind(const char *path, char *buf, size_t len)
{
	static const struct {
		unsigned long magic;
		const char *name;
	} kinds[] = {
		{ 0x01021994, "tmpfs" },    { 0x858458f6, "ramfs" },  { 0xef53, "ext2/3/4" },
		{ 0x794c7630, "overlay" },  { 0x9123683e, "btrfs" },  { 0x58465342, "xfs" },
		{ 0x6969, "nfs" },	    { 0x65735546, "fuse" },   { 0x62656572, "sysfs" },
		{ 0x9fa0, "proc" },	    { 0x1cd1, "devpts" },     { 0x01021997, "9p" },
		{ 0x73717368, "squashfs" }, { 0x28cd3d45, "cramfs" },
	};
	struct statfs st;

	if (statfs(path, &st) < 0)
		return -errno;
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if ((unsigned long)st.f_type == kinds[i].magic) {
			snprintf(buf, len, "%s", kinds[i].name);
			return 0;
		}
	snprintf(buf, len, "0x%lx", (unsigned long)st.f_type);
	return 0;
}
