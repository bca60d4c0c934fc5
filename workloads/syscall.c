/* System-call workloads (lmbench lat_syscall): null call, read, write, stat, fstat, open. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "workloads/workload.h"

/* lmbench's "null call": getppid enters and leaves the kernel and does almost nothing
 * there (glibc does not cache it). */
static int syscall_getppid_op(struct wl_ctx *ctx, uint64_t iters)
{
	uint64_t acc = 0;

	for (uint64_t i = 0; i < iters; i++)
		acc += (uint64_t)getppid();
	ctx->sink += acc;
	return 0;
}

/* State of the file workloads: an open descriptor and, for stat/open, a file of ours. */
struct sc_file {
	int fd;
	char path[256];
};

static int sc_open_dev(struct wl_ctx *ctx, const char *dev, int flags)
{
	struct sc_file *f = calloc(1, sizeof(*f));

	if (!f)
		return -ENOMEM;
	f->fd = open(dev, flags | O_CLOEXEC);
	if (f->fd < 0) {
		int e = errno;
		snprintf(ctx->reason, sizeof(ctx->reason), "cannot open %s: %s", dev, strerror(e));
		free(f);
		return e == ENOENT ? -ENOTSUP : -e;
	}
	ctx->priv = f;
	return 0;
}

static int sc_read_setup(struct wl_ctx *ctx)
{
	return sc_open_dev(ctx, "/dev/zero", O_RDONLY);
}

static int sc_write_setup(struct wl_ctx *ctx)
{
	return sc_open_dev(ctx, "/dev/null", O_WRONLY);
}

/* A small file in $TMPDIR (or /tmp) for stat, fstat and open. */
static int sc_file_setup(struct wl_ctx *ctx)
{
	const char *dir = getenv("TMPDIR");
	struct sc_file *f = calloc(1, sizeof(*f));

	if (!f)
		return -ENOMEM;
	snprintf(f->path, sizeof(f->path), "%s/vmbench-syscall-XXXXXX", dir && *dir ? dir : "/tmp");
	f->fd = mkstemp(f->path);
	if (f->fd < 0) {
		snprintf(ctx->reason, sizeof(ctx->reason),
			 "no writable temporary directory (%.160s): %s", f->path, strerror(errno));
		free(f);
		return -ENOTSUP;
	}
	if (write(f->fd, "vmbench\n", 8) != 8) {
		close(f->fd);
		unlink(f->path);
		free(f);
		return -EIO;
	}
	ctx->priv = f;
	return 0;
}

static void sc_teardown(struct wl_ctx *ctx)
{
	struct sc_file *f = ctx->priv;

	if (!f)
		return;
	close(f->fd);
	if (f->path[0])
		unlink(f->path);
	free(f);
	ctx->priv = NULL;
}

static int sc_read_op(struct wl_ctx *ctx, uint64_t iters)
{
	struct sc_file *f = ctx->priv;
	char c;

	for (uint64_t i = 0; i < iters; i++)
		if (read(f->fd, &c, 1) != 1)
			return -errno;
	return 0;
}

static int sc_write_op(struct wl_ctx *ctx, uint64_t iters)
{
	struct sc_file *f = ctx->priv;
	char c = 0;

	for (uint64_t i = 0; i < iters; i++)
		if (write(f->fd, &c, 1) != 1)
			return -errno;
	return 0;
}

static int sc_stat_op(struct wl_ctx *ctx, uint64_t iters)
{
	struct sc_file *f = ctx->priv;
	struct stat st;

	for (uint64_t i = 0; i < iters; i++)
		if (stat(f->path, &st) < 0)
			return -errno;
	return 0;
}

static int sc_fstat_op(struct wl_ctx *ctx, uint64_t iters)
{
	struct sc_file *f = ctx->priv;
	struct stat st;

	for (uint64_t i = 0; i < iters; i++)
		if (fstat(f->fd, &st) < 0)
			return -errno;
	return 0;
}

static int sc_openclose_op(struct wl_ctx *ctx, uint64_t iters)
{
	struct sc_file *f = ctx->priv;

	for (uint64_t i = 0; i < iters; i++) {
		int fd = open(f->path, O_RDONLY);
		if (fd < 0)
			return -errno;
		close(fd);
	}
	return 0;
}

#define SYSCALL_WORKLOAD(sym, nm, sum, setup_fn, op_fn, ...)                    \
	const struct workload_ops workload_##sym = { .abi = WORKLOAD_ABI,       \
						     .name = nm,                \
						     .summary = sum,            \
						     .unit = "ns/op",           \
						     .better = BETTER_LOWER,    \
						     .flags = WL_SUBTRACT_LOOP, \
						     .setup = setup_fn,         \
						     .teardown = sc_teardown,   \
						     .op = op_fn,               \
						     __VA_ARGS__ }

SYSCALL_WORKLOAD(syscall_getppid, "syscall.getppid",
		 "null system call: getppid() (lmbench lat_syscall null)", NULL, syscall_getppid_op,
		 .lmbench = "null call", .plots = PLOT_TRAPS, .plot_order = 1);
SYSCALL_WORKLOAD(syscall_read, "syscall.read", "read 1 byte from /dev/zero (lat_syscall read)",
		 sc_read_setup, sc_read_op, .lmbench = "read");
SYSCALL_WORKLOAD(syscall_write, "syscall.write", "write 1 byte to /dev/null (lat_syscall write)",
		 sc_write_setup, sc_write_op, .lmbench = "write");
SYSCALL_WORKLOAD(syscall_stat, "syscall.stat", "stat() of a file in $TMPDIR (lat_syscall stat)",
		 sc_file_setup, sc_stat_op, .lmbench = "stat");
SYSCALL_WORKLOAD(syscall_fstat, "syscall.fstat", "fstat() of an open file (lat_syscall fstat)",
		 sc_file_setup, sc_fstat_op, .lmbench = "fstat");
SYSCALL_WORKLOAD(syscall_openclose, "syscall.openclose",
		 "open() and close() of a file in $TMPDIR (lat_syscall open)", sc_file_setup,
		 sc_openclose_op, .lmbench = "open/close");
