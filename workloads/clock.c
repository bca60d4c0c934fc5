/* Clock workloads: clock_gettime(CLOCK_MONOTONIC) through the vDSO where the clocksource
 * allows it (a trap where it does not), and the rdtsc instruction. */
#include <stdio.h>
#include <sys/auxv.h>
#include <time.h>
#include <x86intrin.h>

#include "workloads/workload.h"

static int gettime_setup(struct wl_ctx *ctx)
{
	char cs[64] = "";
	FILE *f = fopen("/sys/devices/system/clocksource/clocksource0/current_clocksource", "re");

	if (f) {
		if (fscanf(f, "%63s", cs) != 1)
			cs[0] = '\0';
		fclose(f);
	}
	json_object_set_new(ctx->extra, "clocksource", cs[0] ? json_string(cs) : json_null());
	/* The vDSO is mapped; whether it can read this clocksource without a system call is
	 * the clocksource's property (tsc, kvm-clock: yes; hpet, acpi_pm: no). */
	json_object_set_new(ctx->extra, "vdso", json_boolean(getauxval(AT_SYSINFO_EHDR) != 0));
	return 0;
}

static struct timespec clock_ts;

/* The nanoseconds read: what the sum keeps, so the call cannot be dropped. */
WL_LOOP_OPS(gettime, 0, (clock_gettime(CLOCK_MONOTONIC, &clock_ts), clock_ts.tv_nsec))
WL_LOOP_OPS(rdtsc, 0, (long)(__rdtsc() >> 1))

const struct workload_ops workload_clock_gettime = {
	.abi = WORKLOAD_ABI,
	.name = "clock.gettime",
	.summary = "clock_gettime(CLOCK_MONOTONIC) (vDSO or system call: see the clocksource)",
	.unit = "ns/op",
	.better = BETTER_LOWER,
	.flags = WL_SUBTRACT_LOOP,
	.setup = gettime_setup,
	.op = gettime_op,
	.empty = gettime_empty,
};

const struct workload_ops workload_clock_rdtsc = {
	.abi = WORKLOAD_ABI,
	.name = "clock.rdtsc",
	.summary = "read the time-stamp counter with rdtsc",
	.unit = "ns/op",
	.better = BETTER_LOWER,
	.flags = WL_SUBTRACT_LOOP,
	.op = rdtsc_op,
	.empty = rdtsc_empty,
};
