/* The vmbench command line: one table of commands drives dispatch, help and messages. */
#ifndef VMBENCH_CLI_H
#define VMBENCH_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "common/compiler.h"
#include "harness/cliopt.h"

/* Exit statuses. */
enum {
	EXIT_OK = 0,
	EXIT_FAILED = 1, /* some cell failed, or results could not be written */
	EXIT_USAGE = 2,	 /* bad input: options, names, files */
	EXIT_BUSY = 3,	 /* not run: another run holds the measuring lock */
	EXIT_INTERRUPTED = 130,
};

/* What a command runs with, its options parsed. */
struct cli_call {
	void *opts; /* the command's options struct, filled from its table */
	int argc;   /* its arguments: nargs of them, up to max_args */
	char **argv;
	int full_argc; /* the whole command line, for provenance */
	char **full_argv;
};

struct cli_cmd {
	const char *name;
	const char *synopsis; /* what follows "vmbench <name>" in its usage line */
	const char *summary;  /* its line in 'vmbench --help' */
	const char *about;    /* the paragraph of 'vmbench <name> --help' */
	const struct cliopt *opts;
	size_t opts_size;			 /* sizeof the struct opts fills */
	unsigned nargs;				 /* the arguments it takes after the options */
	unsigned max_args;			 /* at most (0: exactly nargs) */
	const char *missing;			 /* the message when fewer are given */
	int (*run)(const struct cli_call *call); /* an exit status */
};

/* The commands, in the order of 'vmbench --help' (one file each: cmd_<name>.c). */
extern const struct cli_cmd cmd_list, cmd_doctor, cmd_run, cmd_image, cmd_report, cmd_plot,
	cmd_compare, cmd_export, cmd_merge, cmd_trend;
/* The one command table (harness/cli.c): dispatch, help and messages read it. */
extern const struct cli_cmd *const cli_commands[];
extern const size_t cli_command_count;

/* Bad input: one line on stderr, naming the command (NULL: the top level) and its help.
 * Returns EXIT_USAGE. */
int cli_usage(const char *cmd, const char *fmt, ...) __printf(2, 3) __must_check;
struct results;
/* Reads a results file for command cmd: EXIT_OK; EXIT_USAGE for a malformed, foreign or
 * unreadable file, its message given as cli_usage's; EXIT_FAILED out of memory (logged). */
int cli_load_results(const char *cmd, const char *path, struct results *r) __must_check;
/* A number from an option within [lo, hi) (or (lo, hi) when open): 0, or -EINVAL. */
int cli_parse_number(const char *s, double lo, double hi, bool open, double *out) __must_check;
/* Prints 'vmbench <name> --help' to f. */
void cli_help(FILE *f, const struct cli_cmd *cmd);

int cli_main(int argc, char **argv);

#endif
