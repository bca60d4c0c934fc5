/* The generic option parser: a cliopt table turned into getopt_long's, each value converted
 * and checked by its type, so every command words bad input the same way; and its help. */
#include <errno.h>
#include <getopt.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/wire.h"
#include "harness/cliopt.h"
#include "host/util.h"

/* getopt_long returns LONG_BASE + i for entry i: above every letter, so a long option that
 * is also a letter is still told apart from the letter in getopt's error reports. */
#define LONG_BASE 256
#define MAX_OPTS  48

static const struct cliopt help_opt = {
	.name = "help", .letter = 'h', .type = CLIOPT_FLAG, .help = "show this help"
};

static size_t table_len(const struct cliopt *table)
{
	size_t n = 0;

	while (table[n].name)
		n++;
	return n;
}

static const char *noun_of(const struct cliopt *o)
{
	return o->noun ? o->noun : o->name;
}

/* The index of name among o's choices, or -EINVAL with the known ones in err. */
static int choice_find(const struct cliopt *o, const char *name, unsigned *index, char *err,
		       size_t len)
{
	char known[512] = "";
	const char *c;

	for (size_t i = 0; (c = o->choice(i)); i++) {
		if (strcmp(c, name) == 0) {
			*index = (unsigned)i;
			return 0;
		}
		util_appendf(known, sizeof(known), "%s%s", i ? ", " : "", c);
	}
	snprintf(err, len, "unknown %s '%s' (known: %s)", noun_of(o), name, known);
	return -EINVAL;
}

/* Splits a comma-separated value: 0, or -EINVAL/-ENOMEM with the message in err. */
static int split(const struct cliopt *o, const char *arg, char ***items, char *err, size_t len)
{
	size_t n;
	int ret = util_split_list(arg, items, &n);

	if (ret == -ENOMEM)
		snprintf(err, len, "out of memory");
	else if (ret < 0)
		snprintf(err, len, "invalid --%s '%s'", o->name, arg);
	return ret;
}

static int choices_mask(const struct cliopt *o, const char *arg, unsigned *mask, char *err,
			size_t len)
{
	char **items;
	unsigned i = 0;
	int ret = split(o, arg, &items, err, len);

	if (ret < 0)
		return ret;
	*mask = 0;
	for (char **p = items; *p && ret == 0; p++) {
		ret = choice_find(o, *p, &i, err, len);
		*mask |= ret == 0 ? 1u << i : 0;
	}
	util_free_list(items);
	return ret;
}

/* Converts arg by o's type and stores it in opts. 0, -EINVAL or -ENOMEM with err. */
static int store(const struct cliopt *o, const char *arg, void *opts, char *err, size_t len)
{
	void *val = (char *)opts + o->off;
	uint64_t v;
	char **items;
	int ret;

	switch (o->type) {
	case CLIOPT_FLAG:
		*(bool *)val = true;
		return 0;
	case CLIOPT_UINT:
		if (wire_parse_u64(arg, o->lo, o->hi, &v) < 0) {
			snprintf(err, len,
				 "invalid --%s '%s': expected a whole number from %u to %u",
				 o->name, arg, o->lo, o->hi);
			return -EINVAL;
		}
		*(unsigned *)val = (unsigned)v;
		return 0;
	case CLIOPT_PATH:
		if (access(arg, R_OK) < 0) {
			snprintf(err, len, "%s '%s': %s", noun_of(o), arg, strerror(errno));
			return -EINVAL;
		}
		*(const char **)val = arg;
		return 0;
	case CLIOPT_STR:
		*(const char **)val = arg;
		return 0;
	case CLIOPT_LIST:
		ret = split(o, arg, &items, err, len);
		if (ret < 0)
			return ret;
		/* Given again: the last one counts. */
		util_free_list(*(char ***)val);
		*(char ***)val = items;
		return 0;
	case CLIOPT_CHOICE:
		return choice_find(o, arg, (unsigned *)val, err, len);
	case CLIOPT_CHOICES:
		return choices_mask(o, arg, (unsigned *)val, err, len);
	}
	snprintf(err, len, "--%s: unknown option type %d", o->name, (int)o->type);
	return -EINVAL;
}

static int apply_defaults(const struct cliopt *table, void *opts, char *err, size_t len)
{
	for (const struct cliopt *o = table; o->name; o++) {
		if (!o->def || o->type == CLIOPT_FLAG)
			continue;
		int ret = store(o, o->def, opts, err, len);
		if (ret < 0)
			return ret;
	}
	return 0;
}

/* getopt_long's error report as our message: the option as the user wrote it. */
static int getopt_error(int c, char **argv, char *err, size_t len)
{
	char letter[3] = { '-', (char)optopt, '\0' };
	/* A short option may sit inside a group (-qx): name its letter. A long one was a whole
	 * argument, which getopt has stepped over. */
	const char *bad = optopt > 0 && optopt < LONG_BASE ? letter : argv[optind - 1];

	if (c == ':')
		snprintf(err, len, "option '%s' needs a value", bad);
	else
		snprintf(err, len, "unknown option '%s'", bad);
	return -EINVAL;
}

int cliopt_parse(const struct cliopt *table, bool in_order, int argc, char **argv, void *opts,
		 struct cliopt_result *res)
{
	struct option longs[MAX_OPTS + 2];
	char shorts[2 * MAX_OPTS + 8];
	size_t n = table_len(table), ns = 0;
	int ret;

	*res = (struct cliopt_result){ .argc = 0 };
	if (n > MAX_OPTS) {
		snprintf(res->err, sizeof(res->err), "more than %d options", MAX_OPTS);
		return -E2BIG;
	}
	/* '+': stop at the first argument; ':': report a missing value apart. */
	if (in_order)
		shorts[ns++] = '+';
	shorts[ns++] = ':';
	for (size_t i = 0; i <= n; i++) {
		const struct cliopt *o = i < n ? &table[i] : &help_opt;
		int has_arg = o->type == CLIOPT_FLAG ? no_argument : required_argument;

		longs[i] = (struct option){ o->name, has_arg, NULL, LONG_BASE + (int)i };
		if (o->letter) {
			shorts[ns++] = o->letter;
			if (has_arg)
				shorts[ns++] = ':';
		}
	}
	longs[n + 1] = (struct option){ 0 };
	shorts[ns] = '\0';

	ret = apply_defaults(table, opts, res->err, sizeof(res->err));
	if (ret < 0)
		return ret;
	optind = 0; /* a full reinitialization (glibc): each command parses its own argv */
	opterr = 0;
	for (;;) {
		int c = getopt_long(argc, argv, shorts, longs, NULL);
		size_t i;

		if (c == -1)
			break;
		if (c == '?' || c == ':')
			return getopt_error(c, argv, res->err, sizeof(res->err));
		if (c >= LONG_BASE) {
			i = (size_t)(c - LONG_BASE);
		} else {
			for (i = 0; i < n && table[i].letter != c; i++)
				;
		}
		if (i == n) {
			/* What came before was checked; what follows is not. */
			res->help = true;
			return 0;
		}
		const struct cliopt *o = &table[i];
		ret = store(o, optarg, opts, res->err, sizeof(res->err));
		if (ret == 0 && o->check)
			ret = o->check((char *)opts + o->off, optarg, res->err, sizeof(res->err));
		if (ret < 0)
			return ret;
		if (o->seen)
			*(bool *)((char *)opts + o->seen - 1) = true;
	}
	res->argc = argc - optind;
	res->argv = argv + optind;
	return 0;
}

void cliopt_free(const struct cliopt *table, void *opts)
{
	for (const struct cliopt *o = table; o->name; o++) {
		if (o->type != CLIOPT_LIST)
			continue;
		char ***items = (char ***)((char *)opts + o->off);
		util_free_list(*items);
		*items = NULL;
	}
}

/* "a (default), b or c" of a choice; "a,b,c (default: all)" of a list of them. */
static void choices_help(const struct cliopt *o, char *buf, size_t len)
{
	bool list = o->type == CLIOPT_CHOICES, all = false;
	const char *c;
	unsigned mask = 0, i = 0;
	char err[256];

	if (list && o->def && choices_mask(o, o->def, &mask, err, sizeof(err)) < 0)
		mask = 0;
	for (i = 0; (c = o->choice(i)); i++) {
		const char *sep = !i ? "" : list ? "," : o->choice(i + 1) ? ", " : " or ";
		bool def = !list && o->def && !strcmp(o->def, c);
		util_appendf(buf, len, "%s%s%s", sep, c, def ? " (default)" : "");
	}
	all = i && mask == (i >= 32 ? ~0u : (1u << i) - 1);
	if (list && o->def)
		util_appendf(buf, len, " (default: %s)", all ? "all" : o->def);
}

void cliopt_help(FILE *f, const struct cliopt *table)
{
	size_t n = table_len(table);

	for (size_t i = 0; i <= n; i++) {
		const struct cliopt *o = i < n ? &table[i] : &help_opt;
		const char *var = o->type == CLIOPT_FLAG ? NULL : o->metavar ? o->metavar : "VALUE";
		char left[64], text[1024] = "";

		if (o->letter)
			snprintf(left, sizeof(left), "-%c, --%s%s%s", o->letter, o->name,
				 var ? " " : "", var ? var : "");
		else
			snprintf(left, sizeof(left), "    --%s%s%s", o->name, var ? " " : "",
				 var ? var : "");
		if (o->help)
			util_appendf(text, sizeof(text), "%s", o->help);
		if (o->type == CLIOPT_CHOICE || o->type == CLIOPT_CHOICES) {
			if (o->help)
				util_appendf(text, sizeof(text), ": ");
			choices_help(o, text + strlen(text), sizeof(text) - strlen(text));
		} else if (o->def && o->type != CLIOPT_FLAG) {
			util_appendf(text, sizeof(text), " (default: %s)", o->def);
		}
		fprintf(f, "  %-28s %s\n", left, text);
	}
}
