/* The host side of the agent protocol: every guest line is untrusted input. */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/log.h"
#include "host/process.h"
#include "harness/protocol.h"
#include "host/util.h"
#include "workloads/workload.h"

static const struct {
	const char *word;
	enum msg_type type;
} keywords[] = {
	{ "HELLO", MSG_HELLO }, { "CLOCK", MSG_CLOCK }, { "READY", MSG_READY },
	{ "DONE", MSG_DONE },	{ "DATA", MSG_DATA },	{ "END", MSG_END },
	{ "ERR", MSG_ERR },	{ "LOG", MSG_LOG },	{ "BYE", MSG_BYE },
	{ "PONG", MSG_PONG },	{ "MEM", MSG_MEM },
};

/* The largest memory a MEM line may say: far beyond any machine, and a number every
 * results file holds. */
#define PROTO_MEM_MAX (1ull << 56)

static __printf(3, 4) int bad(char *err, size_t len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, len, fmt, ap);
	va_end(ap);
	return -EPROTO;
}

/* Workload names: a-z, 0-9, '.', '_', '-', at most 63 bytes. */
static int valid_name(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > 63)
		return 0;
	return strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789._-") == n;
}

static int copy_field(char *dst, size_t len, const char *v)
{
	if (!v || !*v || strlen(v) >= len)
		return -1;
	memcpy(dst, v, strlen(v) + 1);
	return 0;
}

static int parse_hello(const struct fields *fs, struct hello *h, char *err, size_t len)
{
	uint64_t proto;

	if (fs->n < 3 || strcmp(fs->f[1], "vmbench-agent") != 0)
		return bad(err, len, "HELLO from something that is not vmbench-agent");
	if (copy_field(h->version, sizeof(h->version), fs->f[2]) < 0)
		return bad(err, len, "HELLO with a bad agent version");
	if (wire_parse_u64(fields_get(fs, 3, "proto"), 1, 1000, &proto) < 0)
		return bad(err, len, "HELLO without a valid proto=");
	h->proto = (unsigned)proto;
	if (h->proto != VMB_PROTO_VERSION)
		return bad(err, len, "agent speaks protocol %u, this vmbench speaks %d", h->proto,
			   VMB_PROTO_VERSION);
	if (copy_field(h->kernel, sizeof(h->kernel), fields_get(fs, 3, "kernel")) < 0 ||
	    copy_field(h->arch, sizeof(h->arch), fields_get(fs, 3, "arch")) < 0)
		return bad(err, len, "HELLO without a valid kernel= or arch=");
	if (copy_field(h->tmp_fs, sizeof(h->tmp_fs), fields_get(fs, 3, "tmp")) < 0)
		return bad(err, len, "HELLO without a valid tmp=");
	return 0;
}

static int parse_clock(const struct fields *fs, struct hello *h, char *err, size_t len)
{
	if (wire_parse_double(fields_get(fs, 1, "timer_res_ns"), &h->timer_res_ns) < 0 ||
	    wire_parse_double(fields_get(fs, 1, "clock_read_ns"), &h->clock_read_ns) < 0 ||
	    wire_parse_double(fields_get(fs, 1, "loop_ns"), &h->loop_ns) < 0)
		return bad(err, len, "CLOCK without valid timer_res_ns=, clock_read_ns=, loop_ns=");
	static const char *const boot[] = { "uptime_s", "agent_start_s", "init_start_s" };
	double *at[] = { &h->uptime_s, &h->agent_start_s, &h->init_start_s };
	for (size_t i = 0; i < ARRAY_SIZE(boot); i++) {
		const char *v = fields_get(fs, 1, boot[i]);
		*at[i] = NAN;
		/* Optional; a value that is there is a time since a boot, within 30 years. */
		if (v && (wire_parse_double(v, at[i]) < 0 || !(*at[i] >= 0 && *at[i] < 1e9)))
			return bad(err, len, "CLOCK with a bad %s=", boot[i]);
	}
	return 0;
}

int proto_parse(char *line, struct msg *m, char *err, size_t len)
{
	struct fields fs;
	size_t i;

	memset(m, 0, sizeof(*m));
	for (i = 0; i < ARRAY_SIZE(keywords); i++) {
		size_t n = strlen(keywords[i].word);
		if (strncmp(line, keywords[i].word, n) == 0 && (line[n] == ' ' || line[n] == '\0'))
			break;
	}
	if (i == ARRAY_SIZE(keywords)) {
		m->type = MSG_NOISE;
		return 0;
	}
	m->type = keywords[i].type;
	if (!wire_printable(line))
		return bad(err, len, "%s line with non-printable bytes", keywords[i].word);

	/* Free text after a fixed number of fields: keep it whole. */
	if (m->type == MSG_DATA || m->type == MSG_LOG) {
		if (line[strlen(keywords[i].word)] != ' ')
			return bad(err, len, "%s without text", keywords[i].word);
		m->text = line + strlen(keywords[i].word) + 1;
		return 0;
	}
	if (m->type == MSG_ERR) {
		/* ERR <workload> unsupported|failed <reason...> */
		char *p = line + 4, *kind, *reason;
		if (line[3] != ' ' || !(kind = strchr(p, ' ')))
			return bad(err, len, "ERR without workload and kind");
		*kind++ = '\0';
		reason = strchr(kind, ' ');
		if (reason)
			*reason++ = '\0';
		if (!valid_name(p))
			return bad(err, len, "ERR for a malformed workload name");
		if (strcmp(kind, "unsupported") == 0)
			m->unsupported = 1;
		else if (strcmp(kind, "failed") != 0)
			return bad(err, len, "ERR kind must be unsupported or failed");
		m->workload = p;
		/* A reason is kept in the results and shown in every report: bounded. */
		m->text = reason && *reason ? guestlog_cut(reason) : "(no reason given)";
		return 0;
	}
	if (fields_split(line, &fs) < 0)
		return bad(err, len, "%s line with empty or too many fields", keywords[i].word);
	switch (m->type) {
	case MSG_HELLO:
		return parse_hello(&fs, &m->hello, err, len);
	case MSG_CLOCK:
		return parse_clock(&fs, &m->hello, err, len);
	case MSG_READY:
		if (fs.n < 2 || !valid_name(fs.f[1]))
			return bad(err, len, "READY without a valid workload name");
		m->workload = fs.f[1];
		if (wire_parse_u64(fields_get(&fs, 2, "iters"), 1, 1ull << 50, &m->iters) < 0 ||
		    wire_parse_u64(fields_get(&fs, 2, "sample_ns"), 0, 1ull << 50, &m->sample_ns) <
			    0)
			return bad(err, len, "READY without valid iters= and sample_ns=");
		return 0;
	case MSG_DONE:
		if (fs.n != 2 || !valid_name(fs.f[1]))
			return bad(err, len, "DONE without a valid workload name");
		m->workload = fs.f[1];
		return 0;
	case MSG_END:
		if (fs.n != 2 ||
		    wire_parse_u64(fields_get(&fs, 1, "bytes"), 2, VMB_MAX_DATA, &m->bytes) < 0)
			return bad(err, len, "END without bytes= between 2 and %u", VMB_MAX_DATA);
		return 0;
	case MSG_BYE:
	case MSG_PONG:
		if (fs.n != 1)
			return bad(err, len, "%s with fields", keywords[i].word);
		return 0;
	case MSG_MEM: {
		const char *lim = fields_get(&fs, 1, "limit");
		bool none = lim && strcmp(lim, "none") == 0;
		m->mem_limit = 0;
		if (fs.n != 3 ||
		    wire_parse_u64(fields_get(&fs, 1, "total"), 1, PROTO_MEM_MAX, &m->mem_total) <
			    0 ||
		    !lim || (!none && wire_parse_u64(lim, 1, PROTO_MEM_MAX, &m->mem_limit) < 0))
			return bad(err, len,
				   "MEM without total= (bytes) and limit= (bytes or none)");
		return 0;
	}
	default:
		return bad(err, len, "unexpected message type");
	}
}

const char *proto_msg_name(enum msg_type t)
{
	for (size_t i = 0; i < ARRAY_SIZE(keywords); i++)
		if (keywords[i].type == t)
			return keywords[i].word;
	return "console output";
}

void payload_free(struct payload *p)
{
	free(p->samples);
	json_decref(p->raw);
	json_decref(p->extra);
	json_decref(p->series);
	memset(p, 0, sizeof(*p));
}

/* An array of exactly n finite non-negative numbers, copied into x (may be NULL). */
static int check_numbers(json_t *arr, size_t n, double *x)
{
	if (!json_is_array(arr) || json_array_size(arr) != n)
		return -1;
	for (size_t i = 0; i < n; i++) {
		json_t *v = json_array_get(arr, i);
		double d = json_number_value(v);
		if (!json_is_number(v) || !isfinite(d) || d < 0)
			return -1;
		if (x)
			x[i] = d;
	}
	return 0;
}

/* series: {"x_unit": s, "points": [{"x", "iters", "samples", "sample_ns"}, ...]} */
static int check_series(json_t *series, uint64_t reps, char *err, size_t errlen)
{
	json_error_t jerr;
	json_t *points;
	const char *xu;

	if (json_unpack_ex(series, &jerr, JSON_STRICT, "{s:s, s:o}", "x_unit", &xu, "points",
			   &points) < 0)
		return bad(err, errlen, "result series: %s", jerr.text);
	size_t n = json_array_size(points);
	if (!json_is_array(points) || n == 0 || n > WL_MAX_POINTS)
		return bad(err, errlen, "result series with 0 or more than %d points",
			   WL_MAX_POINTS);
	for (size_t i = 0; i < n; i++) {
		json_t *samples, *ns, *done;
		json_int_t iters;
		double x;
		if (json_unpack_ex(json_array_get(points, i), &jerr, JSON_STRICT,
				   "{s:F, s:I, s:o, s:o, s:o}", "x", &x, "iters", &iters, "samples",
				   &samples, "sample_ns", &ns, "sample_iters", &done) < 0)
			return bad(err, errlen, "result series point %zu: %s", i, jerr.text);
		if (!isfinite(x) || x < 0 || iters < 1 || check_numbers(samples, reps, NULL) < 0 ||
		    check_numbers(ns, reps, NULL) < 0 || check_numbers(done, reps, NULL) < 0)
			return bad(err, errlen, "result series point %zu is malformed", i);
	}
	return 0;
}

int proto_parse_payload(const char *text, size_t textlen, const char *workload, const char *unit,
			uint64_t reps, uint64_t iters, uint64_t warmup_asked, struct payload *out,
			char *err, size_t errlen)
{
	json_error_t jerr;
	json_t *samples, *sample_ns, *sample_iters, *extra = NULL, *series = NULL;
	const char *wl, *u;
	json_int_t got_iters, warmup;
	double loop_ns, ops;
	int ret = -EPROTO;

	memset(out, 0, sizeof(*out));
	json_t *root = json_loadb(text, textlen, JSON_REJECT_DUPLICATES, &jerr);
	if (!root)
		return bad(err, errlen, "result data is not JSON (column %d: %s)", jerr.column,
			   jerr.text);
	if (json_unpack_ex(root, &jerr, JSON_STRICT,
			   "{s:s, s:s, s:I, s:I, s:F, s:o, s:o, s:o, s:F, s?o, s?o}", "workload",
			   &wl, "unit", &u, "iters", &got_iters, "warmup", &warmup, "ops", &ops,
			   "samples", &samples, "sample_ns", &sample_ns, "sample_iters",
			   &sample_iters, "loop_ns", &loop_ns, "extra", &extra, "series",
			   &series) < 0) {
		bad(err, errlen, "result data: %s", jerr.text);
		goto out;
	}
	if (strcmp(wl, workload) != 0) {
		bad(err, errlen, "result data for workload '%.64s', expected '%s'", wl, workload);
		goto out;
	}
	if (strcmp(u, unit) != 0) {
		bad(err, errlen, "result data in unit '%.16s', expected '%s'", u, unit);
		goto out;
	}
	if (got_iters < 1 || (uint64_t)got_iters != iters || warmup < 0 || !isfinite(loop_ns) ||
	    loop_ns < 0 || !isfinite(ops) || ops <= 0) {
		bad(err, errlen, "result data with iters, warmup, ops or loop_ns not as announced");
		goto out;
	}
	/* What the guest was asked, against what it says it did. */
	if ((uint64_t)warmup != warmup_asked) {
		bad(err, errlen, "result data after %lld warm-up samples, %llu were asked for",
		    (long long)warmup, (unsigned long long)warmup_asked);
		goto out;
	}
	/* (A workload with points announces one point's iterations, not each point's.) */
	for (size_t i = 0; !series && i < json_array_size(sample_iters); i++) {
		json_t *n = json_array_get(sample_iters, i);
		if (json_is_number(n) && json_number_value(n) < (double)iters) {
			bad(err, errlen,
			    "result sample %zu of %.0f iterations, fewer than the %llu announced",
			    i, json_number_value(n), (unsigned long long)iters);
			goto out;
		}
	}
	out->samples = malloc((reps ? reps : 1) * sizeof(double));
	if (!out->samples) {
		ret = -ENOMEM;
		goto out;
	}
	/* sample_ns and sample_iters: reps of each, or none (self-measuring workloads). */
	if (check_numbers(samples, reps, out->samples) < 0 || !json_is_array(sample_ns) ||
	    !json_is_array(sample_iters) ||
	    json_array_size(sample_ns) != json_array_size(sample_iters) ||
	    (json_array_size(sample_ns) != 0 && (check_numbers(sample_ns, reps, NULL) < 0 ||
						 check_numbers(sample_iters, reps, NULL) < 0))) {
		bad(err, errlen, "result data without %llu finite non-negative samples",
		    (unsigned long long)reps);
		goto out;
	}
	if (extra && !json_is_object(extra)) {
		bad(err, errlen, "result extra is not an object");
		goto out;
	}
	if (series && check_series(series, reps, err, errlen) < 0)
		goto out;
	out->n = reps;
	out->extra = extra ? json_incref(extra) : NULL;
	out->series = series ? json_incref(series) : NULL;
	out->raw = json_pack("{s:I, s:I, s:f, s:f, s:O, s:O}", "iters", got_iters, "warmup", warmup,
			     "loop_ns", loop_ns, "ops", ops, "sample_ns", sample_ns, "sample_iters",
			     sample_iters);
	ret = out->raw ? 0 : -ENOMEM;
out:
	if (ret < 0)
		payload_free(out);
	json_decref(root);
	return ret;
}

/* The sum and count of the numbers in the sample_ns array arr. */
static void add_durations(json_t *arr, double *sum, size_t *n)
{
	size_t i;
	json_t *v;

	json_array_foreach(arr, i, v) {
		*sum += json_number_value(v);
		(*n)++;
	}
}

int proto_check_durations(const struct payload *pl, bool timed, uint64_t min_sample_ns,
			  double host_ns, char *err, size_t len)
{
	json_t *points = json_object_get(pl->series, "points"), *pt;
	double sum = 0;
	size_t n = 0, i;

	if (json_array_size(points))
		json_array_foreach(points, i, pt)
			add_durations(json_object_get(pt, "sample_ns"), &sum, &n);
	else
		add_durations(json_object_get(pl->raw, "sample_ns"), &sum, &n);
	if (!n)
		return timed ? bad(err, len, "result data without the samples' times") : 0;
	if (sum > host_ns * PROTO_CLOCK_SLACK + PROTO_CLOCK_SLACK_NS)
		return bad(err, len,
			   "the guest's %zu samples add up to %.3f s, but %.3f s passed on the "
			   "host between GO and DONE",
			   n, sum / 1e9, host_ns / 1e9);
	double least = (double)n * (double)min_sample_ns;
	if (host_ns * PROTO_CLOCK_SLACK + PROTO_CLOCK_SLACK_NS < least)
		return bad(err, len,
			   "the guest said DONE %.3f s after GO; %zu samples of at least %.3f ms "
			   "each take %.3f s",
			   host_ns / 1e9, n, (double)min_sample_ns / 1e6, least / 1e9);
	return 0;
}

void conn_init(struct conn *c, int rfd, int wfd, const char *who)
{
	c->rfd = rfd;
	c->wfd = wfd;
	c->noise = 0;
	c->who = who;
	c->last_words[0] = '\0';
	c->panicked = false;
	memset(&c->log, 0, sizeof(c->log));
	linebuf_init(&c->lb);
}

/* Shows one line of guest text at level, escaped and cut, while the window's budget lasts;
 * counts it otherwise. */
static void conn_echo(struct conn *c, enum log_level level, const char *what, const char *text)
{
	char line[GUESTLOG_LINE_MAX + 1];

	if (level > log_get_level())
		return;
	guestlog_format(text, line);
	if (guestlog_take(&c->log, strlen(line), strlen(text)))
		log_msg(level, "%s %s: %s", c->who, what, line);
}

void conn_log_summary(struct conn *c, const char *what)
{
	char buf[256];

	if (guestlog_summary(&c->log, buf, sizeof(buf)))
		log_warn("%s: %s: %s", c->who, what, buf);
}

int conn_recv(struct conn *c, struct msg *m, int timeout_ms, char *err, size_t errlen)
{
	int64_t deadline = util_now_ms() + timeout_ms;

	for (;;) {
		char *line;
		int ret = linebuf_next(&c->lb, &line);
		if (ret == -EMSGSIZE)
			return bad(err, errlen, "guest sent a line longer than %d bytes",
				   VMB_MAX_LINE);
		if (ret == 1) {
			ret = proto_parse(line, m, err, errlen);
			if (ret < 0)
				return ret;
			if (m->type == MSG_NOISE) {
				c->noise++;
				conn_echo(c, LOG_DBG, "console", line);
				util_printable(line);
				util_rtrim(line);
				/* The last line, or the first that reports the kernel's
				 * death: what follows it is its detail. */
				if (line[0] && !c->panicked) {
					const char *at = util_kernel_report(line);
					c->panicked = at != NULL;
					snprintf(c->last_words, sizeof(c->last_words), "%s",
						 at ? at : line);
				}
				continue;
			}
			if (m->type == MSG_LOG) {
				conn_echo(c, LOG_INFO, "agent", m->text);
				continue;
			}
			return 0;
		}
		int64_t left = deadline - util_now_ms();
		ret = left > 0 ? proc_wait_readable(c->rfd, (int)left) : 0;
		if (ret == 0)
			return -ETIMEDOUT;
		if (ret < 0)
			return ret;
		long n = linebuf_fill(&c->lb, c->rfd);
		if (n < 0)
			return (int)n;
		if (n == 0)
			return -EPIPE;
	}
}

int conn_send(struct conn *c, const char *fmt, ...)
{
	char line[VMB_MAX_LINE];
	va_list ap;

	va_start(ap, fmt);
	/* Text and newline together fit in VMB_MAX_LINE; vsnprintf's NUL takes the newline's
	 * place. */
	int n = vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (n < 0 || n >= (int)sizeof(line))
		return -EMSGSIZE;
	line[n++] = '\n';
	return util_write_all(c->wfd, line, (size_t)n);
}
