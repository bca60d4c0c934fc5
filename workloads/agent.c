/* The agent's protocol loop: reads host commands, runs workloads, reports raw samples. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <jansson.h>

#include "workloads/agent.h"
#include "workloads/timing.h"
#include "workloads/wire.h"

#define DATA_CHUNK 3072

struct agent {
	int in_fd;
	int out_fd;
	struct linebuf lb;
	struct timer_info ti;
};

struct run_params {
	const struct workload_ops *ops;
	uint64_t reps;
	uint64_t warmup;
	uint64_t min_sample_ns;
	uint64_t iters; /* 0: calibrate */
	const char *disk;
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

static int say_hello(struct agent *a)
{
	struct utsname u;

	if (uname(&u) < 0)
		return -errno;
	for (char *p = u.release; *p; p++)
		if (*p == ' ')
			*p = '_';
	return agent_say(a,
			 "HELLO vmbench-agent %s proto=%d kernel=%s arch=%s timer_res_ns=%.1f "
			 "clock_read_ns=%.2f loop_ns=%.3f",
			 VMBENCH_VERSION, VMB_PROTO_VERSION, u.release, u.machine, a->ti.res_ns,
			 a->ti.read_ns, a->ti.loop_ns);
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
		{ "reps", 1, 100000, offsetof(struct run_params, reps), 1 },
		{ "warmup", 0, 1000, offsetof(struct run_params, warmup), 1 },
		{ "min_sample_ns", 1000, 60000000000ull, offsetof(struct run_params, min_sample_ns),
		  1 },
		{ "iters", 1, 1ull << 50, offsetof(struct run_params, iters), 0 },
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
	rp->disk = fields_get(fs, 2, "disk");
	rp->ops = workload_find(fs->f[1]);
	return 0;
}

static int send_data(struct agent *a, const struct run_params *rp, const uint64_t *ns,
		     uint64_t iters)
{
	double loop = (rp->ops->flags & WL_SUBTRACT_LOOP) ? a->ti.loop_ns : 0.0;
	json_t *samples = json_array(), *raw = json_array();
	int ret = -ENOMEM;

	for (uint64_t i = 0; i < rp->reps; i++) {
		double per_op = ((double)ns[i] - loop * (double)iters) / (double)iters;
		if (json_array_append_new(samples, json_real(per_op)) < 0 ||
		    json_array_append_new(raw, json_integer((json_int_t)ns[i])) < 0)
			goto out;
	}
	json_t *obj = json_pack("{s:s, s:s, s:I, s:I, s:o, s:o, s:f}", "workload", rp->ops->name,
				"unit", rp->ops->unit, "iters", (json_int_t)iters, "warmup",
				(json_int_t)rp->warmup, "samples", samples, "sample_ns", raw,
				"loop_ns", loop);
	samples = raw = NULL; /* owned by obj (json_pack "o" steals, even on failure) */
	if (!obj)
		goto out;
	char *text = json_dumps(obj, JSON_COMPACT | JSON_ENSURE_ASCII | JSON_REAL_PRECISION(10));
	json_decref(obj);
	if (!text)
		goto out;
	size_t len = strlen(text);
	ret = 0;
	for (size_t off = 0; ret == 0 && off < len; off += DATA_CHUNK) {
		size_t n = len - off < DATA_CHUNK ? len - off : DATA_CHUNK;
		ret = agent_say(a, "DATA %.*s", (int)n, text + off);
	}
	if (ret == 0)
		ret = agent_say(a, "END bytes=%zu", len);
	free(text);
out:
	json_decref(samples);
	json_decref(raw);
	return ret;
}

/* Returns 0 to go on serving, 1 when the host said QUIT while waiting for GO, -errno. */
static int agent_run(struct agent *a, struct fields *fs)
{
	struct run_params rp;
	const char *why = NULL;
	char *line;
	uint64_t iters, est_ns, *ns = NULL;
	int ret;

	if (parse_run(fs, &rp, &why) < 0)
		return agent_say(a, "ERR %s failed bad request: %s", fs->n > 1 ? fs->f[1] : "-",
				 why);
	if (!rp.ops)
		return agent_say(a, "ERR %s unsupported unknown to this agent (version %s)",
				 fs->f[1], VMBENCH_VERSION);
	if (workload_check(rp.ops, &why) < 0)
		return agent_say(a, "ERR %s failed %s", rp.ops->name, why);

	struct wl_ctx ctx = { .ops = rp.ops, .disk = rp.disk };
	if (rp.ops->setup) {
		ret = rp.ops->setup(&ctx);
		if (ret < 0)
			return agent_say(a, "ERR %s %s %s", rp.ops->name,
					 ret == -ENOTSUP ? "unsupported" : "failed",
					 ctx.reason[0] ? ctx.reason : strerror(-ret));
	}
	ns = calloc(rp.reps, sizeof(*ns));
	if (!ns) {
		ret = agent_say(a, "ERR %s failed out of memory", rp.ops->name);
		goto out;
	}
	if (rp.iters) {
		iters = rp.iters;
		ret = timing_sample(&ctx, iters, &est_ns);
	} else {
		ret = timing_calibrate(&ctx, rp.min_sample_ns, &iters, &est_ns);
	}
	/* Warm-up, which also checks the calibration: when a warm-up sample ran shorter than
	 * min_sample_ns (calibration was slowed by something), scale up from the fastest one
	 * and warm up again. */
	for (int round = 0; ret == 0 && rp.warmup && round < 3; round++) {
		uint64_t fastest = UINT64_MAX;
		for (uint64_t i = 0; ret == 0 && i < rp.warmup; i++) {
			ret = timing_sample(&ctx, iters, &ns[0]);
			if (ns[0] < fastest)
				fastest = ns[0];
		}
		if (ret < 0 || rp.iters || fastest >= rp.min_sample_ns)
			break;
		iters = timing_scale_iters(iters, fastest, rp.min_sample_ns);
		est_ns = fastest * 12 / 10;
	}
	if (ret < 0) {
		ret = agent_say(a, "ERR %s failed calibration: %s", rp.ops->name,
				ctx.reason[0] ? ctx.reason : strerror(-ret));
		goto out;
	}
	ret = agent_say(a, "READY %s iters=%llu sample_ns=%llu", rp.ops->name,
			(unsigned long long)iters, (unsigned long long)est_ns);
	if (ret < 0)
		goto out;
	ret = agent_readline(a, &line);
	if (ret <= 0)
		goto out_eof;
	if (strcmp(line, "QUIT") == 0) {
		ret = 1;
		goto out;
	}
	if (strcmp(line, "GO") != 0) {
		ret = agent_say(a, "ERR %s failed expected GO", rp.ops->name);
		goto out;
	}
	/* The measured phase: nothing but the samples, no output. */
	for (uint64_t i = 0; i < rp.reps; i++) {
		ret = timing_sample(&ctx, iters, &ns[i]);
		if (ret < 0)
			break;
	}
	if (ret < 0)
		ret = agent_say(a, "ERR %s failed %s", rp.ops->name,
				ctx.reason[0] ? ctx.reason : strerror(-ret));
	else if ((ret = agent_say(a, "DONE %s", rp.ops->name)) == 0)
		ret = send_data(a, &rp, ns, iters);
	goto out;
out_eof:
	if (ret == 0)
		ret = 1; /* end of input: stop serving */
out:
	free(ns);
	if (rp.ops->teardown)
		rp.ops->teardown(&ctx);
	return ret;
}

int agent_serve(int in_fd, int out_fd)
{
	struct agent *a = calloc(1, sizeof(*a));
	char *line;
	int ret;

	if (!a)
		return -ENOMEM;
	a->in_fd = in_fd;
	a->out_fd = out_fd;
	linebuf_init(&a->lb);
	ret = timing_probe(&a->ti);
	if (ret == 0)
		ret = say_hello(a);
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
		} else {
			ret = agent_say(a, "LOG ignored unknown host command %.32s", fs.f[0]);
		}
	}
	if (ret == 1)
		ret = agent_say(a, "BYE");
	free(a);
	return ret < 0 ? ret : 0;
}
