/* Unit tests of harness/schedule.h: the slots of a run, shuffled anew every round, the rounds
 * a profile gets, and how profile_round_share splits samples over them. */
#include <stdbool.h>
#include <string.h>

#include <criterion/criterion.h>
#include <jansson.h>

#include "harness/plan.h"
#include "harness/schedule.h"

/* Backends and workloads the plans are built from: lifecycle.boot (WL_HOST) is listed among
 * the others, never last, so that putting it last is the schedule's doing. */
#define SMALL_BACKENDS	"null,native,tcg"
#define SMALL_WORKLOADS "cpu.int,lifecycle.boot,syscall.getppid,null"
#define BIG_BACKENDS	"native,container,uml,tcg,null"
#define BIG_WORKLOADS                                                                       \
	"cpu.int,cpu.fp,cpu.callret,syscall.getppid,syscall.read,syscall.write,"            \
	"syscall.stat,syscall.fstat,syscall.openclose,signal.install,lifecycle.boot,"       \
	"signal.handle,signal.protfault,proc.fork,proc.exec,proc.sh,ctx.pipe,ctx.pipe.64k," \
	"mem.pagefault,mem.mmap,clock.gettime"
#define BIG_ROUNDS 3

static void build_plan(struct plan *p, const char *backends, const char *workloads)
{
	const struct profile *pf = profile_find("paper");
	char err[512] = "";

	cr_assert_not_null(pf);
	cr_assert_eq(plan_build(p, backends, workloads, pf, err, sizeof(err)), 0, "%s", err);
}

static size_t count_host(const struct plan *p)
{
	size_t n = 0;

	for (size_t w = 0; w < p->nworkloads; w++)
		n += (p->workloads[w]->flags & WL_HOST) ? 1 : 0;
	return n;
}

/* Every planned workload exactly once, WL_HOST ones after all others; with in_order, the
 * agent's workloads in plan order too. */
static void check_slot(const struct slot *sl, const struct plan *p, bool in_order)
{
	size_t host = count_host(p), plain = p->nworkloads - host, k = 0;

	cr_assert_eq(sl->n, p->nworkloads, "round %u %s: %zu workloads of %zu", sl->round,
		     sl->backend->name, sl->n, p->nworkloads);
	for (size_t w = 0; w < p->nworkloads; w++) {
		size_t seen = 0;
		for (size_t i = 0; i < sl->n; i++)
			seen += sl->workloads[i] == p->workloads[w] ? 1 : 0;
		cr_assert_eq(seen, 1, "round %u %s: %s %zu times", sl->round, sl->backend->name,
			     p->workloads[w]->name, seen);
	}
	for (size_t i = 0; i < sl->n; i++)
		cr_assert_eq(!!(sl->workloads[i]->flags & WL_HOST), i >= plain,
			     "round %u %s: %s at %zu of %zu (%zu of the host)", sl->round,
			     sl->backend->name, sl->workloads[i]->name, i, sl->n, host);
	if (!in_order)
		return;
	for (size_t w = 0; w < p->nworkloads; w++) {
		if (p->workloads[w]->flags & WL_HOST)
			continue;
		cr_assert_eq(sl->workloads[k], p->workloads[w], "round %u %s: %s at %zu, not %s",
			     sl->round, sl->backend->name, sl->workloads[k]->name, k,
			     p->workloads[w]->name);
		k++;
	}
}

/* The slots of each round are one per usable backend, each backend once. */
static void check_rounds(const struct schedule *s, const struct plan *p, const bool *usable)
{
	size_t nusable = 0, i = 0;

	for (size_t b = 0; b < p->nbackends; b++)
		nusable += usable[b] ? 1 : 0;
	cr_assert_eq(s->n, (size_t)s->rounds * nusable);
	for (unsigned r = 0; r < s->rounds; r++) {
		for (size_t b = 0; b < p->nbackends; b++) {
			size_t seen = 0;
			for (size_t k = 0; k < nusable; k++)
				seen += s->slots[i + k].backend == p->backends[b] ? 1 : 0;
			cr_assert_eq(seen, usable[b] ? 1 : 0, "round %u: %s %zu times", r,
				     p->backends[b]->name, seen);
		}
		for (size_t k = 0; k < nusable; k++, i++)
			cr_assert_eq(s->slots[i].round, r, "slot %zu: round %u, not %u", i,
				     s->slots[i].round, r);
	}
}

/* s->order names exactly the slots, round by round. */
static void check_order(const struct schedule *s)
{
	size_t i = 0;

	cr_assert(json_is_array(s->order));
	cr_assert_eq(json_array_size(s->order), s->rounds);
	for (unsigned r = 0; r < s->rounds; r++) {
		json_t *round = json_array_get(s->order, r);
		size_t n = 0;
		cr_assert(json_is_array(round), "order[%u] is not an array", r);
		for (size_t k = i; k < s->n && s->slots[k].round == r; k++)
			n++;
		cr_assert_eq(json_array_size(round), n, "order[%u]: %zu turns, not %zu", r,
			     json_array_size(round), n);
		for (size_t k = 0; k < n; k++, i++) {
			const struct slot *sl = &s->slots[i];
			json_t *turn = json_array_get(round, k);
			json_t *names = json_object_get(turn, "workloads");
			cr_assert(json_is_object(turn));
			cr_assert_eq(json_object_size(turn), 2);
			cr_assert_str_eq(json_string_value(json_object_get(turn, "backend")),
					 sl->backend->name);
			cr_assert(json_is_array(names));
			cr_assert_eq(json_array_size(names), sl->n);
			for (size_t w = 0; w < sl->n; w++)
				cr_assert_str_eq(json_string_value(json_array_get(names, w)),
						 sl->workloads[w]->name, "order[%u][%zu][%zu]", r,
						 k, w);
		}
	}
	cr_assert_eq(i, s->n);
}

static bool same_slots(const struct schedule *a, const struct schedule *b)
{
	if (a->n != b->n || a->rounds != b->rounds)
		return false;
	for (size_t i = 0; i < a->n; i++) {
		if (a->slots[i].round != b->slots[i].round ||
		    a->slots[i].backend != b->slots[i].backend || a->slots[i].n != b->slots[i].n)
			return false;
		for (size_t w = 0; w < a->slots[i].n; w++)
			if (a->slots[i].workloads[w] != b->slots[i].workloads[w])
				return false;
	}
	return true;
}

Test(schedule, unusable_backends_get_no_slot)
{
	bool some[] = { true, false, true }, none[] = { false, false, false };
	struct schedule s;
	struct plan p;

	build_plan(&p, SMALL_BACKENDS, SMALL_WORKLOADS);
	cr_assert_eq(schedule_build(&s, &p, some, 3, 7), 0);
	cr_assert_eq(s.n, 3 * 2);
	check_rounds(&s, &p, some);
	check_order(&s);
	schedule_free(&s);

	cr_assert_eq(schedule_build(&s, &p, none, 2, 1), 0);
	cr_assert_eq(s.n, 0);
	cr_assert_eq(json_array_size(s.order), 2, "an empty array per round");
	cr_assert_eq(json_array_size(json_array_get(s.order, 0)), 0);
	schedule_free(&s);
	plan_free(&p);
}

Test(schedule, shuffle_keeps_the_slots)
{
	bool usable[] = { true, true, true, true, true };
	struct schedule s;
	struct plan p;

	build_plan(&p, BIG_BACKENDS, BIG_WORKLOADS);
	cr_assert_eq(p.nbackends, 5);
	cr_assert_eq(p.nworkloads - count_host(&p), 20);
	cr_assert_eq(schedule_build(&s, &p, usable, BIG_ROUNDS, 42), 0);
	cr_assert_eq(s.rounds, BIG_ROUNDS);
	check_rounds(&s, &p, usable);
	for (size_t i = 0; i < s.n; i++) {
		const struct slot *sl = &s.slots[i];
		bool in_plan_order = true;
		check_slot(sl, &p, false);
		/* 20 workloads: the plan's order by chance is 1 in 20! for each slot. */
		for (size_t w = 0, k = 0; w < p.nworkloads; w++)
			if (!(p.workloads[w]->flags & WL_HOST))
				in_plan_order =
					in_plan_order && sl->workloads[k++] == p.workloads[w];
		cr_assert_not(in_plan_order, "round %u %s: workloads in plan order", sl->round,
			      sl->backend->name);
	}
	/* The backends too: the plan's order in all 3 rounds by chance is 1 in 120³. */
	bool backends_in_plan_order = true;
	for (size_t i = 0; i < s.n; i++)
		backends_in_plan_order =
			backends_in_plan_order && s.slots[i].backend == p.backends[i % 5];
	cr_assert_not(backends_in_plan_order, "backends in plan order in every round");
	check_order(&s);
	schedule_free(&s);
	plan_free(&p);
}

Test(schedule, same_seed_same_order)
{
	bool usable[] = { true, true, true, true, true };
	struct schedule a, b;
	struct plan p;

	build_plan(&p, BIG_BACKENDS, BIG_WORKLOADS);
	cr_assert_eq(schedule_build(&a, &p, usable, BIG_ROUNDS, 12345), 0);
	cr_assert_eq(schedule_build(&b, &p, usable, BIG_ROUNDS, 12345), 0);
	cr_assert(same_slots(&a, &b));
	cr_assert(json_equal(a.order, b.order));
	schedule_free(&a);
	schedule_free(&b);
	plan_free(&p);
}

Test(schedule, other_seed_other_order)
{
	bool usable[] = { true, true, true, true, true };
	struct schedule a, b;
	struct plan p;

	/* 3 rounds of 5! backend orders and 5 × 20! workload orders: equal by chance never. */
	build_plan(&p, BIG_BACKENDS, BIG_WORKLOADS);
	cr_assert_eq(schedule_build(&a, &p, usable, BIG_ROUNDS, 1), 0);
	cr_assert_eq(schedule_build(&b, &p, usable, BIG_ROUNDS, 2), 0);
	cr_assert_not(same_slots(&a, &b));
	cr_assert_not(json_equal(a.order, b.order));
	/* Every round is drawn anew, not the first one repeated. */
	for (size_t i = 0; i + 5 < a.n; i += 5) {
		bool same = true;
		for (size_t k = 0; k < 5 && same; k++)
			same = a.slots[i + k].backend == a.slots[i + 5 + k].backend &&
			       a.slots[i + k].workloads[0] == a.slots[i + 5 + k].workloads[0] &&
			       a.slots[i + k].workloads[1] == a.slots[i + 5 + k].workloads[1];
		cr_assert_not(same, "round %zu repeats round %zu", i / 5 + 1, i / 5);
	}
	schedule_free(&a);
	schedule_free(&b);
	plan_free(&p);
}

/* Two host workloads besides the one there is: shuffled among themselves, still last. */
static const struct workload_ops host_a = { .abi = WORKLOAD_ABI,
					    .name = "test.host.a",
					    .flags = WL_HOST | WL_TEST };
static const struct workload_ops host_b = { .abi = WORKLOAD_ABI,
					    .name = "test.host.b",
					    .flags = WL_HOST | WL_TEST };

Test(schedule, host_workloads_last_when_shuffled)
{
	bool usable[] = { true, true, true, true, true };
	const struct workload_ops *wl[32];
	struct schedule s;
	struct plan p, mine;
	size_t n = 0;
	bool reordered = false;

	build_plan(&p, BIG_BACKENDS, BIG_WORKLOADS);
	cr_assert_lt(p.nworkloads + 2, ARRAY_SIZE(wl));
	wl[n++] = &host_a;
	for (size_t w = 0; w < p.nworkloads; w++) {
		wl[n++] = p.workloads[w];
		if (w == 3)
			wl[n++] = &host_b;
	}
	mine = p;
	mine.workloads = wl;
	mine.nworkloads = n;
	cr_assert_eq(count_host(&mine), 3);
	cr_assert_eq(schedule_build(&s, &mine, usable, BIG_ROUNDS, 99), 0);
	for (size_t i = 0; i < s.n; i++) {
		const struct slot *sl = &s.slots[i];
		check_slot(sl, &mine, false);
		reordered = reordered || sl->workloads[sl->n - 3] != &host_a ||
			    sl->workloads[sl->n - 2] != &host_b;
	}
	/* 15 slots of 3! orders each: always the plan's would be no shuffle. */
	cr_assert(reordered, "the host's workloads are never shuffled");
	check_order(&s);
	schedule_free(&s);

	plan_free(&p);
}

static struct profile profile_of(unsigned reps, unsigned boot_reps, unsigned rounds)
{
	return (struct profile){
		.name = "test", .reps = reps, .boot_reps = boot_reps, .rounds = rounds
	};
}

Test(schedule, rounds)
{
	struct {
		unsigned reps, boot_reps, rounds, want;
	} cases[] = {
		{ 8, 6, 1, 1 }, { 30, 20, 5, 5 }, { 3, 20, 5, 3 }, { 30, 2, 5, 2 },
		{ 4, 4, 4, 4 }, { 4, 5, 4, 4 },	  { 8, 6, 0, 1 },  { 1, 1, 0, 1 },
		{ 0, 6, 3, 1 }, { 8, 0, 3, 3 },	  { 0, 0, 0, 1 },  { 1, 1, 9, 1 },
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct profile pf = profile_of(cases[i].reps, cases[i].boot_reps, cases[i].rounds);
		cr_assert_eq(schedule_rounds(&pf), cases[i].want,
			     "reps %u, boot_reps %u, rounds %u: %u rounds, not %u", pf.reps,
			     pf.boot_reps, pf.rounds, schedule_rounds(&pf), cases[i].want);
	}
	/* The profiles as they stand: as many rounds as they ask for. */
	for (size_t i = 0; i < profile_count; i++) {
		const struct profile *pf = &profile_table[i];
		cr_assert_eq(schedule_rounds(pf), pf->rounds ? pf->rounds : 1, "profile %s",
			     pf->name);
	}
}

Test(schedule, round_share)
{
	for (unsigned rounds = 1; rounds <= 7; rounds++) {
		for (unsigned n = 0; n <= 50; n++) {
			unsigned sum = 0, lo = ~0u, hi = 0;
			for (unsigned r = 0; r < rounds; r++) {
				unsigned k = profile_round_share(n, rounds, r);
				sum += k;
				lo = k < lo ? k : lo;
				hi = k > hi ? k : hi;
			}
			cr_assert_eq(sum, n, "%u over %u rounds: %u", n, rounds, sum);
			cr_assert_leq(hi - lo, 1, "%u over %u rounds: %u to %u", n, rounds, lo, hi);
		}
	}
	cr_assert_eq(profile_round_share(10, 3, 0), 4);
	cr_assert_eq(profile_round_share(10, 3, 1), 3);
	cr_assert_eq(profile_round_share(10, 3, 2), 3);
	cr_assert_eq(profile_round_share(2, 5, 4), 0);
}

/* STREAM's kernels share their arrays (one release hook): shuffled among the others, they
 * still run one after another, so a session sets the arrays up once. */
Test(schedule, workloads_sharing_a_release_run_together)
{
	bool usable[] = { true, true };
	struct schedule s;
	struct plan p;

	build_plan(&p, "native,uml",
		   "mem.bw.copy,cpu.int,mem.bw.scale,syscall.getppid,mem.lat,mem.bw.add,cpu.fp,"
		   "mem.bw.triad,clock.gettime,proc.fork,lifecycle.boot");
	cr_assert_eq(schedule_build(&s, &p, usable, 6, 3), 0);
	bool moved = false;
	for (size_t i = 0; i < s.n; i++) {
		const struct slot *sl = &s.slots[i];
		size_t first = sl->n, last = 0;
		check_slot(sl, &p, false);
		for (size_t w = 0; w < sl->n; w++)
			if (sl->workloads[w]->release) {
				first = w < first ? w : first;
				last = w;
			}
		cr_assert_eq(last - first, 3, "slot %zu: STREAM from %zu to %zu", i, first, last);
		moved = moved || first > 0;
	}
	cr_assert(moved, "the group is shuffled too, not always first");
	check_order(&s);
	schedule_free(&s);
	plan_free(&p);
}
