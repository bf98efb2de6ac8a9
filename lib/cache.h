/*
 * Question, testcase and language data as the hot path sees it: from a
 * Redis cache (pitwall:q:<qid>, pitwall:languages) filled from PostgreSQL
 * on a miss.  Expected outputs are in the cache (server side only) since
 * the worker judges with them; routes never send hidden ones to clients.
 */
#ifndef PITWALL_CACHE_H
#define PITWALL_CACHE_H

#include <stddef.h>

struct db;
struct redis;
struct config;

struct cache_testcase {
	long long	 id;
	int		 ordinal;
	char		*name;
	char		*input;
	size_t		 input_len;
	char		*expected;
	size_t		 expected_len;
	int		 is_sample;
	int		 points;
	/* testcases.validator_flags: its group's output validator flags
	 * (NULL: the question's validator_flags); interaction: an
	 * interactive sample's .interaction file (NULL: none). */
	char		*flags;
	char		*interaction;
	/* input / expected are a binary file's bytes (testcases.input_bytes,
	 * answer_bytes): not text to show. */
	int		 input_binary;
	int		 expected_binary;
};

/* A custom validator's source: path and base64 content (PostgreSQL's
 * encode(…, 'base64'), line breaks included). */
struct cache_vfile {
	char	*path;
	char	*content_b64;
};

struct cache_question {
	long long		 id;
	long long		 round_id;
	char			*slug;
	char			*title;
	int			 points;
	int			 time_limit_ms;
	int			 memory_limit_kb;
	char			*checker;
	/* Unix seconds, 0 when unset; the start rounded up and the end down,
	 * so a whole-second clock never sees the round open too early or late. */
	long long		 starts_at;
	long long		 ends_at;
	struct cache_testcase	*tests;
	size_t			 ntests;
	/* questions.validator ("default", "custom", "interactive") and
	 * validator_flags; a custom one's sources, their language (50, 54,
	 * 71; 0 when none is buildable) and digest (sha256 hex of the
	 * language and files). */
	char			*validator;
	char			*validator_flags;
	int			 validator_lang;
	char			*validator_digest;
	struct cache_vfile	*vfiles;
	size_t			 nvfiles;
	/* The package's validation limits (questions.validation_time_ms,
	 * validation_memory_kb); 0: the judge's defaults. */
	int			 validation_time_ms;
	int			 validation_memory_kb;
};

/*
 * A custom validator's language by its files' names: C++ when a .cpp,
 * .cc or .cxx is there, else Python for a .py, else C for a .c; 0 when
 * none (the embedded judge then fails the run with IE, never AC).
 */
int	cache_vfiles_lang(const struct cache_vfile *f, size_t n);
/*
 * The digest of a validator (sha256 hex of its language and files) into
 * hex[65]: the cache key the judge's build cache is told.
 */
void	cache_vfiles_digest(const struct cache_vfile *f, size_t n, int lang,
	    char hex[65]);

struct cache_language {
	int	id;
	char	name[64];
	double	time_multiplier;
	int	enabled;
};

enum cache_rc {
	CACHE_OK,
	CACHE_NOT_FOUND,
	CACHE_UNAVAILABLE,	/* Redis and PostgreSQL both failed */
	CACHE_RC__MAX
};

/*
 * The question qid with its testcases.  *out is owned by the caller
 * (cache_question_free).  *dbp is a lazily connected database handle the
 * caller keeps per thread (may point to NULL at first).
 */
enum cache_rc	cache_question_get(struct redis *r, struct db **dbp,
		    const struct config *cfg, long long qid,
		    struct cache_question **out);
void		cache_question_free(struct cache_question *q);

/* The language judge0_id, enabled or not. */
enum cache_rc	cache_language_get(struct redis *r, struct db **dbp,
		    const struct config *cfg, int judge0_id,
		    struct cache_language *out);
/*
 * Every language, enabled or not, ordered by judge0_id (the cache that
 * /submit and /run check, so a list shown to contestants agrees with
 * what they accept).  *out is owned by the caller (free()); 0, or -1
 * when Redis and PostgreSQL both failed.
 */
int		cache_languages_get(struct redis *r, struct db **dbp,
		    const struct config *cfg, struct cache_language **out,
		    size_t *n);

/* A round as the rounds cache (pitwall:rounds) holds it. */
struct cache_round {
	long long	id;
	long long	starts_at;	/* unix seconds; 0 when unset */
	long long	ends_at;	/* unix seconds; 0 when unset */
	char		slug[72];
	char		name[256];
	char		scoring[16];	/* proportional | icpc | ioi */
	long long	freeze_at;	/* unix seconds; 0: none or unfrozen */
};

/*
 * Every round, ordered by id.  *out is owned by the caller (free()); 0,
 * or -1 when Redis and PostgreSQL both failed.
 */
int		cache_rounds_get(struct redis *r, struct db **dbp,
		    const struct config *cfg, struct cache_round **out, size_t *n);
/*
 * The round open at `now` (when several are, the one ending first), else
 * with or_next the next one to start, else NULL.  Points into rs.
 */
const struct cache_round *cache_round_current(const struct cache_round *rs,
		    size_t n, long long now, int or_next);

/*
 * 1 when some round is open at unix time `now`, 0 when none, -1 when the
 * data is unavailable.  (Rounds are cached as one list, pitwall:rounds.)
 */
int		cache_round_open(struct redis *r, struct db **dbp,
		    const struct config *cfg, long long now);

/* Drop cached entries (after admin changes): the question (qid 0: every
 * question, and the rounds), and always the contestant question lists. */
int		cache_invalidate_question(struct redis *r, long long qid);
int		cache_invalidate_languages(struct redis *r);

#endif
