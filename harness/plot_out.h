/* A plot image gnuplot writes: a temp file we create, check whole and rename into place. */
#ifndef VMBENCH_PLOT_OUT_H
#define VMBENCH_PLOT_OUT_H

#include <limits.h>
#include <stddef.h>
#include <sys/types.h>

#include "common/compiler.h"

/* The formats every plot is drawn in (PNG, SVG): plot_out_term(0 .. PLOT_OUT_TERMS - 1). */
#define PLOT_OUT_TERMS 2

/* The scripts' term for format i, which is also the file's extension. */
const char *plot_out_term(size_t i);

struct plot_out {
	const char *term; /* plot_out_term's */
	int fd;		  /* ours from creation to the end; -1: none */
	dev_t dev;	  /* the file we created, to know it again after gnuplot */
	ino_t ino;
	char path[PATH_MAX]; /* pdir/.<stem>.XXXXXX.<term>; "" when there is none to remove */
};

/* An empty one, which plot_out_discard leaves alone. */
#define PLOT_OUT_NONE ((struct plot_out){ .fd = -1 })

/*
 * Creates pdir/.<stem>.XXXXXX.<term> exclusively, under a name nobody knows beforehand: a
 * file or symlink planted at a name makes it draw another, never open the planted one.
 * The path without ".<term>" is the 'out' the scripts take. 0 or -errno.
 */
int plot_out_create(struct plot_out *o, const char *pdir, const char *stem, const char *term)
	__must_check;

/*
 * After gnuplot: whether o's path still names the regular file we created and it holds a
 * whole image of its format (PNG: the signature and, last, the IEND chunk; SVG: </svg>
 * last). 0, or -EIO with the reason in why.
 */
int plot_out_check(struct plot_out *o, char *why, size_t len) __must_check;

/* Makes o mode 0644, syncs it and renames it to final. 0 or -errno. */
int plot_out_commit(struct plot_out *o, const char *final) __must_check;

/* Closes o and removes its temp file unless it was renamed; safe to call again. */
void plot_out_discard(struct plot_out *o);

#endif
