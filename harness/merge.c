/* vmbench merge: one results document from the runs of several hosts (harness/merge.h).
 * It works on the documents themselves, so every field a cell has, known to this build or
 * not, reaches the merged file unchanged. */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness/merge.h"
#include "harness/results.h"
#include "host/util.h"

#define LABEL_MAX 64

struct merge_ctx {
	/* Each host's label to its number, in the order they first appear: looked up for
	 * every cell, and a merged file can have many hosts. */
	json_t *labels;
	const char **backends; /* the backends in the order they first appear */
	size_t nbackends, bcap;
	char *err;
	size_t len;
};

/* A cell of the merged document and where it sorts. */
struct entry {
	json_t *cell;
	size_t backend, host, seq;
};

static int fail(struct merge_ctx *m, const char *fmt, ...) __printf(2, 3);

static int fail(struct merge_ctx *m, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(m->err, m->len, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

static long label_index(const struct merge_ctx *m, const char *label)
{
	json_t *i = json_object_get(m->labels, label);

	return i ? (long)json_integer_value(i) : -1;
}

static int label_add(struct merge_ctx *m, const char *label)
{
	json_int_t i = (json_int_t)json_object_size(m->labels);

	return json_object_set_new_nocheck(m->labels, label, json_integer(i)) < 0 ? -ENOMEM : 0;
}

static long backend_index(struct merge_ctx *m, const char *name)
{
	for (size_t i = 0; i < m->nbackends; i++)
		if (!strcmp(m->backends[i], name))
			return (long)i;
	if (m->nbackends == m->bcap) {
		size_t cap = m->bcap ? 2 * m->bcap : 16;
		void *p = realloc(m->backends, cap * sizeof(*m->backends));
		if (!p)
			return -ENOMEM;
		m->backends = p;
		m->bcap = cap;
	}
	m->backends[m->nbackends] = name;
	return (long)m->nbackends++;
}

/* A run's label: the one given, else its hostname with other characters as '-', made
 * unique with -2, -3, ... */
static int label_for(struct merge_ctx *m, const struct merge_input *in, char *out)
{
	if (in->label) {
		if (!results_host_label_ok(in->label))
			return fail(m,
				    "'%.80s' is not a host label (letters, digits, '.', '_', "
				    "'-'; at most %d)",
				    in->label, LABEL_MAX);
		if (label_index(m, in->label) >= 0)
			return fail(m, "the host label '%s' is given twice", in->label);
		snprintf(out, LABEL_MAX + 1, "%s", in->label);
		return 0;
	}
	const char *name = json_string_value(json_object_get(
		json_object_get(json_object_get(in->root, "provenance"), "host"), "hostname"));
	char base[LABEL_MAX - 4];
	size_t i;
	snprintf(base, sizeof(base), "%s", name && *name ? name : "host");
	for (i = 0; base[i]; i++)
		if (!results_host_label_ok((char[]){ base[i], '\0' }))
			base[i] = '-';
	snprintf(out, LABEL_MAX + 1, "%s", base);
	for (unsigned k = 2; label_index(m, out) >= 0; k++)
		snprintf(out, LABEL_MAX + 1, "%s-%u", base, k);
	return 0;
}

static const char *baseline_of(json_t *root)
{
	const char *b = json_string_value(json_object_get(
		json_object_get(json_object_get(root, "provenance"), "run"), "baseline"));

	return b ? b : RESULTS_DEFAULT_BASELINE;
}

/* Adds an input's hosts, backends and origin to the merged provenance; its labels to m. */
static int add_provenance(struct merge_ctx *m, const struct merge_input *in, const char *label,
			  json_t *hosts, json_t *backends, json_t *from)
{
	json_t *prov = json_object_get(in->root, "provenance");
	json_t *their = json_object_get(prov, "hosts"), *v;
	const char *k;
	int ret = 0;

	if (!label) { /* a merged file: its hosts keep their labels */
		json_object_foreach(their, k, v) {
			if (!results_host_label_ok(k))
				return fail(m, "%s: provenance.hosts: '%.80s' is not a host label",
					    in->path, k);
			if (label_index(m, k) >= 0)
				return fail(m,
					    "the host '%s' of %s is also in another input: merge "
					    "runs of distinct hosts, or label them (--hosts)",
					    k, in->path);
			if (label_add(m, k) < 0 || json_object_set(hosts, k, v) < 0)
				return -ENOMEM;
		}
		json_object_foreach(json_object_get(prov, "backends"), k, v)
			ret |= json_object_set(backends, k, v);
		json_array_extend(from, json_object_get(prov, "merged_from"));
		return ret < 0 ? -ENOMEM : 0;
	}
	if (label_add(m, label) < 0 || json_object_set(hosts, label, prov) < 0)
		return -ENOMEM;
	json_object_foreach(json_object_get(prov, "backends"), k, v) {
		char col[256];
		snprintf(col, sizeof(col), "%s@%s", k, label);
		ret |= json_object_set(backends, col, v);
	}
	ret |= json_array_append_new(from, json_pack("{s:s, s:s, s:O}", "path", in->path, "host",
						     label, "date",
						     json_object_get(prov, "date") ?: json_null()));
	return ret < 0 ? -ENOMEM : 0;
}

/* The input's cells as entries, each with its host; *cap is the room in *e. */
static int add_cells(struct merge_ctx *m, const struct merge_input *in, const char *label,
		     struct entry **e, size_t *n, size_t *cap)
{
	json_t *cells = json_object_get(in->root, "results"), *c;
	size_t i;

	json_array_foreach(cells, i, c) {
		const char *host = label ? label : json_string_value(json_object_get(c, "host"));
		json_t *own = json_object_get(json_object_get(in->root, "provenance"), "hosts");
		if (!host)
			return fail(m,
				    "%s: results[%zu] has no host, as every cell of a merged "
				    "file has",
				    in->path, i);
		long h = label_index(m, host);
		/* A merged file's cell is of one of its own hosts. */
		if (h < 0 || (!label && !json_object_get(own, host)))
			return fail(m,
				    "%s: results[%zu]: host '%.80s' is not in its provenance.hosts",
				    in->path, i, host);
		long b = backend_index(m, json_string_value(json_object_get(c, "backend")));
		if (b < 0)
			return -ENOMEM;
		if (*n == *cap) {
			size_t k = *cap ? 2 * *cap : 256;
			struct entry *p = realloc(*e, k * sizeof(**e));
			if (!p)
				return -ENOMEM;
			*e = p;
			*cap = k;
		}
		/* A new object of the same members: the host is set on it, not on the input,
		 * and the members (samples, raw data, series) are not held twice. */
		json_t *copy = json_copy(c);
		if (!copy)
			return -ENOMEM;
		if (json_object_set_new(copy, "host", json_string(host)) < 0) {
			json_decref(copy);
			return -ENOMEM;
		}
		(*e)[*n] = (struct entry){ copy, (size_t)b, (size_t)h, *n };
		(*n)++;
	}
	return 0;
}

static int entry_cmp(const void *pa, const void *pb)
{
	const struct entry *a = pa, *b = pb;

	if (a->backend != b->backend)
		return a->backend < b->backend ? -1 : 1;
	if (a->host != b->host)
		return a->host < b->host ? -1 : 1;
	return a->seq < b->seq ? -1 : a->seq > b->seq;
}

bool merge_is_merged(json_t *root)
{
	return json_is_object(json_object_get(json_object_get(root, "provenance"), "hosts"));
}

int merge_docs(const struct merge_input *in, size_t n, json_t *merged_by, json_t **out, char *err,
	       size_t len)
{
	struct merge_ctx m = { .err = err, .len = len, .labels = json_object() };
	json_t *hosts = json_object(), *backends = json_object(), *from = json_array();
	json_t *cells = json_array();
	struct entry *e = NULL;
	char(*labels)[LABEL_MAX + 1] = calloc(n ? n : 1, LABEL_MAX + 1); /* a run's label */
	size_t ne = 0, ecap = 0;
	bool complete = true;
	int ret = hosts && backends && from && cells && labels && m.labels ? 0 : -ENOMEM;

	*out = NULL;
	for (size_t i = 0; ret == 0 && i < n; i++) {
		if (strcmp(baseline_of(in[i].root), baseline_of(in[0].root)))
			ret = fail(&m,
				   "%s has its ratios against %s, %s against %s: merge runs of "
				   "one baseline",
				   in[0].path, baseline_of(in[0].root), in[i].path,
				   baseline_of(in[i].root));
		else if (merge_is_merged(in[i].root) && in[i].label)
			ret = fail(&m,
				   "%s is a merged file: its hosts keep their labels, so give "
				   "it none",
				   in[i].path);
		/* The hosts of merged files first: their labels are fixed, a run's steps
		 * aside, whatever the order of the files. */
		else if (merge_is_merged(in[i].root))
			ret = add_provenance(&m, &in[i], NULL, hosts, backends, from);
	}
	for (size_t i = 0; ret == 0 && i < n; i++)
		if (!merge_is_merged(in[i].root)) {
			ret = label_for(&m, &in[i], labels[i]);
			if (ret == 0)
				ret = add_provenance(&m, &in[i], labels[i], hosts, backends, from);
		}
	for (size_t i = 0; ret == 0 && i < n; i++) {
		complete &= json_is_true(json_object_get(in[i].root, "complete"));
		ret = add_cells(&m, &in[i], merge_is_merged(in[i].root) ? NULL : labels[i], &e, &ne,
				&ecap);
	}
	if (ret == 0) {
		qsort(e, ne, sizeof(*e), entry_cmp);
		for (size_t i = 0; ret == 0 && i < ne; i++) {
			ret = json_array_append(cells, e[i].cell) < 0 ? -ENOMEM : 0;
		}
	}
	if (ret == 0) {
		json_t *prov = json_pack("{s:O?, s:O?, s:O?, s:{s:s}, s:O, s:O, s:O}", "date",
					 json_object_get(merged_by, "date"), "command_line",
					 json_object_get(merged_by, "command_line"), "vmbench",
					 json_object_get(merged_by, "vmbench"), "run", "baseline",
					 baseline_of(in[0].root), "hosts", hosts, "backends",
					 backends, "merged_from", from);
		*out = json_pack("{s:s, s:b, s:o, s:O}", "schema", RESULTS_SCHEMA, "complete",
				 complete, "provenance", prov, "results", cells);
		ret = *out ? 0 : -ENOMEM;
	}
	for (size_t i = 0; i < ne; i++)
		json_decref(e[i].cell);
	free(e);
	free(labels);
	json_decref(m.labels);
	free(m.backends);
	json_decref(hosts);
	json_decref(backends);
	json_decref(from);
	json_decref(cells);
	return ret;
}
