/* What the lifecycle workloads share: see harness/lifecycle.h. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "common/sysutil.h"
#include "harness/lifecycle.h"
#include "host/process.h"
#include "host/runstate.h"
#include "host/util.h"

void life_cfg(const struct backend_cfg *in, struct backend_cfg *out)
{
	*out = *in;
	out->disk_path = NULL;
}

int life_state_dir(struct life_state *st, char *err, size_t len)
{
	const char *base = runstate_dir();

	st->bytes = 0;
	if (!base) {
		st->dir[0] = '\0';
		snprintf(err, len, "no run directory to keep a saved state in");
		return -ENOENT;
	}
	if ((size_t)snprintf(st->dir, sizeof(st->dir), "%s/vmbench-state-XXXXXX", base) >=
	    sizeof(st->dir)) {
		st->dir[0] = '\0';
		snprintf(err, len, "state directory path too long");
		return -ENAMETOOLONG;
	}
	if (!mkdtemp(st->dir)) {
		int ret = -errno;
		snprintf(err, len, "cannot create a state directory in %.200s: %s", base,
			 strerror(errno));
		st->dir[0] = '\0';
		return ret;
	}
	return 0;
}

/* The bytes of the regular files under the state directory (a checkpoint's images are
 * several, in subdirectories). */
static long long tree_bytes(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	long long sum = 0;

	while (d && (e = readdir(d))) {
		char path[PATH_MAX];
		struct stat sb;
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, e->d_name) >= sizeof(path) ||
		    lstat(path, &sb) < 0)
			continue;
		if (S_ISREG(sb.st_mode))
			sum += sb.st_size;
		else if (S_ISDIR(sb.st_mode))
			sum += tree_bytes(path);
	}
	if (d)
		closedir(d);
	return sum;
}

/* Empties the state directory, keeping it. */
static void state_empty(const struct life_state *st)
{
	DIR *d = opendir(st->dir);
	struct dirent *e;

	while (d && (e = readdir(d))) {
		char path[PATH_MAX];
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..") &&
		    (size_t)snprintf(path, sizeof(path), "%s/%s", st->dir, e->d_name) <
			    sizeof(path))
			sys_rmtree(path);
	}
	if (d)
		closedir(d);
}

int life_save(struct session *s, struct life_state *st, char *err, size_t len)
{
	double t0 = util_now_s();
	int ret = s->g.ops->save(&s->g, st->dir, &st->st, &st->frozen_s);

	st->save_s = util_now_s() - t0;
	if (ret < 0) {
		snprintf(err, len, "%s", s->g.reason[0] ? s->g.reason : strerror(-ret));
		/* A full filesystem is the likeliest cause, and the backend may not say it. */
		struct statvfs vfs;
		if (statvfs(st->dir, &vfs) == 0 && (double)vfs.f_bavail * vfs.f_frsize < 1 << 20)
			util_appendf(err, len, " (%s: the state directory's filesystem is full)",
				     strerror(ENOSPC));
		state_empty(st);
		return ret;
	}
	st->bytes = tree_bytes(st->dir);
	return 0;
}

int life_save_fresh(const struct host_ctx *ctx, const struct backend_cfg *cfg,
		    struct life_state *st, struct hello *origin, char *err, size_t len)
{
	struct session s;
	int ret = session_start(&s, ctx->backend, cfg, false, err, len);

	if (ret < 0)
		return ret;
	*origin = s.hello;
	ret = life_save(&s, st, err, len);
	session_stop(&s);
	return ret;
}

void life_state_remove(struct life_state *st)
{
	if (st->dir[0])
		sys_rmtree(st->dir);
	st->dir[0] = '\0';
}

json_t *life_num(double x)
{
	return isfinite(x) ? json_real(x) : json_null();
}

int life_append(json_t *obj, const char *key, json_t *v)
{
	json_t *arr = json_object_get(obj, key);

	if (!v)
		return -ENOMEM;
	if (!arr && (!(arr = json_array()) || json_object_set_new(obj, key, arr) < 0)) {
		json_decref(v);
		return -ENOMEM;
	}
	return json_array_append_new(arr, v) < 0 ? -ENOMEM : 0;
}

/* Each member of details appended to the cell's raw array of its name. */
static int note_details(struct cell *cell, json_t *details)
{
	const char *k;
	json_t *v;

	if (!cell->raw && !(cell->raw = json_object()))
		return -ENOMEM;
	json_object_foreach(details, k, v) {
		if (life_append(cell->raw, k, json_incref(v)) < 0)
			return -ENOMEM;
	}
	return 0;
}

int life_samples(const struct host_ctx *ctx, struct cell *cell, life_sample_fn fn,
		 bool warms_itself)
{
	/* The first operation of a run pages QEMU's code for it in, and the first boot the
	 * image: neither is the operation's own cost. */
	unsigned warm = ctx->warmup && !warms_itself ? 1 : 0;
	struct backend_cfg cfg;
	char err[600];
	int ret = 0;

	life_cfg(ctx->cfg, &cfg);
	for (unsigned i = 0; i < warm + ctx->reps && ret == 0; i++) {
		json_t *details = NULL, *series = NULL;
		double v = NAN;
		if (proc_interrupted()) {
			if (cell->n == 0)
				cell_set_status(cell, CELL_NOT_RUN, "interrupted before it ran");
			return 0;
		}
		err[0] = '\0';
		ret = fn(ctx, &cfg, &v, &details, &series, err, sizeof(err));
		if (ret < 0 && proc_interrupted()) {
			/* The user's interrupt cut the sample: not the cell's failure, and the
			 * samples before it stand. */
			if (cell->n == 0)
				cell_set_status(cell, CELL_NOT_RUN, "interrupted before it ran");
			ret = 1;
		} else if (ret == -ENOMEM && !err[0]) {
			/* The harness's own allocation: the run's, not the cell's (a backend that
			 * cannot fork for want of memory says so in err, and fails the cell). */
		} else if (ret < 0) {
			cell_set_status(cell, CELL_FAILED, "sample %u of %u: %s", i + 1,
					warm + ctx->reps, err[0] ? err : strerror(-ret));
			ret = 1;
		} else if (i >= warm) {
			ret = cell_add_session(cell, &v, 1, NULL, NULL, series);
			if (ret == 0 && details)
				ret = note_details(cell, details);
		}
		json_decref(details);
		json_decref(series);
	}
	return ret < 0 ? ret : 0;
}
