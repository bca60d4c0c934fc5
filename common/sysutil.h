/* Small system helpers shared by the agent and the harness. */
#ifndef VMBENCH_SYSUTIL_H
#define VMBENCH_SYSUTIL_H

#include <stddef.h>

#include "common/compiler.h"

/* The first executable file called name in $PATH (or fallback when $PATH is empty) into
 * out. 0 or -ENOENT. */
int sys_find_program(const char *name, const char *fallback, char *out, size_t len) __must_check;
/* Removes dir and everything below it, not following links nor entering mounts; errors
 * are ignored (used on cleanup paths). */
void sys_rmtree(const char *dir);
/* The kind of filesystem path is on ("tmpfs", "ext4", "overlay", ..., or its magic number
 * in hex) into buf; -errno when statfs fails. Benchmarks of files compare only on the
 * same kind. */
int sys_fs_kind(const char *path, char *buf, size_t len) __must_check;

#endif
