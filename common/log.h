/* Logging to stderr: log_err/warn/info/dbg. stdout is kept for reports and data. */
#ifndef VMBENCH_LOG_H
#define VMBENCH_LOG_H

#include <stdbool.h>

#include "common/compiler.h"

enum log_level {
	LOG_ERR,
	LOG_WARN,
	LOG_INFO,
	LOG_DBG,
};

void log_set_level(enum log_level level);
enum log_level log_get_level(void);
void log_msg(enum log_level level, const char *fmt, ...) __printf(2, 3);
/* Whether stderr is a terminal (and TERM is not dumb): then messages may have colour
 * (unless $NO_COLOR is set and not empty) and a status line. */
bool log_is_tty(void);
/* Shows a one-line status under the messages on a terminal, replacing the last one
 * (messages are printed above it); does nothing when stderr is not a terminal. */
void log_status(const char *fmt, ...) __printf(1, 2);
void log_status_clear(void);

#define log_err(...)  log_msg(LOG_ERR, __VA_ARGS__)
#define log_warn(...) log_msg(LOG_WARN, __VA_ARGS__)
#define log_info(...) log_msg(LOG_INFO, __VA_ARGS__)
#define log_dbg(...)  log_msg(LOG_DBG, __VA_ARGS__)

#endif
