/*
 * Logging.  The settings are written once at start (log_init) before any
 * thread runs; the stream is guarded by a mutex so lines never interleave.
 */
#include <sys/time.h>

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "log.h"

static const char *const level_names[LOG_LEVEL__MAX] = {
	"debug", "info", "warn", "error"
};

static struct {
	pthread_mutex_t	 mu;
	FILE		*fp;
	char		 path[512];
	char		 prog[64];
	enum log_level	 min;
	enum log_format	 format;
} logger = { PTHREAD_MUTEX_INITIALIZER, NULL, "", "pitwall", LOG_INFO,
    LOG_FORMAT_KV };

int
log_init(const char *prog, const char *level, const char *format,
    const char *path)
{
	int i;

	snprintf(logger.prog, sizeof(logger.prog), "%s", prog);
	for (i = 0; i < LOG_LEVEL__MAX; i++)
		if (level != NULL && strcmp(level, level_names[i]) == 0)
			logger.min = (enum log_level)i;
	logger.format = (format != NULL && strcmp(format, "json") == 0) ?
	    LOG_FORMAT_JSON : LOG_FORMAT_KV;
	snprintf(logger.path, sizeof(logger.path), "%s", path ? path : "");
	return log_reopen();
}

int
log_reopen(void)
{
	FILE *fp;

	if (logger.path[0] == '\0')
		return 0;
	if ((fp = fopen(logger.path, "ae")) == NULL)
		return -1;
	setvbuf(fp, NULL, _IOLBF, 0);
	pthread_mutex_lock(&logger.mu);
	if (logger.fp != NULL && logger.fp != stderr)
		fclose(logger.fp);
	logger.fp = fp;
	pthread_mutex_unlock(&logger.mu);
	return 0;
}

void
log_set_stream(FILE *fp)
{
	pthread_mutex_lock(&logger.mu);
	logger.fp = fp;
	pthread_mutex_unlock(&logger.mu);
}

/* Append s to buf as a quoted string (kv: "…" with \" \\ \n escapes; json same). */
static size_t
put_quoted(char *buf, size_t sz, size_t n, const char *s)
{
	const unsigned char *p;

#define PUT(c) do { if (n + 1 < sz) buf[n] = (c); n++; } while (0)
	PUT('"');
	for (p = (const unsigned char *)s; *p != '\0'; p++) {
		switch (*p) {
		case '"':  PUT('\\'); PUT('"'); break;
		case '\\': PUT('\\'); PUT('\\'); break;
		case '\n': PUT('\\'); PUT('n'); break;
		case '\r': PUT('\\'); PUT('r'); break;
		case '\t': PUT('\\'); PUT('t'); break;
		default:
			if (*p < 0x20) {
				char hex[8];
				int i;
				snprintf(hex, sizeof(hex), "\\u%04x", *p);
				for (i = 0; hex[i] != '\0'; i++)
					PUT(hex[i]);
			} else
				PUT((char)*p);
		}
	}
	PUT('"');
#undef PUT
	if (sz > 0)
		buf[n < sz ? n : sz - 1] = '\0';
	return n;
}

static size_t
put_raw(char *buf, size_t sz, size_t n, const char *s)
{
	for (; *s != '\0'; s++) {
		if (n + 1 < sz)
			buf[n] = *s;
		n++;
	}
	if (sz > 0)
		buf[n < sz ? n : sz - 1] = '\0';
	return n;
}

/* A bare kv value needs quotes when it has spaces, quotes, '=' or controls. */
static size_t
put_kv_value(char *buf, size_t sz, size_t n, const char *s)
{
	const char *p;

	if (*s == '\0')
		return put_quoted(buf, sz, n, s);
	for (p = s; *p != '\0'; p++)
		if ((unsigned char)*p <= ' ' || *p == '"' || *p == '=' || *p == '\\')
			return put_quoted(buf, sz, n, s);
	return put_raw(buf, sz, n, s);
}

size_t
log_format_line(char *buf, size_t sz, enum log_format fmt, const char *ts,
    enum log_level lvl, const char *prog, long pid, const char *reqid,
    const char *func, const char *msg)
{
	char pidbuf[32];
	size_t n = 0;
	struct { const char *k, *v; } f[7];
	int i, nf = 0;

	snprintf(pidbuf, sizeof(pidbuf), "%ld", pid);
	f[nf].k = "ts";    f[nf++].v = ts;
	f[nf].k = "level"; f[nf++].v = level_names[lvl < LOG_LEVEL__MAX ? lvl : LOG_ERROR];
	f[nf].k = "prog";  f[nf++].v = prog;
	f[nf].k = "pid";   f[nf++].v = pidbuf;
	if (reqid != NULL && *reqid != '\0') {
		f[nf].k = "req"; f[nf++].v = reqid;
	}
	f[nf].k = "func";  f[nf++].v = func;
	f[nf].k = "msg";   f[nf++].v = msg;

	if (sz > 0)
		buf[0] = '\0';
	if (fmt == LOG_FORMAT_JSON) {
		n = put_raw(buf, sz, n, "{");
		for (i = 0; i < nf; i++) {
			if (i > 0)
				n = put_raw(buf, sz, n, ",");
			n = put_quoted(buf, sz, n, f[i].k);
			n = put_raw(buf, sz, n, ":");
			if (strcmp(f[i].k, "pid") == 0)
				n = put_raw(buf, sz, n, f[i].v);
			else
				n = put_quoted(buf, sz, n, f[i].v);
		}
		n = put_raw(buf, sz, n, "}");
	} else {
		for (i = 0; i < nf; i++) {
			if (i > 0)
				n = put_raw(buf, sz, n, " ");
			n = put_raw(buf, sz, n, f[i].k);
			n = put_raw(buf, sz, n, "=");
			n = put_kv_value(buf, sz, n, f[i].v);
		}
	}
	return n;
}

void
log_write(enum log_level lvl, const char *reqid, const char *func,
    const char *fmt, ...)
{
	char msg[2048], line[4096], ts[40];
	struct timeval tv;
	struct tm tm;
	va_list ap;
	size_t n;

	if (lvl < logger.min)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);

	gettimeofday(&tv, NULL);
	gmtime_r(&tv.tv_sec, &tm);
	n = strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(ts + n, sizeof(ts) - n, ".%03ldZ", (long)(tv.tv_usec / 1000));

	n = log_format_line(line, sizeof(line) - 1, logger.format, ts, lvl,
	    logger.prog, (long)getpid(), reqid, func, msg);
	if (n >= sizeof(line) - 1)
		n = sizeof(line) - 2;
	line[n] = '\n';

	pthread_mutex_lock(&logger.mu);
	fwrite(line, 1, n + 1, logger.fp ? logger.fp : stderr);
	fflush(logger.fp ? logger.fp : stderr);
	pthread_mutex_unlock(&logger.mu);
}
