/* Logging to stderr, one line a message, prefixed with the program's name; on a terminal,
 * a status line under the messages and colour (unless NO_COLOR is set). */
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "common/log.h"

static enum log_level log_level = LOG_INFO;
static int tty = -1; /* stderr is a terminal: unknown (-1), no, yes */
static bool colour;
static char status[512]; /* the status line on show, or "" */

void log_set_level(enum log_level level)
{
	log_level = level;
}

enum log_level log_get_level(void)
{
	return log_level;
}

bool log_is_tty(void)
{
	if (tty < 0) {
		const char *term = getenv("TERM"), *nc = getenv("NO_COLOR");
		tty = isatty(STDERR_FILENO) && !(term && !strcmp(term, "dumb"));
		colour = tty && !(nc && *nc);
	}
	return tty;
}

static void status_erase(void)
{
	if (status[0])
		fputs("\r\033[K", stderr);
}

/* The status line, cut to the terminal's width: a wrapped line would not be erased. */
static void status_draw(void)
{
	struct winsize ws;
	size_t cols = ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col ? ws.ws_col : 80;
	size_t end = 0;

	/* Columns are counted as UTF-8 lead bytes (the line has "·" and "…"). */
	for (size_t used = 0; status[end]; end++)
		if (((unsigned char)status[end] & 0xc0) != 0x80 && ++used >= cols)
			break;
	if (status[0])
		fprintf(stderr, "%s%.*s%s", colour ? "\033[2m" : "", (int)end, status,
			colour ? "\033[0m" : "");
	fflush(stderr);
}

void log_status(const char *fmt, ...)
{
	va_list ap;

	if (!log_is_tty() || log_level < LOG_INFO)
		return;
	status_erase();
	va_start(ap, fmt);
	vsnprintf(status, sizeof(status), fmt, ap);
	va_end(ap);
	status_draw();
}

void log_status_clear(void)
{
	if (!status[0])
		return;
	status_erase();
	status[0] = '\0';
	fflush(stderr);
}

void log_msg(enum log_level level, const char *fmt, ...)
{
	static const char *const prefix[] = {
		[LOG_ERR] = "error: ",
		[LOG_WARN] = "warning: ",
		[LOG_INFO] = "",
		[LOG_DBG] = "debug: ",
	};
	static const char *const colours[] = {
		[LOG_ERR] = "\033[1;31m",
		[LOG_WARN] = "\033[33m",
		[LOG_INFO] = "",
		[LOG_DBG] = "\033[2m",
	};
	va_list ap;

	if (level > log_level)
		return;
	bool c = log_is_tty() && colour && colours[level][0];
	status_erase();
	fprintf(stderr, "vmbench: %s%s%s", c ? colours[level] : "", prefix[level],
		c ? "\033[0m" : "");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	status_draw();
}
