/* Logging to stderr: log_err/warn/info/dbg. stdout is kept for reports and data. */
#ifndef VMBENCH_LOG_H
#define VMBENCH_LOG_H

#include "harness/compiler.h"

enum log_level {
	LOG_ERR,
	LOG_WARN,
	LOG_INFO,
	LOG_DBG,
};

void log_set_level(enum log_level level);
enum log_level log_get_level(void);
void log_msg(enum log_level level, const char *fmt, ...) __printf(2, 3);

#define log_err(...)  log_msg(LOG_ERR, __VA_ARGS__)
#define log_warn(...) log_msg(LOG_WARN, __VA_ARGS__)
#define log_info(...) log_msg(LOG_INFO, __VA_ARGS__)
#define log_dbg(...)  log_msg(LOG_DBG, __VA_ARGS__)

#endif
