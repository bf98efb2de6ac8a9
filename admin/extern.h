/*
 * pitwall-admin internals: the context passed to every command, option
 * parsing, and the problem-package parser (admin/package.c, kept free of
 * database code so that a fuzz target can link it alone).
 */
#ifndef PITWALL_ADMIN_EXTERN_H
#define PITWALL_ADMIN_EXTERN_H

#include <stddef.h>
#include <stdint.h>

#include "config.h"

/* Exit statuses: sysexits' EX_USAGE for bad command lines. */
#define ADMIN_OK	0
#define ADMIN_FAIL	1
#define ADMIN_USAGE	64

struct db;
struct redis;

/* What one run of pitwall-admin holds; connections are opened on demand. */
struct actx {
	struct config	 cfg;
	int		 cfg_loaded;
	struct db	*db;
	struct redis	*redis;
};

/* Load the configuration (exits 78 on a bad one, naming the variable). */
void		 actx_config(struct actx *a, unsigned need);
/* Connected handles, or NULL after printing why. */
struct db	*actx_db(struct actx *a);
struct redis	*actx_redis(struct actx *a);
/* Drop the question and language caches after a change.  0 / -1. */
int		 actx_caches_drop(struct actx *a);

void		 usage(void);

/*
 * Options: "--name value" or "--name=value" for options with a value
 * (val != NULL), "--name" for flags (flag != NULL).  Up to maxpos
 * positional arguments go to pos[].  Returns 0, or -1 after printing
 * what is wrong (the caller exits ADMIN_USAGE).
 */
struct opt {
	const char	 *name;		/* without the leading "--" */
	const char	**val;
	int		 *flag;
};
int	opts_parse(int argc, char *argv[], const struct opt *opts, size_t nopts,
	    char *pos[], int maxpos, int *npos);

/* A decimal integer in [min, max].  0 / -1. */
int	arg_int(const char *s, long long min, long long max, long long *out);

/* Command groups: argc/argv start after the group's name. */
int	cmd_user(struct actx *a, int argc, char *argv[]);
int	cmd_token(struct actx *a, int argc, char *argv[]);
int	cmd_import(struct actx *a, int argc, char *argv[]);
int	cmd_export(struct actx *a, int argc, char *argv[]);
int	cmd_round(struct actx *a, int argc, char *argv[]);
int	cmd_leaderboard(struct actx *a, int argc, char *argv[]);
int	cmd_language(struct actx *a, int argc, char *argv[]);

/* Field checks shared by user add and user import.  NULL when valid,
 * else a reason. */
const char	*user_email_check(const char *email);
const char	*user_name_check(const char *name);
const char	*user_password_check(const char *password);
const char	*user_role_check(const char *role);

/* ---- problem packages (admin/package.c; format in docs/packages.md) ---- */

#define PKG_SLUG_MAX		64
#define PKG_TEST_NAME_MAX	32
#define PKG_MAX_ROUNDS		100
#define PKG_MAX_TESTS		1000
#define PKG_MAX_SAMPLES		PKG_MAX_TESTS
#define PKG_JSON_MAX		(1024 * 1024)		/* contest.json, question.json */
#define PKG_STATEMENT_MAX	(1024 * 1024)		/* statement.md */
#define PKG_TEST_FILE_MAX	(64 * 1024 * 1024)	/* each NN.in / NN.out */
#define PKG_POINTS_FILE_MAX	64

struct pkg_round {
	char	 slug[PKG_SLUG_MAX + 1];
	char	*name;
	char	*starts_at;	/* ISO-8601 or NULL: leave the database's value */
	char	*ends_at;
	int	 minutes;
};

struct pkg_contest {
	char			*name;
	struct pkg_round	*rounds;
	size_t			 nrounds;
};

struct pkg_question {
	char	 round[PKG_SLUG_MAX + 1];
	char	*title;
	int	 points;
	int	 time_limit_ms;
	int	 memory_limit_kb;
	char	 checker[16];
	char	(*samples)[PKG_TEST_NAME_MAX + 1];
	size_t	 nsamples;
};

/*
 * Parse and validate contest.json / question.json from json[0..len).
 * Returns 0, or -1 with a sentence in err.  *out is owned by the caller
 * and released with the matching _free (also after a failure).
 */
int	package_parse_contest(const char *json, size_t len,
	    struct pkg_contest *out, char *err, size_t errsz);
void	package_contest_free(struct pkg_contest *c);
int	package_parse_question(const char *json, size_t len,
	    struct pkg_question *out, char *err, size_t errsz);
void	package_question_free(struct pkg_question *q);

/* The contents of an NN.points file: one integer 0..1000000.  0 / -1. */
int	package_parse_points(const char *buf, size_t len, int *out,
	    char *err, size_t errsz);

/* 1 when s is a valid round/question slug, or test name (NN). */
int	package_slug_valid(const char *s);
int	package_test_name_valid(const char *s);
/* 1 when s is an ISO-8601 timestamp with a time zone. */
int	package_time_valid(const char *s);

/*
 * Check text read from a package file: no NUL bytes, valid UTF-8
 * (PostgreSQL text holds neither).  0 / -1 with err naming `what`.
 */
int	package_text_check(const char *what, const char *buf, size_t len,
	    char *err, size_t errsz);

/*
 * Read a whole regular file of at most maxsz bytes; *buf is NUL-terminated
 * and owned by the caller (free).  0, 1 when it does not exist (and
 * optional), -1 with err naming the file.
 */
int	package_read_file(const char *path, size_t maxsz, int optional,
	    char **buf, size_t *len, char *err, size_t errsz);

/* snprintf a path into buf; -1 (printed) when it does not fit. */
int	package_path(char *buf, size_t bufsz, const char *fmt, ...)
	    __attribute__((format(printf, 3, 4)));

#endif
