/* The test disk: one raw file of pseudo-random bytes that every backend's I/O workloads use
 * (a file on the host for native and container, a drive for VMs). Created once, cached. */
#ifndef VMBENCH_TESTDISK_H
#define VMBENCH_TESTDISK_H

#include <stddef.h>
#include <stdint.h>

#include "common/compiler.h"

#define TESTDISK_DEFAULT_MIB 256

/* Makes sure the cache's test disk at path is a regular file of exactly bytes, filled with
 * data (not holes, so reads reach the device); creates it atomically when missing or of
 * another size. 0, -EINTR (interrupted), or -errno with a reason in err. */
int testdisk_ensure(const char *path, uint64_t bytes, char *err, size_t len) __must_check;
/* A test disk the user named: never created or written here. An existing regular file or
 * block device of at least 16 MiB is used as it is. 0, or -EINVAL with a reason in err. */
int testdisk_use(const char *path, char *err, size_t len) __must_check;

#endif
