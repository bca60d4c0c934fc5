/* What the probes counted in a cell, typed: traps per operation by kind, and host counters
 * with their totals. JSON appears only in the *_to_json and *_from_json edges (results.c). */
#ifndef VMBENCH_COUNTS_H
#define VMBENCH_COUNTS_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "common/compiler.h"

/* Traps of one kind per operation (results: traps.by_kind.<name>). */
struct trap_kind {
	char *name;
	double per_op;
	double total, ops; /* over the phases merged into it; NAN for a kind read from a file */
};

/* results: traps = {"per_op": sum, "by_kind": {...}}, or null when !present. */
struct traps {
	bool present;
	double per_op; /* NAN: null */
	struct trap_kind *kind;
	size_t n;
};

/* A host counter's change over the counting pass (results: counters.<name>). Members a file
 * leaves out are NAN, -1 or NULL here, and stay out when it is written again. */
struct counter {
	char *name;
	double per_op;	   /* NAN: null */
	double total, ops; /* NAN: absent */
	int scaled;	   /* 1 multiplexed and scaled, 0 not, -1 absent */
	char *source;	   /* the probe that counted it, or NULL */
	char *adjusted;	   /* the key naming a probe's correction of it (a flag), or NULL */
};

/* results: counters = {"<name>": {...}, ...}, or null when !present. */
struct counters {
	bool present;
	struct counter *v;
	size_t n;
};

/* Adds a kind unless the cell has it already (as read from a file: a name once) and makes
 * per_op the sum of the kinds. 0 or -ENOMEM. */
int traps_add(struct traps *t, const char *name, double per_op) __must_check;
/* Adds total traps of a kind over ops operations of one more phase: the kind's per_op is
 * then all its phases' traps over all their operations, each phase weighed by its
 * operations, not the first one's alone. 0 or -ENOMEM. */
int traps_merge(struct traps *t, const char *name, double total, double ops) __must_check;
/* Traps of a kind per operation, or NAN when the cell has none of that kind. */
double traps_get(const struct traps *t, const char *name);
void traps_free(struct traps *t);

/* A copy of src under its name, replacing a counter of the same name. 0 or -ENOMEM. */
int counters_set(struct counters *cs, const struct counter *src) __must_check;
/* src's phase added to the counter of the same name: totals and operations summed, per_op
 * their ratio (scaled when either was); a copy of src when there is none, or when either
 * lacks its totals. 0 or -ENOMEM. */
int counters_merge(struct counters *cs, const struct counter *src) __must_check;
/* The counter named name, or NULL. */
const struct counter *counters_get(const struct counters *cs, const char *name);
void counters_free(struct counters *cs);

/* The JSON of the results file (a new reference; null when !present); NULL on ENOMEM. */
json_t *traps_to_json(const struct traps *t);
json_t *counters_to_json(const struct counters *cs);
/* From the JSON of a results file (NULL or null: not present). 0, -EINVAL (not of the
 * schema), -ENOMEM. */
int traps_from_json(struct traps *t, json_t *j) __must_check;
int counters_from_json(struct counters *cs, json_t *j) __must_check;

#endif
