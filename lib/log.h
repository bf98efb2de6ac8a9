/*
 * Leveled logging: one line per event, as key=value pairs or as a JSON
 * object, with the request id where there is one.
 */
#ifndef PITWALL_LOG_H
#define PITWALL_LOG_H

#include <stdio.h>

enum log_level {
	LOG_DEBUG,
	LOG_INFO,
	LOG_WARN,
	LOG_ERROR,
	LOG_LEVEL__MAX
};

enum log_format {
	LOG_FORMAT_KV,
	LOG_FORMAT_JSON,
	LOG_FORMAT__MAX
};

/*
 * Set up logging for program `prog`.  `level` and `format` are the names
 * accepted by PITWALL_LOG_LEVEL / PITWALL_LOG_FORMAT; `path` empty or NULL
 * means standard error.  Returns -1 when the file cannot be opened.
 */
int	log_init(const char *prog, const char *level, const char *format,
	    const char *path);

/* Reopen the log file (after rotation).  Safe to call from the main loop. */
int	log_reopen(void);

/* Redirect output to fp (tests). */
void	log_set_stream(FILE *fp);

/*
 * Log one event.  `reqid` may be NULL.  `func` is normally __func__.
 * `fmt` formats the message; extra key=value fields can be appended with
 * log_kv() style by putting them in the message.
 */
void	log_write(enum log_level lvl, const char *reqid, const char *func,
	    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* Format one line into buf (exposed for tests).  Returns its length. */
size_t	log_format_line(char *buf, size_t bufsz, enum log_format fmt,
	    const char *ts, enum log_level lvl, const char *prog, long pid,
	    const char *reqid, const char *func, const char *msg);

#define log_debug(rid, ...)	log_write(LOG_DEBUG, (rid), __func__, __VA_ARGS__)
#define log_info(rid, ...)	log_write(LOG_INFO, (rid), __func__, __VA_ARGS__)
#define log_warn(rid, ...)	log_write(LOG_WARN, (rid), __func__, __VA_ARGS__)
#define log_error(rid, ...)	log_write(LOG_ERROR, (rid), __func__, __VA_ARGS__)

#endif
