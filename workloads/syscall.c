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
WL_LOOP_OPS(syscall_getppid, 0, getppid())

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

/* Where the operations put what they read: outside the loop, the same in the empty twin. */
static char sc_byte;
static struct stat sc_stat_buf;
#define SC_FILE(ctx) ((struct sc_file *)(ctx)->priv)

WL_LOOP_OPS(sc_read, 1, read(SC_FILE(ctx)->fd, &sc_byte, 1))
WL_LOOP_OPS(sc_write, 1, write(SC_FILE(ctx)->fd, &sc_byte, 1))
WL_LOOP_OPS(sc_stat, 0, stat(SC_FILE(ctx)->path, &sc_stat_buf))
WL_LOOP_OPS(sc_fstat, 0, fstat(SC_FILE(ctx)->fd, &sc_stat_buf))

/* open() and close(): 0, or -1 when either fails. */
static long sc_open_close(const char *path)
{
	int fd = open(path, O_RDONLY);

	return fd < 0 ? -1 : close(fd);
}
WL_LOOP_OPS(sc_openclose, 0, sc_open_close(SC_FILE(ctx)->path))

#define SYSCALL_WORKLOAD(sym, nm, sum, setup_fn, loop, ...)                     \
	const struct workload_ops workload_##sym = { .abi = WORKLOAD_ABI,       \
						     .name = nm,                \
						     .summary = sum,            \
						     .unit = "ns/op",           \
						     .better = BETTER_LOWER,    \
						     .flags = WL_SUBTRACT_LOOP, \
						     .setup = setup_fn,         \
						     .teardown = sc_teardown,   \
						     .op = loop##_op,           \
						     .empty = loop##_empty,     \
						     __VA_ARGS__ }

SYSCALL_WORKLOAD(syscall_getppid, "syscall.getppid",
		 "null system call: getppid() (lmbench lat_syscall null)", NULL, syscall_getppid,
		 .lmbench = "null call", .plots = PLOT_TRAPS, .plot_order = 1);
SYSCALL_WORKLOAD(syscall_read, "syscall.read", "read 1 byte from /dev/zero (lat_syscall read)",
		 sc_read_setup, sc_read, .lmbench = "read");
SYSCALL_WORKLOAD(syscall_write, "syscall.write", "write 1 byte to /dev/null (lat_syscall write)",
		 sc_write_setup, sc_write, .lmbench = "write");
SYSCALL_WORKLOAD(syscall_stat, "syscall.stat", "stat() of a file in $TMPDIR (lat_syscall stat)",
		 sc_file_setup, sc_stat, .lmbench = "stat");
SYSCALL_WORKLOAD(syscall_fstat, "syscall.fstat", "fstat() of an open file (lat_syscall fstat)",
		 sc_file_setup, sc_fstat, .lmbench = "fstat");
SYSCALL_WORKLOAD(syscall_openclose, "syscall.openclose",
		 "open() and close() of a file in $TMPDIR (lat_syscall open)", sc_file_setup,
		 sc_openclose, .lmbench = "open/close");
