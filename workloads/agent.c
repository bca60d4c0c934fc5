/* The agent's protocol loop: reads host commands, runs workloads, reports raw samples. */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "common/meminfo.h"
#include "common/sysutil.h"
#include "workloads/agent.h"
#include "workloads/agent_stop.h"
#include "workloads/timing.h"
#include "common/wire.h"

#define DATA_CHUNK 3072

struct agent {
	int in_fd;
	int out_fd;
	struct linebuf lb;
	struct timer_info ti;
	char self_dir[256]; /* where the agent's companions are: exec target, fio jobs */
	/* The guest kernel's clock (CLOCK_BOOTTIME: from its start) when the agent started
	 * and when it said HELLO: a boot's phases, with /init's own note (guests/init). */
	double start_s, hello_s;
	struct stop_watch stop; /* STOP in a measured phase that lasts until the host says so */
};

struct run_params {
	const struct workload_ops *ops;
	struct wl_req req;
	uint64_t count; /* 1: the counting sample follows the data (agent.h) */
	char *disk;
};

/* What one RUN measured. */
struct run_data {
	size_t npoints;	 /* 0 for a single measurement */
	uint64_t *iters; /* calibrated, per point (or [0] for a single one) */
	uint64_t *ns;	 /* reps raw times per point, point after point */
	uint64_t *done;	 /* reps operation counts per point (iters, or more when topped up) */
	double *values;	 /* reps values per point */
	size_t current;	 /* the point the workload is prepared for */
};

static int write_all(int fd, const char *buf, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, buf, len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

static __printf(2, 3) int agent_say(struct agent *a, const char *fmt, ...)
{
	char line[VMB_MAX_LINE];
	va_list ap;

	va_start(ap, fmt);
	int n = vsnprintf(line, sizeof(line) - 1, fmt, ap);
	va_end(ap);
	if (n < 0)
		return -EINVAL;
	if ((size_t)n > sizeof(line) - 2)
		n = (int)sizeof(line) - 2; /* truncated diagnostics rather than overlong lines */
	/* Keep the line printable whatever a reason string held. */
	for (int i = 0; i < n; i++)
		if ((unsigned char)line[i] < 0x20 || (unsigned char)line[i] > 0x7e)
			line[i] = '?';
	line[n++] = '\n';
	return write_all(a->out_fd, line, (size_t)n);
}

/* Blocks for the next host line. 1 with a line, 0 at end of input, -errno. */
static int agent_readline(struct agent *a, char **line)
{
	for (;;) {
		int ret = linebuf_next(&a->lb, line);
		if (ret != 0)
			return ret;
		long n = linebuf_fill(&a->lb, a->in_fd);
		if (n <= 0)
			return (int)n;
	}
}

static double boot_clock_s(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_BOOTTIME, &ts) < 0)
		return -1;
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* When the kernel started /init, from its log's "Run /init as init process" (the
 * timestamps of /dev/kmsg are microseconds on the kernel's clock), or -1. Read only under
 * the image's /init, never a host's log. */
static double kmsg_init_start(void)
{
	int fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	char rec[1024];
	double at = -1;

	if (fd < 0)
		return -1;
	/* A boot's log is a few thousand records; the bound keeps a flood from holding us. */
	for (int i = 0; i < 20000 && at < 0; i++) {
		ssize_t n = read(fd, rec, sizeof(rec) - 1);
		if (n < 0 && errno == EPIPE)
			continue; /* records overwritten while we read */
		if (n <= 0)
			break;
		rec[n] = '\0';
		const char *msg = strchr(rec, ';');
		unsigned long long us;
		if (msg && strncmp(msg + 1, "Run /init as init process", 25) == 0 &&
		    sscanf(rec, "%*u,%*u,%llu", &us) == 1)
			at = (double)us / 1e6;
	}
	close(fd);
	return at;
}

static int say_hello(struct agent *a)
{
	struct utsname u;

	if (uname(&u) < 0)
		return -errno;
	for (char *p = u.release; *p; p++)
		if (*p == ' ')
			*p = '_';
	/* Where the file workloads work: a number only compares with one on the same kind. */
	const char *tmp = getenv("TMPDIR");
	char kind[32];
	if (sys_fs_kind(tmp && *tmp ? tmp : "/tmp", kind, sizeof(kind)) < 0)
		snprintf(kind, sizeof(kind), "unknown");
	a->hello_s = boot_clock_s();
	return agent_say(a, "HELLO vmbench-agent %s proto=%d kernel=%s arch=%s tmp=%s",
			 VMBENCH_VERSION, VMB_PROTO_VERSION, u.release, u.machine, kind);
}

/* The memory this guest sees (protocol 5): its kernel's MemTotal and its cgroup's limit,
 * which lifecycle.resize watches change. */
static int say_mem(struct agent *a)
{
	uint64_t limit = 0;
	char lim[32] = "none";

	if (meminfo_cgroup_limit(&limit))
		snprintf(lim, sizeof(lim), "%llu", (unsigned long long)limit);
	return agent_say(a, "MEM total=%llu limit=%s", (unsigned long long)meminfo_total(), lim);
}

/* The clock's facts, measured after HELLO: a boot ends at HELLO, not after these. */
static int say_clock(struct agent *a)
{
	int ret = timing_probe(&a->ti);

	if (ret < 0) {
		/* The host hears why before the stream ends. */
		(void)!agent_say(a, "LOG the clock checks failed: %s", strerror(-ret));
		return ret;
	}
	/* The boot's timestamps on the guest's clock: HELLO, the agent's start, and /init's
	 * start as it read /proc/uptime, where there was an /init. */
	char boot[160] = "";
	if (a->hello_s >= 0 && a->start_s >= 0)
		snprintf(boot, sizeof(boot), " uptime_s=%.6f agent_start_s=%.6f", a->hello_s,
			 a->start_s);
	const char *up = getenv("VMBENCH_INIT_UPTIME");
	char *end;
	double init_s = up ? strtod(up, &end) : -1;
	if (boot[0] && up && end != up && *end == '\0' && init_s >= 0 && init_s < 1e6) {
		/* The kernel's own note, to the microsecond, where its log has it and it
		 * agrees with /init's (which comes after its first mount, in 10 ms steps). */
		double run_s = kmsg_init_start();
		if (run_s >= 0 && run_s <= init_s + 0.01)
			init_s = run_s;
		snprintf(boot + strlen(boot), sizeof(boot) - strlen(boot), " init_start_s=%.6f",
			 init_s);
	}
	return agent_say(a, "CLOCK timer_res_ns=%.1f clock_read_ns=%.2f loop_ns=%.3f%s",
			 a->ti.res_ns, a->ti.read_ns, a->ti.loop_ns, boot);
}

/* Parses RUN; on a bad request fills why and returns -EINVAL. */
static int parse_run(struct fields *fs, struct run_params *rp, const char **why)
{
	static const struct {
		const char *key;
		uint64_t lo, hi;
		size_t off;
		int required;
	} keys[] = {
		{ "reps", 1, 100000, offsetof(struct run_params, req.reps), 1 },
		{ "warmup", 0, 1000, offsetof(struct run_params, req.warmup), 1 },
		{ "min_sample_ns", 1000, 60000000000ull,
		  offsetof(struct run_params, req.min_sample_ns), 1 },
		{ "iters", 1, 1ull << 50, offsetof(struct run_params, req.iters), 0 },
		{ "count", 0, 1, offsetof(struct run_params, count), 0 },
		{ "bytes", 4096, 1ull << 40, offsetof(struct run_params, req.bytes), 0 },
		{ "rate", 0, 1ull << 40, offsetof(struct run_params, req.rate), 0 },
		{ "extra_work", 0, 1000000, offsetof(struct run_params, req.extra_work), 0 },
	};

	memset(rp, 0, sizeof(*rp));
	if (fs->n < 2) {
		*why = "RUN without a workload";
		return -EINVAL;
	}
	for (size_t i = 0; i < ARRAY_SIZE(keys); i++) {
		const char *v = fields_get(fs, 2, keys[i].key);
		if (!v && !keys[i].required)
			continue;
		if (!v || wire_parse_u64(v, keys[i].lo, keys[i].hi,
					 (uint64_t *)((char *)rp + keys[i].off)) < 0) {
			*why = "RUN field missing or out of range";
			return -EINVAL;
		}
	}
	/* A copy: the line buffer is reused by the next read (GO). */
	const char *disk = fields_get(fs, 2, "disk");
	if (disk && !(rp->disk = strdup(disk))) {
		*why = "out of memory";
		return -EINVAL;
	}
	rp->ops = workload_find(fs->f[1]);
	return 0;
}

static json_t *u64_array(const uint64_t *v, size_t n)
{
	json_t *a = json_array();

	for (size_t i = 0; a && i < n; i++)
		if (json_array_append_new(a, json_integer((json_int_t)v[i])) < 0) {
			json_decref(a);
			return NULL;
		}
	return a;
}

static json_t *double_array(const double *v, size_t n)
{
	json_t *a = json_array();

	for (size_t i = 0; a && i < n; i++)
		if (json_array_append_new(a, json_real(v[i])) < 0) {
			json_decref(a);
			return NULL;
		}
	return a;
}

/* The result object of agent.h. NULL on ENOMEM. */
static json_t *result_json(struct agent *a, const struct run_params *rp, struct wl_ctx *ctx,
			   const struct run_data *d)
{
	const struct workload_ops *ops = rp->ops;
	uint64_t reps = rp->req.reps;
	size_t last = d->npoints ? d->npoints - 1 : 0;
	uint64_t iters = 0;
	double total = 0;

	for (size_t p = 0; p <= last; p++) {
		iters += d->iters[p];
		for (uint64_t i = 0; i < reps; i++)
			total += (double)d->done[p * reps + i] * ctx->units_per_iter;
	}
	if (ops->measure)
		total = (double)ctx->ops_done;
	json_t *obj = json_pack(
		"{s:s, s:s, s:I, s:I, s:f, s:o, s:o, s:o, s:f}", "workload", ops->name, "unit",
		ops->unit, "iters", (json_int_t)iters, "warmup", (json_int_t)rp->req.warmup, "ops",
		total, "samples", double_array(d->values + last * reps, reps), "sample_ns",
		ops->measure ? json_array() : u64_array(d->ns + last * reps, reps), "sample_iters",
		ops->measure ? json_array() : u64_array(d->done + last * reps, reps), "loop_ns",
		(ops->flags & WL_SUBTRACT_LOOP) ? ctx->loop_ns : 0.0);
	if (!obj)
		return NULL;
	if (json_object_size(ctx->extra) && json_object_set(obj, "extra", ctx->extra) < 0)
		goto nomem;
	if (d->npoints) {
		json_t *points = json_array();
		for (size_t p = 0; points && p < d->npoints; p++)
			if (json_array_append_new(
				    points,
				    json_pack("{s:f, s:I, s:o, s:o, s:o}", "x", ctx->x[p], "iters",
					      (json_int_t)d->iters[p], "samples",
					      double_array(d->values + p * reps, reps), "sample_ns",
					      u64_array(d->ns + p * reps, reps), "sample_iters",
					      u64_array(d->done + p * reps, reps))) < 0) {
				json_decref(points);
				points = NULL;
			}
		if (!points || json_object_set_new(obj, "series",
						   json_pack("{s:s, s:o}", "x_unit",
							     ctx->x_unit ? ctx->x_unit : "",
							     "points", points)) < 0)
			goto nomem;
	}
	return obj;
nomem:
	json_decref(obj);
	return NULL;
}

/* DATA lines and END for one result object. */
static int send_data(struct agent *a, json_t *obj)
{
	char *text = json_dumps(obj, JSON_COMPACT | JSON_ENSURE_ASCII | JSON_REAL_PRECISION(10));
	int ret = 0;

	if (!text)
		return -ENOMEM;
	size_t len = strlen(text);
	for (size_t off = 0; ret == 0 && off < len; off += DATA_CHUNK) {
		size_t n = len - off < DATA_CHUNK ? len - off : DATA_CHUNK;
		ret = agent_say(a, "DATA %.*s", (int)n, text + off);
	}
	if (ret == 0)
		ret = agent_say(a, "END bytes=%zu", len);
	free(text);
	return ret;
}

/* Before READY: calibration and warm-up of every point. *iters_total and *est_ns are
 * what READY announces. */
static int run_prepare(struct wl_ctx *ctx, const struct wl_req *req, struct run_data *d,
		       uint64_t *iters_total, uint64_t *est_ns)
{
	const struct workload_ops *ops = ctx->ops;
	uint64_t est;
	int ret;

	*iters_total = 0;
	*est_ns = 0;
	if (ops->measure) {
		d->iters[0] = 1;
		*iters_total = 1;
		*est_ns = ctx->est_sample_ns;
		return 0;
	}
	for (size_t p = 0; p < (d->npoints ? d->npoints : 1); p++) {
		if (d->npoints && (ret = ops->point(ctx, p)) < 0)
			return ret;
		d->current = p;
		ret = timing_prepare(ctx, req, &d->iters[p], &est);
		if (ret == 0 && (ops->flags & WL_SUBTRACT_LOOP))
			ret = timing_loop_cost(ctx, d->iters[p], &ctx->loop_ns);
		if (ret < 0)
			return ret;
		*iters_total += d->iters[p];
		*est_ns += est;
	}
	return 0;
}

/* After GO: the measured phase, nothing but the samples, no output. */
static int run_measure(struct agent *a, struct wl_ctx *ctx, const struct wl_req *req,
		       struct run_data *d)
{
	const struct workload_ops *ops = ctx->ops;
	uint64_t reps = req->reps;
	int ret;

	if (ops->measure)
		return ops->measure(ctx, req, d->values);
	/* From the point the workload is prepared for to the other end of the curve: the
	 * largest point's preparation (a 256 MiB pointer chain) is not done twice in a row. */
	size_t n = d->npoints ? d->npoints : 1;
	bool down = d->current == n - 1;
	for (size_t k = 0; k < n; k++) {
		size_t p = down ? n - 1 - k : k;
		if (d->npoints && p != d->current && (ret = ops->point(ctx, p)) < 0)
			return ret;
		d->current = p;
		ret = timing_run(ctx, d->iters[p], req->min_sample_ns, reps, d->ns + p * reps,
				 d->done + p * reps);
		if (ret < 0)
			return ret;
		for (uint64_t i = 0; i < reps; i++) {
			double v = timing_value(ops, ctx->units_per_iter, d->ns[p * reps + i],
						d->done[p * reps + i], ctx->loop_ns);
			/* The empty loop's cost taken out of a sample as long as it: no
			 * measurement, never a zero or a negative time. */
			if (!(v > 0) || !isfinite(v)) {
				snprintf(ctx->reason, sizeof(ctx->reason),
					 "the empty-loop cost taken out (%.3f ns per iteration) is "
					 "as long as the operation (%.3f ns per iteration)",
					 ctx->loop_ns,
					 (double)d->ns[p * reps + i] /
						 (double)d->done[p * reps + i]);
				return -ERANGE;
			}
			d->values[p * reps + i] = v;
		}
	}
	return 0;
}

static const char *why(const struct wl_ctx *ctx, int ret)
{
	return ctx->reason[0] ? ctx->reason : strerror(-ret);
}

/* Returns 0 to go on serving, 1 when the host said QUIT while waiting for GO, -errno. */
static int agent_run(struct agent *a, struct fields *fs)
{
	struct run_params rp;
	struct run_data d = { 0 };
	const char *bad = NULL;
	char *line;
	uint64_t iters, est_ns;
	int ret;

	if (parse_run(fs, &rp, &bad) < 0)
		return agent_say(a, "ERR %s failed bad request: %s", fs->n > 1 ? fs->f[1] : "-",
				 bad);
	if (!rp.ops || workload_check(rp.ops, &bad) < 0) {
		ret = rp.ops ? agent_say(a, "ERR %s failed %s", rp.ops->name, bad)
			     : agent_say(a, "ERR %s unsupported unknown to this agent (version %s)",
					 fs->f[1], VMBENCH_VERSION);
		free(rp.disk);
		return ret;
	}

	if (rp.ops->needs & WL_NEEDS_RING0) {
		free(rp.disk);
		return agent_say(a,
				 "ERR %s unsupported runs in ring 0: the nanoguest's, not the "
				 "agent's",
				 rp.ops->name);
	}
	workload_release_others(rp.ops);
	struct wl_ctx ctx = { .ops = rp.ops,
			      .disk = rp.disk,
			      .self_dir = a->self_dir,
			      .req = &rp.req,
			      .units_per_iter = 1,
			      .extra = json_object() };
	if (!ctx.extra || (rp.ops->setup && (ret = rp.ops->setup(&ctx)) < 0)) {
		ret = ctx.extra ? agent_say(a, "ERR %s %s %s", rp.ops->name,
					    ret == -ENOTSUP ? "unsupported" : "failed",
					    why(&ctx, ret))
				: agent_say(a, "ERR %s failed out of memory", rp.ops->name);
		json_decref(ctx.extra);
		free(rp.disk);
		return ret;
	}
	d.npoints = rp.ops->point ? ctx.npoints : 0;
	size_t slots = d.npoints ? d.npoints : 1;
	d.iters = calloc(slots, sizeof(*d.iters));
	d.ns = calloc(slots * rp.req.reps, sizeof(*d.ns));
	d.done = calloc(slots * rp.req.reps, sizeof(*d.done));
	d.values = calloc(slots * rp.req.reps, sizeof(*d.values));
	if (!d.iters || !d.ns || !d.done || !d.values || (rp.ops->point && !d.npoints)) {
		ret = agent_say(a, "ERR %s failed %s", rp.ops->name,
				rp.ops->point && !d.npoints ? "no points to measure"
							    : "out of memory");
		goto out;
	}
	ret = run_prepare(&ctx, &rp.req, &d, &iters, &est_ns);
	if (ret < 0) {
		ret = agent_say(a, "ERR %s failed calibration: %s", rp.ops->name, why(&ctx, ret));
		goto out;
	}
	/* The measured phase, then with count=1 the counting sample: one more sample of every
	 * point with the same iteration counts, no calibration or set-up again. */
	for (int phase = 0; phase < (rp.count ? 2 : 1); phase++) {
		if (phase) {
			rp.req.reps = 1;
			rp.req.warmup = 0;
			rp.req.counting = true;
		}
		if (rp.ops->arm && (ret = rp.ops->arm(&ctx, &rp.req)) < 0) {
			ret = agent_say(a, "ERR %s failed %s", rp.ops->name, why(&ctx, ret));
			goto out;
		}
		ret = agent_say(a, "READY %s iters=%llu sample_ns=%llu", rp.ops->name,
				(unsigned long long)iters, (unsigned long long)est_ns);
		if (ret < 0)
			goto out;
		ret = agent_readline(a, &line);
		if (ret <= 0) {
			ret = ret ? ret : 1; /* end of input: stop serving */
			goto out;
		}
		if (strcmp(line, "QUIT") == 0) {
			ret = 1;
			goto out;
		}
		if (phase && strcmp(line, "SKIP") == 0) {
			ret = 0;
			break;
		}
		if (strcmp(line, "GO") != 0) {
			ret = agent_say(a, "ERR %s failed expected GO%s", rp.ops->name,
					phase ? " or SKIP" : "");
			goto out;
		}
		agent_stop_arm(&a->stop, &ctx);
		ret = run_measure(a, &ctx, &rp.req, &d);
		if (ret < 0) {
			ret = agent_say(a, "ERR %s failed %s", rp.ops->name, why(&ctx, ret));
			goto out;
		}
		/* What ended a phase that ran until the host said so, when it was not STOP. */
		if (a->stop.state == STOP_BAD) {
			ret = agent_say(a, "ERR %s failed expected STOP", rp.ops->name);
			goto out;
		}
		if (a->stop.state == STOP_EOF || a->stop.state == STOP_IO) {
			ret = a->stop.state == STOP_EOF ? 1 : a->stop.err; /* stop serving */
			goto out;
		}
		ret = agent_say(a, "DONE %s", rp.ops->name);
		/* Nothing more until the host has closed its probes' window. */
		if (ret == 0)
			ret = agent_readline(a, &line);
		if (ret == 0) {
			ret = 1; /* end of input: stop serving */
			goto out;
		}
		if (ret > 0 && strcmp(line, "ACK") != 0) {
			ret = strcmp(line, "QUIT") == 0
				      ? 1
				      : agent_say(a, "ERR %s failed expected ACK", rp.ops->name);
			goto out;
		}
		if (ret > 0) {
			json_t *obj = result_json(a, &rp, &ctx, &d);
			ret = obj ? send_data(a, obj) : -ENOMEM;
			json_decref(obj);
		}
		if (ret < 0)
			goto out;
	}
out:
	free(d.iters);
	free(d.ns);
	free(d.done);
	free(d.values);
	if (rp.ops->teardown)
		rp.ops->teardown(&ctx);
	json_decref(ctx.extra);
	free(rp.disk);
	return ret;
}

int agent_serve(int in_fd, int out_fd)
{
	struct agent *a = calloc(1, sizeof(*a));
	char *line;
	int ret;

	if (!a)
		return -ENOMEM;
	a->start_s = boot_clock_s();
	a->in_fd = in_fd;
	a->out_fd = out_fd;
	ssize_t n = readlink("/proc/self/exe", a->self_dir, sizeof(a->self_dir) - 1);
	if (n > 0) {
		a->self_dir[n] = '\0';
		char *slash = strrchr(a->self_dir, '/');
		if (slash)
			*slash = '\0';
	} else {
		strcpy(a->self_dir, ".");
	}
	linebuf_init(&a->lb);
	a->stop.in_fd = in_fd;
	a->stop.lb = &a->lb;
	ret = say_hello(a);
	if (ret == 0)
		ret = say_clock(a);
	while (ret == 0) {
		ret = agent_readline(a, &line);
		if (ret == -EMSGSIZE) {
			ret = agent_say(a, "LOG ignored an overlong host line");
			continue;
		}
		if (ret <= 0)
			break;
		struct fields fs;
		if (!wire_printable(line) || fields_split(line, &fs) < 0) {
			ret = agent_say(a, "LOG ignored a malformed host line");
			continue;
		}
		if (strcmp(fs.f[0], "RUN") == 0) {
			ret = agent_run(a, &fs);
		} else if (strcmp(fs.f[0], "QUIT") == 0) {
			ret = 1;
		} else if (strcmp(fs.f[0], "PING") == 0 && fs.n == 1) {
			ret = agent_say(a, "PONG");
		} else if (strcmp(fs.f[0], "MEM") == 0 && fs.n == 1) {
			ret = say_mem(a);
		} else {
			ret = agent_say(a, "LOG ignored unknown host command %.32s", fs.f[0]);
		}
	}
	workload_release_others(NULL);
	if (ret == 1)
		ret = agent_say(a, "BYE");
	free(a);
	return ret < 0 ? ret : 0;
}
