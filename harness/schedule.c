/* The order of a run: rounds × backends × workloads, shuffled anew every round. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "common/log.h"
#include "harness/schedule.h"

unsigned schedule_rounds(const struct profile *pf)
{
	unsigned rounds = pf->rounds ? pf->rounds : 1;
	/* Every round gets at least one sample of each cell and one boot (where there are
	 * boots at all). */
	unsigned most = pf->boot_reps && pf->boot_reps < pf->reps ? pf->boot_reps : pf->reps;

	if (rounds > most) {
		log_warn("%u rounds of %u samples and %u boots: %u rounds", rounds, pf->reps,
			 pf->boot_reps, most ? most : 1);
		rounds = most;
	}
	return rounds < 1 ? 1 : rounds;
}

/* A random permutation of n elements (GSL's shuffle on the run's generator). */
static void shuffle(gsl_rng *rng, void *base, size_t n, size_t size)
{
	if (n > 1)
		gsl_ran_shuffle(rng, base, n, size);
}

/* Moves the workloads that share a release hook (STREAM's kernels share their arrays) next
 * to the first of them, keeping the shuffled order otherwise: set up once per session,
 * not once per kernel (seconds each in a UML guest). */
static void group_by_release(const struct workload_ops **w, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (!w[i]->release)
			continue;
		size_t end = i + 1;
		while (end < n && w[end]->release == w[i]->release)
			end++;
		for (size_t j = end; j < n; j++)
			if (w[j]->release == w[i]->release) {
				const struct workload_ops *t = w[j];
				memmove(&w[end + 1], &w[end], (j - end) * sizeof(*w));
				w[end++] = t;
			}
		i = end - 1;
	}
}

/* One backend's workloads: those the agent runs first, then those the host measures. */
static int fill_slot(struct slot *sl, const struct plan *p, gsl_rng *rng)
{
	size_t n = 0;

	sl->workloads = calloc(p->nworkloads + 1, sizeof(*sl->workloads));
	if (!sl->workloads)
		return -ENOMEM;
	for (size_t w = 0; w < p->nworkloads; w++)
		if (!(p->workloads[w]->flags & WL_HOST) &&
		    plan_applies(sl->backend, p->workloads[w]))
			sl->workloads[n++] = p->workloads[w];
	shuffle(rng, sl->workloads, n, sizeof(*sl->workloads));
	group_by_release(sl->workloads, n);
	size_t plain = n;
	for (size_t w = 0; w < p->nworkloads; w++)
		if ((p->workloads[w]->flags & WL_HOST) &&
		    plan_applies(sl->backend, p->workloads[w]))
			sl->workloads[n++] = p->workloads[w];
	shuffle(rng, sl->workloads + plain, n - plain, sizeof(*sl->workloads));
	sl->n = n;
	return 0;
}

json_t *schedule_slot_json(const struct slot *sl)
{
	json_t *names = json_array();

	for (size_t w = 0; names && w < sl->n; w++)
		if (json_array_append_new(names, json_string(sl->workloads[w]->name)) < 0) {
			json_decref(names);
			return NULL;
		}
	/* json_pack's "o" steals names, and fails (NULL) without it. */
	return json_pack("{s:s, s:o}", "backend", sl->backend->name, "workloads", names);
}

int schedule_build(struct schedule *s, const struct plan *p, const bool *usable, unsigned rounds,
		   unsigned long seed)
{
	const struct backend_ops **bk = calloc(p->nbackends + 1, sizeof(*bk));
	gsl_rng *rng = NULL;
	int ret = -ENOMEM;

	memset(s, 0, sizeof(*s));
	s->rounds = rounds;
	s->slots = calloc((size_t)rounds * p->nbackends + 1, sizeof(*s->slots));
	rng = gsl_rng_alloc(gsl_rng_mt19937);
	s->order = json_array();
	if (!bk || !s->slots || !rng || !s->order)
		goto out;
	gsl_rng_set(rng, seed);
	for (unsigned r = 0; r < rounds; r++) {
		json_t *this_round = json_array();
		size_t nb = 0;
		if (!this_round || json_array_append_new(s->order, this_round) < 0)
			goto out;
		for (size_t i = 0; i < p->nbackends; i++)
			if (usable[i])
				bk[nb++] = p->backends[i];
		shuffle(rng, bk, nb, sizeof(*bk));
		for (size_t i = 0; i < nb; i++) {
			struct slot *sl = &s->slots[s->n];
			sl->round = r;
			sl->backend = bk[i];
			if (fill_slot(sl, p, rng) < 0)
				goto out;
			s->n++;
			if (json_array_append_new(this_round, schedule_slot_json(sl)) < 0)
				goto out;
		}
	}
	ret = 0;
out:
	if (rng)
		gsl_rng_free(rng);
	free(bk);
	if (ret < 0)
		schedule_free(s);
	return ret;
}

void schedule_free(struct schedule *s)
{
	for (size_t i = 0; s->slots && i < s->n; i++)
		free(s->slots[i].workloads);
	free(s->slots);
	json_decref(s->order);
	memset(s, 0, sizeof(*s));
}
