/*
 * Fuzz target: the results loader. A results file is untrusted input (issue 21: reports of
 * files from elsewhere, merge and compare of several): any bytes are read as `vmbench
 * report` reads a file, and what loads must write out and load again.
 */
#include <stdlib.h>

#include "harness/results.h"
#include "tests/fuzz/fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct results r;

	fuzz_init();
	if (fuzz_load_results(data, size, &r) < 0)
		return 0;
	/* What every reader derives from a loaded file besides the cells. */
	size_t nb, nw;
	const char **bk = results_backends(&r, &nb), **wl = results_workloads(&r, &nw);
	for (size_t i = 0; i < r.n; i++) {
		struct ratio q;
		(void)results_ratio_to_native(&r, &r.cells[i], &q);
		(void)results_ratio_noisy(&r, &r.cells[i]);
		(void)cell_probe_effect(&r.cells[i]);
	}
	free(bk);
	free(wl);
	fuzz_check_round_trip(&r);
	results_free(&r);
	return 0;
}
