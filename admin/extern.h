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
struct judge0;
struct redis;

/* What one run of pitwall-admin holds; connections are opened on demand. */
struct actx {
	struct config	 cfg;
	int		 cfg_loaded;
	struct db	*db;
	struct redis	*redis;
	struct judge0	*j0;
};

/* Load the configuration (exits 78 on a bad one, naming the variable). */
void		 actx_config(struct actx *a, unsigned need);
/* Connected handles, or NULL after printing why. */
struct db	*actx_db(struct actx *a);
struct redis	*actx_redis(struct actx *a);
/* The configured judge (JUDGE0_URL: Judge0 or the embedded judge), or
 * NULL after printing why. */
struct judge0	*actx_judge0(struct actx *a);
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
int	cmd_team(struct actx *a, int argc, char *argv[]);
int	cmd_token(struct actx *a, int argc, char *argv[]);
int	cmd_import(struct actx *a, int argc, char *argv[]);
int	cmd_import_problem(struct actx *a, int argc, char *argv[]);
int	cmd_export(struct actx *a, int argc, char *argv[]);
int	cmd_export_problem(struct actx *a, int argc, char *argv[]);
int	cmd_verify(struct actx *a, int argc, char *argv[]);
int	cmd_round(struct actx *a, int argc, char *argv[]);
int	cmd_leaderboard(struct actx *a, int argc, char *argv[]);
int	cmd_language(struct actx *a, int argc, char *argv[]);
int	cmd_events(struct actx *a, int argc, char *argv[]);

/* admin/export.c: create path with exactly len bytes of buf (never over
 * an existing file); a directory; DIR new or empty.  0 / -1 (printed). */
int	file_write(const char *path, const char *buf, size_t len);
int	dir_make(const char *path);
int	export_dir_ready(const char *dir);

/*
 * Run a statement (admin/import.c); the number of rows it returned, or -1.
 * The first column of the first row goes to first when not NULL.
 */
int	import_exec_rows(struct db *db, const char *sql, int n,
	    const char *const *p, char *first, size_t firstsz);

/* Field checks shared by user add and user import.  NULL when valid,
 * else a reason. */
const char	*user_email_check(const char *email);
const char	*user_name_check(const char *name);
const char	*user_password_check(const char *password);
const char	*user_role_check(const char *role);

/* ---- problem packages (admin/package.c; format in docs/packages.md) ---- */

#define PKG_SLUG_MAX		64
#define PKG_TEST_NAME_MAX	32
#define PKG_COLOR_MAX		64
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
	char	 scoring[16];	/* proportional | icpc | ioi; "": leave */
	int	 penalty;	/* icpc penalty minutes; -1: leave */
	char	*freeze_at;	/* ISO-8601 or NULL: leave */
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
	char	 rgb[8];		/* "" or "#rgb" / "#rrggbb" */
	char	 color[PKG_COLOR_MAX + 1];	/* "" or a name */
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
/* 1 when s is a balloon rgb ("#rgb", "#rrggbb") / colour name (1 to
 * PKG_COLOR_MAX printable ASCII bytes, no quotes or backslashes). */
int	package_rgb_valid(const char *s);
int	package_color_valid(const char *s);
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

/* vsnprintf into err[errsz] (nothing when err is NULL or errsz 0). */
void	package_errf(char *err, size_t errsz, const char *fmt, ...)
	    __attribute__((format(printf, 3, 4)));

/* snprintf a path into buf; -1 (printed) when it does not fit. */
int	package_path(char *buf, size_t bufsz, const char *fmt, ...)
	    __attribute__((format(printf, 3, 4)));

/* ---- ICPC/Kattis problem packages (admin/kpp*.c; docs/packages.md) ----
 * Read into memory first (a directory or a .zip/.kpp), then parsed; no
 * database code, so the fuzz targets link these files alone. */

#define KPP_TOTAL_MAX	(512 * 1024 * 1024)	/* default unpacked size limit */
#define KPP_MAX_FILES	20000
#define KPP_MAX_DEPTH	16			/* directory nesting */
#define KPP_YAML_MAX	(1024 * 1024)		/* problem.yaml, testdata.yaml */

/* One regular file of the package; path relative to its root. */
struct kpp_file {
	char	*path;
	char	*data;		/* len bytes, NUL-terminated beyond them */
	size_t	 len;
};

/* All files, sorted by path after loading. */
struct kpp_files {
	struct kpp_file	*v;
	size_t		 n, cap;
	size_t		 total;		/* bytes read so far */
	size_t		 limit;		/* refuse beyond this many */
};

/*
 * Load a package directory, a zip file, or a zip in memory into *fs
 * (zeroed by the caller; limit 0 means KPP_TOTAL_MAX).  Refused, with err
 * naming the file: symlinks, absolute or ".." paths, more than limit bytes
 * unpacked (counted while reading, never from headers), more than
 * KPP_MAX_FILES files.  A zip whose entries all sit under one directory is
 * read as if that directory were the root.  0 / -1; kpp_files_clear after.
 */
int	kpp_files_dir(const char *dir, struct kpp_files *fs, char *err,
	    size_t errsz);
int	kpp_files_zip(const char *path, struct kpp_files *fs, char *err,
	    size_t errsz);
int	kpp_files_zip_buf(const void *buf, size_t len, struct kpp_files *fs,
	    char *err, size_t errsz);
void	kpp_files_clear(struct kpp_files *fs);
/* The file at path, or NULL. */
const struct kpp_file *kpp_files_get(const struct kpp_files *fs,
	    const char *path);

enum kpp_layout {
	KPP_LAYOUT_LEGACY,	/* problem_statement/, output_validators/ */
	KPP_LAYOUT_2023,	/* statement/, output_validator/ */
	KPP_LAYOUT__MAX
};

enum kpp_type {
	KPP_TYPE_PASS_FAIL,
	KPP_TYPE_SCORING,
	KPP_TYPE__MAX
};

/* Stored in questions.validator (sql/004). */
enum kpp_validator {
	KPP_VALIDATOR_DEFAULT,
	KPP_VALIDATOR_CUSTOM,
	KPP_VALIDATOR_INTERACTIVE,
	KPP_VALIDATOR__MAX
};

/* A test data group: a folder under data/ ("sample", "secret/g1"). */
struct kpp_group {
	char	*path;
	char	*settings;	/* JSON of the testdata.yaml in effect, or NULL */
};

/* A testcase: data/<name>.in and data/<name>.ans. */
struct kpp_test {
	char			*name;		/* "secret/g1/01" */
	size_t			 group;		/* index into groups */
	int			 is_sample;
	const struct kpp_file	*in;
	const struct kpp_file	*ans;
	/* The validator flags of this testcase: problem.yaml's
	 * validator_flags and its group's output_validator_flags (legacy;
	 * 2023-07 output_validator_args) from the closest testdata.yaml
	 * setting them; NULL when that is the question's validator_flags. */
	char			*flags;
	/* An interactive sample's NAME.interaction (NULL: none). */
	const struct kpp_file	*interaction;
};

/* A parsed package; everything points into files. */
struct kpp {
	struct kpp_files	 files;
	enum kpp_layout		 layout;
	enum kpp_type		 type;
	enum kpp_validator	 validator;
	int			 validator_score;	/* legacy "custom score" */
	char			*name;			/* English, else the first */
	char			*validator_flags;	/* "" when none */
	char			*problem_flags;		/* problem.yaml's alone */
	int			 validation_time_ms;	/* 0: not given */
	int			 validation_memory_mb;	/* 0: not given */
	int			 time_limit_ms;		/* 0: not in the package */
	double			 ac_to_time_limit;	/* time multipliers, the */
	double			 time_limit_to_tle;	/* layout's defaults */
	double			 time_resolution;	/* seconds */
	int			 memory_mb;		/* 0: not given */
	int			 output_mb;
	char			 rgb[8];		/* "": not in the package */
	char			 color[PKG_COLOR_MAX + 1];	/* "": not given */
	char			*statement;		/* Markdown or text from LaTeX */
	char			*statement_file;
	int			 statement_latex;
	struct kpp_group	*groups;
	size_t			 ngroups;
	struct kpp_test		*tests;
	size_t			 ntests;
	const struct kpp_file	**vsrc;			/* output validator sources */
	size_t			 nvsrc;
	char			 warning[256];		/* "" or one sentence */
};

/* An empty package (NULL when out of memory); kpp_free accepts NULL. */
struct kpp	*kpp_new(void);
void		 kpp_free(struct kpp *k);
/*
 * Read and parse the package at path (directory, .zip or .kpp) with the
 * given unpacked size limit (0: KPP_TOTAL_MAX).  0, or -1 with err
 * naming the offending file.
 */
int		 kpp_load(struct kpp *k, const char *path, size_t limit,
		    char *err, size_t errsz);
/* Parse k->files (already loaded).  0 / -1 with err. */
int		 kpp_parse(struct kpp *k, char *err, size_t errsz);
/* problem.yaml into k.  0 / -1 with err. */
int		 kpp_yaml_problem(struct kpp *k, const char *buf, size_t len,
		    char *err, size_t errsz);
/* testdata.yaml as a JSON object string in *json (caller frees).  0 / -1. */
int		 kpp_yaml_testdata(const char *buf, size_t len, char **json,
		    char *err, size_t errsz);
/* output_validator_flags (legacy) or output_validator_args (2023-07, a
 * string or a list) of a testdata.yaml; *flags NULL when absent. 0 / -1. */
int		 kpp_yaml_testdata_flags(const char *name, const char *buf,
		    size_t len, char **flags, char *err, size_t errsz);
/* LaTeX statement source to readable text (caller frees; NULL: no memory). */
char		*kpp_latex_text(const char *tex, size_t len);
/* The slug a package's path gives (base name without .zip/.kpp, lower
 * case) into slug.  0, or -1 when that is no valid slug. */
int		 kpp_slug_default(const char *path, char *slug, size_t slugsz);
/* admin/kpp_verify.c: what verify expects of jury submissions, as masks
 * of KPP_VM(enum verdict).  kpp_dir_verdicts: the verdicts a folder of
 * submissions/ names (0: not a known folder).  kpp_expected_results: the
 * results of an "@EXPECTED_RESULTS@: CORRECT, TIMELIMIT" line in
 * data[0..len) into *mask; 0 found, 1 none, -1 an unknown or no result
 * (err says which).  kpp_lang_of: the Judge0 language of a file name by
 * its extension, 0 when unknown. */
#define KPP_VM(v)	(1u << (v))
unsigned	 kpp_dir_verdicts(const char *dir);
int		 kpp_expected_results(const char *data, size_t len,
		    unsigned *mask, char *err, size_t errsz);
int		 kpp_lang_of(const char *path);
/* --time-limit SECONDS (NULL: *tl_ms unchanged) into ms and --max-size
 * BYTES (NULL: *limit unchanged), both of import-problem and verify.
 * 0, or -1 after printing what is wrong (exit ADMIN_USAGE). */
int		 kpp_opts_limits(const char *tl, const char *maxsz, int *tl_ms,
		    size_t *limit);
/* "default", "custom", "interactive"; "pass-fail", "scoring". */
const char	*kpp_validator_name(enum kpp_validator v);
const char	*kpp_type_name(enum kpp_type t);

#endif
