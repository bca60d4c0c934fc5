/* The run's progress line: cells done, elapsed time, and a guess of the time left from the
 * time the cells done took. */
#include <stdio.h>

#include "common/log.h"
#include "harness/progress.h"
#include "host/util.h"

void progress_show(const struct progress *pr, unsigned round, unsigned rounds, const char *backend,
		   const char *workload, unsigned reps)
{
	double el = util_now_s() - pr->t0;
	char eta[32] = "…", rnd[32] = "";

	if (pr->done) {
		double left = el / pr->done * (pr->total - pr->done);
		snprintf(eta, sizeof(eta), "%d:%02d", (int)left / 60, (int)left % 60);
	}
	if (rounds > 1)
		snprintf(rnd, sizeof(rnd), " round %u/%u", round, rounds);
	log_status("[%u/%u]%s %s %s, %u samples · %d:%02d elapsed · ETA %s", pr->done + 1,
		   pr->total, rnd, backend, workload, reps, (int)el / 60, (int)el % 60, eta);
	if (!log_is_tty())
		log_info("[%u/%u]%s %s: %s ...", pr->done + 1, pr->total, rnd, backend, workload);
}
