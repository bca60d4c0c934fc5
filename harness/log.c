/* Logging to stderr, one line a message, prefixed with the program's name. */
#include <stdarg.h>
#include <stdio.h>

#include "harness/log.h"

static enum log_level log_level = LOG_INFO;

void log_set_level(enum log_level level)
{
	log_level = level;
}

enum log_level log_get_level(void)
{
	return log_level;
}

void log_msg(enum log_level level, const char *fmt, ...)
{
	static const char *const prefix[] = {
		[LOG_ERR] = "error: ",
		[LOG_WARN] = "warning: ",
		[LOG_INFO] = "",
		[LOG_DBG] = "debug: ",
	};
	va_list ap;

	if (level > log_level)
		return;
	fprintf(stderr, "vmbench: %s", prefix[level]);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}
