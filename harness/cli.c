/* The vmbench command line: the top-level options and the table of commands, which alone
 * names them for dispatch, for 'vmbench --help' and for the messages of a missing or unknown
 * command. Each command's options are parsed from its table before it runs. */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "harness/cli.h"
#include "harness/results.h"
#include "host/util.h"

const struct cli_cmd *const cli_commands[] = {
	&cmd_list, &cmd_doctor,	 &cmd_run,    &cmd_image, &cmd_report,
	&cmd_plot, &cmd_compare, &cmd_export, &cmd_merge, &cmd_trend,
};
const size_t cli_command_count = ARRAY_SIZE(cli_commands);

struct main_opts {
	bool verbose, quiet, version;
};

static const struct cliopt main_opts[] = {
	{ "verbose", 'v', CLIOPT_FLAG, offsetof(struct main_opts, verbose),
	  .help = "debug messages too" },
	{ "quiet", 'q', CLIOPT_FLAG, offsetof(struct main_opts, quiet), .help = "errors only" },
	{ "version", 'V', CLIOPT_FLAG, offsetof(struct main_opts, version),
	  .help = "print the version and exit" },
	{ NULL },
};

int cli_usage(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "vmbench%s%s: ", cmd ? " " : "", cmd ? cmd : "");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, " (see 'vmbench%s%s --help')\n", cmd ? " " : "", cmd ? cmd : "");
	return EXIT_USAGE;
}

int cli_load_results(const char *cmd, const char *path, struct results *r)
{
	char err[1024];
	int ret = results_load(path, r, err, sizeof(err));

	if (ret == -ENOMEM) {
		log_err("out of memory");
		return EXIT_FAILED;
	}
	return ret < 0 ? cli_usage(cmd, "%s", util_printable(err)) : EXIT_OK;
}

int cli_parse_number(const char *s, double lo, double hi, bool open, double *out)
{
	char *end;

	if (!s || !*s)
		return -EINVAL;
	errno = 0;
	double v = strtod(s, &end);
	if (*end || errno == ERANGE || !(open ? v > lo : v >= lo) || !(v < hi) || signbit(v))
		return -EINVAL;
	*out = v;
	return 0;
}

void cli_help(FILE *f, const struct cli_cmd *cmd)
{
	fprintf(f, "usage: vmbench %s%s%s\n\n%s\n\noptions:\n", cmd->name,
		cmd->synopsis[0] ? " " : "", cmd->synopsis, cmd->about);
	cliopt_help(f, cmd->opts);
}

static void main_help(void)
{
	printf("usage: vmbench [options] <command> [command options]\n\n"
	       "Compares virtualization modes: the same guest agent and microbenchmarks in every "
	       "backend.\n\ncommands:\n");
	for (size_t i = 0; i < cli_command_count; i++)
		printf("  %-9s %s\n", cli_commands[i]->name, cli_commands[i]->summary);
	printf("\n'vmbench <command> --help' describes each.\n\noptions:\n");
	cliopt_help(stdout, main_opts);
}

/* "list, doctor, run, image, report, plot, compare or export" */
static void command_names(char *buf, size_t len)
{
	size_t n = cli_command_count;

	buf[0] = '\0';
	for (size_t i = 0; i < n; i++)
		util_appendf(buf, len, "%s%s",
			     !i		 ? ""
			     : i + 1 < n ? ", "
					 : " or ",
			     cli_commands[i]->name);
}

/* Parses the command's options (argv[0] is its name) and runs it: an exit status. */
static int command_run(const struct cli_cmd *cmd, int argc, char **argv, int full_argc,
		       char **full_argv)
{
	struct cliopt_result res;
	void *opts = calloc(1, cmd->opts_size);
	int ret;

	if (!opts) {
		log_err("out of memory");
		return EXIT_FAILED;
	}
	ret = cliopt_parse(cmd->opts, false, argc, argv, opts, &res);
	if (ret == -ENOMEM) {
		log_err("out of memory");
		ret = EXIT_FAILED;
	} else if (ret < 0) {
		ret = cli_usage(cmd->name, "%s", res.err);
	} else if (res.help) {
		cli_help(stdout, cmd);
		ret = EXIT_OK;
	} else if ((unsigned)res.argc > (cmd->max_args ? cmd->max_args : cmd->nargs)) {
		ret = cli_usage(cmd->name, "unexpected argument '%s'",
				res.argv[cmd->max_args ? cmd->max_args : cmd->nargs]);
	} else if ((unsigned)res.argc < cmd->nargs) {
		ret = cli_usage(cmd->name, "%s", cmd->missing);
	} else {
		struct cli_call call = { .opts = opts,
					 .argc = res.argc,
					 .argv = res.argv,
					 .full_argc = full_argc,
					 .full_argv = full_argv };
		ret = cmd->run(&call);
	}
	cliopt_free(cmd->opts, opts);
	free(opts);
	return ret;
}

int cli_main(int argc, char **argv)
{
	struct main_opts o = { 0 };
	struct cliopt_result res;
	char names[128];
	int ret = cliopt_parse(main_opts, true, argc, argv, &o, &res);

	cliopt_free(main_opts, &o);
	if (ret < 0)
		return cli_usage(NULL, "%s", res.err);
	if (res.help) {
		main_help();
		return EXIT_OK;
	}
	if (o.version) {
		printf("vmbench %s\n", VMBENCH_VERSION);
		return EXIT_OK;
	}
	log_set_level(o.quiet ? LOG_ERR : o.verbose ? LOG_DBG : LOG_INFO);
	command_names(names, sizeof(names));
	if (res.argc == 0)
		return cli_usage(NULL, "no command given (%s)", names);
	for (size_t i = 0; i < cli_command_count; i++)
		if (strcmp(res.argv[0], cli_commands[i]->name) == 0)
			return command_run(cli_commands[i], res.argc, res.argv, argc, argv);
	return cli_usage(NULL, "unknown command '%s' (%s)", res.argv[0], names);
}
