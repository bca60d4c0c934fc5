/* Unit tests of harness/cliopt.h and harness/cli.h: each option type, ranges, defaults,
 * choices from a table, getopt's errors, checks, help from the tables, exit status 2. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "harness/cli.h"
#include "harness/cliopt.h"

struct t_opts {
	bool flag, num_seen;
	unsigned num, even, colour, colours;
	const char *str, *path;
	char **list;
};

static const char *colour(size_t i)
{
	static const char *const names[] = { "red", "green", "blue" };

	return i < 3 ? names[i] : NULL;
}

static int check_even(const void *val, const char *arg, char *err, size_t len)
{
	if (*(const unsigned *)val % 2 == 0)
		return 0;
	snprintf(err, len, "--even '%s' is odd", arg);
	return -EINVAL;
}

#define OFF(f) offsetof(struct t_opts, f)

static const struct cliopt t_table[] = {
	{ "flag", 'f', CLIOPT_FLAG, OFF(flag), .help = "a flag" },
	{ "num", 'n', CLIOPT_UINT, OFF(num), 5, 10, .def = "7", .metavar = "N", .help = "a number",
	  .seen = CLIOPT_SEEN(struct t_opts, num_seen) },
	{ "even", 0, CLIOPT_UINT, OFF(even), 0, 100, .metavar = "N", .help = "an even number",
	  .check = check_even },
	{ "str", 's', CLIOPT_STR, OFF(str), .metavar = "S", .help = "a string" },
	{ "path", 0, CLIOPT_PATH, OFF(path), .metavar = "P", .noun = "the path", .help = "a path" },
	{ "list", 'l', CLIOPT_LIST, OFF(list), .metavar = "LIST", .help = "a list" },
	{ "colour", 'c', CLIOPT_CHOICE, OFF(colour), .def = "green", .metavar = "C",
	  .choice = colour },
	{ "colours", 0, CLIOPT_CHOICES, OFF(colours), .def = "red,blue", .metavar = "LIST",
	  .help = "colours", .choice = colour },
	{ NULL },
};

static struct t_opts opts;
static struct cliopt_result res;

/* The words are kept here: res.argv points into them after the PARSE that made them, whose
 * array ends with the assertion's block. */
static int parse_argv(bool in_order, char **words)
{
	static char *argv[32];
	int argc = 0;

	while (words[argc] && argc < 31) {
		argv[argc] = words[argc];
		argc++;
	}
	argv[argc] = NULL;
	cliopt_free(t_table, &opts);
	memset(&opts, 0, sizeof(opts));
	return cliopt_parse(t_table, in_order, argc, argv, &opts, &res);
}

#define PARSE(...)	    parse_argv(false, (char *[]){ "test", __VA_ARGS__, NULL })
#define PARSE_IN_ORDER(...) parse_argv(true, (char *[]){ "test", __VA_ARGS__, NULL })

/* A bad input: -EINVAL and exactly the message. */
#define BAD(msg, ...)                                                                     \
	do {                                                                              \
		cr_assert_eq(PARSE(__VA_ARGS__), -EINVAL, "accepted, expected: %s", msg); \
		cr_assert_str_eq(res.err, msg);                                           \
	} while (0)

static void fini(void)
{
	cliopt_free(t_table, &opts);
}

TestSuite(cliopt, .fini = fini);

Test(cliopt, defaults)
{
	cr_assert_eq(parse_argv(false, (char *[]){ "test", NULL }), 0, "%s", res.err);
	cr_assert(!opts.flag);
	cr_assert_eq(opts.num, 7);
	cr_assert(!opts.num_seen, "a default is not 'given'");
	cr_assert_eq(opts.even, 0);
	cr_assert_null(opts.str);
	cr_assert_null(opts.path);
	cr_assert_null(opts.list);
	cr_assert_eq(opts.colour, 1);
	cr_assert_eq(opts.colours, 1u << 0 | 1u << 2);
	cr_assert_eq(res.argc, 0);
	cr_assert(!res.help);
}

Test(cliopt, flag)
{
	cr_assert_eq(PARSE("-f"), 0);
	cr_assert(opts.flag);
	cr_assert_eq(PARSE("--flag"), 0);
	cr_assert(opts.flag);
	cr_assert_eq(PARSE("--fl"), 0, "getopt_long's unique prefixes");
	cr_assert(opts.flag);
	BAD("unknown option '--flag=1'", "--flag=1");
}

Test(cliopt, uint_range)
{
	cr_assert_eq(PARSE("--num", "5"), 0, "%s", res.err);
	cr_assert_eq(opts.num, 5);
	cr_assert(opts.num_seen);
	cr_assert_eq(PARSE("-n", "10"), 0, "%s", res.err);
	cr_assert_eq(opts.num, 10);
	cr_assert_eq(PARSE("--num=6"), 0, "%s", res.err);
	cr_assert_eq(opts.num, 6);
	cr_assert_eq(PARSE("-n8"), 0, "%s", res.err);
	cr_assert_eq(opts.num, 8);
	BAD("invalid --num '4': expected a whole number from 5 to 10", "--num", "4");
	BAD("invalid --num '11': expected a whole number from 5 to 10", "-n", "11");
	BAD("invalid --num 'x': expected a whole number from 5 to 10", "--num", "x");
	BAD("invalid --num '-6': expected a whole number from 5 to 10", "--num", "-6");
	BAD("invalid --num '': expected a whole number from 5 to 10", "--num", "");
	BAD("invalid --num '99999999999999999999': expected a whole number from 5 to 10", "--num",
	    "99999999999999999999");
	cr_assert_eq(PARSE("--even", "0"), 0, "%s", res.err);
	cr_assert_eq(PARSE("--even", "100"), 0, "%s", res.err);
	BAD("invalid --even '101': expected a whole number from 0 to 100", "--even", "101");
}

Test(cliopt, check_hook)
{
	cr_assert_eq(PARSE("--even", "42"), 0, "%s", res.err);
	cr_assert_eq(opts.even, 42);
	BAD("--even '43' is odd", "--even", "43");
	/* The range comes first: the hook sees only a stored value. */
	BAD("invalid --even '-2': expected a whole number from 0 to 100", "--even", "-2");
}

Test(cliopt, strings_and_paths)
{
	cr_assert_eq(PARSE("-s", "hello", "--path", "/"), 0, "%s", res.err);
	cr_assert_str_eq(opts.str, "hello");
	cr_assert_str_eq(opts.path, "/");
	cr_assert_eq(PARSE("--str="), 0, "%s", res.err);
	cr_assert_str_eq(opts.str, "");
	BAD("the path '/nonexistent/x': No such file or directory", "--path", "/nonexistent/x");
}

Test(cliopt, list)
{
	cr_assert_eq(PARSE("--list", "a,bb,c"), 0, "%s", res.err);
	cr_assert_str_eq(opts.list[0], "a");
	cr_assert_str_eq(opts.list[1], "bb");
	cr_assert_str_eq(opts.list[2], "c");
	cr_assert_null(opts.list[3]);
	cr_assert_eq(PARSE("-l", "a,b", "--list", "z"), 0, "%s", res.err);
	cr_assert_str_eq(opts.list[0], "z", "the last one counts");
	cr_assert_null(opts.list[1]);
	BAD("invalid --list 'a,,b'", "--list", "a,,b");
	BAD("invalid --list ''", "--list", "");
	BAD("invalid --list 'a,'", "--list", "a,");
}

Test(cliopt, choices_from_a_table)
{
	cr_assert_eq(PARSE("--colour", "blue"), 0, "%s", res.err);
	cr_assert_eq(opts.colour, 2);
	cr_assert_eq(PARSE("-c", "red"), 0, "%s", res.err);
	cr_assert_eq(opts.colour, 0);
	BAD("unknown colour 'pink' (known: red, green, blue)", "--colour", "pink");
	BAD("unknown colour '' (known: red, green, blue)", "--colour", "");
	cr_assert_eq(PARSE("--colours", "green,blue,green"), 0, "%s", res.err);
	cr_assert_eq(opts.colours, 1u << 1 | 1u << 2);
	cr_assert_eq(PARSE("--colours", "red", "--colours", "green"), 0, "%s", res.err);
	cr_assert_eq(opts.colours, 1u << 1, "the last one counts");
	BAD("unknown colours 'pink' (known: red, green, blue)", "--colours", "red,pink");
	BAD("invalid --colours 'red,'", "--colours", "red,");
}

Test(cliopt, getopt_errors)
{
	BAD("unknown option '--bogus'", "--bogus");
	BAD("unknown option '-z'", "-z");
	BAD("unknown option '-z'", "-fz");
	BAD("option '--num' needs a value", "--num");
	BAD("option '-n' needs a value", "-n");
	/* After an argument, getopt_long has moved it: the option is still named right. */
	BAD("unknown option '--bogus'", "arg", "--bogus");
	BAD("option '--str' needs a value", "arg", "-f", "--str");
}

Test(cliopt, repeated_option)
{
	cr_assert_eq(PARSE("-n", "6", "--num", "9"), 0, "%s", res.err);
	cr_assert_eq(opts.num, 9);
	cr_assert_eq(PARSE("-s", "a", "-s", "b"), 0, "%s", res.err);
	cr_assert_str_eq(opts.str, "b");
}

Test(cliopt, arguments)
{
	cr_assert_eq(PARSE("one", "-f", "two"), 0, "%s", res.err);
	cr_assert(opts.flag);
	cr_assert_eq(res.argc, 2);
	cr_assert_str_eq(res.argv[0], "one");
	cr_assert_str_eq(res.argv[1], "two");
	cr_assert_eq(PARSE("-f", "--", "-n"), 0, "%s", res.err);
	cr_assert_eq(res.argc, 1);
	cr_assert_str_eq(res.argv[0], "-n");
	/* In order (the top level): options end at the command. */
	cr_assert_eq(PARSE_IN_ORDER("cmd", "-f"), 0, "%s", res.err);
	cr_assert(!opts.flag);
	cr_assert_eq(res.argc, 2);
	cr_assert_str_eq(res.argv[0], "cmd");
}

Test(cliopt, help)
{
	cr_assert_eq(PARSE("--help"), 0);
	cr_assert(res.help);
	cr_assert_eq(PARSE("-h"), 0);
	cr_assert(res.help);
	cr_assert_eq(PARSE("--help", "--num", "4"), 0, "nothing after --help is checked");
	cr_assert(res.help);
	BAD("invalid --num '4': expected a whole number from 5 to 10", "--num", "4", "--help");
}

static char *help_of(const struct cliopt *table)
{
	char *buf = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&buf, &size);

	cr_assert_not_null(f);
	cliopt_help(f, table);
	fclose(f);
	return buf;
}

Test(cliopt, generated_help)
{
	char *help = help_of(t_table);
	const char *want[] = {
		"  -f, --flag                   a flag\n",
		"  -n, --num N                  a number (default: 7)\n",
		"      --even N                 an even number\n",
		"  -s, --str S                  a string\n",
		"      --path P                 a path\n",
		"  -l, --list LIST              a list\n",
		"  -c, --colour C               red, green (default) or blue\n",
		"      --colours LIST           colours: red,green,blue (default: red,blue)\n",
		"  -h, --help                   show this help\n",
	};

	for (size_t i = 0; i < ARRAY_SIZE(want); i++)
		cr_assert_not_null(strstr(help, want[i]), "no '%s' in:\n%s", want[i], help);
	free(help);
}

static const struct cli_cmd *const commands[] = {
	&cmd_list, &cmd_doctor, &cmd_run, &cmd_image, &cmd_report, &cmd_plot,
};

Test(cli, every_command_help_has_every_option)
{
	for (size_t c = 0; c < ARRAY_SIZE(commands); c++) {
		char *buf = NULL, want[64];
		size_t size = 0;
		FILE *f = open_memstream(&buf, &size);

		cr_assert_not_null(f);
		cli_help(f, commands[c]);
		fclose(f);
		for (const struct cliopt *o = commands[c]->opts; o->name; o++) {
			snprintf(want, sizeof(want), "--%s", o->name);
			cr_assert_not_null(strstr(buf, want), "%s: no %s", commands[c]->name, want);
			snprintf(want, sizeof(want), "-%c, --%s", o->letter, o->name);
			cr_assert(!o->letter || strstr(buf, want), "%s: no %s", commands[c]->name,
				  want);
		}
		cr_assert_not_null(strstr(buf, "-h, --help"));
		free(buf);
	}
}

/* Every table is well formed and its defaults parse; letters and names are unique. */
Test(cli, command_tables)
{
	for (size_t c = 0; c < ARRAY_SIZE(commands); c++) {
		const struct cli_cmd *cmd = commands[c];
		void *o = calloc(1, cmd->opts_size);
		struct cliopt_result r;

		cr_assert_not_null(o);
		cr_assert_eq(cliopt_parse(cmd->opts, false, 1, (char *[]){ "x", NULL }, o, &r), 0,
			     "%s: %s", cmd->name, r.err);
		cliopt_free(cmd->opts, o);
		free(o);
		cr_assert(!cmd->nargs || cmd->missing, "%s", cmd->name);
		for (const struct cliopt *a = cmd->opts; a->name; a++) {
			cr_assert(a->letter != 'h' && strcmp(a->name, "help"), "%s", cmd->name);
			cr_assert((a->type != CLIOPT_CHOICE && a->type != CLIOPT_CHOICES) ||
					  a->choice,
				  "%s --%s", cmd->name, a->name);
			cr_assert(a->type == CLIOPT_FLAG || a->metavar, "%s --%s", cmd->name,
				  a->name);
			for (const struct cliopt *b = a + 1; b->name; b++) {
				cr_assert(strcmp(a->name, b->name), "%s --%s", cmd->name, a->name);
				cr_assert(!a->letter || a->letter != b->letter, "%s -%c", cmd->name,
					  a->letter);
			}
		}
	}
}

/* cli_main's exit status, and what it wrote to stderr in err. */
static int cli_main_err(char **argv, char *err, size_t len)
{
	FILE *tmp = tmpfile();
	int argc = 0, saved = dup(STDERR_FILENO), ret;
	size_t n;

	cr_assert(tmp && saved >= 0);
	while (argv[argc])
		argc++;
	fflush(stderr);
	dup2(fileno(tmp), STDERR_FILENO);
	ret = cli_main(argc, argv);
	fflush(stderr);
	dup2(saved, STDERR_FILENO);
	close(saved);
	rewind(tmp);
	n = fread(err, 1, len - 1, tmp);
	err[n] = '\0';
	fclose(tmp);
	return ret;
}

/*
 * Bad input ends at parsing, before a command does anything: exit status 2 and one line.
 * Each run also names a workload that does not exist, after the bad option: should the
 * option ever be taken, the plan fails (with another message) and nothing is measured.
 */
Test(cli, bad_input_exits_2)
{
	struct {
		char *argv[9];
		const char *want;
	} bad[] = {
		{ { "vmbench", NULL },
		  "vmbench: no command given (list, doctor, run, image, report, plot, compare, "
		  "export, merge or trend) (see 'vmbench --help')\n" },
		{ { "vmbench", "frob", NULL },
		  "unknown command 'frob' (list, doctor, run, image, report, plot, compare, "
		  "export, "
		  "merge or trend)" },
		{ { "vmbench", "--bogus", "list", NULL }, "vmbench: unknown option '--bogus'" },
		{ { "vmbench", "list", "--colour", NULL },
		  "vmbench list: unknown option '--colour'" },
		{ { "vmbench", "list", "extra", NULL }, "unexpected argument 'extra'" },
#define RUN(...) { "vmbench", "run", __VA_ARGS__, "-w", "no-such-workload", NULL }
		{ RUN("--reps", "0"), "vmbench run: invalid --reps '0': expected a whole number "
				      "from 1 to 1000 (see 'vmbench run --help')\n" },
		{ RUN("--reps", "1001"), "invalid --reps '1001'" },
		{ RUN("--profile", "nope"), "unknown profile 'nope' (known: quick, ci, standard, "
					    "paper)" },
		{ RUN("--cpu", "4096"), "invalid --cpu '4096'" },
		{ RUN("--disk", "/tmp/a b"), "invalid --disk '/tmp/a b': a path without spaces" },
		{ RUN("--agent", "/nonexistent/agent"), "agent '/nonexistent/agent' is not an "
							"executable file" },
		{ RUN("--kernel", "/nonexistent"), "kernel tree '/nonexistent': No such file" },
		{ RUN("--events", "a,,b"), "invalid --events 'a,,b'" },
		{ RUN("--frobnicate"), "unknown option '--frobnicate'" },
		{ RUN("extra"), "unexpected argument 'extra'" },
		{ { "vmbench", "run", "-w", "no-such-workload", "--reps", NULL },
		  "option '--reps' needs a value" },
#undef RUN
		{ { "vmbench", "report", NULL }, "name the results file (RESULTS.json)" },
		{ { "vmbench", "report", "a", "b", NULL }, "unexpected argument 'b'" },
		{ { "vmbench", "report", "x", "--format", "pdf", NULL },
		  "unknown format 'pdf' (known: md, csv, tex, html)" },
		{ { "vmbench", "image", NULL }, "say build or info" },
		{ { "vmbench", "image", "frob", NULL }, "unknown action 'frob' (build or info)" },
		{ { "vmbench", "plot", "x", "--format", "md", NULL },
		  "vmbench plot: unknown option '--format'" },
	};
	char err[4096];

	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		int st = cli_main_err(bad[i].argv, err, sizeof(err));
		cr_assert_eq(st, EXIT_USAGE, "%s: exit status %d: %s", bad[i].want, st, err);
		cr_assert_not_null(strstr(err, bad[i].want), "want '%s', got: %s", bad[i].want,
				   err);
		char *nl = strchr(err, '\n');
		cr_assert(nl && nl[1] == '\0', "not one line: %s", err);
	}
}
