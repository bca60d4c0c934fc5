/* The vmbench command line: subcommands list, doctor, run. */
#ifndef VMBENCH_CLI_H
#define VMBENCH_CLI_H

/* Exit statuses. */
enum {
	EXIT_OK = 0,
	EXIT_FAILED = 1,  /* some cell failed, or results could not be written */
	EXIT_USAGE = 2,	  /* bad input: options, names, files */
	EXIT_INTERRUPTED = 130,
};

int cli_main(int argc, char **argv);

#endif
