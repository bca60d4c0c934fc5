/* The test disk: a cached raw file of pseudo-random bytes for the io.* workloads. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "common/log.h"
#include "host/process.h"
#include "harness/testdisk.h"
#include "host/util.h"

int testdisk_ensure(const char *path, uint64_t bytes, char *err, size_t len)
{
	struct stat st;
	char tmp[4096], dir[4096];
	int ret;

	if (stat(path, &st) == 0 && S_ISREG(st.st_mode) && (uint64_t)st.st_size == bytes)
		return 0;
	snprintf(dir, sizeof(dir), "%s", path);
	char *slash = strrchr(dir, '/');
	if (slash && slash != dir) {
		*slash = '\0';
		ret = util_mkdir_p(dir);
		if (ret < 0) {
			snprintf(err, len, "cannot create %s: %s", dir, strerror(-ret));
			return ret;
		}
	}
	if (snprintf(tmp, sizeof(tmp), "%s.tmp.XXXXXX", path) >= (int)sizeof(tmp))
		return -ENAMETOOLONG;
	int fd = mkstemp(tmp);
	if (fd < 0) {
		ret = -errno;
		snprintf(err, len, "cannot create the test disk %s: %s", path, strerror(errno));
		return ret;
	}
	log_info("creating the test disk %s (%llu MiB), once", path,
		 (unsigned long long)(bytes >> 20));
	enum { CHUNK = 1 << 20 };
	uint64_t *buf = malloc(CHUNK), x = 0x2545f4914f6cdd1dull;
	ret = buf ? 0 : -ENOMEM;
	for (uint64_t off = 0; ret == 0 && off < bytes; off += CHUNK) {
		if (proc_interrupted()) {
			ret = -EINTR;
			break;
		}
		size_t n = bytes - off < CHUNK ? (size_t)(bytes - off) : CHUNK;
		for (size_t i = 0; i < CHUNK / sizeof(*buf); i++) {
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			buf[i] = x;
		}
		if (pwrite(fd, buf, n, (off_t)off) != (ssize_t)n)
			ret = -errno ? -errno : -EIO;
	}
	free(buf);
	if (ret == 0 && (fsync(fd) < 0 || rename(tmp, path) < 0))
		ret = -errno;
	close(fd);
	if (ret < 0) {
		unlink(tmp);
		snprintf(err, len, "cannot write the test disk %s: %s", path, strerror(-ret));
	}
	return ret;
}

int testdisk_use(const char *path, char *err, size_t len)
{
	struct stat st;
	uint64_t size = 0;

	if (stat(path, &st) < 0) {
		/* A mistyped path must not become a new file: vmbench makes its own disk when
		 * --disk is not given. */
		snprintf(err, len,
			 "--disk %s: %s (without --disk, vmbench makes its own test disk)", path,
			 strerror(errno));
		return -EINVAL;
	}
	if (S_ISREG(st.st_mode)) {
		size = (uint64_t)st.st_size;
	} else if (S_ISBLK(st.st_mode)) {
		int fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0 || ioctl(fd, BLKGETSIZE64, &size) < 0)
			size = 0;
		if (fd >= 0)
			close(fd);
	} else {
		snprintf(err, len, "test disk %s is neither a regular file nor a block device",
			 path);
		return -EINVAL;
	}
	if (size < (16u << 20)) {
		snprintf(err, len, "test disk %s has %llu bytes, at least 16 MiB are needed", path,
			 (unsigned long long)size);
		return -EINVAL;
	}
	return 0;
}
