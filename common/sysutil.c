/* Small system helpers shared by the agent and the harness. */
#define _XOPEN_SOURCE 700
#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "common/sysutil.h"

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

static int remove_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	remove(path);
	return 0;
}

void sys_rmtree(const char *dir)
{
	/* FTW_MOUNT: never into a file system mounted below dir (a bind mount of an image). */
	nftw(dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS | FTW_MOUNT);
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
