/* Unit tests of harness/sizes.h: one size per sized workload, for the smallest backend. */
#include <criterion/criterion.h>

#include "harness/plan.h"
#include "harness/sizes.h"

#define MIB (1ull << 20)

static void build(struct plan *p, const char *backends)
{
	char err[256];

	cr_assert_eq(plan_build(p, backends, "cpu.int,mem.bw.copy,mem.lat,mem.bw.triad",
				&profile_table[0], err, sizeof(err)),
		     0, "%s", err);
}

Test(sizes, the_smallest_backend_sets_them)
{
	bool all[] = { true, true, true };
	struct plan p;
	struct sizes sz;

	build(&p, "native,container,uml");
	cr_assert_eq(sizes_plan(&sz, &p, all, 512, 24ull << 30, 32 * MIB), 0);
	cr_assert_eq(sz.mem_bytes, 512 * MIB, "the 512 MiB guests, not the host's 24 GiB");
	cr_assert_eq(sz.n, 3, "three sized workloads, cpu.int is not one");
	cr_assert_eq(sizes_for(&sz, p.workloads[0]), 0);
	/* STREAM: 4 × the LLC wanted (128 MiB), 3/16 of 512 MiB (96 MiB) allowed. */
	cr_assert_eq(sizes_for(&sz, p.workloads[1]), 96 * MIB);
	cr_assert_eq(sizes_for(&sz, p.workloads[3]), 96 * MIB);
	/* mem.lat: the largest power of two within 3/8 of 512 MiB. */
	cr_assert_eq(sizes_for(&sz, p.workloads[2]), 128 * MIB);
	json_t *j = sizes_json(&sz);
	cr_assert_eq(json_integer_value(json_object_get(json_object_get(j, "bytes"), "mem.lat")),
		     (json_int_t)(128 * MIB));
	cr_assert_eq(json_integer_value(json_object_get(j, "llc_bytes")), (json_int_t)(32 * MIB));
	json_decref(j);
	sizes_free(&sz);

	/* Native alone: the host's memory, so STREAM's own rule and mem.lat's largest. */
	bool native_only[] = { true, false, false };
	cr_assert_eq(sizes_plan(&sz, &p, native_only, 512, 24ull << 30, 32 * MIB), 0);
	cr_assert_eq(sz.mem_bytes, 24ull << 30);
	cr_assert_eq(sizes_for(&sz, p.workloads[1]), 128 * MIB);
	cr_assert_eq(sizes_for(&sz, p.workloads[2]), 256 * MIB);
	sizes_free(&sz);

	/* An unknown LLC: STREAM's floor of 64 MiB. */
	cr_assert_eq(sizes_plan(&sz, &p, native_only, 512, 24ull << 30, 0), 0);
	cr_assert_eq(sizes_for(&sz, p.workloads[1]), 64 * MIB);
	j = sizes_json(&sz);
	cr_assert(json_is_null(json_object_get(j, "llc_bytes")));
	json_decref(j);
	sizes_free(&sz);
	plan_free(&p);
}
