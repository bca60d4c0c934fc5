/* The run's progress: cells done of all, the cell now running, and an ETA. */
#ifndef VMBENCH_PROGRESS_H
#define VMBENCH_PROGRESS_H

struct progress {
	unsigned done, total;
	double t0; /* util_now_s() at the start of the run */
};

/* A status line (a plain line when stderr is not a terminal) for the cell about to run. */
void progress_show(const struct progress *pr, unsigned round, unsigned rounds, const char *backend,
		   const char *workload, unsigned reps);

#endif
