/* Small helpers of the harness: files, atomic writes, lists, time. */
#ifndef VMBENCH_UTIL_H
#define VMBENCH_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "common/compiler.h"

/* mkdir -p with mode 0755. 0 or -errno. */
int util_mkdir_p(const char *path) __must_check;
/* Writes data to path through a temp file in the same directory, fsync and rename:
 * readers see the old file or the new one, never a part. 0 or -errno. */
int util_write_atomic(const char *path, const char *data, size_t len) __must_check;
/* Writes all of data to fd, again where a signal cut a write short. 0 or -errno. */
int util_write_all(int fd, const void *data, size_t len) __must_check;
/* util_write_atomic with what fill writes to the new file's fd (0 or a negative errno): a large
 * file written as it is made, never whole in memory. */
int util_write_atomic_with(const char *path, int (*fill)(int fd, void *arg), void *arg)
	__must_check;
/* Whether s is one of the n strings of list. */
bool util_listed(const char *const *list, size_t n, const char *s);
/* The directory part of path, as dirname(3) gives it ("." for a bare name, "/" for a file
 * at the root), into dir. 0 or -ENAMETOOLONG. */
int util_dir_of(const char *path, char *dir, size_t len) __must_check;
/* Creates dir if missing and proves a file can be created in it. 0 or -errno. */
int util_check_writable_dir(const char *dir) __must_check;
/* Reads at most max bytes of a file, NUL-terminated; NULL with errno set. */
char *util_read_file(const char *path, size_t max, size_t *len);
/* The first line of a file without its newline. 0 or -errno. */
int util_read_line(const char *path, char *buf, size_t len) __must_check;
/* The parent of process pid from /proc, or -errno. */
int util_ppid(int pid);
/* Up to max processes whose parent is parent, into pids; their number. */
size_t util_children(int parent, int *pids, size_t max);
/* Splits "a,b,c" into a NULL-terminated array of strings (one allocation each, free with
 * util_free_list). Empty items are an error: -EINVAL. */
int util_split_list(const char *s, char ***items, size_t *n) __must_check;
void util_free_list(char **items);
/* Where a guest kernel's console line reports its death (an oops, a BUG, a corruption it
 * found, its panic), as the kernel begins such a line after its time stamp: the report's
 * first word in line, or NULL. */
const char *util_kernel_report(const char *line);
/* CLOCK_MONOTONIC in milliseconds. */
int64_t util_now_ms(void);
/* CLOCK_MONOTONIC in seconds. */
double util_now_s(void);
/* Sleeps s seconds; a signal cuts it short, which is what the user's Ctrl-C should do. */
void util_sleep_s(double s);
/* The current UTC time: ISO 8601 (2026-11-22T01:02:03Z), or compact for file names
 * (20261122T010203Z). */
void util_utc_now(char *buf, size_t len, bool compact);
/* Trims trailing white space in place; returns s. */
char *util_rtrim(char *s);
/* Replaces every byte outside printable ASCII with '?': text from a guest or a tool must
 * not reach a terminal as escape sequences, nor JSON as invalid UTF-8. Returns s. */
char *util_printable(char *s);
/* s as a JSON string, also when it is not valid UTF-8 (a host name, an argument or a file
 * of another encoding): then every byte outside printable ASCII, and the backslash, is
 * written \xNN, so nothing vanishes and nothing is taken for other text. NULL only on
 * ENOMEM. */
json_t *util_json_text(const char *s);
/* Appends printf-style text to the string in buf, truncating at len. */
void util_appendf(char *buf, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* 1 when path is an ELF executable without a program interpreter (statically linked), 0 when
 * it has one, -errno (-ENOEXEC: not a 64-bit ELF file). */
int util_elf_is_static(const char *path) __must_check;
/* vmbench's cache: $VMBENCH_CACHE, else $XDG_CACHE_HOME/vmbench, else
 * $HOME/.cache/vmbench; malloc'd. */
char *util_cache_dir(void);
/* Directory of the running executable, or NULL. */
char *util_exe_dir(void);

#endif
