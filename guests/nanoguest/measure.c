/*
 * Time in the nanoguest: the TSC, read with lfence; rdtsc. Its rate comes from the host
 * (vmbench.tsc_khz= on the command line: under TCG and KVM the guest's TSC ticks at the
 * host's), or else from 50 ms of counting against the ACPI PM timer.
 *
 * Every measured phase is also timed with the PM timer, which QEMU derives from the host's
 * clock: an emulated TSC that runs at the wrong rate shows as two durations that differ.
 *
 * Integer arithmetic only: durations in cycles, converted with one 128-bit product and one
 * division (muldiv); values per operation in femtoseconds.
 */
#include "nanoguest.h"

static u64 tsc_khz;
static const char *tsc_source;

static u64 sample_cycles[MAX_REPS], sample_done[MAX_REPS];

u64 muldiv(u64 a, u64 b, u64 c)
{
	u64 hi, lo, q, r;

	asm("mulq %3" : "=a"(lo), "=d"(hi) : "a"(a), "rm"(b) : "cc");
	/* divq takes hi:lo and faults (#DE) when the quotient does not fit in 64 bits. */
	if (c == 0 || hi >= c)
		return ~0ull;
	asm("divq %4" : "=a"(q), "=d"(r) : "a"(lo), "d"(hi), "rm"(c) : "cc");
	return q;
}

u64 cycles_to_ns(u64 cycles)
{
	return muldiv(cycles, 1000000, tsc_khz);
}

u64 cycles_to_fs(u64 cycles)
{
	return muldiv(cycles, 1000000000000ull, tsc_khz);
}

u64 ns_to_cycles(u64 ns)
{
	return muldiv(ns, tsc_khz, 1000000);
}

/* The value of name=... among the command line's space-separated words, or NULL. */
static const char *cmdline_value(const char *cmdline, const char *name, char *buf, u32 size)
{
	size_t len = strlen(name);

	for (const char *p = cmdline; p && *p; p++) {
		if ((p != cmdline && p[-1] != ' ') || memcmp(p, name, len) != 0 || p[len] != '=')
			continue;
		u32 n = 0;
		for (p += len + 1; *p && *p != ' ' && n < size - 1; p++)
			buf[n++] = *p;
		buf[n] = '\0';
		return buf;
	}
	return NULL;
}

/* Counts TSC cycles over 50 ms of PM timer ticks (3.579545 MHz, 24 bits, wraps). */
static u64 tsc_khz_from_pm_timer(void)
{
	u32 last = pm_timer_read(), now;
	u64 ticks = 0;

	/* Start on a tick, so that a whole tick is not lost at the start. */
	for (u32 tries = 0; (now = pm_timer_read()) == last; tries++)
		if (tries > 10000000)
			return 0; /* not a timer: it does not count */
	last = now;
	u64 t0 = tsc_read();
	while (ticks < PM_TIMER_HZ / 20) {
		now = pm_timer_read();
		ticks += (now - last) & 0xffffff;
		last = now;
	}
	return muldiv(tsc_read() - t0, PM_TIMER_HZ, ticks * 1000);
}

void tsc_init(const char *cmdline)
{
	char v[24];
	const char *s = cmdline_value(cmdline, "vmbench.tsc_khz", v, sizeof(v));

	/* 1 MHz to 100 GHz: anything else is a typo. */
	if (s && parse_u64(s, 1000, 100000000, &tsc_khz) == 0) {
		tsc_source = "cmdline";
		return;
	}
	tsc_khz = tsc_khz_from_pm_timer();
	tsc_source = "pmtimer";
	if (!tsc_khz) {
		tsc_khz = 1000000;
		tsc_source = "assumed";
		say("LOG nanoguest: the PM timer does not count; the TSC is assumed at 1 GHz");
	}
}

void clock_extra(struct out *o)
{
	out_key(o, "clock");
	out_json_str(o, "tsc");
	out_key(o, "tsc_khz");
	out_u64(o, tsc_khz);
	out_key(o, "tsc_khz_source");
	out_json_str(o, tsc_source);
}

/* ---- Samples ---- */

/*
 * During a measured phase the PM timer is read at its start and end, and in between
 * whenever half a second has passed since the last read: its 24 bits wrap every 4.7 s.
 * A sample is run in pieces of at most piece_max operations (about a second) to make
 * room for the reads; each is an exit to QEMU, so no more of them than that.
 */
static bool ref_on;
static u64 piece_max = ~0ull;
static u32 pm_last;
static u64 pm_ticks, pm_last_tsc, pm_due;

static void ref_tick(void)
{
	u32 now = pm_timer_read();

	pm_ticks += (now - pm_last) & 0xffffff;
	pm_last = now;
	pm_last_tsc = tsc_read();
}

/* TSC cycles of n operations of fn: its loop only, the PM timer reads left out. */
static u64 time_ops(void (*fn)(u64), u64 n)
{
	u64 cycles = 0;

	while (n) {
		u64 k = n < piece_max ? n : piece_max;
		u64 t0 = tsc_read();
		fn(k);
		u64 t1 = tsc_read();
		cycles += t1 - t0;
		n -= k;
		if (ref_on && t1 - pm_last_tsc >= pm_due)
			ref_tick();
	}
	return cycles;
}

/* The count that should make a sample last 20% more than min (it took c for n). */
static u64 scale_iters(u64 n, u64 c, u64 min)
{
	u64 want = c ? muldiv(n, min + min / 5, c) + 1 : n * 16;

	if (want > ITERS_MAX)
		want = ITERS_MAX;
	return want > n ? want : n;
}

/*
 * The operation count of a sample of at least min cycles: doubling from 1 until a sample
 * takes a tenth of min, then aiming 20% above min until one lasts 10% more than min (a
 * short sample mispredicts: caches, frequency, jitter). -1 when none reached min.
 */
static int calibrate(void (*fn)(u64), u64 min, u64 *iters, u64 *cycles)
{
	u64 n = 1, c;

	for (;;) {
		c = time_ops(fn, n);
		if (c >= min / 10 || n >= ITERS_MAX)
			break;
		n *= 2;
	}
	for (int tries = 0; tries < 8 && c < min + min / 10; tries++) {
		n = scale_iters(n, c, min);
		c = time_ops(fn, n);
	}
	*iters = n;
	*cycles = c;
	return c >= min ? 0 : -1;
}

static u64 median5(u64 *v)
{
	for (int i = 1; i < 5; i++)
		for (int j = i; j > 0 && v[j - 1] > v[j]; j--) {
			u64 t = v[j];
			v[j] = v[j - 1];
			v[j - 1] = t;
		}
	return v[2];
}

/* One iteration of fn's loop: the median of 5 timings of at least 1 ms each (the
 * count doubled from n until then), in fs. */
static u64 loop_cost_fs(void (*fn)(u64), u64 n)
{
	u64 per[5], ms = ns_to_cycles(1000000);

	for (int i = 0; i < 5; i++) {
		u64 c;

		for (;;) {
			c = time_ops(fn, n);
			if (c >= ms || n >= (1ull << 50))
				break;
			n *= 2;
		}
		per[i] = cycles_to_fs(c) / n;
	}
	return median5(per);
}

void clock_facts(u64 *res_fs, u64 *read_fs, u64 *loop_fs)
{
	enum { ROUNDS = 1000 };
	u64 best = ~0ull, start = tsc_read(), limit = ns_to_cycles(50000000);

	/* Resolution: the smallest non-zero step between two reads. */
	for (int i = 0; i < ROUNDS && tsc_read() - start < limit; i++) {
		u64 a = tsc_read(), b;

		while ((b = tsc_read()) == a)
			;
		if (b - a < best)
			best = b - a;
	}
	*res_fs = cycles_to_fs(best);

	/* Cost of a read: many back to back (tsc_read is volatile: none is dropped). */
	u64 t0 = tsc_read();
	for (int i = 0; i < ROUNDS * 10; i++)
		(void)tsc_read();
	*read_fs = cycles_to_fs(tsc_read() - t0) / (ROUNDS * 10 + 1);

	/* The empty loop, calibrated like a workload to 2 ms; the median of 5 samples. */
	u64 iters, c, per[5];
	(void)calibrate(empty_loop, ns_to_cycles(2000000), &iters, &c);
	for (int i = 0; i < 5; i++)
		per[i] = cycles_to_fs(time_ops(empty_loop, iters)) / iters;
	*loop_fs = median5(per);
}

int run_prepare(struct run *r, struct out *err)
{
	u64 min = ns_to_cycles(r->min_ns), n, c;

	ref_on = false;
	piece_max = ~0ull;
	r->cycles = sample_cycles;
	r->done = sample_done;
	r->nsamples = 0;
	if (r->fixed_iters) {
		n = r->fixed_iters;
		c = time_ops(r->w->op, n);
	} else if (calibrate(r->w->op, min, &n, &c) < 0) {
		out_str(err,
			"calibration: no sample of up to 2^40 operations lasted min_sample_ns");
		return -1;
	}
	/* Warm-up: samples dropped; if even the fastest was short, more operations. */
	for (int round = 0; r->warmup && round < 3; round++) {
		u64 fastest = ~0ull;

		for (u64 i = 0; i < r->warmup; i++) {
			u64 t = time_ops(r->w->op, n);
			if (t < fastest)
				fastest = t;
		}
		if (r->fixed_iters || fastest >= min)
			break;
		u64 more = scale_iters(n, fastest, min);
		c = muldiv(fastest, more, n);
		n = more;
	}
	r->iters = n;
	r->est_ns = cycles_to_ns(c);
	r->loop_fs = loop_cost_fs(r->w->empty, n);
	return 0;
}

u64 run_sample_fs(const struct run *r, u64 i)
{
	u64 fs = cycles_to_fs(r->cycles[i]), loop = muldiv(r->loop_fs, r->done[i], 1);

	return fs > loop ? (fs - loop) / r->done[i] : 0;
}

int run_measure(struct run *r, u64 reps, struct out *err)
{
	const struct workload *w = r->w;
	u64 min = ns_to_cycles(r->min_ns), total = 0;
	u64 before = w->vector ? trap_count[w->vector] : 0;

	/* About a second of operations per piece, by the calibration. */
	piece_max = r->est_ns > 1000000000 ? muldiv(r->iters, 1000000000, r->est_ns) : ~0ull;
	if (!piece_max)
		piece_max = 1;
	/* The reference: TSC then PM timer at either end, the same interval on both. */
	pm_due = ns_to_cycles(500000000);
	u64 t0 = tsc_read();
	pm_last = pm_timer_read();
	pm_last_tsc = t0;
	pm_ticks = 0;
	ref_on = true;
	for (u64 i = 0; i < reps; i++) {
		u64 c = time_ops(w->op, r->iters), d = r->iters;
		u64 chunk = r->iters / 4 ? r->iters / 4 : 1;

		/* Topped up while short of min_sample_ns: faster than at calibration. */
		while (c < min) {
			c += time_ops(w->op, chunk);
			d += chunk;
		}
		r->cycles[i] = c;
		r->done[i] = d;
	}
	u64 t1 = tsc_read();
	ref_tick();
	ref_on = false;
	piece_max = ~0ull;
	r->nsamples = reps;
	r->ref_tsc_ns = cycles_to_ns(t1 - t0);
	r->ref_pm_ns = muldiv(pm_ticks, 1000000000, PM_TIMER_HZ);

	for (u64 i = 0; i < reps; i++) {
		total += r->done[i];
		if (run_sample_fs(r, i) >= 500) /* below, it would print as 0.000 */
			continue;
		out_str(err, "the empty-loop cost taken out (");
		out_fs_ns(err, r->loop_fs);
		out_str(err, " ns per iteration) is as long as the operation (");
		out_fs_ns(err, cycles_to_fs(r->cycles[i]) / r->done[i]);
		out_str(err, " ns per iteration)");
		return -1;
	}
	/* A round trip that did not go round (or went twice) measured something else. */
	if (w->vector && trap_count[w->vector] - before != total) {
		out_u64(err, total);
		out_str(err, " operations took vector ");
		out_u64(err, (u64)w->vector);
		out_str(err, " ");
		out_u64(err, trap_count[w->vector] - before);
		out_str(err, " times");
		return -1;
	}
	return 0;
}
