/*
 * Verdicts: what a Judge0 result means for a testcase.  Judge0's status
 * decides everything but a clean run (3), which is compared here against
 * the testcase's expected output with Judge0's own rule, since Pitwall
 * never sends hidden expected outputs to Judge0.
 */
#ifndef PITWALL_VERDICT_H
#define PITWALL_VERDICT_H

#include <stddef.h>

/* The codes stored in submission_results.verdict (schema CHECK). */
enum verdict {
	VERDICT_AC,
	VERDICT_WA,
	VERDICT_TLE,
	VERDICT_CE,
	VERDICT_RE,
	VERDICT_IE,
	VERDICT_MLE,	/* a run over its memory limit (the embedded judge says so) */
	VERDICT_OLE,	/* output over the limit: Judge0's SIGXFSZ (8) */
	VERDICT__MAX
};

/* What verdict_from_status() found. */
enum verdict_rc {
	VERDICT_FINAL,		/* *v is set */
	VERDICT_PENDING,	/* 1 In Queue / 2 Processing: not a result yet */
	VERDICT_BAD_STATUS,	/* not a Judge0 status id */
	VERDICT_RC__MAX
};

/* Judge0 CE 1.13 status ids. */
#define J0_STATUS_IN_QUEUE	1
#define J0_STATUS_PROCESSING	2
#define J0_STATUS_ACCEPTED	3
#define J0_STATUS_INTERNAL	13
#define J0_STATUS_MAX		14

/*
 * A runtime error whose message says the memory limit was hit (Judge0
 * has no such status; the embedded judge keeps RE and says why) is MLE.
 */
enum verdict	 verdict_refine(enum verdict v, const char *msg, size_t len);

/* "AC", "WA", … (static string; "?" for an out-of-range value). */
const char	*verdict_name(enum verdict v);

/*
 * 1 when `out` equals `expected` by Judge0's rule: split on '\n', strip
 * the trailing whitespace of every line (which drops '\r'), join, strip
 * the trailing whitespace of the whole.  Leading whitespace matters.
 * Either buffer may be NULL when its length is 0.
 */
int		 verdict_output_matches(const char *out, size_t outlen,
		    const char *expected, size_t explen);

/*
 * The verdict of a Judge0 result with status_id whose program printed
 * out[0..outlen), for a testcase expecting expected[0..explen).
 */
enum verdict_rc	 verdict_from_status(int status_id, const char *out,
		    size_t outlen, const char *expected, size_t explen,
		    enum verdict *v);

/*
 * A Judge0 result (callback body or one object of GET /submissions/batch
 * with base64_encoded=true), decoded.  Output buffers are NUL-terminated
 * (NULL when Judge0 sent null); time_ms and memory_kb are -1 for null.
 */
struct verdict_result {
	char	 token[64];	/* "" when absent */
	int	 status_id;
	int	 time_ms;
	int	 memory_kb;
	char	*out;
	size_t	 out_len;
	char	*err;
	size_t	 err_len;
	char	*compile_output;
	size_t	 compile_output_len;
	char	*message;
	size_t	 message_len;
};

/*
 * Parse and decode body[0..len).  Returns 0, or -1 with a sentence in
 * err (bad JSON, missing status, bad base64, …).  The buffers in *r are
 * owned by r: release them with verdict_result_clear() in both cases.
 */
int		 verdict_result_parse(const char *body, size_t len,
		    struct verdict_result *r, char *err, size_t errsz);
void		 verdict_result_clear(struct verdict_result *r);

/*
 * Judge0's `time`, a string of seconds such as "0.045" (or a number), in
 * whole milliseconds, rounded.  Returns 0, or -1 when it is not a
 * non-negative number.
 */
int		 verdict_time_ms(const char *s, int *ms);

/*
 * At most max bytes of s[0..len) as valid UTF-8 text without NUL bytes
 * (PostgreSQL text cannot hold them): invalid bytes become '?' and the
 * cut never splits a character.  Malloc'd (caller frees); NULL when s is
 * NULL or memory ran out.
 */
char		*verdict_excerpt(const char *s, size_t len, size_t max);

#endif
