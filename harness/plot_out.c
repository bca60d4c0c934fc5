/*
 * Plot images: gnuplot writes each into a temp file we created, which is renamed over the
 * plot only when it is whole. Exit status 0 is not enough: a gnuplot that is killed, runs
 * out of space or has a broken terminal can leave a part of an image behind.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness/plot_out.h"

/* What a whole file of each format starts and ends with. */
struct plot_format {
	const char *term;
	const char *name; /* in messages */
	const char *head; /* NULL: not checked */
	size_t head_len;
	const char *tail;
	size_t tail_len;
	const char *tail_name; /* in messages */
	bool space_after;      /* white space may follow the tail */
};

static const struct plot_format formats[] = {
	/* The last chunk of a PNG: IEND, data length 0, then its CRC. */
	{ "png", "PNG", "\x89PNG\r\n\x1a\n", 8, "\0\0\0\0IEND\xae\x42\x60\x82", 12,
	  "its IEND chunk", false },
	/* gnuplot's svg terminal closes the document last, then a line break. */
	{ "svg", "SVG", NULL, 0, "</svg>", 6, "</svg>", true },
};
_Static_assert(ARRAY_SIZE(formats) == PLOT_OUT_TERMS, "PLOT_OUT_TERMS counts formats");

const char *plot_out_term(size_t i)
{
	return i < ARRAY_SIZE(formats) ? formats[i].term : NULL;
}

int plot_out_create(struct plot_out *o, const char *pdir, const char *stem, const char *term)
{
	struct stat st;
	int ret;

	*o = PLOT_OUT_NONE;
	o->term = term;
	ret = snprintf(o->path, sizeof(o->path), "%s/.%s.XXXXXX.%s", pdir, stem, term);
	if (ret < 0 || (size_t)ret >= sizeof(o->path)) {
		o->path[0] = '\0';
		return -ENAMETOOLONG;
	}
	/* mkostemps opens with O_CREAT | O_EXCL, which fails on any name that exists, a
	 * symlink too (O_EXCL never follows one), and then tries another random name.
	 * O_CLOEXEC: gnuplot gets the name, not our descriptor. */
	o->fd = mkostemps(o->path, (int)strlen(term) + 1, O_CLOEXEC);
	if (o->fd < 0) {
		ret = -errno;
		o->path[0] = '\0';
		return ret;
	}
	if (fstat(o->fd, &st) < 0) {
		ret = -errno;
		plot_out_discard(o);
		return ret;
	}
	o->dev = st.st_dev;
	o->ino = st.st_ino;
	return 0;
}

/* Exactly len bytes of fd at off; false on a short read or an error. */
static bool read_at(int fd, char *buf, size_t len, off_t off)
{
	size_t got = 0;

	while (got < len) {
		ssize_t n = pread(fd, buf + got, len - got, off + (off_t)got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return false;
		got += (size_t)n;
	}
	return true;
}

static const struct plot_format *format_of(const char *term)
{
	for (size_t i = 0; i < ARRAY_SIZE(formats); i++)
		if (!strcmp(formats[i].term, term))
			return &formats[i];
	return NULL;
}

int plot_out_check(struct plot_out *o, char *why, size_t len)
{
	const struct plot_format *f = format_of(o->term);
	struct stat st, ours;
	char buf[256];

	if (!f || o->fd < 0) {
		snprintf(why, len, "no %s file to check", o->term);
		return -EIO;
	}
	/* gnuplot opens the name, and follows a symlink: one put there in place of our file
	 * while it ran got the image. We cannot undo that, but it is not our plot. */
	if (lstat(o->path, &st) < 0 || fstat(o->fd, &ours) < 0 || !S_ISREG(st.st_mode) ||
	    st.st_dev != o->dev || st.st_ino != o->ino) {
		snprintf(why, len, "%s was replaced while gnuplot ran", o->path);
		return -EIO;
	}
	size_t size = (size_t)ours.st_size;
	if (size == 0) {
		snprintf(why, len, "the %s gnuplot wrote is empty", f->name);
		return -EIO;
	}
	if (f->head && (size < f->head_len || !read_at(o->fd, buf, f->head_len, 0) ||
			memcmp(buf, f->head, f->head_len))) {
		snprintf(why, len, "the %s gnuplot wrote does not start with a %s signature",
			 f->name, f->name);
		return -EIO;
	}
	size_t n = size < sizeof(buf) ? size : sizeof(buf);
	if (!read_at(o->fd, buf, n, (off_t)(size - n))) {
		snprintf(why, len, "cannot read back the %s gnuplot wrote", f->name);
		return -EIO;
	}
	while (f->space_after && n > 0 && strchr(" \t\r\n", buf[n - 1]))
		n--;
	if (n < f->tail_len || memcmp(buf + n - f->tail_len, f->tail, f->tail_len)) {
		snprintf(why, len,
			 "the %s gnuplot wrote is cut short (%zu bytes, without %s at the end)",
			 f->name, size, f->tail_name);
		return -EIO;
	}
	return 0;
}

int plot_out_commit(struct plot_out *o, const char *final)
{
	/* As gnuplot's own files were, and the reports' are: readable by everyone. */
	if (fchmod(o->fd, 0644) < 0 || fsync(o->fd) < 0 || rename(o->path, final) < 0)
		return -errno;
	o->path[0] = '\0';
	plot_out_discard(o);
	return 0;
}

void plot_out_discard(struct plot_out *o)
{
	if (o->fd >= 0)
		close(o->fd);
	o->fd = -1;
	if (o->path[0])
		unlink(o->path);
	o->path[0] = '\0';
}
