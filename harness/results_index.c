/*
 * The index of a results model's cells (jansson objects, hash tables): a cell by column and
 * workload, a column's first cell, the distinct columns and workloads, each in O(1) or one
 * pass, so that reports, plots and comparisons of merged files with 100,000 cells are
 * linear in their cells rather than quadratic.
 */
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "harness/results.h"

/*
 * Cells [0, n) are indexed. Cells are only ever appended (results_add), so lookups catch up
 * with the cells added since; what moves or renames indexed cells (results_sort,
 * results_set_host) empties the index, rebuilt at the next lookup.
 */
struct results_index {
	json_t *cells;	   /* column → {workload → position of its first cell} */
	json_t *columns;   /* column → position of its first cell */
	json_t *workloads; /* workload → position of its first cell */
	size_t n;
};

int results_index_new(struct results *r)
{
	if (r->index)
		return 0;
	r->index = calloc(1, sizeof(*r->index));
	return r->index ? 0 : -ENOMEM;
}

static void index_clear(struct results_index *x)
{
	json_decref(x->cells);
	json_decref(x->columns);
	json_decref(x->workloads);
	memset(x, 0, sizeof(*x));
}

void results_index_drop(struct results *r)
{
	if (r->index)
		index_clear(r->index);
}

void results_index_free(struct results *r)
{
	results_index_drop(r);
	free(r->index);
	r->index = NULL;
}

bool results_index_covers(const struct results *r, const struct cell *c)
{
	return r->index && c >= r->cells && (size_t)(c - r->cells) < r->index->n;
}

/* key → i unless key is there: the first cell keeps it. 0 or -ENOMEM. */
static int put_first(json_t *obj, const char *key, size_t i)
{
	if (json_object_get(obj, key))
		return 0;
	return json_object_set_new_nocheck(obj, key, json_integer((json_int_t)i));
}

/* Brings the index up to the cells there are: true, or false when memory ran out (the
 * lookups then search, as slowly as before there was an index, but right). */
static bool catch_up(const struct results *r)
{
	struct results_index *x = r->index;

	if (!x)
		return false;
	if (!x->cells) {
		x->cells = json_object();
		x->columns = json_object();
		x->workloads = json_object();
		x->n = 0;
		if (!x->cells || !x->columns || !x->workloads)
			goto fail;
	}
	for (; x->n < r->n; x->n++) {
		const struct cell *c = &r->cells[x->n];
		json_t *col = json_object_get(x->cells, c->column);
		if (!col && json_object_set_new_nocheck(x->cells, c->column, col = json_object()))
			goto fail;
		if (put_first(col, c->workload, x->n) < 0 ||
		    put_first(x->columns, c->column, x->n) < 0 ||
		    put_first(x->workloads, c->workload, x->n) < 0)
			goto fail;
	}
	return true;
fail:
	/* A half-built index would miss cells: none at all until the next try. */
	index_clear(x);
	return false;
}

static const struct cell *at(const struct results *r, json_t *pos)
{
	return pos ? &r->cells[json_integer_value(pos)] : NULL;
}

const struct cell *results_find(const struct results *r, const char *column, const char *workload)
{
	if (catch_up(r))
		return at(r, json_object_get(json_object_get(r->index->cells, column), workload));
	for (size_t i = 0; i < r->n; i++)
		if (!strcmp(r->cells[i].column, column) && !strcmp(r->cells[i].workload, workload))
			return &r->cells[i];
	return NULL;
}

const struct cell *results_column_first(const struct results *r, const char *column)
{
	if (catch_up(r))
		return at(r, json_object_get(r->index->columns, column));
	for (size_t i = 0; i < r->n; i++)
		if (!strcmp(r->cells[i].column, column))
			return &r->cells[i];
	return NULL;
}

/* The names at off in the cells, each where it first appears. */
static const char **distinct(const struct results *r, size_t off, size_t *n)
{
	const char **list = calloc(r->n + 1, sizeof(*list));
	bool indexed = catch_up(r);

	*n = 0;
	for (size_t i = 0; list && i < r->n; i++) {
		const char *name = *(char *const *)((const char *)&r->cells[i] + off);
		json_t *first = !indexed ? NULL
				: off == offsetof(struct cell, column)
					? json_object_get(r->index->columns, name)
					: json_object_get(r->index->workloads, name);
		bool seen = false;
		if (indexed)
			seen = (size_t)json_integer_value(first) != i;
		else
			for (size_t k = 0; k < *n && !seen; k++)
				seen = !strcmp(list[k], name);
		if (!seen)
			list[(*n)++] = name;
	}
	return list;
}

const char **results_backends(const struct results *r, size_t *n)
{
	return distinct(r, offsetof(struct cell, column), n);
}

const char **results_workloads(const struct results *r, size_t *n)
{
	return distinct(r, offsetof(struct cell, workload), n);
}

const struct cell **results_column_cells(const struct results *r, const char *column, size_t *n)
{
	json_t *col, *pos;
	const char *wl;
	const struct cell **list;

	*n = 0;
	if (!catch_up(r)) {
		list = calloc(r->n + 1, sizeof(*list));
		for (size_t i = 0; list && i < r->n; i++)
			if (!strcmp(r->cells[i].column, column))
				list[(*n)++] = &r->cells[i];
		return list;
	}
	/* jansson keeps an object's keys in the order they were added: the cells'. */
	col = json_object_get(r->index->cells, column);
	list = calloc(json_object_size(col) + 1, sizeof(*list));
	json_object_foreach(col, wl, pos)
		if (list)
			list[(*n)++] = at(r, pos);
	return list;
}
