/* vmbench: compares virtualization modes with one agent and one suite of microbenchmarks. */
#include "harness/cli.h"

int main(int argc, char **argv)
{
	return cli_main(argc, argv);
}
