/* Helpers of the CLI-level integration tests: run vmbench as a user would. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "cli_util.h"

static pid_t start(char *argv[], const char *outfile, const char *errfile)
{
	pid_t pid = fork();

	cr_assert_geq(pid, 0);
	if (pid == 0) {
		int null = open("/dev/null", O_RDWR);
		int err = open(errfile, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		int out = outfile ? open(outfile, O_WRONLY | O_CREAT | O_TRUNC, 0644) : null;
		dup2(null, STDIN_FILENO);
		dup2(out, STDOUT_FILENO);
		dup2(err, STDERR_FILENO);
		argv[0] = VMBENCH_BIN;
		execv(VMBENCH_BIN, argv);
		_exit(127);
	}
	return pid;
}

pid_t cli_start(char *argv[], const char *errfile)
{
	return start(argv, NULL, errfile);
}

/* Reads the start of a file into buf and removes the file. */
static void take(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "r");
	size_t n = f ? fread(buf, 1, len - 1, f) : 0;

	buf[n] = '\0';
	if (f)
		fclose(f);
	unlink(path);
}

int cli_run_out(char *argv[], char *out, size_t outlen, char *err, size_t len)
{
	char errfile[] = "/tmp/vmbench-stderr-XXXXXX", outfile[] = "/tmp/vmbench-stdout-XXXXXX";
	int status;
	int efd = mkstemp(errfile), ofd = mkstemp(outfile);

	cr_assert(efd >= 0 && ofd >= 0);
	close(efd);
	close(ofd);
	pid_t pid = start(argv, out ? outfile : NULL, errfile);
	cr_assert_eq(waitpid(pid, &status, 0), pid);
	take(errfile, err, len);
	if (out)
		take(outfile, out, outlen);
	else
		unlink(outfile);
	cr_assert(WIFEXITED(status), "vmbench died of signal %d", WTERMSIG(status));
	return WEXITSTATUS(status);
}

int cli_run(char *argv[], char *err, size_t len)
{
	return cli_run_out(argv, NULL, 0, err, len);
}

int cli_run_results(char *argv[], const char *dir, struct results *res, char *err, size_t len)
{
	char path[512], lerr[512];
	int st = cli_run(argv, err, len);

	snprintf(path, sizeof(path), "%s/results.json", dir);
	cr_assert_eq(results_load(path, res, lerr, sizeof(lerr)), 0, "%s (vmbench said: %s)", lerr,
		     err);
	return st;
}

void cli_need_program(const char *program)
{
	char cmd[256];

	snprintf(cmd, sizeof(cmd), "command -v '%s' >/dev/null", program);
	if (system(cmd) != 0)
		cr_skip_test("%s is not installed (make deps)", program);
}

static char *made[8];

char *cli_tmpdir(void)
{
	char *dir = strdup("/tmp/vmbench-cli-XXXXXX");

	cr_assert_not_null(mkdtemp(dir));
	for (size_t i = 0; i < sizeof(made) / sizeof(made[0]); i++)
		if (!made[i]) {
			made[i] = strdup(dir);
			break;
		}
	return dir;
}

static void rmtree(const char *dir)
{
	char cmd[256];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	cr_assert_eq(system(cmd), 0);
}

void cli_rmtree(const char *dir)
{
	rmtree(dir);
	for (size_t i = 0; i < sizeof(made) / sizeof(made[0]); i++)
		if (made[i] && !strcmp(made[i], dir)) {
			free(made[i]);
			made[i] = NULL;
		}
}

void cli_cleanup(void)
{
	for (size_t i = 0; i < sizeof(made) / sizeof(made[0]); i++)
		if (made[i]) {
			rmtree(made[i]);
			free(made[i]);
			made[i] = NULL;
		}
}
