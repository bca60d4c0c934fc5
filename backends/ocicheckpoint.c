/*
 * The container backend's snapshots through its OCI runtime and CRIU (ocicheckpoint.h):
 * `runc checkpoint --leave-running` writes CRIU's images into the state directory while the
 * agent runs on; `runc restore` starts a new container, with an id of its own, from them.
 *
 * The agent's protocol survives because its stdin and stdout are pipes: runc records what
 * fds 0-2 of the container's process were at its start (descriptors.json in the images,
 * "pipe:[inode]"), and its restore hands CRIU the new container's stdio for them, CRIU's
 * --inherit-fd fd[N]:pipe:[inode] (a pipe whose other end lay outside the dumped tree would
 * otherwise come back as a fresh pipe nobody writes). So the restore runs in the foreground
 * like `runc run`: the restored agent's pipes are runc's, and runc relays them to ours (crun
 * passes its own stdio, which are ours).
 *
 * Clones: several restores of one image directory at once, each with an id, a bundle, a
 * cgroup, a runtime --root and a CRIU work directory of its own (CRIU writes its log and
 * stats-restore there, not into the images, which it only reads). The container's private
 * pid namespace is restored as a new one each time, so the same pids in every clone clash
 * with nothing.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/wait.h>
#include <unistd.h>

#include <jansson.h>

#include "backends/ocibundle.h"
#include "backends/ocicheckpoint.h"
#include "common/sysutil.h"
#include "host/process.h"
#include "host/util.h"

/* A checkpoint of an idle agent takes a second or two; past this something hangs. */
#define SAVE_LIMIT_MS 120000
/* `criu check` answers in a fraction of a second. */
#define CHECK_LIMIT_MS 30000
/* How much of a CRIU log is searched for its error (runc logs at CRIU's level 4). */
#define LOG_MAX (16u << 20)
/* CRIU's file magics (criu/include/magic.h): a service file's, then its statistics'. */
#define IMG_SERVICE_MAGIC 0x55105940u
#define STATS_MAGIC	  0x57093306u

static const char *const sbin_path = "/usr/sbin:/usr/bin:/sbin:/bin";

/* The start of a checkpoint's or a restore's command: the runtime with its global options
 * and --root, the verb, the images in dir, and CRIU's work directory (its log and
 * statistics) beside the container, not in the state: they are not the guest's state, and
 * the state's size is what the guest takes. */
static void cmd_start(const struct ocicp_ctr *c, const char *verb, const char *dir,
		      const char *work, struct backend_cmd *cmd)
{
	backend_cmd_add(cmd, c->runtime);
	for (size_t i = 0; i < c->nglobal && c->global[i]; i++)
		backend_cmd_add(cmd, c->global[i]);
	backend_cmd_add(cmd, "--root");
	backend_cmd_add(cmd, c->state);
	backend_cmd_add(cmd, verb);
	backend_cmd_add(cmd, "--image-path");
	backend_cmd_addf(cmd, "%s/" OCICP_IMAGES, dir);
	backend_cmd_add(cmd, "--work-path");
	backend_cmd_addf(cmd, "%s/%s", c->rundir, work);
}

void ocicp_checkpoint_cmd(const struct ocicp_ctr *c, const char *dir, struct backend_cmd *cmd)
{
	cmd_start(c, "checkpoint", dir, OCICP_DUMP_WORK, cmd);
	backend_cmd_add(cmd, "--leave-running");
	backend_cmd_add(cmd, c->id);
}

void ocicp_restore_cmd(const struct ocicp_ctr *c, const char *dir, struct backend_cmd *cmd)
{
	cmd_start(c, "restore", dir, OCICP_RESTORE_WORK, cmd);
	/* Written once the container runs again: how ocicp_restored knows it, and whom. */
	backend_cmd_add(cmd, "--pid-file");
	backend_cmd_addf(cmd, "%s/" OCICP_PID_FILE, c->rundir);
	backend_cmd_add(cmd, "--bundle");
	backend_cmd_add(cmd, c->rundir);
	backend_cmd_add(cmd, c->id);
}

/* The message of one line of CRIU's, when it is an error: "Error (file:line): message",
 * after a timestamp and a pid in a log. *helper: it reports a helper program's end. */
static bool error_line(const char *line, size_t n, char *out, size_t len, bool *helper)
{
	const char *e = NULL;

	for (const char *p = line; p + 7 <= line + n && !e; p++)
		if (!strncmp(p, "Error (", 7))
			e = p;
	const char *msg = e ? memchr(e, ')', (size_t)(line + n - e)) : NULL;
	if (!msg)
		return false;
	msg += 1 + (msg[1] == ':');
	msg += strspn(msg, " ");
	if (msg >= line + n)
		return false;
	snprintf(out, len, "%.*s", (int)(line + n - msg), msg);
	util_printable(util_rtrim(out));
	/* cr_system's report of a program CRIU ran (`criu check` runs `iptables -L` and
	 * tolerates its failure): the program said what went wrong, if anything did. */
	*helper = !strncmp(out, "exited, status=", 15) || !strncmp(out, "killed by signal", 16);
	return out[0] != '\0';
}

bool ocicp_criu_error(const char *text, char *line, size_t len)
{
	char msg[512], first[512] = "";
	bool helper;

	line[0] = '\0';
	for (const char *p = text; p && *p;) {
		size_t n = strcspn(p, "\r\n");
		if (error_line(p, n, msg, sizeof(msg), &helper)) {
			if (!helper) {
				snprintf(line, len, "%s", msg);
				return true;
			}
			if (!first[0])
				snprintf(first, sizeof(first), "%s", msg);
		}
		p += n;
		p += strspn(p, "\r\n");
	}
	snprintf(line, len, "%s", first);
	return first[0] != '\0';
}

int ocicp_check_says(const char *out, int status, char *line, size_t len)
{
	if (status == 0) {
		line[0] = '\0';
		return 0;
	}
	if (!ocicp_criu_error(out, line, len)) {
		/* No error line of CRIU's: its verdict ("Does not look good."), else its
		 * first words, else how it ended. */
		const char *start = out + strspn(out, " \t\r\n");
		snprintf(line, len, "%.*s", (int)strcspn(start, "\r\n"), start);
		util_printable(util_rtrim(line));
		if (!line[0] && status < 0)
			snprintf(line, len, "%s", strerror(-status));
		else if (!line[0])
			snprintf(line, len, "exited with status %d, saying nothing", status);
	}
	return status < 0 ? status : -ENOTSUP;
}

int ocicp_runtime_can(const char *name, const char *version, char *reason, size_t len)
{
	if (!strcmp(name, "runc"))
		return 0;
	/* crun builds without libcriu lack the commands; its --version lists its features. */
	if (!strcmp(name, "crun")) {
		if (version && strstr(version, "+CRIU"))
			return 0;
		snprintf(reason, len,
			 "crun here is built without CRIU (`crun --version` lists no +CRIU): it "
			 "cannot checkpoint");
		return -ENOTSUP;
	}
	snprintf(reason, len, "vmbench checkpoints containers with runc or crun, not %s", name);
	return -ENOTSUP;
}

int ocicp_descriptors(const char *json, char *err, size_t len)
{
	json_t *fds = json_loads(json, 0, NULL);
	const char *in = json_string_value(json_array_get(fds, 0));
	const char *out = json_string_value(json_array_get(fds, 1));
	int ret = 0;

	if (!in || !out || strncmp(in, "pipe:", 5) || strncmp(out, "pipe:", 5)) {
		char what[160];
		snprintf(what, sizeof(what), "%s", json ? json : "");
		snprintf(err, len,
			 "the container's stdin and stdout were not pipes at its start "
			 "(descriptors.json: %.160s): a restored agent could not be reached",
			 util_printable(util_rtrim(what)));
		ret = -EPROTO;
	}
	json_decref(fds);
	return ret;
}

/* A protocol buffers varint at *p (before end). 0, or -EINVAL when cut short. */
static int varint(const unsigned char **p, const unsigned char *end, uint64_t *v)
{
	*v = 0;
	for (unsigned shift = 0; *p < end && shift < 64; shift += 7) {
		unsigned char b = *(*p)++;
		*v |= (uint64_t)(b & 0x7f) << shift;
		if (!(b & 0x80))
			return 0;
	}
	return -EINVAL;
}

/* Skips a field of wire type wt. 0 or -EINVAL. */
static int skip_field(const unsigned char **p, const unsigned char *end, unsigned wt)
{
	uint64_t v;
	size_t n = wt == 1 ? 8 : wt == 5 ? 4 : 0;

	if (wt == 0)
		return varint(p, end, &v);
	if (wt == 2) {
		if (varint(p, end, &v) < 0)
			return -EINVAL;
		n = v;
	} else if (!n) {
		return -EINVAL;
	}
	if ((size_t)(end - *p) < n)
		return -EINVAL;
	*p += n;
	return 0;
}

static uint32_t le32(const unsigned char *b)
{
	return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
}

/*
 * The file: IMG_SERVICE_MAGIC, STATS_MAGIC, then one stats_entry (images/stats.proto) as a
 * 32-bit length and its bytes; its field 1 is the dump_stats_entry, whose fields 1 and 2
 * are freezing_time and frozen_time in microseconds, and 7 pages_written.
 */
int ocicp_dump_stats(const unsigned char *buf, size_t n, struct ocicp_dump_stats *s)
{
	const unsigned char *p = buf, *end = buf + n;
	uint64_t key, v, freezing = UINT64_MAX, frozen = UINT64_MAX;
	bool found = false;

	memset(s, 0, sizeof(*s));
	if (n >= 4 && le32(p) == IMG_SERVICE_MAGIC)
		p += 4;
	if (end - p < 8 || le32(p) != STATS_MAGIC || le32(p + 4) > (size_t)(end - p - 8))
		return -EINVAL;
	end = p + 8 + le32(p + 4);
	p += 8;
	while (p < end) {
		if (varint(&p, end, &key) < 0)
			return -EINVAL;
		if (key != (1u << 3 | 2)) {
			if (skip_field(&p, end, key & 7) < 0)
				return -EINVAL;
			continue;
		}
		/* dump: a length and the nested message */
		if (varint(&p, end, &v) < 0 || v > (uint64_t)(end - p))
			return -EINVAL;
		const unsigned char *d = p, *dend = p + v;
		p = dend;
		found = true;
		while (d < dend) {
			if (varint(&d, dend, &key) < 0)
				return -EINVAL;
			if ((key & 7) != 0) {
				if (skip_field(&d, dend, key & 7) < 0)
					return -EINVAL;
				continue;
			}
			if (varint(&d, dend, &v) < 0)
				return -EINVAL;
			if (key >> 3 == 1)
				freezing = v;
			else if (key >> 3 == 2)
				frozen = v;
			else if (key >> 3 == 7)
				s->pages_written = v;
		}
	}
	if (!found || freezing == UINT64_MAX || frozen == UINT64_MAX)
		return -EINVAL;
	s->freezing_s = (double)freezing / 1e6;
	s->frozen_s = (double)frozen / 1e6;
	return 0;
}

/* CRIU's first error in dir/log, into line (empty when none). */
static void criu_log_error(const char *dir, const char *sub, const char *log, char *line,
			   size_t len)
{
	char path[PATH_MAX];
	char *text;

	line[0] = '\0';
	snprintf(path, sizeof(path), "%s/%s/%s", dir, sub, log);
	text = util_read_file(path, LOG_MAX, NULL);
	if (text)
		ocicp_criu_error(text, line, len);
	free(text);
}

/* What the runtime and CRIU said of a failed operation (runtime: its output), in
 * g->reason. */
static void failure(struct guest *g, const struct ocicp_ctr *c, const char *verb, const char *out,
		    int status, const char *sub, const char *log)
{
	char words[300], criu[300];

	oci_runtime_words(out, status, words, sizeof(words));
	/* runc's message goes on, quoted, with where CRIU's log is: CRIU's line says more. */
	char *more = strstr(words, "\\n");
	if (more)
		*more = '\0';
	criu_log_error(c->rundir, sub, log, criu, sizeof(criu));
	snprintf(g->reason, sizeof(g->reason), "'%.16s %.10s' failed: %.100s%s%.90s", c->name, verb,
		 words, criu[0] ? "; CRIU says: " : "", criu);
}

/* Whether a program CRIU runs is on $PATH (where runc finds CRIU and CRIU finds it). */
static bool have(const char *name)
{
	char path[PATH_MAX];

	return sys_find_program(name, sbin_path, path, sizeof(path)) == 0;
}

static int measure_offer(const char *name, const char *path, char *reason, size_t len)
{
	/* What CRIU runs for a container's own network namespace: ip to save and restore its
	 * addresses and routes, iptables-restore to lock it while it dumps and unlock it
	 * after both operations. */
	static const char *const tools[][2] = { { "iptables-restore", "iptables" },
						{ "ip", "iproute2" } };
	char criu[PATH_MAX], out[8192], line[300];

	if (sys_find_program("criu", sbin_path, criu, sizeof(criu)) < 0) {
		snprintf(reason, len, "needs CRIU (Debian: criu)");
		return -ENOENT;
	}
	char *check[] = { criu, "check", NULL };
	int status = proc_capture_stoppable(check, out, sizeof(out), CHECK_LIMIT_MS);
	int ret = ocicp_check_says(out, status, line, sizeof(line));
	if (ret < 0) {
		snprintf(reason, len, "CRIU cannot checkpoint on this host: `criu check` says: %s",
			 line);
		return ret;
	}
	for (size_t i = 0; i < ARRAY_SIZE(tools); i++)
		if (!have(tools[i][0])) {
			snprintf(reason, len,
				 "CRIU needs %s for the container's network namespace (Debian: %s)",
				 tools[i][0], tools[i][1]);
			return -ENOENT;
		}
	char *ver[] = { (char *)path, "--version", NULL };
	if (proc_capture_stoppable(ver, out, sizeof(out), CHECK_LIMIT_MS) != 0)
		out[0] = '\0';
	ret = ocicp_runtime_can(name, out, reason, len);
	if (ret == 0)
		snprintf(reason, len, "%s checkpoints with CRIU (`criu check` passed)", name);
	return ret;
}

int ocicp_offers(const char *name, const char *path, char *reason, size_t len)
{
	/* Asked before each lifecycle cell, by the run's thread: measured once. */
	static bool done;
	static int ret;
	static char said[512];

	if (!done) {
		ret = measure_offer(name, path, said, sizeof(said));
		/* A check the user cut short measured nothing. */
		done = !proc_interrupted();
		if (!done) {
			snprintf(said, sizeof(said), "interrupted before CRIU's check ended");
			ret = -EINTR;
		}
	}
	snprintf(reason, len, "%s", said);
	return ret;
}

/* CRIU's account of the dump just done, when it wrote one: the guest's stop. */
static void dump_account(const struct ocicp_ctr *c, struct mig_stats *st, double *frozen_s)
{
	char path[PATH_MAX];
	size_t n = 0;
	struct ocicp_dump_stats s;

	snprintf(path, sizeof(path), "%s/" OCICP_DUMP_WORK "/stats-dump", c->rundir);
	unsigned char *buf = (unsigned char *)util_read_file(path, 1u << 16, &n);
	if (buf && ocicp_dump_stats(buf, n, &s) == 0) {
		/* Its downtime: every task stopped; the guest did not run from the start of
		 * the freeze (CRIU's timings are the host's clock). */
		st->downtime_ms = s.frozen_s * 1e3;
		*frozen_s = s.freezing_s + s.frozen_s;
		long page = sysconf(_SC_PAGESIZE);
		st->transferred = s.pages_written * (uint64_t)(page > 0 ? page : 4096);
		snprintf(st->status, sizeof(st->status), "completed");
	}
	free(buf);
}

int ocicp_save(struct guest *g, const struct ocicp_ctr *c, const char *dir, struct mig_stats *st,
	       double *frozen_s)
{
	struct backend_cmd *cmd = calloc(1, sizeof(*cmd));
	char out[4096], path[PATH_MAX];
	int ret;

	mig_stats_init(st);
	*frozen_s = NAN;
	if (!cmd)
		return -ENOMEM;
	ocicp_checkpoint_cmd(c, dir, cmd);
	ret = backend_cmd_check(cmd, g);
	if (ret == 0) {
		ret = proc_capture_stoppable(cmd->argv, out, sizeof(out), SAVE_LIMIT_MS);
		if (ret != 0)
			failure(g, c, "checkpoint", out, ret, OCICP_DUMP_WORK, "dump.log");
		if (ret == -ETIMEDOUT)
			snprintf(g->reason, sizeof(g->reason),
				 "'%s checkpoint' did not finish within %d s (ended)", c->name,
				 SAVE_LIMIT_MS / 1000);
		if (ret > 0)
			ret = -EIO;
	}
	free(cmd);
	if (ret < 0)
		return ret;
	/* A checkpoint no restore could talk to is no snapshot of the guest. */
	snprintf(path, sizeof(path), "%s/" OCICP_IMAGES "/descriptors.json", dir);
	char *fds = util_read_file(path, 1u << 16, NULL);
	if (!fds) {
		ret = -errno;
		snprintf(g->reason, sizeof(g->reason), "'%s checkpoint' wrote no %.200s: %s",
			 c->name, path, strerror(errno));
		return ret;
	}
	ret = ocicp_descriptors(fds, g->reason, sizeof(g->reason));
	free(fds);
	if (ret == 0)
		dump_account(c, st, frozen_s);
	return ret;
}

/* Whether process pid has ended (left unreaped for the backend's stop), with its exit
 * status (128 + a signal's number) in *status. */
static bool ended(pid_t pid, int *status)
{
	siginfo_t si = { 0 };

	if (waitid(P_PID, (id_t)pid, &si, WEXITED | WNOHANG | WNOWAIT) < 0)
		return *status = 255, true;
	*status = si.si_code == CLD_EXITED ? si.si_status : 128 + si.si_status;
	return si.si_pid == pid;
}

/* The pid in the pid file, or 0 while there is none (or only part of one). */
static pid_t pid_in(const char *path)
{
	char line[32], *end;

	if (util_read_line(path, line, sizeof(line)) < 0)
		return 0;
	long v = strtol(line, &end, 10);
	return end != line && *end == '\0' && v > 0 && v <= INT32_MAX ? (pid_t)v : 0;
}

int ocicp_restored(struct guest *g, const struct ocicp_ctr *c, int timeout_ms, pid_t *pid)
{
	char path[PATH_MAX];
	int64_t deadline = util_now_ms() + timeout_ms;
	int ret = -ETIMEDOUT, status = 0;

	*pid = 0;
	snprintf(path, sizeof(path), "%s/" OCICP_PID_FILE, c->rundir);
	/* The runtime writes the file once the container runs (runc: a temporary file
	 * renamed): woken by that, not by a poll's period, so that no sleep is counted in
	 * the restore's time. Its end (a failed restore) is checked at every wake-up. */
	int in = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
	if (in >= 0 && inotify_add_watch(in, c->rundir, IN_MOVED_TO | IN_CLOSE_WRITE) < 0) {
		close(in);
		in = -1;
	}
	for (;;) {
		if ((*pid = pid_in(path)) > 0) {
			ret = 0;
			break;
		}
		if (ended(g->pid, &status)) {
			ret = -EIO;
			break;
		}
		int64_t left = deadline - util_now_ms();
		if (left <= 0)
			break;
		/* Without inotify (out of instances), a poll of a millisecond. */
		if (in < 0)
			usleep(1000);
		if (proc_interrupted() ||
		    (in >= 0 && proc_wait_readable(in, left < 50 ? (int)left : 50) == -EINTR)) {
			ret = -EINTR;
			break;
		}
		char events[4096];
		while (in >= 0 && read(in, events, sizeof(events)) > 0)
			;
	}
	if (in >= 0)
		close(in);
	if (ret == -EINTR)
		snprintf(g->reason, sizeof(g->reason), "interrupted while restoring");
	if (ret == -ETIMEDOUT)
		snprintf(g->reason, sizeof(g->reason),
			 "'%s restore' did not bring the container back within %d s", c->name,
			 timeout_ms / 1000);
	if (ret == -EIO) {
		/* Its log: what the runtime said on stderr (backend_child_log). */
		char log[PATH_MAX];
		snprintf(log, sizeof(log), "%s/runtime.log", c->rundir);
		char *said = util_read_file(log, 1u << 16, NULL);
		failure(g, c, "restore", said ? said : "", status, OCICP_RESTORE_WORK,
			"restore.log");
		free(said);
	}
	return ret;
}
