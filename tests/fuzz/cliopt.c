/*
 * Fuzz target: option parsing. The input is a command line as /proc/<pid>/cmdline holds one
 * (arguments ended by NUL bytes); its first argument names a command of cli_commands, whose
 * option table cliopt_parse reads the rest with, as cli.c does before a command runs (no
 * command is run: they measure, write and spawn). The same arguments are parsed again in
 * order, as the top level parses its own options, and each one is tried as a format list
 * and a number, the values commands parse themselves.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "harness/cli.h"
#include "harness/report.h"
#include "tests/fuzz/fuzz.h"

#define MAX_ARGS 64

/* The input split into NUL-terminated arguments in buf (size + 1 bytes), the last NUL
 * optional; their count, at least 1 (argv[0], the command's name, may be empty). */
static int split_args(const uint8_t *data, size_t size, char *buf, char **argv)
{
	int argc = 0;

	memcpy(buf, data, size);
	buf[size] = '\0';
	for (size_t i = 0; i < size && argc < MAX_ARGS; argc++) {
		argv[argc] = buf + i;
		i += strlen(buf + i) + 1;
	}
	if (argc == 0)
		argv[argc++] = buf;
	argv[argc] = NULL;
	return argc;
}

static void parse_with(const struct cli_cmd *cmd, bool in_order, int argc, char **args)
{
	char *argv[MAX_ARGS + 1];
	struct cliopt_result res;
	void *opts = calloc(1, cmd->opts_size);

	if (!opts)
		return;
	/* getopt_long reorders the arguments: each parse gets its own array. */
	memcpy(argv, args, (size_t)(argc + 1) * sizeof(*argv));
	int ret = cliopt_parse(cmd->opts, in_order, argc, argv, opts, &res);
	if (ret == -EINVAL && !res.err[0])
		fuzz_fail("%s: -EINVAL without a message", cmd->name);
	if (ret < 0 && ret != -EINVAL && ret != -ENOMEM)
		fuzz_fail("%s: cliopt_parse returned %d", cmd->name, ret);
	if (!memchr(res.err, '\0', sizeof(res.err)))
		fuzz_fail("%s: message not terminated", cmd->name);
	if (ret == 0 && !res.help &&
	    (res.argc < 0 || res.argc >= argc || res.argv + res.argc != argv + argc))
		fuzz_fail("%s: %d arguments left of %d", cmd->name, res.argc, argc);
	cliopt_free(cmd->opts, opts);
	free(opts);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *args[MAX_ARGS + 1];
	char *buf = malloc(size + 1);

	fuzz_init();
	if (!buf)
		return 0;
	int argc = split_args(data, size, buf, args);
	for (size_t i = 0; i < cli_command_count; i++) {
		if (strcmp(args[0], cli_commands[i]->name) != 0)
			continue;
		parse_with(cli_commands[i], false, argc, args);
		parse_with(cli_commands[i], true, argc, args);
	}
	for (int i = 1; i < argc; i++) {
		char err[256];
		unsigned formats;
		double v;
		(void)!report_parse_formats(args[i], &formats, err, sizeof(err));
		(void)!cli_parse_number(args[i], 0, 1e9, false, &v);
	}
	free(buf);
	return 0;
}
