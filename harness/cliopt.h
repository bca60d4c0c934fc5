/* Command-line options as one declarative table per command (fio's options.c model): one
 * generic parser over getopt_long fills a struct and words every bad-input message. */
#ifndef VMBENCH_CLIOPT_H
#define VMBENCH_CLIOPT_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "common/compiler.h"

enum cliopt_type {
	CLIOPT_FLAG,	/* bool, set when given */
	CLIOPT_UINT,	/* unsigned within [lo, hi] */
	CLIOPT_STR,	/* const char *, pointing into argv */
	CLIOPT_PATH,	/* const char *, to something that exists and can be read */
	CLIOPT_LIST,	/* char **, a comma-separated list split (cliopt_free frees it) */
	CLIOPT_CHOICE,	/* unsigned, the index of one of choice()'s names */
	CLIOPT_CHOICES, /* unsigned, a mask: bit i for choice(i), from a comma-separated list */
};

/* Marks an option as given in a bool of the struct (offset + 1: 0 means none). */
#define CLIOPT_SEEN(type, field) (offsetof(type, field) + 1)

struct cliopt {
	const char *name; /* the long option, without "--"; NULL ends a table */
	char letter;	  /* the short option, or 0 */
	enum cliopt_type type;
	size_t off;	     /* offsetof the value in the command's options struct */
	unsigned lo, hi;     /* CLIOPT_UINT: the range */
	const char *def;     /* the default, parsed like a given value; NULL: zero */
	const char *metavar; /* the value's name in the help ("N", "DIR") */
	const char *help;    /* CLIOPT_CHOICE(S): the names and the default are added */
	/* CLIOPT_CHOICE(S): the allowed names, from a table; NULL past the last. */
	const char *(*choice)(size_t i);
	const char *noun; /* in "unknown <noun> 'x'" and "<noun> 'x': why" (default: name) */
	size_t seen;	  /* CLIOPT_SEEN, or 0 */
	/* Checks that need code, after the value is stored at val: 0, or -EINVAL with the
	 * message in err. Not run on defaults. */
	int (*check)(const void *val, const char *arg, char *err, size_t len);
};

/* What cliopt_parse leaves besides the options struct. */
struct cliopt_result {
	int argc; /* the arguments after the options (getopt_long moves them to the end) */
	char **argv;
	bool help;		  /* --help came; what followed it was not looked at */
	char err[PATH_MAX + 256]; /* the bad input, when the parse returns -EINVAL */
};

/*
 * Applies the defaults of table to opts (zeroed by the caller), then parses argv[1..]
 * (argv[0] is the command's name). --help/-h is added to every table. in_order: options end
 * at the first argument (the top level: the command's own options follow it). Returns 0,
 * -EINVAL with the message (without the command's name) in res->err, -ENOMEM, or -E2BIG
 * (a table too long). Call cliopt_free after any of them.
 */
int cliopt_parse(const struct cliopt *table, bool in_order, int argc, char **argv, void *opts,
		 struct cliopt_result *res) __must_check;
/* Frees what parsing allocated in opts (the lists). */
void cliopt_free(const struct cliopt *table, void *opts);
/* The help's option lines, one per entry and --help last. */
void cliopt_help(FILE *f, const struct cliopt *table);

#endif
