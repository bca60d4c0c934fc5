/* Helpers of the CLI-level integration tests: run vmbench as a user would. */
#ifndef VMBENCH_TEST_CLI_UTIL_H
#define VMBENCH_TEST_CLI_UTIL_H

#include <sys/types.h>

#include "harness/results.h"

/* Starts vmbench with argv (argv[0] is replaced by the built binary), stdout to /dev/null,
 * stderr into errfile. Returns the pid. */
pid_t cli_start(char *argv[], const char *errfile);
/* Runs vmbench to its end; returns its exit status and the first 4 KiB of stderr in err. */
int cli_run(char *argv[], char *err, size_t len);
/* The same, with the start of stdout in out too. */
int cli_run_out(char *argv[], char *out, size_t outlen, char *err, size_t len);
/* Runs vmbench (argv writes into dir with -o) and loads dir/results.json into res, which
 * must be there. Returns the exit status, stderr in err. */
int cli_run_results(char *argv[], const char *dir, struct results *res, char *err, size_t len);
/* Skips the test when program is not on $PATH. */
void cli_need_program(const char *program);
/* A fresh directory under /tmp; removed with everything in it by cli_rmtree, or by
 * cli_cleanup (a suite's .fini, which runs after a failed test too). */
char *cli_tmpdir(void);
void cli_rmtree(const char *dir);
void cli_cleanup(void);

#endif
