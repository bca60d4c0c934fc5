/*
 * The QEMU backends' lifecycle operations: a running guest saved to a state file, a guest
 * restored from one, a guest migrated live into a second QEMU on this host. All of it is
 * QEMU's own migration, driven over QMP by descriptor (host/migrate.h): a regular file for
 * a state, one end each of a unix socket pair for a live migration. And a running guest's
 * memory resized by its balloon (the virtio flavours').
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "backends/qemu.h"
#include "host/migrate.h"
#include "host/util.h"

/* A state file is written as fast as QEMU can: its migration's bandwidth cap (128 MiB/s
 * by default) would make the save time the cap's, not the backend's. */
#define SAVE_BANDWIDTH (64ull << 30)
/* A save of an idle guest converges in a few passes; past this something is wrong. */
#define SAVE_LIMIT_MS 300000
/* From the end of an incoming migration to the guest running. */
#define RUNNING_TIMEOUT_MS 60000
/* How long the STOP and RESUME events that bound the guest's stop may take to arrive
 * after the migration's end: they are sent before its reply, so only a moment. */
#define EVENT_WAIT_MS 2000
/* A saved state is one file in its directory. */
#define QEMU_STATE_FILE "state"

/* Drops the STOP and RESUME events left from before, so that the next ones bound this
 * operation's stop. */
static void drop_run_events(struct qmp *q)
{
	const char *names[] = { "STOP", "RESUME" };
	char err[128];

	for (size_t i = 0; i < 2; i++) {
		json_t *ev;
		while (qmp_take_event(q, names[i], &ev, 0, err, sizeof(err)) == 0)
			json_decref(ev);
	}
}

/* How long the guest did not run: from stopped's STOP event to resumed's RESUME event
 * (both stamped with the host's clock by QEMU), NAN when either is missing. */
static double frozen_between(struct qmp *stopped, struct qmp *resumed)
{
	double stop, resume;
	char err[128];

	if (mig_event_time(stopped, "STOP", EVENT_WAIT_MS, &stop, err, sizeof(err)) < 0 ||
	    mig_event_time(resumed, "RESUME", EVENT_WAIT_MS, &resume, err, sizeof(err)) < 0 ||
	    resume < stop)
		return NAN;
	return resume - stop;
}

/* The state file in a state directory, opened with flags. The descriptor, or -errno with
 * g->reason. */
static int state_file(struct guest *g, const char *dir, int flags)
{
	char path[PATH_MAX];
	int fd = -ENAMETOOLONG;

	if ((size_t)snprintf(path, sizeof(path), "%s/" QEMU_STATE_FILE, dir) < sizeof(path))
		fd = open(path, flags | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd == -1)
		fd = -errno;
	if (fd < 0)
		snprintf(g->reason, sizeof(g->reason), "cannot open %.200s/%s: %s", dir,
			 QEMU_STATE_FILE, strerror(-fd));
	return fd;
}

int qemu_save(struct guest *g, const char *dir, struct mig_stats *st, double *frozen_s)
{
	struct qemu_state *s = g->priv;
	const struct mig_params p = { .max_bandwidth = SAVE_BANDWIDTH };
	char err[300];
	int ret;

	mig_stats_init(st);
	*frozen_s = NAN;
	if (!s || !s->up) {
		snprintf(g->reason, sizeof(g->reason), "no running guest to save");
		return -ESRCH;
	}
	int fd = state_file(g, dir, O_WRONLY | O_CREAT | O_EXCL);
	if (fd < 0)
		return fd;
	drop_run_events(&s->qmp);
	ret = mig_set(&s->qmp, &p, err, sizeof(err));
	if (ret == 0)
		ret = mig_start(&s->qmp, fd, err, sizeof(err));
	close(fd); /* QEMU holds its own copy */
	if (ret == 0)
		ret = mig_wait(&s->qmp, &p, SAVE_LIMIT_MS, st, err, sizeof(err));
	if (ret < 0) {
		/* A failed or cancelled migration resumes the guest by itself. */
		snprintf(g->reason, sizeof(g->reason), "saving the guest's state failed: %.200s",
			 err);
		return ret;
	}
	/* Done: the guest waits, stopped, as a migrated guest does; it runs on here. */
	ret = mig_wait_settled(&s->qmp, QMP_TIMEOUT_MS, err, sizeof(err));
	if (ret == 0)
		ret = qmp_execute(&s->qmp, "cont", NULL, NULL, QMP_TIMEOUT_MS, err, sizeof(err));
	if (ret < 0) {
		snprintf(g->reason, sizeof(g->reason), "the saved guest does not run again: %.200s",
			 err);
		return ret;
	}
	*frozen_s = frozen_between(&s->qmp, &s->qmp);
	return 0;
}

int qemu_restore(struct guest *g, const struct qemu_flavour *fl, const char *dir)
{
	char err[300];
	/* A descriptor of its own: QEMU moves the offset of the file it reads. */
	int fd = state_file(g, dir, O_RDONLY);

	if (fd < 0)
		return fd;
	int ret = qemu_launch(g, fl, true);
	if (ret < 0) {
		close(fd);
		return ret;
	}
	struct qemu_state *s = g->priv;
	/* Events on: a failed load then says so (a MIGRATION event) before QEMU exits. */
	const struct mig_params none = { 0 };
	ret = mig_set(&s->qmp, &none, err, sizeof(err));
	if (ret == 0)
		ret = mig_incoming(&s->qmp, fd, err, sizeof(err));
	close(fd);
	if (ret == 0)
		ret = mig_wait_running(&s->qmp, RUNNING_TIMEOUT_MS, err, sizeof(err));
	if (ret < 0) {
		char why[200];
		qemu_explain(g, why, sizeof(why));
		snprintf(g->reason, sizeof(g->reason), "restoring the guest failed: %.150s%s%.70s",
			 err, why[0] ? "; " : "", why);
		return ret;
	}
	qemu_running(s);
	return 0;
}

/* Starts the destination, a QEMU waiting for its state, and begins the migration into it
 * over a socket pair. 0 or -errno with err; dst is to be stopped either way. */
static int migration_begin(struct guest *g, struct guest *dst, const struct qemu_flavour *fl,
			   const struct mig_params *p, char *err, size_t len)
{
	struct qemu_state *s = g->priv;
	int sv[2], ret;

	dst->ops = g->ops;
	dst->cfg = g->cfg;
	dst->to_guest = dst->from_guest = -1;
	ret = qemu_launch(dst, fl, true);
	if (ret < 0) {
		snprintf(err, len, "the destination did not start: %s", dst->reason);
		return ret;
	}
	struct qemu_state *d = dst->priv;
	/* Post-copy is set on both sides before the migration; the destination is the one
	 * that needs userfaultfd, and says so here when it has none. */
	ret = mig_set(&d->qmp, p, err, len);
	if (ret < 0)
		return ret;
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0) {
		ret = -errno;
		snprintf(err, len, "socketpair: %s", strerror(errno));
		return ret;
	}
	ret = mig_incoming(&d->qmp, sv[1], err, len);
	if (ret == 0)
		ret = mig_set(&s->qmp, p, err, len);
	if (ret == 0) {
		drop_run_events(&s->qmp);
		drop_run_events(&d->qmp);
		ret = mig_start(&s->qmp, sv[0], err, len);
	}
	/* QEMU holds its own copies now. */
	close(sv[0]);
	close(sv[1]);
	return ret;
}

/* Ends the host process of a guest described by a copy of its struct (the backend's
 * state points back at the struct it serves). */
static void end_copy(struct guest *gone)
{
	struct qemu_state *s = gone->priv;

	if (s)
		s->g = gone;
	qemu_stop(gone);
}

int qemu_migrate(struct guest *g, const struct qemu_flavour *fl, const struct mig_params *p,
		 int limit_ms, struct mig_stats *st, double *frozen_s)
{
	struct qemu_state *s = g->priv;
	struct guest dst = { 0 };
	char err[300];
	int ret;

	mig_stats_init(st);
	*frozen_s = NAN;
	if (!s || !s->up) {
		snprintf(g->reason, sizeof(g->reason), "no running guest to migrate");
		return -ESRCH;
	}
	ret = migration_begin(g, &dst, fl, p, err, sizeof(err));
	if (ret == 0)
		ret = mig_wait(&s->qmp, p, limit_ms, st, err, sizeof(err));
	struct qemu_state *d = dst.priv;
	if (ret == 0)
		ret = mig_wait_running(&d->qmp, RUNNING_TIMEOUT_MS, err, sizeof(err));
	if (ret < 0) {
		/* A destination that died is the cause of a failure; one that ended because the
		 * source cancelled (no convergence, the user's interrupt) is not. */
		char why[256] = "";
		const char *who = "";
		/* The side whose monitor broke went away: the other's end, if any, follows
		 * from it, and its words are the ones that say why. A destination that ended
		 * because the source cancelled (no convergence, the user's interrupt) is no
		 * cause. */
		if (s->qmp.broken) {
			qemu_explain(g, why, sizeof(why));
			who = "; the source: ";
		} else if (dst.pid > 0 && ret != -ETIMEDOUT && ret != -EINTR) {
			qemu_explain(&dst, why, sizeof(why));
			who = "; the destination: ";
		}
		/* The error as far as it goes, the explanation in what is left. */
		snprintf(g->reason, sizeof(g->reason), "%.120s%s", err, why[0] ? who : "");
		if (why[0])
			util_appendf(g->reason, sizeof(g->reason), "%s", why);
		end_copy(&dst);
		return ret;
	}
	*frozen_s = frozen_between(&s->qmp, &d->qmp);
	qemu_running(d);
	/* The guest is the destination's now: g takes it over, the source's process ends. */
	struct guest old = *g;
	*g = dst;
	d->g = g;
	end_copy(&old);
	return 0;
}

int qemu_resize(struct guest *g, uint64_t bytes)
{
	struct qemu_state *s = g->priv;
	char err[300];

	if (!s || !s->up) {
		snprintf(g->reason, sizeof(g->reason), "no running guest to resize");
		return -ESRCH;
	}
	/* The balloon's target is the memory the guest keeps; its driver inflates or deflates
	 * towards it at its own pace, which is what the caller times. */
	json_t *args = json_pack("{s:I}", "value", (json_int_t)bytes);
	if (!args)
		return -ENOMEM;
	int ret = qmp_execute(&s->qmp, "balloon", args, NULL, QMP_TIMEOUT_MS, err, sizeof(err));
	json_decref(args);
	if (ret < 0)
		snprintf(g->reason, sizeof(g->reason), "QEMU's balloon refused %llu MiB: %.200s",
			 (unsigned long long)(bytes >> 20), err);
	return ret;
}
