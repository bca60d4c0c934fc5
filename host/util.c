/* Small helpers of the harness: files, atomic writes, lists, time. */
#include <ctype.h>
#include <dirent.h>
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "host/util.h"

int util_mkdir_p(const char *path)
{
	char buf[PATH_MAX];
	size_t len = strlen(path);

	if (len == 0 || len >= sizeof(buf))
		return -ENAMETOOLONG;
	memcpy(buf, path, len + 1);
	for (char *p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, 0755) < 0 && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	if (mkdir(buf, 0755) < 0 && errno != EEXIST)
		return -errno;
	struct stat st;
	if (stat(buf, &st) < 0)
		return -errno;
	return S_ISDIR(st.st_mode) ? 0 : -ENOTDIR;
}

bool util_listed(const char *const *list, size_t n, const char *s)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(list[i], s))
			return true;
	return false;
}

int util_dir_of(const char *path, char *dir, size_t len)
{
	if (strlen(path) >= len)
		return -ENAMETOOLONG;
	strcpy(dir, path);
	char *d = dirname(dir);
	if (d != dir)
		memmove(dir, d, strlen(d) + 1);
	return 0;
}

int util_write_all(int fd, const void *data, size_t len)
{
	for (size_t off = 0; off < len;) {
		ssize_t n = write(fd, (const char *)data + off, len - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		off += (size_t)n;
	}
	return 0;
}

struct buffer {
	const char *data;
	size_t len;
};

static int write_buffer(int fd, void *arg)
{
	const struct buffer *b = arg;

	return util_write_all(fd, b->data, b->len);
}

int util_write_atomic(const char *path, const char *data, size_t len)
{
	struct buffer b = { data, len };

	return util_write_atomic_with(path, write_buffer, &b);
}

int util_write_atomic_with(const char *path, int (*fill)(int fd, void *arg), void *arg)
{
	char tmp[PATH_MAX], dir[PATH_MAX];
	int fd, ret;

	ret = util_dir_of(path, dir, sizeof(dir));
	if (ret < 0)
		return ret;
	if (snprintf(tmp, sizeof(tmp), "%s.tmp.XXXXXX", path) >= (int)sizeof(tmp))
		return -ENAMETOOLONG;
	fd = mkstemp(tmp);
	if (fd < 0)
		return -errno;
	ret = fill(fd, arg);
	if (ret < 0)
		goto out_unlink;
	if (fchmod(fd, 0644) < 0 || fsync(fd) < 0) {
		ret = -errno;
		goto out_unlink;
	}
	if (close(fd) < 0) {
		fd = -1;
		ret = -errno;
		goto out_unlink;
	}
	fd = -1;
	if (rename(tmp, path) < 0) {
		ret = -errno;
		goto out_unlink;
	}
	int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd >= 0) {
		(void)fsync(dfd);
		close(dfd);
	}
	return 0;
out_unlink:
	if (fd >= 0)
		close(fd);
	unlink(tmp);
	return ret;
}

int util_check_writable_dir(const char *dir)
{
	char tmp[PATH_MAX];
	int ret = util_mkdir_p(dir);

	if (ret < 0)
		return ret;
	if (snprintf(tmp, sizeof(tmp), "%s/.vmbench-probe.XXXXXX", dir) >= (int)sizeof(tmp))
		return -ENAMETOOLONG;
	int fd = mkstemp(tmp);
	if (fd < 0)
		return -errno;
	close(fd);
	unlink(tmp);
	return 0;
}

char *util_read_file(const char *path, size_t max, size_t *len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	size_t cap = 4096, n = 0;
	char *buf = malloc(cap + 1);
	while (buf) {
		if (n == cap) {
			if (cap >= max) {
				free(buf);
				buf = NULL;
				errno = EFBIG;
				break;
			}
			cap = cap * 2 > max ? max : cap * 2;
			char *nb = realloc(buf, cap + 1);
			if (!nb) {
				free(buf);
				buf = NULL;
				break;
			}
			buf = nb;
		}
		ssize_t r = read(fd, buf + n, cap - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			int e = errno;
			free(buf);
			buf = NULL;
			errno = e;
			break;
		}
		if (r == 0) {
			buf[n] = '\0';
			if (len)
				*len = n;
			break;
		}
		n += (size_t)r;
	}
	int e = errno;
	close(fd);
	errno = e;
	return buf;
}

int util_read_line(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "re");
	if (!f)
		return -errno;
	char *ok = fgets(buf, (int)len, f);
	fclose(f);
	if (!ok)
		return -ENODATA;
	buf[strcspn(buf, "\n")] = '\0';
	return 0;
}

void util_free_list(char **items)
{
	if (!items)
		return;
	for (char **p = items; *p; p++)
		free(*p);
	free(items);
}

int util_ppid(int pid)
{
	char path[64], buf[512];
	int ppid;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	int ret = util_read_line(path, buf, sizeof(buf));
	if (ret < 0)
		return ret;
	/* The command name in parentheses may hold anything: the fields follow its last ')'. */
	char *p = strrchr(buf, ')');
	if (!p || sscanf(p + 1, " %*c %d", &ppid) != 1)
		return -EPROTO;
	return ppid;
}

size_t util_children(int parent, int *pids, size_t max)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	size_t n = 0;

	while (d && (e = readdir(d)) && n < max) {
		int pid = atoi(e->d_name);
		if (pid > 0 && util_ppid(pid) == parent)
			pids[n++] = pid;
	}
	if (d)
		closedir(d);
	return n;
}

json_t *util_json_text(const char *s)
{
	json_t *j = json_string(s);

	if (j)
		return j;
	size_t n = strlen(s);
	char *esc = malloc(4 * n + 1), *p = esc;
	if (!esc)
		return NULL;
	for (const unsigned char *c = (const unsigned char *)s; *c; c++)
		if (*c < 0x20 || *c >= 0x7f || *c == '\\')
			p += sprintf(p, "\\x%02x", *c);
		else
			*p++ = (char)*c;
	*p = '\0';
	j = json_string(esc);
	free(esc);
	return j;
}

int util_split_list(const char *s, char ***items, size_t *n)
{
	size_t count = 1;
	for (const char *p = s; *p; p++)
		count += *p == ',';
	char **v = calloc(count + 1, sizeof(*v));
	if (!v)
		return -ENOMEM;
	const char *start = s;
	for (size_t i = 0; i < count; i++) {
		size_t l = strcspn(start, ",");
		if (l == 0) {
			util_free_list(v);
			return -EINVAL;
		}
		v[i] = strndup(start, l);
		if (!v[i]) {
			util_free_list(v);
			return -ENOMEM;
		}
		start += l + 1;
	}
	*items = v;
	*n = count;
	return 0;
}

double util_now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

const char *util_kernel_report(const char *line)
{
	/* How the kernel begins the reports it dies of (or may: an oops in a task kills only
	 * the task), at the start of a console line after its stamps. */
	static const char *const starts[] = {
		"BUG:",
		"kernel BUG at",
		"Oops",
		"general protection fault",
		"list_add corruption",
		"list_del corruption",
		"Unable to handle kernel",
		"Kernel panic",
	};
	/* Reports of a kernel that lives on: the watchdogs' (printed as emergencies). */
	static const char *const alive[] = { "BUG: soft lockup", "BUG: workqueue lockup" };
	const char *at = line + strspn(line, " \t");

	/* The time stamp, and the caller's where the kernel adds it: "[ 15.03][ T1] ". */
	while (*at == '[') {
		const char *end = strchr(at, ']');
		if (!end)
			return NULL;
		at = end + 1 + strspn(end + 1, " \t");
	}
	for (size_t i = 0; i < sizeof(alive) / sizeof(alive[0]); i++)
		if (!strncmp(at, alive[i], strlen(alive[i])))
			return NULL;
	for (size_t i = 0; i < sizeof(starts) / sizeof(starts[0]); i++)
		if (!strncmp(at, starts[i], strlen(starts[i])))
			return at;
	/* An exception's oops: "invalid opcode: 0000 [#1] PREEMPT SMP", "divide error: ...". */
	const char *count = strstr(at, " [#");
	if (count && count[3] >= '1' && count[3] <= '9' && count > at && count[-1] != ':' &&
	    strstr(at, ": ") && strstr(at, ": ") < count)
		return at;
	return NULL;
}

void util_sleep_s(double s)
{
	if (!(s > 0))
		return;
	struct timespec ts = { (time_t)s, (long)((s - (double)(time_t)s) * 1e9) };
	nanosleep(&ts, NULL);
}

int64_t util_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void util_utc_now(char *buf, size_t len, bool compact)
{
	time_t t = time(NULL);
	struct tm tm;
	size_t n;

	gmtime_r(&t, &tm);
	if (compact)
		n = strftime(buf, len, "%Y%m%dT%H%M%SZ", &tm);
	else
		n = strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
	if (n == 0 && len)
		buf[0] = '\0';
}

char *util_rtrim(char *s)
{
	size_t n = strlen(s);
	while (n > 0 && isspace((unsigned char)s[n - 1]))
		s[--n] = '\0';
	return s;
}

char *util_printable(char *s)
{
	for (char *p = s; *p; p++)
		if ((unsigned char)*p < 0x20 || (unsigned char)*p > 0x7e)
			*p = '?';
	return s;
}

void util_appendf(char *buf, size_t len, const char *fmt, ...)
{
	size_t n = strnlen(buf, len);
	va_list ap;

	if (n + 1 >= len)
		return;
	va_start(ap, fmt);
	vsnprintf(buf + n, len - n, fmt, ap);
	va_end(ap);
}

int util_elf_is_static(const char *path)
{
	Elf64_Ehdr eh;
	int fd = open(path, O_RDONLY | O_CLOEXEC), ret = -ENOEXEC;

	if (fd < 0)
		return -errno;
	if (pread(fd, &eh, sizeof(eh), 0) != sizeof(eh) || memcmp(eh.e_ident, ELFMAG, SELFMAG) ||
	    eh.e_ident[EI_CLASS] != ELFCLASS64 || eh.e_phentsize != sizeof(Elf64_Phdr))
		goto out;
	ret = 1;
	for (unsigned i = 0; i < eh.e_phnum; i++) {
		Elf64_Phdr ph;
		if (pread(fd, &ph, sizeof(ph), (off_t)(eh.e_phoff + i * sizeof(ph))) !=
		    sizeof(ph)) {
			ret = -ENOEXEC;
			break;
		}
		if (ph.p_type == PT_INTERP) {
			ret = 0;
			break;
		}
	}
out:
	close(fd);
	return ret;
}

char *util_cache_dir(void)
{
	const char *v = getenv("VMBENCH_CACHE"), *x = getenv("XDG_CACHE_HOME"), *h = getenv("HOME");
	char *dir = NULL;

	if (v && *v)
		dir = strdup(v);
	else if (x && *x && asprintf(&dir, "%s/vmbench", x) < 0)
		dir = NULL;
	else if (!(x && *x) && asprintf(&dir, "%s/.cache/vmbench", h && *h ? h : "/tmp") < 0)
		dir = NULL;
	return dir;
}

char *util_exe_dir(void)
{
	char buf[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", buf, sizeof(buf) - 1);
	if (n < 0)
		return NULL;
	buf[n] = '\0';
	return strdup(dirname(buf));
}
