/* Unit tests of harness/provview.h: the typed view of a results file's provenance. */
#include <math.h>
#include <string.h>

#include <criterion/criterion.h>

#include "harness/provenance.h"
#include "harness/provview.h"
#include "harness/results.h"
#include "host/util.h"

static json_t *fixture(void)
{
	json_error_t e;
	json_t *root = json_load_file(VMBENCH_GOLDEN_DIR "/fixture/results.json", 0, &e);

	cr_assert_not_null(root, "%s:%d: %s", e.source, e.line, e.text);
	json_t *p = json_incref(json_object_get(root, "provenance"));
	json_decref(root);
	cr_assert(json_is_object(p));
	return p;
}

Test(provview, reads_a_real_run)
{
	json_t *p = fixture();
	struct prov_view v;

	prov_view_read(p, &v);
	cr_assert_str_eq(v.hostname, "vm");
	cr_assert_str_eq(v.profile, "quick");
	cr_assert_str_eq(v.version, "0.1.0");
	cr_assert_not_null(v.git_sha);
	cr_assert_eq(v.git_dirty, 1, "made from a working tree with changes");
	cr_assert_eq(v.cpus_online, 2);
	cr_assert_eq(v.cores, 2);
	cr_assert_eq(v.smt, 0);
	cr_assert_eq(v.reps, 6);
	cr_assert_eq(v.rounds, 3, "three sessions per backend");
	cr_assert_eq(v.min_sample_ns, 5e6);
	cr_assert_eq(v.seed, 2026);
	cr_assert_str_eq(v.baseline, "native");
	cr_assert_eq(json_integer_value(json_object_get(v.sizes, "memory_bytes")), 512LL << 20);
	cr_assert_not_null(v.mitigations);
	cr_assert_not_null(v.hw_events);
	cr_assert(json_array_size(v.command_line) > 3);
	struct prov_backend_view b;
	prov_backend_view_read(json_object_get(v.backends, "kvm"), &b);
	cr_assert_str_eq(b.status, "skipped");
	cr_assert_not_null(b.reason);
	cr_assert(isnan(b.boot_s));
	prov_backend_view_read(json_object_get(v.backends, "uml"), &b);
	cr_assert_str_eq(b.mode, "paravirtualization");
	cr_assert_gt(b.boot_s, 0);
	cr_assert_gt(json_array_size(b.counting_pass), 0);
	json_decref(p);
}

Test(provview, what_is_absent_or_mistyped_is_unknown)
{
	json_t *p = json_pack("{s:{s:i, s:i}, s:{s:s}}", "host", "hostname", 7, "cpus_online", 3,
			      "run", "profile", "quick");
	struct prov_view v;

	prov_view_read(p, &v);
	cr_assert_null(v.hostname, "a number where a string belongs");
	cr_assert_eq(v.cpus_online, 3);
	cr_assert(isnan(v.cores));
	cr_assert_eq(v.smt, -1);
	cr_assert_eq(v.git_dirty, -1);
	cr_assert_null(v.tools);
	cr_assert_str_eq(v.profile, "quick");
	prov_view_read(NULL, &v);
	cr_assert_null(v.date);
	json_decref(p);
}

/* The check names the first place a writer left out or filled with another type. */
Test(provview, check_names_a_renamed_or_retyped_key)
{
	json_t *p = fixture();

	/* The fixture is a real run: it has every fact written always. */
	cr_assert_null(prov_view_check(p, prov_fields, prov_field_count));
	/* A key a writer dropped. */
	json_t *run = json_object_get(p, "run");
	json_t *sizes = json_incref(json_object_get(run, "sizes"));
	json_object_del(run, "sizes");
	cr_assert_str_eq(prov_view_check(p, prov_fields, prov_field_count), "run.sizes");
	json_object_set_new(run, "sizes", sizes);
	cr_assert_null(prov_view_check(p, prov_fields, prov_field_count));
	/* A rename on the writing side. */
	json_t *host = json_object_get(p, "host");
	json_object_set(host, "name", json_object_get(host, "hostname"));
	json_object_del(host, "hostname");
	cr_assert_str_eq(prov_view_check(p, prov_fields, prov_field_count), "host.hostname");
	json_object_set_new(host, "hostname", json_string("vm"));
	/* A fact written only sometimes may be absent, never of another type. */
	json_object_del(host, "governor");
	cr_assert_null(prov_view_check(p, prov_fields, prov_field_count));
	json_object_set_new(host, "governor", json_integer(1));
	cr_assert_str_eq(prov_view_check(p, prov_fields, prov_field_count), "host.governor");
	json_decref(p);
}

/* Every field has a place of its own and lies inside its struct. */
Test(provview, tables_are_sane)
{
	const struct {
		const struct prov_field *t;
		size_t n, size;
	} tables[] = { { prov_fields, prov_field_count, sizeof(struct prov_view) },
		       { prov_backend_fields, prov_backend_field_count,
			 sizeof(struct prov_backend_view) } };

	for (size_t k = 0; k < 2; k++)
		for (size_t i = 0; i < tables[k].n; i++) {
			cr_assert_lt(tables[k].t[i].offset, tables[k].size);
			for (size_t j = 0; j < i; j++) {
				cr_assert_str_neq(tables[k].t[i].path, tables[k].t[j].path);
				cr_assert_neq(tables[k].t[i].offset, tables[k].t[j].offset,
					      "%s and %s fill one field", tables[k].t[i].path,
					      tables[k].t[j].path);
			}
		}
}

/* An argument that is not UTF-8 is kept in the provenance, escaped, never dropped; the
 * provenance itself survives it. */
Test(provview, non_utf8_argument_is_kept_escaped)
{
	char *argv[] = { "vmbench", "run", "-o", "out\xff\xfe\\x", "--reps", "3" };
	json_t *p = provenance_collect(6, argv);

	cr_assert_not_null(p);
	json_t *cmd = json_object_get(p, "command_line");
	cr_assert_eq(json_array_size(cmd), 6, "%zu arguments kept", json_array_size(cmd));
	cr_assert_str_eq(json_string_value(json_array_get(cmd, 3)), "out\\xff\\xfe\\x5cx");
	cr_assert_str_eq(json_string_value(json_array_get(cmd, 5)), "3");
	json_t *u = util_json_text("h\xc3\xa9");
	cr_assert_str_eq(json_string_value(u), "h\xc3\xa9", "valid UTF-8 stays as it is");
	json_decref(u);
	json_decref(p);
}
