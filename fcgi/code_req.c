/*
 * The checks of a contestant's code request shared by POST /submit, /run
 * and /runcustom: the source text, and the question and language with the
 * round clock.
 */
#include <string.h>
#include <time.h>

#include <json-c/json.h>

#include "auth.h"
#include "cache.h"
#include "extern.h"
#include "json.h"

/*
 * Read and check the source: 413 beyond MAX_SOURCE_BYTES, 422 when empty,
 * not UTF-8 or holding NUL bytes.  -1: reply written.
 */
int
req_source_or_reply(struct req *r, json_object *body, const char *key,
    const char **src, size_t *len)
{
	json_object *v;

	if (!json_object_object_get_ex(body, key, &v) ||
	    json_object_is_type(v, json_type_null)) {
		http_error(r, 422, "invalid_field", "%s is required", key);
		return -1;
	}
	if (!json_object_is_type(v, json_type_string)) {
		http_error(r, 422, "invalid_field", "%s must be a string", key);
		return -1;
	}
	*src = json_object_get_string(v);
	*len = (size_t)json_object_get_string_len(v);
	if (*len > (size_t)r->cfg->max_source_bytes) {
		http_error(r, 413, "too_large", "%s is larger than %d bytes", key,
		    r->cfg->max_source_bytes);
		return -1;
	}
	if (*len == 0 && strcmp(key, "source_code") == 0) {
		http_error(r, 422, "invalid_field", "%s must not be empty", key);
		return -1;
	}
	if (memchr(*src, '\0', *len) != NULL || !utf8_valid(*src, *len)) {
		http_error(r, 422, "invalid_field", "%s must be valid UTF-8 text", key);
		return -1;
	}
	return 0;
}

/*
 * The question and language of a contestant request, with the round-clock
 * check (admins exempt).  -1: 404/409/422/503 reply written.
 */
int
req_question_or_reply(struct req *r, const struct auth_claims *who,
    long long qid, int lang_id, struct cache_question **q,
    struct cache_language *lang)
{
	enum cache_rc rc;
	time_t now = time(NULL);

	*q = NULL;
	rc = cache_question_get(r->w->redis, &r->w->db, r->cfg, qid, q);
	if (rc == CACHE_NOT_FOUND) {
		http_error(r, 404, "not_found", "question %lld does not exist", qid);
		return -1;
	}
	if (rc != CACHE_OK) {
		http_error(r, 503, "unavailable", "question data is unavailable");
		return -1;
	}
	if (strcmp(who->role, "admin") != 0 &&
	    ((*q)->starts_at == 0 || now < (*q)->starts_at ||
	    (*q)->ends_at == 0 || now >= (*q)->ends_at)) {
		http_error(r, 409, "round_closed", "%s",
		    (*q)->starts_at == 0 || now < (*q)->starts_at ?
		    "this question's round has not started" :
		    "this question's round is over");
		goto fail;
	}
	rc = cache_language_get(r->w->redis, &r->w->db, r->cfg, lang_id, lang);
	if (rc == CACHE_UNAVAILABLE) {
		http_error(r, 503, "unavailable", "language data is unavailable");
		goto fail;
	}
	if (rc == CACHE_NOT_FOUND || !lang->enabled) {
		http_error(r, 422, "invalid_field",
		    "language_id %d is not enabled for this contest", lang_id);
		goto fail;
	}
	return 0;
fail:
	cache_question_free(*q);
	*q = NULL;
	return -1;
}
