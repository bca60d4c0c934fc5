/* Helpers of the CLI-level integration tests: run vmbench as a user would. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "cli_util.h"

pid_t cli_start(char *argv[], const char *errfile)
{
	pid_t pid = fork();

	cr_assert_geq(pid, 0);
	if (pid == 0) {
		int null = open("/dev/null", O_RDWR);
		int err = open(errfile, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		dup2(null, STDIN_FILENO);
		dup2(null, STDOUT_FILENO);
		dup2(err, STDERR_FILENO);
		argv[0] = VMBENCH_BIN;
		execv(VMBENCH_BIN, argv);
		_exit(127);
	}
	return pid;
}

int cli_run(char *argv[], char *err, size_t len)
{
	char errfile[] = "/tmp/vmbench-stderr-XXXXXX";
	int fd = mkstemp(errfile), status;

	cr_assert_geq(fd, 0);
	close(fd);
	pid_t pid = cli_start(argv, errfile);
	cr_assert_eq(waitpid(pid, &status, 0), pid);
	FILE *f = fopen(errfile, "r");
	size_t n = f ? fread(err, 1, len - 1, f) : 0;
	err[n] = '\0';
	if (f)
		fclose(f);
	unlink(errfile);
	cr_assert(WIFEXITED(status), "vmbench died of signal %d", WTERMSIG(status));
	return WEXITSTATUS(status);
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
