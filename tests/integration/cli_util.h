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
/* The cell of backend and workload in res; fails the test when there is none. */
const struct cell *cli_cell(const struct results *res, const char *backend, const char *workload);
/*
 * What the runs of this test left behind: runtime directories named vmbench-<tag>-* where
 * backends make them, cgroups named vmbench-*, mount points that name vmbench (each only
 * when it was not there before the test's first run), and live child processes (the
 * caller is a PR_SET_CHILD_SUBREAPER, so orphans of the run are its children; dead ones
 * are reaped here). NULL when nothing is left, else what was found.
 */
const char *cli_leftovers(const char *tag);
/* Fails the test unless cli_leftovers(tag) finds nothing (after a moment for the kernel
 * to finish the run's exits). */
void cli_assert_nothing_left(const char *tag);
/* Fails the test unless every cell of backend (every cell, for NULL) but those of workload
 * except (or none) is ok or noisy. */
void cli_assert_all_ran(const struct results *res, const char *backend, const char *except);
/*
 * Scenarios every backend must pass; tag names its runtime directories (cli_leftovers).
 * crash: a workload that kills the agent, between two that do not: its cell fails with
 * the reason, the session restarts for the next one, and nothing is left.
 * interrupt: SIGINT once the backend measures: exit 130, the incomplete results of what
 * ran, and nothing left.
 */
void cli_check_crash_recovery(const char *backend, const char *tag);
void cli_check_interrupt(const char *backend, const char *tag);
/* Sets $PATH (for this test process and the vmbench it runs) to a fresh directory of links
 * to every program of /usr/sbin, /usr/bin, /sbin and /bin except those named in hide. */
void cli_path_without(const char *const hide[]);
/* Runs `vmbench doctor` and returns its line about backend (static buffer). */
const char *cli_doctor_line(const char *backend);
/* Skips the test when program is not on $PATH. */
void cli_need_program(const char *program);
/* A fresh directory under /tmp, its name kept here (not for the caller to free); removed
 * with everything in it by cli_rmtree, or by cli_cleanup (a suite's .fini, which runs
 * after a failed test too). */
char *cli_tmpdir(void);
void cli_rmtree(const char *dir);
/* A test disk of mib MiB of pseudo-random bytes at path, for --disk (with --disk-writable
 * where the write workloads run). */
void cli_make_disk(const char *path, unsigned mib);
void cli_cleanup(void);
/* A /dev/shm of size (mount's size=, "8m") in a mount namespace of the test's own, with a
 * state directory on it made $VMBENCH_STATE_DIR for the runs it starts: a filesystem
 * that fills (needs root). Skips the test without a mount namespace of its own. Returns the
 * directory. */
const char *cli_small_state_dir(const char *size);

/* A count that may be absent (NAN) as 0, as a missing count means none was seen. */
static inline double cli_or0(double v)
{
	return v == v ? v : 0;
}

#endif
