/* vmbench-agent's entry point: the protocol on stdin/stdout (see workloads/agent.h). */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "workloads/agent.h"

int main(int argc, char **argv)
{
	if (argc > 1) {
		if (strcmp(argv[1], "--version") == 0) {
			printf("vmbench-agent %s\n", VMBENCH_VERSION);
			return 0;
		}
		fprintf(stderr,
			"usage: vmbench-agent [--version]\n"
			"Speaks the vmbench agent protocol on stdin/stdout; started by vmbench.\n");
		return strcmp(argv[1], "--help") == 0 ? 0 : 2;
	}
	/* A host that goes away must not kill us silently: EPIPE ends the loop. */
	signal(SIGPIPE, SIG_IGN);
	/* On a console (serial, virtio, UML) the tty must neither echo the host's lines back
	 * nor rewrite our newlines. */
	struct termios t;
	if (isatty(STDIN_FILENO) && tcgetattr(STDIN_FILENO, &t) == 0) {
		cfmakeraw(&t);
		(void)tcsetattr(STDIN_FILENO, TCSANOW, &t);
	}
	int ret = agent_serve(STDIN_FILENO, STDOUT_FILENO);
	if (ret < 0) {
		fprintf(stderr, "vmbench-agent: %s\n", strerror(-ret));
		return 1;
	}
	return 0;
}
