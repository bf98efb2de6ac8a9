/*
 * Judge0 HTTP client (libcurl), per ../shared/JUDGE0.md.  One struct judge0
 * per thread (it owns a curl easy handle).
 */
#ifndef PITWALL_JUDGE0_H
#define PITWALL_JUDGE0_H

#include <stddef.h>

#include <json-c/json.h>

struct config;
struct judge0;

/*
 * Pitwall's embedded-judge extension (docs/judge.md): a custom or
 * interactive validator, sent as pitwall_validator.  Contents are base64.
 */
struct judge0_vfile {
	const char	*path;
	const char	*content_b64;
};

struct judge0_validator {
	const char		*mode;		/* "custom" | "interactive" */
	int			 language_id;
	const char		*digest;
	const char		*flags;
	double			 time_limit;	/* s */
	int			 memory_limit_kb;
	const struct judge0_vfile *files;
	size_t			 nfiles;
};

struct judge0_item {
	const char	*source;
	size_t		 source_len;
	int		 language_id;
	const char	*stdin_data;	/* may be NULL */
	size_t		 stdin_len;
	double		 cpu_time_limit;	/* seconds, already clamped */
	double		 wall_time_limit;	/* seconds; 0: Judge0's default */
	int		 memory_limit_kb;
	int		 max_file_size_kb;	/* 0: Judge0's default */
	const char	*callback_url;	/* may be NULL */
	/* With validator: the answer file, sent as expected_output. */
	const char	*expected;
	size_t		 expected_len;
	const struct judge0_validator *validator;	/* NULL: none */
	/* pitwall_submitter: the embedded judge's fair-queue key (a real
	 * Judge0 ignores it); NULL: not sent. */
	const char	*submitter;
};

/* Outcome of one item of a batch. */
struct judge0_ret {
	char	token[64];	/* "" when Judge0 refused the item */
	char	error[256];	/* Judge0's 422 message for the item, "" when ok */
};

enum judge0_rc {
	J0_OK,
	J0_UNAVAILABLE,		/* connection error, timeout, 5xx, 503 queue full: retry later */
	J0_REJECTED,		/* 4xx for the whole request: retrying will not help */
	J0_RC__MAX
};

struct judge0	*judge0_new(const struct config *cfg);
void		 judge0_free(struct judge0 *j);

/*
 * POST /submissions/batch?base64_encoded=true with n ≤ JUDGE0_BATCH_SIZE
 * items.  On J0_OK every out[i] has a token or an error.  err gets a
 * sentence on failure.
 */
enum judge0_rc	 judge0_batch_submit(struct judge0 *j,
		    const struct judge0_item *items, size_t n,
		    struct judge0_ret *out, char *err, size_t errsz);

/*
 * GET /submissions/batch?tokens=…&base64_encoded=true&fields=… for n ≤ 20
 * tokens.  *out (caller json_object_put()s) is the "submissions" array:
 * an object or null per token, in order.
 */
enum judge0_rc	 judge0_batch_get(struct judge0 *j, const char *const *tokens,
		    size_t n, json_object **out, char *err, size_t errsz);

/*
 * GET /languages.  *out (caller json_object_put()s) is the array of
 * {"id", "name"} the judge offers.
 */
enum judge0_rc	 judge0_languages(struct judge0 *j, json_object **out,
		    char *err, size_t errsz);

/* One item of judge0_run_wait: Judge0's reply or what went wrong. */
struct judge0_run {
	long		 http_status;	/* 0: no reply */
	json_object	*reply;		/* parsed body (caller frees) or NULL */
	enum judge0_rc	 rc;
	int		 timed_out;	/* the deadline passed before the reply */
	char		 error[256];
};

/*
 * POST /submissions?wait=true for every item at once (curl_multi), all
 * within timeout_ms in total.  Fills out[0..n).  Returns J0_OK when every
 * item got a 201, else the worst outcome (J0_UNAVAILABLE before
 * J0_REJECTED); a deadline shows as timed_out in the items concerned.
 */
enum judge0_rc	 judge0_run_wait(struct judge0 *j, const struct judge0_item *items,
		    size_t n, long timeout_ms, struct judge0_run *out);

/* Base64 (standard alphabet).  Encode: malloc'd NUL-terminated string. */
char		*b64_encode(const char *data, size_t len);
/*
 * Decode, skipping whitespace (Judge0 wraps lines every 60 chars).
 * Returns a malloc'd NUL-terminated buffer and its length in *lenp, or NULL
 * when the input is not base64.
 */
char		*b64_decode(const char *s, size_t slen, size_t *lenp);

#endif
