/* Unit tests of harness/protocol.h's MEM: the memory a guest says it sees (protocol 5),
 * which lifecycle.resize watches change. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <criterion/criterion.h>

#include "harness/protocol.h"

/* proto_parse of a copy of text: its result, with *m and err. */
static int mem_parse(const char *text, struct msg *m, char *err, size_t len)
{
	char line[256];

	snprintf(line, sizeof(line), "%s", text);
	err[0] = '\0';
	return proto_parse(line, m, err, len);
}

Test(proto_mem, a_limit_is_said_in_bytes)
{
	struct msg m;
	char err[256];

	cr_assert_eq(mem_parse("MEM total=25769803776 limit=536870912", &m, err, sizeof(err)), 0,
		     "%s", err);
	cr_assert_eq(m.type, MSG_MEM);
	cr_assert_eq(m.mem_total, 25769803776ull);
	cr_assert_eq(m.mem_limit, 536870912ull);
	cr_assert_str_eq(proto_msg_name(MSG_MEM), "MEM");
}

Test(proto_mem, no_limit_is_none)
{
	struct msg m;
	char err[256];

	/* A limit parsed before is not kept. */
	cr_assert_eq(mem_parse("MEM total=1048576 limit=2097152", &m, err, sizeof(err)), 0, "%s",
		     err);
	cr_assert_eq(mem_parse("MEM total=479657984 limit=none", &m, err, sizeof(err)), 0, "%s",
		     err);
	cr_assert_eq(m.mem_total, 479657984ull);
	cr_assert_eq(m.mem_limit, 0);
	/* The largest a results file holds. */
	cr_assert_eq(mem_parse("MEM total=72057594037927936 limit=none", &m, err, sizeof(err)), 0,
		     "%s", err);
}

Test(proto_mem, malformed_mem_is_a_protocol_error)
{
	const char *bad[] = {
		"MEM",
		"MEM total=1",
		"MEM limit=none",
		"MEM total=0 limit=none",
		"MEM total=-1 limit=none",
		"MEM total=1 limit=0",
		"MEM total=1 limit=max",
		"MEM total=1x limit=none",
		"MEM total=18446744073709551616 limit=none",
		"MEM total=72057594037927937 limit=none",
		"MEM total=1 limit=9223372036854771712",
		"MEM total=1 limit=none extra=1",
		"MEM total= limit=none",
	};
	struct msg m;
	char err[256];

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		cr_assert_eq(mem_parse(bad[i], &m, err, sizeof(err)), -EPROTO, "%s", bad[i]);
		cr_assert_neq(err[0], '\0', "no reason for '%s'", bad[i]);
	}
	/* A word that only starts like it is console noise. */
	cr_assert_eq(mem_parse("MEMORY total=1", &m, err, sizeof(err)), 0);
	cr_assert_eq(m.type, MSG_NOISE);
}
