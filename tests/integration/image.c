/* Integration test of the guest image builder: it builds, caches by the hash of its
 * inputs, and builds anew when an input changes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "cli_util.h"

TestSuite(image, .fini = cli_cleanup);

/* The first line of stdout of `vmbench image ARG`: "image <dir>". */
static int image_cmd(const char *action, char *dir, size_t len, char *err, size_t errlen)
{
	char out[512];
	char *argv[] = { "vmbench", "image", (char *)action, NULL };
	int st = cli_run_out(argv, out, sizeof(out), err, errlen);

	dir[0] = '\0';
	if (sscanf(out, "image %255s", dir) != 1)
		dir[0] = '\0';
	(void)len;
	return st;
}

/* The value of key in the image directory's info file. 0 or -1. */
static int info_key(const char *image, const char *key, char *val, size_t len)
{
	char path[400], line[512];
	size_t k = strlen(key);
	int ret = -1;

	snprintf(path, sizeof(path), "%s/info", image);
	FILE *f = fopen(path, "r");
	while (f && fgets(line, sizeof(line), f))
		if (strncmp(line, key, k) == 0 && line[k] == '=') {
			line[strcspn(line, "\n")] = '\0';
			snprintf(val, len, "%s", line + k + 1);
			ret = 0;
		}
	if (f)
		fclose(f);
	return ret;
}

static void copy(const char *from, const char *to)
{
	char cmd[1024];

	snprintf(cmd, sizeof(cmd), "cp -r '%s' '%s'", from, to);
	cr_assert_eq(system(cmd), 0, "%s", cmd);
}

Test(image, builds_caches_and_rebuilds_on_change, .timeout = 600)
{
	char *tmp = cli_tmpdir(), cache[300], agents[300], path[400], err[8192];
	char first[256], again[256], changed[256];
	const char *bin = VMBENCH_AGENT_BIN;
	char bindir[256];
	struct stat st;

	if (access("/bin/busybox", X_OK) < 0)
		cr_skip_test("busybox-static is not installed (make deps)");
	cli_need_program("fio");
	snprintf(bindir, sizeof(bindir), "%.*s", (int)(strrchr(bin, '/') - bin), bin);
	snprintf(cache, sizeof(cache), "%s/cache", tmp);
	snprintf(agents, sizeof(agents), "%s/agents", tmp);
	cr_assert_eq(mkdir(agents, 0755), 0);
	snprintf(path, sizeof(path), "%s/vmbench-agent", bindir);
	copy(path, agents);
	snprintf(path, sizeof(path), "%s/vmbench-true", bindir);
	copy(path, agents);
	snprintf(path, sizeof(path), "%s/fio", bindir);
	copy(path, agents);
	snprintf(path, sizeof(path), "%s/vmbench-agent", agents);
	setenv("VMBENCH_AGENT", path, 1);
	setenv("VMBENCH_CACHE", cache, 1);

	cr_assert_eq(image_cmd("info", first, sizeof(first), err, sizeof(err)), 1,
		     "info before any build: %s", err);
	cr_assert_not_null(strstr(err, "vmbench image build"), "%s", err);
	int rc = image_cmd("build", first, sizeof(first), err, sizeof(err));
	if (rc != 0 && (strstr(err, "apt-get download") || strstr(err, "from the Debian mirror")))
		cr_skip_test("the Debian mirror is not reachable: %s", err);
	cr_assert_eq(rc, 0, "build: %s", err);
	cr_assert_neq(first[0], '\0');
	snprintf(path, sizeof(path), "%s/info", first);
	FILE *f = fopen(path, "r");
	char line[512], file[400];
	int sums = 0, files = 0;
	while (f && fgets(line, sizeof(line), f)) {
		sums += strncmp(line, "kernel_sha256=", 14) == 0 ||
			strncmp(line, "initrd_sha256=", 14) == 0;
		if (sscanf(line, "kernel=%399s", file) == 1 ||
		    sscanf(line, "initrd=%399s", file) == 1) {
			cr_assert_eq(stat(file, &st), 0, "%s missing", file);
			cr_assert_gt(st.st_size, 1 << 20, "%s is too small", file);
			files++;
		}
	}
	if (f)
		fclose(f);
	cr_assert_eq(sums, 2, "info records both sha256s");
	cr_assert_eq(files, 2, "info names the kernel and the initramfs");

	/* Nothing changed: the same image, not rebuilt. */
	cr_assert_eq(image_cmd("build", again, sizeof(again), err, sizeof(err)), 0, "%s", err);
	cr_assert_str_eq(again, first);
	cr_assert_not_null(strstr(err, "up to date"), "%s", err);
	cr_assert_eq(image_cmd("info", again, sizeof(again), err, sizeof(err)), 0, "%s", err);
	cr_assert_str_eq(again, first);

	/* One input changes: another image. */
	snprintf(path, sizeof(path), "%s/fio/io.seqread1m.fio", agents);
	f = fopen(path, "a");
	cr_assert_not_null(f);
	fputs("; changed\n", f);
	fclose(f);
	cr_assert_eq(image_cmd("info", changed, sizeof(changed), err, sizeof(err)), 1, "%s", err);
	cr_assert_eq(image_cmd("build", changed, sizeof(changed), err, sizeof(err)), 0, "%s", err);
	cr_assert_str_neq(changed, first);
	cr_assert_not_null(strstr(err, "building image"), "%s", err);
	/* The kernel was fetched once and is shared. */
	cr_assert_null(strstr(err, "fetching"), "the kernel was fetched again: %s", err);

	/* The same inputs give the same bytes: another cache builds fio and the image anew
	 * (from the kernel the first cache fetched), byte for byte the same. */
	char cmd[512], other[300], kdir[400], otherimg[256], want[128], got[128];
	snprintf(other, sizeof(other), "%s/other-cache", tmp);
	snprintf(kdir, sizeof(kdir), "%s/kernel", cache);
	char found[400] = "";
	char *kargv[] = { "vmbench", "image", "build", "--cache", other, "--kernel", found, NULL };
	snprintf(cmd, sizeof(cmd), "ls -d %s/*/ | head -n 1", kdir);
	f = popen(cmd, "r");
	cr_assert_not_null(f);
	cr_assert_not_null(fgets(found, sizeof(found), f), "no fetched kernel in %s", kdir);
	pclose(f);
	found[strcspn(found, "\n")] = '\0';
	char out[512];
	cr_assert_eq(cli_run_out(kargv, out, sizeof(out), err, sizeof(err)), 0, "%s", err);
	cr_assert_not_null(strstr(err, "building fio"), "fio was not built anew: %s", err);
	cr_assert_eq(sscanf(out, "image %255s", otherimg), 1, "%s", out);
	/* The same key (fio's bytes are in it), in the other cache. */
	cr_assert_str_eq(strrchr(otherimg, '/'), strrchr(changed, '/'), "fio's bytes differ");
	/* The agents' directory now holds the changed job file: the last image's inputs. */
	cr_assert_eq(info_key(changed, "initrd_sha256", want, sizeof(want)), 0);
	cr_assert_eq(info_key(otherimg, "initrd_sha256", got, sizeof(got)), 0);
	cr_assert_str_eq(got, want, "two builds of the same inputs differ");
	/* Lean: the static fio and no library closure. */
	cr_assert_eq(info_key(first, "initrd_bytes", got, sizeof(got)), 0);
	cr_assert_leq(atoll(got), 15ll << 20, "initramfs of %s bytes", got);
	unsetenv("VMBENCH_AGENT");
	unsetenv("VMBENCH_CACHE");
}
