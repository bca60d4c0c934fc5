/* Unit tests of backends/ocicheckpoint.h's pure parts: the runtime's checkpoint and restore
 * command lines, what `criu check` and CRIU's logs say (as CRIU 3.17 printed it on a host
 * it refused), which runtimes checkpoint, the stdio record a restore depends on, and CRIU's
 * stats-dump file. */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

#include <criterion/criterion.h>

#include "backends/ocicheckpoint.h"

static const char *const no_global[3] = { NULL, NULL, NULL };
static const char *const two_global[3] = { "--log-format=json", "--debug", NULL };

static const struct ocicp_ctr ctr = { .runtime = "/usr/sbin/runc",
				      .name = "runc",
				      .global = two_global,
				      .nglobal = 3,
				      .state = "/run/v/vmbench-container-ab/state",
				      .rundir = "/run/v/vmbench-container-ab",
				      .id = "vmbench-42-7" };

static void assert_argv(const struct backend_cmd *cmd, const char *const *want)
{
	size_t n = 0;

	cr_assert_not(cmd->overflow);
	for (; want[n]; n++) {
		cr_assert_not_null(cmd->argv[n], "argument %zu missing (%s)", n, want[n]);
		cr_assert_str_eq(cmd->argv[n], want[n], "argument %zu", n);
	}
	cr_assert_null(cmd->argv[n], "more arguments than %zu: %s", n, cmd->argv[n]);
	cr_assert_eq(cmd->n, (int)n);
}

/* --leave-running: the guest runs on after its snapshot; the images go into the state
 * directory, CRIU's log beside the container. */
Test(ocicheckpoint, checkpoint_command)
{
	static struct backend_cmd cmd;
	const char *const want[] = { "/usr/sbin/runc",
				     "--log-format=json",
				     "--debug",
				     "--root",
				     "/run/v/vmbench-container-ab/state",
				     "checkpoint",
				     "--image-path",
				     "/run/v/vmbench-state-x/images",
				     "--work-path",
				     "/run/v/vmbench-container-ab/checkpoint",
				     "--leave-running",
				     "vmbench-42-7",
				     NULL };

	ocicp_checkpoint_cmd(&ctr, "/run/v/vmbench-state-x", &cmd);
	assert_argv(&cmd, want);
}

/* In the foreground (no --detach: the runtime relays the restored agent's pipes), the
 * container's own bundle and id, its pid written once it runs. */
Test(ocicheckpoint, restore_command)
{
	static struct backend_cmd cmd;
	struct ocicp_ctr c = ctr;
	const char *const want[] = { "/usr/bin/crun",
				     "--root",
				     "/run/v/vmbench-container-ab/state",
				     "restore",
				     "--image-path",
				     "/run/v/vmbench-state-x/images",
				     "--work-path",
				     "/run/v/vmbench-container-ab/restore",
				     "--pid-file",
				     "/run/v/vmbench-container-ab/container.pid",
				     "--bundle",
				     "/run/v/vmbench-container-ab",
				     "vmbench-42-7",
				     NULL };

	c.runtime = "/usr/bin/crun";
	c.name = "crun";
	c.global = no_global;
	ocicp_restore_cmd(&c, "/run/v/vmbench-state-x", &cmd);
	assert_argv(&cmd, want);
}

Test(ocicheckpoint, a_path_too_long_overflows_the_command)
{
	static struct backend_cmd cmd;
	static char dir[8192];

	memset(dir, 'd', sizeof(dir) - 1);
	dir[0] = '/';
	ocicp_checkpoint_cmd(&ctr, dir, &cmd);
	cr_assert(cmd.overflow);
}

/* `criu check` of Debian 12's CRIU 3.17.1 on a 6.18 kernel, as it printed it (stderr), where
 * iptables was not installed: its kernel probes report the helper's end first. */
static const char check_here[] =
	"Error (criu/util.c:642): exited, status=1\n"
	"Error (criu/util.c:642): exited, status=1\n"
	"Error (criu/vdso.c:381): vdso: Unexpected rt vDSO area bounds\n"
	"Error (criu/vdso.c:613): vdso: Failed to fill self vdso symtable\n"
	"Error (criu/kerndat.c:1615): kerndat_vdso_fill_symtable failed when initializing "
	"kerndat.\n"
	"Error (criu/crtools.c:260): Could not initialize kernel features detection.";

Test(ocicheckpoint, check_failure_quotes_crius_first_own_error)
{
	char line[200];

	cr_assert_eq(ocicp_check_says(check_here, 1, line, sizeof(line)), -ENOTSUP);
	cr_assert_str_eq(line, "vdso: Unexpected rt vDSO area bounds");
	/* With iptables there, the same without the helper's lines. */
	cr_assert_eq(ocicp_check_says(strstr(check_here, "Error (criu/vdso.c:381)"), 1, line,
				      sizeof(line)),
		     -ENOTSUP);
	cr_assert_str_eq(line, "vdso: Unexpected rt vDSO area bounds");
}

Test(ocicheckpoint, check_pass_and_other_outcomes)
{
	char line[200];

	cr_assert_eq(ocicp_check_says("Looks good.\n", 0, line, sizeof(line)), 0);
	cr_assert_str_eq(line, "");
	/* Missing optional features: still a pass, as CRIU's exit status says. */
	cr_assert_eq(ocicp_check_says("Warn  (criu/cr-check.c:1284): Do not have API to map vDSO\n"
				      "Looks good but some kernel features are missing\n",
				      0, line, sizeof(line)),
		     0);
	/* Only the helper's report: that, rather than nothing. */
	cr_assert_eq(ocicp_check_says("Error (criu/util.c:642): exited, status=1\n", 1, line,
				      sizeof(line)),
		     -ENOTSUP);
	cr_assert_str_eq(line, "exited, status=1");
	/* No error line: CRIU's verdict, else how it ended. */
	cr_assert_eq(ocicp_check_says("\nDoes not look good.\n", 1, line, sizeof(line)), -ENOTSUP);
	cr_assert_str_eq(line, "Does not look good.");
	cr_assert_eq(ocicp_check_says("", 1, line, sizeof(line)), -ENOTSUP);
	cr_assert_str_eq(line, "exited with status 1, saying nothing");
	cr_assert_eq(ocicp_check_says("", -ETIMEDOUT, line, sizeof(line)), -ETIMEDOUT);
	cr_assert_str_eq(line, strerror(ETIMEDOUT));
}

/* A dump.log or restore.log: a timestamp, in a restore the task's pid, then the error. */
Test(ocicheckpoint, log_errors_after_timestamps_and_pids)
{
	const char *log = "(00.000765) Warn  (criu/namespaces.c:55): join-ns with user-namespace "
			  "is not fully tested and dangerous\n"
			  "(00.004040) PID: real 7243 virt 1\n"
			  "(00.004194)      1: Error (criu/namespaces.c:258): Can't setns 18/net: "
			  "Operation not permitted\r\n"
			  "(00.005220) Error (criu/cr-restore.c:2320): Restoring FAILED.\n";
	char line[200];

	cr_assert(ocicp_criu_error(log, line, sizeof(line)));
	cr_assert_str_eq(line, "Can't setns 18/net: Operation not permitted");
	cr_assert_not(ocicp_criu_error("(00.1) Dumping finished successfully\n", line, 100));
	cr_assert_str_eq(line, "");
	cr_assert_not(ocicp_criu_error("", line, sizeof(line)));
	/* A log's control characters are not the reason's. */
	cr_assert(ocicp_criu_error("Error (a.c:1): bad\x1b[0m name", line, sizeof(line)));
	cr_assert_null(strchr(line, '\x1b'));
}

/* runc always; crun only as built with libcriu (Debian 12's is not); gVisor's runsc not. */
Test(ocicheckpoint, which_runtimes_checkpoint)
{
	const char *debian_crun = "crun version 1.8.1\ncommit: f8a096be060b\nrundir: /run/crun\n"
				  "spec: 1.0.0\n+SYSTEMD +SELINUX +APPARMOR +CAP +SECCOMP +EBPF "
				  "+YAJL\n";
	char reason[200] = "";

	cr_assert_eq(ocicp_runtime_can("runc", "runc version 1.1.5+ds1", reason, sizeof(reason)),
		     0);
	cr_assert_eq(ocicp_runtime_can("crun", debian_crun, reason, sizeof(reason)), -ENOTSUP);
	cr_assert(strstr(reason, "+CRIU"), "%s", reason);
	cr_assert_eq(ocicp_runtime_can("crun", "crun version 1.14\n+SYSTEMD +CRIU +YAJL\n", reason,
				       sizeof(reason)),
		     0);
	cr_assert_eq(ocicp_runtime_can("crun", NULL, reason, sizeof(reason)), -ENOTSUP);
	cr_assert_eq(ocicp_runtime_can("runsc", "runsc version", reason, sizeof(reason)), -ENOTSUP);
}

/* What runc wrote for a container that `runc run` started in the foreground without a
 * terminal (its own pipes): a restore can hand it new pipes. */
Test(ocicheckpoint, stdio_must_have_been_pipes)
{
	char err[300];

	cr_assert_eq(ocicp_descriptors("[\"pipe:[1867361]\",\"pipe:[1867362]\","
				       "\"pipe:[1867363]\"]",
				       err, sizeof(err)),
		     0);
	cr_assert_eq(
		ocicp_descriptors("[\"/dev/null\",\"pipe:[5]\",\"pipe:[6]\"]", err, sizeof(err)),
		-EPROTO);
	cr_assert(strstr(err, "not pipes"), "%s", err);
	cr_assert(strstr(err, "/dev/null"), "%s", err);
	cr_assert_eq(ocicp_descriptors("[\"/dev/pts/0\",\"/dev/pts/0\",\"/dev/pts/0\"]", err,
				       sizeof(err)),
		     -EPROTO);
	cr_assert_eq(ocicp_descriptors("[\"pipe:[5]\"]", err, sizeof(err)), -EPROTO);
	cr_assert_eq(ocicp_descriptors("not json", err, sizeof(err)), -EPROTO);
}

/* A protocol buffers encoder for the test's stats-dump files. */
struct pb {
	unsigned char b[256];
	size_t n;
};

static void put_varint(struct pb *p, uint64_t v)
{
	do {
		p->b[p->n++] = (unsigned char)((v & 0x7f) | (v > 0x7f ? 0x80 : 0));
		v >>= 7;
	} while (v);
}

static void put_u32(struct pb *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p->b[p->n++] = (unsigned char)(v >> (8 * i));
}

/* A stats-dump file as CRIU writes it: service magic, stats magic, the entry's length, a
 * stats_entry whose dump field holds fields 1 to 11 (irmap_resolve and page_pipes too). */
static struct pb stats_file(bool service_magic, uint32_t freezing_us, uint32_t frozen_us,
			    uint64_t written)
{
	struct pb dump = { .n = 0 }, entry = { .n = 0 }, file = { .n = 0 };
	const uint64_t values[] = { freezing_us, frozen_us, 3000, 4000, 70000, 0,
				    written,	 120,	    0,	  9,	12 };

	for (unsigned f = 1; f <= 11; f++) {
		put_varint(&dump, f << 3);
		put_varint(&dump, values[f - 1]);
	}
	/* A field of another wire type the decoder must skip (fixed32, field 15). */
	put_varint(&dump, 15u << 3 | 5);
	put_u32(&dump, 0xdeadbeef);
	put_varint(&entry, 1u << 3 | 2);
	put_varint(&entry, dump.n);
	memcpy(entry.b + entry.n, dump.b, dump.n);
	entry.n += dump.n;
	if (service_magic)
		put_u32(&file, 0x55105940u);
	put_u32(&file, 0x57093306u);
	put_u32(&file, (uint32_t)entry.n);
	memcpy(file.b + file.n, entry.b, entry.n);
	file.n += entry.n;
	return file;
}

Test(ocicheckpoint, stats_dump_gives_the_freeze)
{
	struct ocicp_dump_stats s;
	struct pb f = stats_file(true, 1500, 250000, 9876543210ull);

	cr_assert_eq(ocicp_dump_stats(f.b, f.n, &s), 0);
	cr_assert_float_eq(s.freezing_s, 0.0015, 1e-12);
	cr_assert_float_eq(s.frozen_s, 0.25, 1e-12);
	cr_assert_eq(s.pages_written, 9876543210ull);
	f = stats_file(false, 1, 2, 3);
	cr_assert_eq(ocicp_dump_stats(f.b, f.n, &s), 0);
	cr_assert_float_eq(s.frozen_s, 2e-6, 1e-15);
}

Test(ocicheckpoint, stats_dump_rejects_what_is_not_one)
{
	struct ocicp_dump_stats s;
	struct pb f = stats_file(true, 1500, 250000, 3);

	/* Cut anywhere inside: never read past the end, never a wrong answer. */
	for (size_t n = 0; n < f.n; n++)
		cr_assert_eq(ocicp_dump_stats(f.b, n, &s), -EINVAL, "cut at %zu", n);
	f.b[4] ^= 1; /* the stats magic */
	cr_assert_eq(ocicp_dump_stats(f.b, f.n, &s), -EINVAL);
	/* A restore's stats (field 2), no dump's. */
	const unsigned char restore[] = { 0x40, 0x59, 0x10, 0x55, 0x06, 0x33, 0x09, 0x57,
					  4,	0,    0,    0,	  0x12, 2,    0x08, 1 };
	cr_assert_eq(ocicp_dump_stats(restore, sizeof(restore), &s), -EINVAL);
}
