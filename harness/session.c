/* The session driver: starts a guest, awaits the agent's HELLO, opens the probes that can
 * watch it, and ends it on every path. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "harness/registry.h"
#include "harness/session.h"
#include "host/util.h"

#define QUIT_TIMEOUT_MS 3000
#define DATA_TIMEOUT_MS (60 * 1000) /* from ACK to END */

static void explain_gone(struct session *s, char *err, size_t len);

void session_recv_reason(struct session *s, int ret, const char *waiting_for, int timeout_ms,
			 char *err, size_t len)
{
	if (ret == -ETIMEDOUT)
		snprintf(err, len, "no %s from the agent within %d s", waiting_for,
			 timeout_ms / 1000);
	else if (ret == -EPIPE)
		snprintf(err, len, "the guest closed its stream while vmbench waited for %s",
			 waiting_for);
	else if (ret == -EINTR)
		snprintf(err, len, "interrupted by the user");
	else if (ret != -EPROTO)
		snprintf(err, len, "reading from the guest: %s", strerror(-ret));
	/* -EPROTO: err already says what was wrong */
	if (ret == -ETIMEDOUT || ret == -EPIPE)
		explain_gone(s, err, len);
}

/* What the guest's console said last and the backend's account, for a guest gone quiet
 * or away, appended to err. */
static void explain_gone(struct session *s, char *err, size_t len)
{
	if (s->c.last_words[0])
		util_appendf(err, len, "; its console: \"%s\"", s->c.last_words);
	if (s->g.ops->explain) {
		char why[256] = "";
		s->g.ops->explain(&s->g, why, sizeof(why));
		if (why[0])
			util_appendf(err, len, "; %s", why);
	}
}

/* Whether ops belongs to the pass (count: the counting pass) and can watch s's guest. */
static bool probe_usable(struct session *s, const struct probe_ops *ops, bool count)
{
	char reason[256] = "";
	const char *why;

	if (probe_check(ops, &why) < 0) {
		log_warn("probe %s: %s", ops->name, why);
		return false;
	}
	if (((ops->flags & PROBE_COUNT_PASS) != 0) != count)
		return false;
	if (ops->available(&s->g, reason, sizeof(reason)) < 0) {
		log_dbg("probe %s: not for %s: %s", ops->name, s->g.ops->name, reason);
		return false;
	}
	return true;
}

size_t session_probes_open(struct session *s, struct probe *arr, size_t max, bool count)
{
	size_t n = 0;

	for (size_t i = 0; i < probe_count && n < max; i++) {
		const struct probe_ops *ops = probe_table[i];
		if (!probe_usable(s, ops, count))
			continue;
		struct probe *p = &arr[n];
		p->ops = ops;
		p->guest = &s->g;
		p->priv = NULL;
		if (ops->open && ops->open(p) < 0) {
			log_warn("probe %s: cannot open for %s", ops->name, s->g.ops->name);
			continue;
		}
		n++;
	}
	return n;
}

void session_probes_close(struct probe *arr, size_t *n)
{
	for (size_t i = 0; i < *n; i++)
		if (arr[i].ops->close)
			arr[i].ops->close(&arr[i]);
	*n = 0;
}

void session_stop(struct session *s)
{
	if (s->up && conn_send(&s->c, "QUIT") == 0) {
		struct msg m;
		char err[256];
		int64_t deadline = util_now_ms() + QUIT_TIMEOUT_MS;
		/* A polite end, within one deadline whatever the guest sends; stop() below
		 * ends the guest anyway. */
		while (util_now_ms() < deadline &&
		       conn_recv(&s->c, &m, (int)(deadline - util_now_ms()), err, sizeof(err)) ==
			       0 &&
		       m.type != MSG_BYE)
			;
	}
	conn_log_summary(&s->c, "stopping");
	session_probes_close(s->probes, &s->nprobes);
	json_decref(s->counted);
	s->counted = NULL;
	s->g.ops->stop(&s->g);
	s->up = false;
	json_decref(s->facts);
	s->facts = NULL;
}

int session_expect(struct session *s, enum msg_type want, int timeout_ms, struct msg *m, char *err,
		   size_t len)
{
	int ret = conn_recv(&s->c, m, timeout_ms, err, len);

	if (ret < 0) {
		session_recv_reason(s, ret, proto_msg_name(want), timeout_ms, err, len);
		return ret;
	}
	if (m->type != want) {
		snprintf(err, len, "the agent sent %s instead of %s", proto_msg_name(m->type),
			 proto_msg_name(want));
		return -EPROTO;
	}
	return 0;
}

/*
 * The phases of a boot of boot_s seconds from the guest's timestamps: known only where
 * they fit (a guest kernel whose clock started within the boot, and the order /init,
 * agent, HELLO). A native agent or a container tells the host's uptime, which does not.
 */
static void boot_phases(struct boot_phases *p, double boot_s, const struct hello *h)
{
	memset(p, 0, sizeof(*p));
	if (!(h->init_start_s >= 0 && h->init_start_s <= h->agent_start_s &&
	      h->agent_start_s <= h->uptime_s && h->uptime_s <= boot_s))
		return;
	p->known = true;
	p->before_kernel_s = boot_s - h->uptime_s;
	p->kernel_s = h->init_start_s;
	p->init_s = h->agent_start_s - h->init_start_s;
	p->agent_s = h->uptime_s - h->agent_start_s;
}

void session_init(struct session *s, const struct backend_ops *ops, const struct backend_cfg *cfg)
{
	memset(s, 0, sizeof(*s));
	s->g.ops = ops;
	s->g.cfg = cfg;
	s->g.to_guest = s->g.from_guest = -1;
}

int session_start(struct session *s, const struct backend_ops *ops, const struct backend_cfg *cfg,
		  bool probes, char *err, size_t len)
{
	struct msg m;
	int ret;

	session_init(s, ops, cfg);
	double t0 = util_now_s();
	ret = ops->start(&s->g);
	if (ret < 0) {
		snprintf(err, len, "%s", s->g.reason[0] ? s->g.reason : strerror(-ret));
		goto out_stop;
	}
	conn_init(&s->c, s->g.from_guest, s->g.to_guest, ops->name);
	int timeout = ops->hello_timeout_s * 1000;
	ret = session_expect(s, MSG_HELLO, timeout, &m, err, len);
	if (ret < 0)
		goto out_stop;
	s->boot_s = util_now_s() - t0;
	s->hello = m.hello;
	/* The agent's clock checks come after HELLO, outside the boot. */
	ret = session_expect(s, MSG_CLOCK, timeout, &m, err, len);
	if (ret < 0)
		goto out_stop;
	s->hello.timer_res_ns = m.hello.timer_res_ns;
	s->hello.clock_read_ns = m.hello.clock_read_ns;
	s->hello.loop_ns = m.hello.loop_ns;
	s->hello.uptime_s = m.hello.uptime_s;
	s->hello.agent_start_s = m.hello.agent_start_s;
	s->hello.init_start_s = m.hello.init_start_s;
	boot_phases(&s->phases, s->boot_s, &s->hello);
	/* Only now: what ready() runs on the host (a runtime's state query) stays out of the
	 * agent's clock checks. */
	if (ops->ready && (ret = ops->ready(&s->g)) < 0) {
		snprintf(err, len, "%s", s->g.reason[0] ? s->g.reason : strerror(-ret));
		goto out_stop;
	}
	s->facts = s->g.facts;
	s->g.facts = NULL;
	s->up = true;
	if (probes) {
		s->nprobes = session_probes_open(s, s->probes, SESSION_MAX_PROBES, false);
		/* The counting pass's probes, opened for each pass: here only which ones. */
		s->counted = json_array();
		for (size_t i = 0; s->counted && i < probe_count; i++)
			if (probe_usable(s, probe_table[i], true))
				json_array_append_new(s->counted,
						      json_string(probe_table[i]->name));
	}
	log_dbg("%s: agent %s up in %.3f s, kernel %s, timer resolution %.0f ns", ops->name,
		s->hello.version, s->boot_s, s->hello.kernel, s->hello.timer_res_ns);
	conn_log_summary(&s->c, "starting");
	return 0;
out_stop:
	conn_log_summary(&s->c, "starting");
	session_stop(s);
	return ret;
}

static json_t *hello_json(const struct session *s)
{
	const struct hello *h = &s->hello;

	return json_pack("{s:s, s:s, s:s, s:f, s:f, s:f, s:s}", "version", h->version, "kernel",
			 h->kernel, "arch", h->arch, "timer_res_ns", h->timer_res_ns,
			 "clock_read_ns", h->clock_read_ns, "loop_ns", h->loop_ns, "tmp_fs",
			 h->tmp_fs);
}

void session_describe(const struct session *s, json_t *binfo)
{
	if (json_object_get(binfo, "agent"))
		return;
	json_object_set_new(binfo, "agent", hello_json(s));
	json_object_set_new(binfo, "boot_s", json_real(s->boot_s));
	json_t *names = json_array();
	for (size_t i = 0; i < s->nprobes; i++)
		json_array_append_new(names, json_string(s->probes[i].ops->name));
	json_object_set_new(binfo, "probes",
			    json_pack("{s:o, s:O}", "timed_pass", names, "counting_pass",
				      s->counted ? s->counted : json_null()));
	if (s->facts)
		json_object_set(binfo, "backend", s->facts);
}

void session_abandon(struct session *s)
{
	s->up = false;
	session_stop(s);
}

/* Sends the one-word command word (GO, ACK, SKIP). 0, or a negative errno with err. */
int session_send_word(struct session *s, const char *word, char *err, size_t len)
{
	int ret = conn_send(&s->c, "%s", word);

	if (ret < 0)
		snprintf(err, len, "cannot send %s to the guest: %s", word, strerror(-ret));
	if (ret == -EPIPE)
		explain_gone(s, err, len);
	return ret;
}

/*
 * Waits for message want about workload wl. 1 when it came; 0 when the agent answered
 * with its own ERR for wl instead (in *m); a negative errno with err otherwise.
 */
int session_await(struct session *s, enum msg_type want, const char *wl, int timeout_ms,
		  struct msg *m, char *err, size_t len)
{
	int ret = conn_recv(&s->c, m, timeout_ms, err, len);

	if (ret < 0) {
		session_recv_reason(s, ret, proto_msg_name(want), timeout_ms, err, len);
		return ret;
	}
	bool same = m->workload && strcmp(m->workload, wl) == 0;
	if (m->type == MSG_ERR && same)
		return 0;
	if (m->type != want || !same) {
		snprintf(err, len, "expected %s %s, the agent sent %s", proto_msg_name(want), wl,
			 proto_msg_name(m->type));
		return -EPROTO;
	}
	return 1;
}

/* Collects DATA lines up to END into a buffer, all within DATA_TIMEOUT_MS. 0 or a
 * conn_recv error with err. */
int session_recv_data(struct session *s, char **text, size_t *textlen, char *err, size_t len)
{
	size_t cap = 4096, n = 0;
	char *buf = malloc(cap);
	int64_t deadline = util_now_ms() + DATA_TIMEOUT_MS;
	struct msg m;
	int ret;

	if (!buf)
		return -ENOMEM;
	for (;;) {
		int64_t left = deadline - util_now_ms();
		ret = left > 0 ? conn_recv(&s->c, &m, (int)left, err, len) : -ETIMEDOUT;
		if (ret < 0) {
			session_recv_reason(s, ret, "result data", DATA_TIMEOUT_MS, err, len);
			break;
		}
		if (m.type == MSG_END) {
			if (m.bytes != n) {
				snprintf(err, len, "END says %llu bytes, the DATA lines held %zu",
					 (unsigned long long)m.bytes, n);
				ret = -EPROTO;
				break;
			}
			*text = buf;
			*textlen = n;
			return 0;
		}
		if (m.type != MSG_DATA) {
			snprintf(err, len, "the agent sent %s amid result data",
				 proto_msg_name(m.type));
			ret = -EPROTO;
			break;
		}
		size_t chunk = strlen(m.text);
		if (n + chunk > VMB_MAX_DATA) {
			snprintf(err, len, "result data larger than %u bytes", VMB_MAX_DATA);
			ret = -EPROTO;
			break;
		}
		if (n + chunk > cap) {
			while (n + chunk > cap)
				cap *= 2;
			char *nb = realloc(buf, cap);
			if (!nb) {
				ret = -ENOMEM;
				break;
			}
			buf = nb;
		}
		memcpy(buf + n, m.text, chunk);
		n += chunk;
	}
	free(buf);
	return ret;
}
