/*
 * Plot images (issue 21): gnuplot, a stand-in here ($VMBENCH_GNUPLOT), writes into a temp
 * file vmbench created exclusively; only a whole PNG or SVG becomes a plot, a planted
 * symlink is never written through and no temp file stays after a failure.
 */
#include <dirent.h>
#include <errno.h>
#include <ftw.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "harness/plot.h"
#include "harness/results.h"
#include "host/util.h"

#define FIXTURE VMBENCH_GOLDEN_DIR "/fixture/results.json"

/*
 * The stand-in: takes out and term from the -e variables as gnuplot's scripts do, notes in
 * $FAKE_LOG whether <out>.<term> was already a regular file, and writes there (following a
 * symlink, as gnuplot's fopen does) what $FAKE_GNUPLOT asks for: a whole image by default.
 */
static const char fake[] =
	"#!/bin/sh\n"
	"out=$(printf '%s\\n' \"$2\" | sed -n \"s/.*out='\\([^']*\\)'.*/\\1/p\")\n"
	"term=$(printf '%s\\n' \"$2\" | sed -n \"s/.*term='\\([^']*\\)'.*/\\1/p\")\n"
	"f=\"$out.$term\"\n"
	"if [ -f \"$f\" ] && [ ! -L \"$f\" ]; then echo \"existed $f\"; else echo \"new $f\"; fi "
	">>\"$FAKE_LOG\"\n"
	"png() { printf '\\211PNG\\r\\n\\032\\n\\000\\000\\000\\015IHDR'; "
	"printf '\\000\\000\\000\\000IEND\\256B`\\202'; }\n"
	"case \"$FAKE_GNUPLOT:$term\" in\n"
	"fail:*) echo \"line 1: cannot open file\"; exit 1 ;;\n"
	"none:*) exit 0 ;;\n"
	"empty-png:png) : >\"$f\" ;;\n"
	"cut-png:png) png | head -c 16 >\"$f\" ;;\n"
	"cut-svg:svg) printf '<?xml version=\"1.0\"?>\\n<svg>\\n<g>' >\"$f\" ;;\n"
	"*:png) png >\"$f\" ;;\n"
	"*:svg) printf '<?xml version=\"1.0\"?>\\n<svg>\\n</svg>\\n' >\"$f\" ;;\n"
	"esac\n";

static char root[PATH_MAX], pdir[PATH_MAX + 32], target[PATH_MAX + 32], log_path[PATH_MAX + 16];

static void put_file(const char *path, const char *text, mode_t mode)
{
	FILE *f = fopen(path, "w");

	cr_assert_not_null(f, "%s: %s", path, strerror(errno));
	fputs(text, f);
	cr_assert_eq(fclose(f), 0);
	cr_assert_eq(chmod(path, mode), 0);
}

static void setup(void)
{
	char path[PATH_MAX + 64];

	strcpy(root, "/tmp/vmbench-plot-test.XXXXXX");
	cr_assert_not_null(mkdtemp(root));
	snprintf(path, sizeof(path), "%s/bin", root);
	cr_assert_eq(mkdir(path, 0755), 0);
	snprintf(path, sizeof(path), "%s/bin/gnuplot", root);
	put_file(path, fake, 0755);
	cr_assert_eq(setenv("VMBENCH_GNUPLOT", path, 1), 0);
	snprintf(log_path, sizeof(log_path), "%s/log", root);
	cr_assert_eq(setenv("FAKE_LOG", log_path, 1), 0);
	/* Outside the output directory: what a planted symlink points at. */
	snprintf(target, sizeof(target), "%s/precious", root);
	put_file(target, "precious\n", 0644);
	snprintf(pdir, sizeof(pdir), "%s/out/plots", root);
	cr_assert_eq(util_mkdir_p(pdir), 0);
	snprintf(path, sizeof(path), "%s/overhead.dat", pdir);
	put_file(path, "# workload\n", 0644);
}

static int remove_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	return remove(path);
}

static void teardown(void)
{
	cr_expect_eq(nftw(root, remove_one, 16, FTW_DEPTH | FTW_PHYS), 0, "cannot remove %s", root);
}

TestSuite(plot, .init = setup, .fini = teardown);

static void mode(const char *m)
{
	cr_assert_eq(setenv("FAKE_GNUPLOT", m, 1), 0);
}

/* Every name in dir is one of the NULL-terminated list: no temp file stayed. */
static void expect_only(const char *dir, const char *const *names)
{
	DIR *d = opendir(dir);
	struct dirent *e;

	cr_assert_not_null(d, "%s: %s", dir, strerror(errno));
	while ((e = readdir(d))) {
		bool known = !strcmp(e->d_name, ".") || !strcmp(e->d_name, "..");
		for (size_t i = 0; names[i] && !known; i++)
			known = !strcmp(e->d_name, names[i]);
		cr_expect(known, "%s/%s was left behind", dir, e->d_name);
	}
	closedir(d);
}

static bool is_file(const char *dir, const char *name)
{
	char path[PATH_MAX + 64];
	struct stat st;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return lstat(path, &st) == 0 && S_ISREG(st.st_mode);
}

static void plant(const char *name)
{
	char path[PATH_MAX + 64];

	snprintf(path, sizeof(path), "%s/%s", pdir, name);
	cr_assert_eq(symlink(target, path), 0, "%s: %s", path, strerror(errno));
}

/* What the planted symlinks point at is as it was. */
static void expect_target_kept(void)
{
	size_t len;
	char *kept = util_read_file(target, 1 << 16, &len);

	cr_assert_not_null(kept);
	cr_expect_str_eq(kept, "precious\n", "written through a symlink");
	free(kept);
}

/* gnuplot gets the name of a file vmbench has created, and the plot is that file. */
Test(plot, draws_into_the_file_it_created)
{
	static const char *const left[] = { "overhead.dat", "overhead.png", "overhead.svg", NULL };
	char err[1024] = "", path[PATH_MAX + 64];
	struct stat st;
	size_t len;

	mode("whole");
	cr_assert_eq(plot_render(pdir, "overhead", "t", "", "", err, sizeof(err)), 0, "%s", err);
	char *log = util_read_file(log_path, 1 << 16, &len);
	cr_assert_not_null(log);
	cr_expect_eq(strstr(log, "existed ") - log, 0, "%s", log);
	cr_expect_null(strstr(log, "new "), "gnuplot created a file itself: %s", log);
	free(log);
	snprintf(path, sizeof(path), "%s/overhead.png", pdir);
	cr_assert_eq(lstat(path, &st), 0);
	cr_expect(S_ISREG(st.st_mode) && (st.st_mode & 07777) == 0644, "mode %o", st.st_mode);
	cr_expect(is_file(pdir, "overhead.svg"));
	expect_only(pdir, left);
}

/* Symlinks planted at the names gnuplot used to write (and at the plot's): none is
 * written through, and the plots are drawn. */
Test(plot, planted_symlink_is_not_written_through)
{
	static const char *const left[] = { "overhead.dat",	     "overhead.png",
					    "overhead.svg",	     ".overhead.partial.png",
					    ".overhead.partial.svg", NULL };
	char err[1024] = "";

	plant(".overhead.partial.png");
	plant(".overhead.partial.svg");
	plant("overhead.png");
	mode("whole");
	cr_expect_eq(plot_render(pdir, "overhead", "t", "", "", err, sizeof(err)), 0, "%s", err);
	expect_target_kept();
	cr_expect(is_file(pdir, "overhead.png"), "the plot replaced the symlink");
	cr_expect(is_file(pdir, "overhead.svg"));
	expect_only(pdir, left);
}

/* An image gnuplot left incomplete (exit status 0 all the same) fails the plot with the
 * reason; neither format replaces the plot and no temp file stays. */
static void expect_refused(const char *how, const char *reason)
{
	static const char *const left[] = { "overhead.dat", NULL };
	char err[1024] = "";

	mode(how);
	cr_expect_eq(plot_render(pdir, "overhead", "t", "", "", err, sizeof(err)), -EIO, "%s: %s",
		     how, err);
	cr_expect_not_null(strstr(err, reason), "%s: %s", how, err);
	expect_only(pdir, left);
}

Test(plot, truncated_svg_is_not_drawn)
{
	expect_refused("cut-svg", "SVG gnuplot wrote is cut short");
}

Test(plot, empty_png_is_not_drawn)
{
	expect_refused("empty-png", "PNG gnuplot wrote is empty");
}

Test(plot, png_without_iend_is_not_drawn)
{
	expect_refused("cut-png", "without its IEND chunk");
}

/* gnuplot failing, or exiting 0 without writing: the temp files go too. */
Test(plot, failed_gnuplot_leaves_no_temp_file)
{
	expect_refused("fail", "cannot open file");
	expect_refused("none", "empty");
}

/* plot_write counts a plot as drawn only when it is whole, and draws each one that has
 * data when gnuplot writes whole images. A symlink planted at a data file's name is
 * replaced, not written through (those go through util_write_atomic's mkstemp). */
Test(plot, only_whole_plots_are_counted)
{
	struct results res;
	char err[1024] = "", dir[PATH_MAX + 16];
	static const char *const left[] = { "overhead.dat", NULL };
	size_t drawn = 99, written = 0;

	cr_assert_eq(results_load(FIXTURE, &res, err, sizeof(err)), 0, "%s", err);
	snprintf(dir, sizeof(dir), "%s/run", root);
	snprintf(pdir, sizeof(pdir), "%s/plots", dir);
	cr_assert_eq(util_mkdir_p(pdir), 0);
	plant("overhead.dat");
	mode("cut-svg");
	cr_expect_eq(plot_write(&res, dir, &drawn, err, sizeof(err)), -EIO, "%s", err);
	cr_expect_eq(drawn, 0);
	cr_expect_not_null(strstr(err, "cut short"), "%s", err);
	expect_only(pdir, left);
	mode("whole");
	cr_expect_eq(plot_write(&res, dir, &drawn, err, sizeof(err)), 0, "%s", err);
	cr_expect_eq(plot_write_data(&res, dir, &written, err, sizeof(err)), 0, "%s", err);
	cr_expect_gt(written, 0);
	cr_expect_eq(drawn, written);
	expect_target_kept();
	cr_expect(is_file(pdir, "overhead.dat"));
	results_free(&res);
}

/* A $VMBENCH_GNUPLOT that cannot be run is named, as a missing gnuplot is. */
Test(plot, missing_override_is_named)
{
	char err[1024] = "", path[PATH_MAX + 16];

	snprintf(path, sizeof(path), "%s/bin/nothing", root);
	cr_assert_eq(setenv("VMBENCH_GNUPLOT", path, 1), 0);
	cr_expect_eq(plot_render(pdir, "overhead", "t", "", "", err, sizeof(err)), -ENOENT, "%s",
		     err);
	cr_expect_not_null(strstr(err, path), "%s", err);
	cr_expect_not_null(strstr(err, "VMBENCH_GNUPLOT"), "%s", err);
}
