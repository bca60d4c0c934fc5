/*
 * Block I/O through the real fio: job files in workloads/fio (next to the agent as fio/),
 * run on the test disk or file the backend provides. fio logs the IOPS or bandwidth
 * averaged over each sample interval; those are the samples. Its JSON summary gives the
 * latency percentiles.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/fs.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "workloads/fio_parse.h"
#include "common/sysutil.h"
#include "workloads/workload.h"

#define FIO_OUT_MAX (4u << 20)

struct fio_state {
	char fio[PATH_MAX];
	char job[PATH_MAX];
	uint64_t size;
	const char *ddir; /* "read" or "write" */
	int bw;		  /* samples are bandwidth (MB/s) rather than IOPS */
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

static void fio_teardown(struct wl_ctx *ctx)
{
	free(ctx->priv);
	ctx->priv = NULL;
}

/* Runs argv with stdout into out (at most FIO_OUT_MAX bytes, NUL-terminated) and stderr
 * into errfile. Returns the exit status, or -errno. */
static int run_capture(char *const argv[], const char *errfile, char **out)
{
	int fds[2], status;
	size_t n = 0, cap = 65536;
	char *buf = malloc(cap + 1);

	if (!buf)
		return -ENOMEM;
	if (pipe2(fds, O_CLOEXEC) < 0) {
		free(buf);
		return -errno;
	}
	pid_t pid = fork();
	if (pid < 0) {
		int e = errno;
		close(fds[0]);
		close(fds[1]);
		free(buf);
		return -e;
	}
	if (pid == 0) {
		int e = open(errfile, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		int null = open("/dev/null", O_RDONLY);
		dup2(null, STDIN_FILENO);
		dup2(fds[1], STDOUT_FILENO);
		if (e >= 0)
			dup2(e, STDERR_FILENO);
		execv(argv[0], argv);
		_exit(127);
	}
	close(fds[1]);
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
			if (read(fds[0], sink, sizeof(sink)) <= 0)
				break;
			continue;
		}
		ssize_t r = read(fds[0], buf + n, cap - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		n += (size_t)r;
	}
	close(fds[0]);
	buf[n] = '\0';
	*out = buf;
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

static int fio_measure(struct wl_ctx *ctx, const struct wl_req *req, double *samples)
{
	struct fio_state *st = ctx->priv;
	const char *tmp = getenv("TMPDIR");
	char dir[512], errfile[640], logbase[640], logfile[700];
	char a_file[PATH_MAX + 16], a_size[48], a_run[48], a_ramp[48], a_avg[48], a_iops[700],
		a_bw[700];
	char *out = NULL, *log = NULL;
	struct fio_summary sum;
	int ret;

	uint64_t interval_ms = fio_interval_ms(req);
	snprintf(dir, sizeof(dir), "%.400s/vmbench-fio-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(dir)) {
		snprintf(ctx->reason, sizeof(ctx->reason), "no temporary directory for fio's logs");
		return -errno;
	}
	snprintf(errfile, sizeof(errfile), "%s/stderr", dir);
	snprintf(logbase, sizeof(logbase), "%s/io", dir);
	snprintf(a_file, sizeof(a_file), "--filename=%s", ctx->disk);
	snprintf(a_size, sizeof(a_size), "--size=%llu", (unsigned long long)st->size);
	snprintf(a_run, sizeof(a_run), "--runtime=%llums",
		 (unsigned long long)((req->reps + 2) * interval_ms));
	snprintf(a_ramp, sizeof(a_ramp), "--ramp_time=%llums",
		 (unsigned long long)((req->warmup ? req->warmup : 1) * interval_ms));
	snprintf(a_avg, sizeof(a_avg), "--log_avg_msec=%llu", (unsigned long long)interval_ms);
	snprintf(a_iops, sizeof(a_iops), "--write_iops_log=%s", logbase);
	snprintf(a_bw, sizeof(a_bw), "--write_bw_log=%s", logbase);
	char *argv[] = { st->fio,	 "--output-format=json",
			 a_file,	 a_size,
			 "--time_based", a_run,
			 a_ramp,	 a_avg,
			 a_iops,	 a_bw,
			 st->job,	 NULL };

	ret = run_capture(argv, errfile, &out);
	if (ret != 0) {
		char *e = slurp(errfile);
		snprintf(ctx->reason, sizeof(ctx->reason), "fio exited with %d: %.200s", ret,
			 e && *e ? strtok(e, "\n") : "(no message)");
		free(e);
		ret = ret < 0 ? ret : -EIO;
		goto out;
	}
	ret = fio_parse_json(out, strlen(out), st->ddir, &sum, ctx->reason, sizeof(ctx->reason));
	if (ret < 0)
		goto out;
	snprintf(logfile, sizeof(logfile), "%s_%s.1.log", logbase, st->bw ? "bw" : "iops");
	log = slurp(logfile);
	int n = log ? fio_parse_log(log, samples, req->reps) : -ENOENT;
	if (n < (int)req->reps) {
		snprintf(ctx->reason, sizeof(ctx->reason), "fio logged %d intervals, %llu needed",
			 n, (unsigned long long)req->reps);
		ret = -EIO;
		goto out;
	}
	for (uint64_t i = 0; st->bw && i < req->reps; i++)
		samples[i] = samples[i] * 1024 / 1e6; /* KiB/s to MB/s */
	ctx->ops_done = sum.total_ios;
	json_object_set_new(ctx->extra, "fio_version", json_string(sum.version));
	json_object_set_new(ctx->extra, "iops", json_real(sum.iops));
	json_object_set_new(ctx->extra, "MB_per_s", json_real(sum.bw_bytes / 1e6));
	json_object_set_new(ctx->extra, "lat_mean_us", json_real(sum.lat_mean_ns / 1e3));
	json_object_set_new(ctx->extra, "clat_p50_us", json_real(sum.clat_p50_ns / 1e3));
	json_object_set_new(ctx->extra, "clat_p99_us", json_real(sum.clat_p99_ns / 1e3));
	json_object_set_new(ctx->extra, "interval_ms", json_integer((json_int_t)interval_ms));
	json_object_set_new(ctx->extra, "size_bytes", json_integer((json_int_t)st->size));
	ret = 0;
out:
	free(out);
	free(log);
	/* fio's files: the logs, stderr; then the directory. */
	snprintf(logfile, sizeof(logfile), "%s_iops.1.log", logbase);
	unlink(logfile);
	snprintf(logfile, sizeof(logfile), "%s_bw.1.log", logbase);
	unlink(logfile);
	unlink(errfile);
	rmdir(dir);
	return ret;
}

#define FIO_WORKLOAD(sym, nm, u, pl, order, sum)     \
	const struct workload_ops workload_##sym = { \
		.abi = WORKLOAD_ABI,                 \
		.name = nm,                          \
		.summary = sum,                      \
		.unit = u,                           \
		.better = BETTER_HIGHER,             \
		.needs = WL_NEEDS_DISK,              \
		.plots = pl,                         \
		.plot_order = order,                 \
		.setup = fio_setup,                  \
		.teardown = fio_teardown,            \
		.measure = fio_measure,              \
	}

FIO_WORKLOAD(io_randread4k_qd1, "io.randread4k.qd1", "IOPS", PLOT_FIO | PLOT_TRAPS, 4,
	     "fio: 4 KiB random reads, QD1, psync, direct");
FIO_WORKLOAD(io_randwrite4k_qd1, "io.randwrite4k.qd1", "IOPS", PLOT_FIO, 5,
	     "fio: 4 KiB random writes, QD1, psync, direct");
FIO_WORKLOAD(io_randread4k_qd32, "io.randread4k.qd32", "IOPS", PLOT_FIO, 6,
	     "fio: 4 KiB random reads, QD32, libaio, direct");
FIO_WORKLOAD(io_seqread1m, "io.seqread1m", "MB/s", 0, 0, "fio: 1 MiB sequential reads, direct");
FIO_WORKLOAD(io_seqwrite1m, "io.seqwrite1m", "MB/s", 0, 0, "fio: 1 MiB sequential writes, direct");
