/*
 * Block I/O through the real fio: job files in workloads/fio (next to the agent as fio/),
 * run on the test disk or file the backend provides. fio logs the IOPS or bandwidth
 * averaged over each sample interval; those are the samples. Its JSON summary gives the
 * latency percentiles.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <linux/fs.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/sysutil.h"
#include "workloads/fio_parse.h"
#include "workloads/timing.h"
#include "workloads/workload.h"

#define FIO_OUT_MAX (4u << 20)

struct fio_state {
	char fio[PATH_MAX];
	char job[PATH_MAX];
	uint64_t size;
	const char *ddir; /* "read" or "write" */
	int bw;		  /* samples are bandwidth (MB/s) rather than IOPS */
	/* The run of this phase: its directory (logs, stderr, the gate's FIFOs) and, once
	 * started, fio's pid and the read end of its stdout. */
	char dir[512];
	pid_t pid; /* also its process group: fio's job processes and their shells */
	int out_fd;
	int gate_fd; /* the gate, open for writing while fio waits at it, or -1 */
};

static uint64_t disk_size(const char *path)
{
	struct stat st;
	uint64_t bytes = 0;

	if (stat(path, &st) < 0)
		return 0;
	if (S_ISREG(st.st_mode))
		return (uint64_t)st.st_size;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		if (ioctl(fd, BLKGETSIZE64, &bytes) < 0)
			bytes = 0;
		close(fd);
	}
	return bytes;
}

/* Samples of at least 100 ms: fio's averaged logs get coarse below that. */
static uint64_t fio_interval_ms(const struct wl_req *req)
{
	uint64_t ms = req->min_sample_ns / 1000000;

	return ms < 100 ? 100 : ms;
}

static int fio_setup(struct wl_ctx *ctx)
{
	struct fio_state *st = calloc(1, sizeof(*st));
	const char *name = ctx->ops->name;

	if (!st)
		return -ENOMEM;
	st->out_fd = st->gate_fd = -1;
	if (!ctx->disk) {
		snprintf(ctx->reason, sizeof(ctx->reason), "the backend provides no test disk");
		goto unsupported;
	}
	st->size = disk_size(ctx->disk);
	if (st->size < (16u << 20)) {
		snprintf(ctx->reason, sizeof(ctx->reason),
			 "test disk %.160s is missing or under 16 MiB", ctx->disk);
		goto unsupported;
	}
	if (sys_find_program("fio", "/usr/local/bin:/usr/bin:/bin", st->fio, sizeof(st->fio)) < 0) {
		snprintf(ctx->reason, sizeof(ctx->reason), "fio is not installed in this guest");
		goto unsupported;
	}
	snprintf(st->job, sizeof(st->job), "%s/fio/%s.fio", ctx->self_dir ? ctx->self_dir : ".",
		 name);
	if (access(st->job, R_OK) < 0) {
		snprintf(ctx->reason, sizeof(ctx->reason), "job file %.180s missing", st->job);
		goto unsupported;
	}
	st->ddir = strstr(name, "write") ? "write" : "read";
	st->bw = strncmp(name, "io.seq", 6) == 0;
	ctx->priv = st;
	/* The whole run (ramp, reps + 2 intervals, start-up) spread over the reps: what the
	 * host's patience is based on. */
	uint64_t interval = fio_interval_ms(ctx->req) * 1000000;
	uint64_t reps = ctx->req->reps, ramp = ctx->req->warmup ? ctx->req->warmup : 1;
	ctx->est_sample_ns = (interval * (reps + 2 + ramp) + 2000000000ull) / reps;
	return 0;
unsupported:
	free(st);
	return -ENOTSUP;
}

/* Removes what a run left in st->dir (fio's logs, stderr, prerun output, the FIFOs). */
static void fio_clean_dir(struct fio_state *st)
{
	if (st->dir[0])
		sys_rmtree(st->dir);
	st->dir[0] = '\0';
}

/* Ends what a run left: fio and its job processes (the group, so that none is left
 * waiting at the gate) when it was started and not collected, then its directory. */
static void fio_abandon(struct fio_state *st)
{
	if (st->pid > 0) {
		kill(-st->pid, SIGKILL);
		while (waitpid(st->pid, NULL, 0) < 0 && errno == EINTR)
			;
		/* Where the agent is a container's init, the job processes and their shells
		 * become its children: reap those of the group that it has. */
		while (waitpid(-st->pid, NULL, WNOHANG) > 0)
			;
	}
	if (st->out_fd >= 0)
		close(st->out_fd);
	if (st->gate_fd >= 0)
		close(st->gate_fd);
	st->pid = 0;
	st->out_fd = st->gate_fd = -1;
	fio_clean_dir(st);
}

static void fio_teardown(struct wl_ctx *ctx)
{
	if (ctx->priv)
		fio_abandon(ctx->priv);
	free(ctx->priv);
	ctx->priv = NULL;
}

/* Starts argv in dir (fio writes its prerun output into its working directory), stdin
 * from /dev/null, stdout into a pipe whose read end is st->out_fd, stderr into
 * dir/stderr. 0 or -errno. */
static int fio_spawn(struct fio_state *st, char *const argv[])
{
	int fds[2];
	pid_t parent = getpid();

	if (pipe2(fds, O_CLOEXEC) < 0)
		return -errno;
	pid_t pid = fork();
	if (pid < 0) {
		int e = errno;
		close(fds[0]);
		close(fds[1]);
		return -e;
	}
	if (pid == 0) {
		char errfile[600];
		snprintf(errfile, sizeof(errfile), "%s/stderr", st->dir);
		int e = open(errfile, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
		int null = open("/dev/null", O_RDONLY | O_CLOEXEC);
		/* A group of its own: fio_abandon ends fio's job processes with it. Outside the
		 * agent's group, fio must still end with the agent (fio stops its jobs on
		 * SIGTERM), or it would go on with I/O on the test disk beside the next cells. */
		setpgid(0, 0);
		prctl(PR_SET_PDEATHSIG, SIGTERM);
		if (getppid() != parent)
			_exit(125);
		if (e >= 0)
			dup2(e, STDERR_FILENO);
		if (null < 0 || chdir(st->dir) < 0) {
			perror("fio's directory or /dev/null");
			_exit(126);
		}
		dup2(null, STDIN_FILENO);
		dup2(fds[1], STDOUT_FILENO);
		execv(argv[0], argv);
		_exit(127);
	}
	close(fds[1]);
	setpgid(pid, pid); /* as the child does: whichever runs first */
	st->pid = pid;
	st->out_fd = fds[0];
	return 0;
}

/* Reads fio's stdout to its end into out (at most FIO_OUT_MAX bytes, NUL-terminated) and
 * waits for it. Its exit status, or -errno. */
static int fio_collect(struct fio_state *st, char **out)
{
	size_t n = 0, cap = 65536;
	char *buf = malloc(cap + 1);
	int status;

	if (!buf)
		return -ENOMEM;
	for (;;) {
		if (n == cap && cap < FIO_OUT_MAX) {
			char *nb = realloc(buf, cap * 2 + 1);
			if (!nb)
				break;
			buf = nb;
			cap *= 2;
		}
		if (n == cap) {
			char sink[4096];
			if (read(st->out_fd, sink, sizeof(sink)) <= 0)
				break;
			continue;
		}
		ssize_t r = read(st->out_fd, buf + n, cap - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		n += (size_t)r;
	}
	close(st->out_fd);
	st->out_fd = -1;
	buf[n] = '\0';
	*out = buf;
	pid_t pid = st->pid;
	st->pid = 0;
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -errno;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "re");
	char *buf = NULL;
	size_t cap = 0, n = 0;

	if (!f)
		return NULL;
	for (;;) {
		if (n + 4096 + 1 > cap) {
			if (cap * 2 + 8192 > FIO_OUT_MAX)
				break; /* keep what fits */
			char *nb = realloc(buf, cap * 2 + 8192);
			if (!nb)
				break;
			buf = nb;
			cap = cap * 2 + 8192;
		}
		size_t r = fread(buf + n, 1, cap - n - 1, f);
		n += r;
		if (r == 0)
			break;
	}
	fclose(f);
	if (buf)
		buf[n] = '\0';
	return buf;
}

/*
 * Starts fio for one phase in a fresh directory: reps + 2 logged intervals after a ramp of
 * the warm-up's length. Gated (the counting sample): no ramp, so that fio's count of I/O is
 * all the I/O it does, and the job waits before its first I/O, in exec_prerun, until
 * fio_measure opens the gate; fio's start-up stays out of the host's window. 0 or -errno
 * with the reason in ctx->reason.
 */
static int fio_start(struct wl_ctx *ctx, const struct wl_req *req, bool gated)
{
	struct fio_state *st = ctx->priv;
	const char *tmp = getenv("TMPDIR");
	char a_file[PATH_MAX + 16], a_size[48], a_run[48], a_ramp[48], a_avg[48], a_iops[700],
		a_bw[700], a_gate[1400];
	uint64_t interval_ms = fio_interval_ms(req);

	snprintf(st->dir, sizeof(st->dir), "%.400s/vmbench-fio-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(st->dir)) {
		st->dir[0] = '\0';
		snprintf(ctx->reason, sizeof(ctx->reason), "no temporary directory for fio's logs");
		return -errno;
	}
	snprintf(a_file, sizeof(a_file), "--filename=%s", ctx->disk);
	snprintf(a_size, sizeof(a_size), "--size=%llu", (unsigned long long)st->size);
	snprintf(a_run, sizeof(a_run), "--runtime=%llums",
		 (unsigned long long)((req->reps + 2) * interval_ms));
	snprintf(a_ramp, sizeof(a_ramp), "--ramp_time=%llums",
		 gated ? 0ull
		       : (unsigned long long)((req->warmup ? req->warmup : 1) * interval_ms));
	snprintf(a_avg, sizeof(a_avg), "--log_avg_msec=%llu", (unsigned long long)interval_ms);
	snprintf(a_iops, sizeof(a_iops), "--write_iops_log=%s/io", st->dir);
	snprintf(a_bw, sizeof(a_bw), "--write_bw_log=%s/io", st->dir);
	/* The job's shell says it is ready, then waits to read the gate: two FIFOs. The
	 * directory is quoted for the shell; one with a quote of its own cannot be. fio
	 * appends its redirection of the output (fio before 3.17: "&>", which dash takes
	 * for "run in the background"): the trailing ":" is what it applies to. */
	if (gated && strchr(st->dir, '\'')) {
		snprintf(ctx->reason, sizeof(ctx->reason), "TMPDIR with a quote: %.200s", st->dir);
		return -EINVAL;
	}
	snprintf(a_gate, sizeof(a_gate),
		 "--exec_prerun=echo > '%s/ready' && read x < '%s/go' || exit 1; :", st->dir,
		 st->dir);
	char *argv[] = { st->fio,
			 "--output-format=json",
			 a_file,
			 a_size,
			 "--time_based",
			 a_run,
			 a_ramp,
			 a_avg,
			 a_iops,
			 a_bw,
			 st->job,
			 NULL,
			 NULL };
	if (gated) {
		char fifo[600];
		for (int i = 0; i < 2; i++) {
			snprintf(fifo, sizeof(fifo), "%s/%s", st->dir, i ? "go" : "ready");
			if (mkfifo(fifo, 0600) < 0) {
				snprintf(ctx->reason, sizeof(ctx->reason), "mkfifo: %s",
					 strerror(errno));
				return -errno;
			}
		}
		argv[10] = a_gate;
		argv[11] = st->job;
	}
	int ret = fio_spawn(st, argv);
	if (ret < 0)
		snprintf(ctx->reason, sizeof(ctx->reason), "cannot start fio: %s", strerror(-ret));
	return ret;
}

/* How long fio may take to reach the gate: its start-up, under emulation too. */
#define FIO_GATE_MS 120000

/* Waits until the gated job says it is ready; -EIO with the reason when fio ends first,
 * -ETIMEDOUT when it never gets there. */
static int fio_wait_gate(struct wl_ctx *ctx, struct fio_state *st)
{
	char path[600], c;
	snprintf(path, sizeof(path), "%s/ready", st->dir);
	/* Non-blocking, so that a fio that dies before the gate cannot leave us waiting. */
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	for (uint64_t t0 = timing_now_ns(); timing_now_ns() - t0 < FIO_GATE_MS * 1000000ull;) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		/* No writer yet is POLLHUP at once: sleep the 100 ms then. */
		int r = poll(&p, 1, 100);
		if (r > 0 && read(fd, &c, 1) == 1) {
			close(fd);
			return 0;
		}
		if (r > 0 && !(p.revents & POLLIN))
			usleep(100000);
		/* Not reaped here: fio_abandon kills the group, whose id stays fio's pid until
		 * then. */
		siginfo_t si = { 0 };
		if (waitid(P_PID, (id_t)st->pid, &si, WEXITED | WNOHANG | WNOWAIT) == 0 &&
		    si.si_pid == st->pid) {
			close(fd);
			snprintf(path, sizeof(path), "%s/stderr", st->dir);
			char *e = slurp(path);
			snprintf(ctx->reason, sizeof(ctx->reason),
				 "fio ended before its first I/O: %.200s",
				 e && *e ? strtok(e, "\n") : "(no message)");
			free(e);
			return -EIO;
		}
	}
	close(fd);
	snprintf(ctx->reason, sizeof(ctx->reason), "fio did not reach its first I/O in %d s",
		 FIO_GATE_MS / 1000);
	return -ETIMEDOUT;
}

/* Before READY of the counting sample: fio started and waiting at the gate, which is open
 * for writing here (read and write: never blocks, whether or not the job's shell still
 * waits), so that opening it later cannot hang on a job that died. */
static int fio_arm(struct wl_ctx *ctx, const struct wl_req *req)
{
	struct fio_state *st = ctx->priv;
	char path[600];

	if (!req->counting)
		return 0;
	int ret = fio_start(ctx, req, true);
	if (ret == 0) {
		snprintf(path, sizeof(path), "%s/go", st->dir);
		st->gate_fd = open(path, O_RDWR | O_CLOEXEC);
		ret = st->gate_fd < 0 ? -errno : fio_wait_gate(ctx, st);
		if (st->gate_fd < 0)
			snprintf(ctx->reason, sizeof(ctx->reason), "cannot open fio's gate: %s",
				 strerror(-ret));
	}
	if (ret < 0)
		fio_abandon(st);
	return ret;
}

static int fio_measure(struct wl_ctx *ctx, const struct wl_req *req, double *samples)
{
	struct fio_state *st = ctx->priv;
	char path[600], *out = NULL, *log = NULL;
	struct fio_summary sum;
	int ret = 0;

	if (st->gate_fd >= 0) {
		/* Opening the gate: the line the job's shell waits to read. It stays open until
		 * fio is done (fio_abandon): a FIFO that nobody has open loses what it holds,
		 * and the shell may open it only after this write. */
		if (write(st->gate_fd, "\n", 1) != 1)
			ret = -errno;
	} else {
		ret = fio_start(ctx, req, false);
	}
	if (ret < 0)
		goto out;
	ret = fio_collect(st, &out);
	if (ret != 0) {
		snprintf(path, sizeof(path), "%s/stderr", st->dir);
		char *e = slurp(path);
		snprintf(ctx->reason, sizeof(ctx->reason), "fio exited with %d: %.200s", ret,
			 e && *e ? strtok(e, "\n") : "(no message)");
		free(e);
		ret = ret < 0 ? ret : -EIO;
		goto out;
	}
	ret = fio_parse_json(out, strlen(out), st->ddir, &sum, ctx->reason, sizeof(ctx->reason));
	if (ret < 0)
		goto out;
	snprintf(path, sizeof(path), "%s/io_%s.1.log", st->dir, st->bw ? "bw" : "iops");
	log = slurp(path);
	/* The counting sample ran without a ramp: its second interval, not its cold first. */
	double warm[2];
	size_t skip = req->counting ? 1 : 0;
	int n = log ? fio_parse_log(log, skip ? warm : samples, skip ? 2 : req->reps) : -ENOENT;
	if (n < (int)(req->reps + skip)) {
		snprintf(ctx->reason, sizeof(ctx->reason), "fio logged %d intervals, %llu needed",
			 n, (unsigned long long)(req->reps + skip));
		ret = -EIO;
		goto out;
	}
	if (skip)
		samples[0] = warm[1];
	for (uint64_t i = 0; st->bw && i < req->reps; i++)
		samples[i] = samples[i] * 1024 / 1e6; /* KiB/s to MB/s */
	/* All the I/O of the run: after a ramp, what followed it; gated, everything. */
	ctx->ops_done = sum.total_ios;
	json_object_set_new(ctx->extra, "fio_version", json_string(sum.version));
	json_object_set_new(ctx->extra, "iops", json_real(sum.iops));
	json_object_set_new(ctx->extra, "MB_per_s", json_real(sum.bw_bytes / 1e6));
	json_object_set_new(ctx->extra, "lat_mean_us", json_real(sum.lat_mean_ns / 1e3));
	json_object_set_new(ctx->extra, "clat_p50_us", json_real(sum.clat_p50_ns / 1e3));
	json_object_set_new(ctx->extra, "clat_p99_us", json_real(sum.clat_p99_ns / 1e3));
	json_object_set_new(ctx->extra, "interval_ms",
			    json_integer((json_int_t)fio_interval_ms(req)));
	json_object_set_new(ctx->extra, "size_bytes", json_integer((json_int_t)st->size));
	ret = 0;
out:
	free(out);
	free(log);
	fio_abandon(st);
	return ret;
}

#define FIO_WORKLOAD(sym, nm, u, fl, pl, order, sum) \
	const struct workload_ops workload_##sym = { \
		.abi = WORKLOAD_ABI,                 \
		.name = nm,                          \
		.summary = sum,                      \
		.unit = u,                           \
		.better = BETTER_HIGHER,             \
		.needs = WL_NEEDS_DISK,              \
		.flags = fl,                         \
		.plots = pl,                         \
		.plot_order = order,                 \
		.setup = fio_setup,                  \
		.teardown = fio_teardown,            \
		.measure = fio_measure,              \
		.arm = fio_arm,                      \
	}

FIO_WORKLOAD(io_randread4k_qd1, "io.randread4k.qd1", "IOPS", 0, PLOT_FIO | PLOT_TRAPS, 4,
	     "fio: 4 KiB random reads, QD1, psync, direct");
FIO_WORKLOAD(io_randwrite4k_qd1, "io.randwrite4k.qd1", "IOPS", WL_WRITES_DISK, PLOT_FIO, 5,
	     "fio: 4 KiB random writes, QD1, psync, direct");
FIO_WORKLOAD(io_randread4k_qd32, "io.randread4k.qd32", "IOPS", 0, PLOT_FIO, 6,
	     "fio: 4 KiB random reads, QD32, libaio, direct");
FIO_WORKLOAD(io_seqread1m, "io.seqread1m", "MB/s", 0, 0, 0, "fio: 1 MiB sequential reads, direct");
FIO_WORKLOAD(io_seqwrite1m, "io.seqwrite1m", "MB/s", WL_WRITES_DISK, 0, 0,
	     "fio: 1 MiB sequential writes, direct");
