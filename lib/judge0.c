/*
 * Judge0 client over libcurl.  Requests always use base64_encoded=true:
 * without it non-UTF-8 program output makes Judge0 fail the GET.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>
#include <sodium.h>

#include "config.h"
#include "judge0.h"
#include "log.h"
#include "metrics.h"

#define RESULT_FIELDS "token,status,time,memory,stdout,stderr,compile_output,message,exit_code,exit_signal"
#define MAX_REPLY (64u * 1024 * 1024)

struct judge0 {
	CURL			*curl;
	const struct config	*cfg;
	char			 base[512];
	struct curl_slist	*headers;
};

struct buf {
	char	*data;
	size_t	 len;
	int	 overflow;
};

char *
b64_encode(const char *data, size_t len)
{
	size_t outlen = sodium_base64_ENCODED_LEN(len, sodium_base64_VARIANT_ORIGINAL);
	char *out = malloc(outlen);

	if (out == NULL)
		return NULL;
	sodium_bin2base64(out, outlen, (const unsigned char *)data, len,
	    sodium_base64_VARIANT_ORIGINAL);
	return out;
}

char *
b64_decode(const char *s, size_t slen, size_t *lenp)
{
	char *out;
	size_t binlen = 0;
	const char *end = NULL;

	if ((out = malloc(slen / 4 * 3 + 4)) == NULL)
		return NULL;
	if (sodium_base642bin((unsigned char *)out, slen / 4 * 3 + 3, s, slen,
	    " \t\r\n", &binlen, &end, sodium_base64_VARIANT_ORIGINAL) != 0 ||
	    end != s + slen) {
		free(out);
		return NULL;
	}
	out[binlen] = '\0';
	if (lenp != NULL)
		*lenp = binlen;
	return out;
}

static size_t
on_data(char *ptr, size_t size, size_t nmemb, void *arg)
{
	struct buf *b = arg;
	size_t n = size * nmemb;
	char *p;

	if (b->len + n > MAX_REPLY) {
		b->overflow = 1;
		return 0;
	}
	if ((p = realloc(b->data, b->len + n + 1)) == NULL)
		return 0;
	b->data = p;
	memcpy(b->data + b->len, ptr, n);
	b->len += n;
	b->data[b->len] = '\0';
	return n;
}

struct judge0 *
judge0_new(const struct config *cfg)
{
	struct judge0 *j;
	char h[1024];
	size_t blen;

	if ((j = calloc(1, sizeof(*j))) == NULL)
		return NULL;
	j->cfg = cfg;
	blen = strlen(cfg->judge0_url);
	while (blen > 0 && cfg->judge0_url[blen - 1] == '/')
		blen--;
	snprintf(j->base, sizeof(j->base), "%.*s", (int)blen, cfg->judge0_url);
	if ((j->curl = curl_easy_init()) == NULL)
		goto fail;
	j->headers = curl_slist_append(NULL, "Content-Type: application/json");
	j->headers = curl_slist_append(j->headers, "Accept: application/json");
	j->headers = curl_slist_append(j->headers, "Expect:");
	if (*cfg->judge0_auth_token != '\0') {
		snprintf(h, sizeof(h), "%s: %s", cfg->judge0_auth_header,
		    cfg->judge0_auth_token);
		j->headers = curl_slist_append(j->headers, h);
		explicit_bzero(h, sizeof(h));
	}
	if (*cfg->judge0_rapidapi_key != '\0') {
		snprintf(h, sizeof(h), "X-RapidAPI-Key: %s", cfg->judge0_rapidapi_key);
		j->headers = curl_slist_append(j->headers, h);
		explicit_bzero(h, sizeof(h));
		snprintf(h, sizeof(h), "X-RapidAPI-Host: %s", cfg->judge0_rapidapi_host);
		j->headers = curl_slist_append(j->headers, h);
	}
	if (j->headers == NULL)
		goto fail;
	return j;
fail:
	judge0_free(j);
	return NULL;
}

void
judge0_free(struct judge0 *j)
{
	if (j == NULL)
		return;
	if (j->curl != NULL)
		curl_easy_cleanup(j->curl);
	curl_slist_free_all(j->headers);
	free(j);
}

static double
elapsed(const struct timespec *t0, const struct timespec *t1)
{
	return (double)(t1->tv_sec - t0->tv_sec) +
	    (double)(t1->tv_nsec - t0->tv_nsec) / 1e9;
}

/*
 * One request.  Returns J0_OK with *status and the reply in b, or
 * J0_UNAVAILABLE on transport errors.
 */
static enum judge0_rc
judge0_request(struct judge0 *j, const char *method, const char *path,
    const char *body, long timeout_ms, long *status, struct buf *b,
    char *err, size_t errsz)
{
	char url[8192];
	struct timespec t0, t1;
	enum metrics_j0_op op;
	CURLcode cc;

	op = strncmp(path, "/submissions/batch", 18) == 0 ?
	    (strcmp(method, "GET") == 0 ? METRICS_J0_BATCH_GET : METRICS_J0_BATCH_SUBMIT) :
	    strncmp(path, "/submissions", 12) == 0 && strcmp(method, "POST") == 0 ?
	    METRICS_J0_SUBMIT : METRICS_J0_OTHER;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	snprintf(url, sizeof(url), "%s%s", j->base, path);
	curl_easy_reset(j->curl);
	curl_easy_setopt(j->curl, CURLOPT_URL, url);
	curl_easy_setopt(j->curl, CURLOPT_HTTPHEADER, j->headers);
	curl_easy_setopt(j->curl, CURLOPT_CUSTOMREQUEST, method);
	if (body != NULL)
		curl_easy_setopt(j->curl, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(j->curl, CURLOPT_CONNECTTIMEOUT_MS,
	    (long)j->cfg->judge0_connect_timeout_ms);
	curl_easy_setopt(j->curl, CURLOPT_TIMEOUT_MS, timeout_ms);
	curl_easy_setopt(j->curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(j->curl, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(j->curl, CURLOPT_WRITEDATA, b);
	curl_easy_setopt(j->curl, CURLOPT_PROTOCOLS_STR, "http,https");
	cc = curl_easy_perform(j->curl);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	if (cc != CURLE_OK) {
		metrics_judge0(op, metrics_j0_outcome_of(0,
		    cc == CURLE_OPERATION_TIMEDOUT), elapsed(&t0, &t1));
		snprintf(err, errsz, "Judge0 %s %s: %s", method, path,
		    b->overflow ? "reply too large" : curl_easy_strerror(cc));
		return J0_UNAVAILABLE;
	}
	curl_easy_getinfo(j->curl, CURLINFO_RESPONSE_CODE, status);
	metrics_judge0(op, metrics_j0_outcome_of(*status, 0), elapsed(&t0, &t1));
	return J0_OK;
}

/* The pitwall_validator object of v (docs/judge.md); NULL on memory. */
static json_object *
validator_json(const struct judge0_validator *v)
{
	json_object *o = json_object_new_object(), *files, *f;
	char num[32];
	size_t i;

	if (o == NULL || (files = json_object_new_array()) == NULL) {
		json_object_put(o);
		return NULL;
	}
	json_object_object_add(o, "mode", json_object_new_string(v->mode));
	json_object_object_add(o, "language_id",
	    json_object_new_int(v->language_id));
	json_object_object_add(o, "digest", json_object_new_string(v->digest));
	json_object_object_add(o, "flags", json_object_new_string(v->flags));
	snprintf(num, sizeof(num), "%.3f", v->time_limit);
	json_object_object_add(o, "time_limit",
	    json_object_new_double_s(v->time_limit, num));
	json_object_object_add(o, "memory_limit",
	    json_object_new_int(v->memory_limit_kb));
	for (i = 0; i < v->nfiles; i++) {
		f = json_object_new_object();
		json_object_object_add(f, "path",
		    json_object_new_string(v->files[i].path));
		json_object_object_add(f, "content",
		    json_object_new_string(v->files[i].content_b64));
		json_object_array_add(files, f);
	}
	json_object_object_add(o, "files", files);
	return o;
}

static json_object *
item_json(const struct judge0_item *it)
{
	json_object *o = json_object_new_object();
	char *src = b64_encode(it->source, it->source_len);
	char *in = it->stdin_data ? b64_encode(it->stdin_data, it->stdin_len) : NULL;
	char cpu[32];

	if (o == NULL || src == NULL || (it->stdin_data && in == NULL)) {
		json_object_put(o);
		free(src);
		free(in);
		return NULL;
	}
	json_object_object_add(o, "source_code", json_object_new_string(src));
	json_object_object_add(o, "language_id", json_object_new_int(it->language_id));
	if (in != NULL)
		json_object_object_add(o, "stdin", json_object_new_string(in));
	/* Judge0 takes float seconds; three decimals are plenty. */
	snprintf(cpu, sizeof(cpu), "%.3f", it->cpu_time_limit);
	json_object_object_add(o, "cpu_time_limit",
	    json_object_new_double_s(it->cpu_time_limit, cpu));
	if (it->wall_time_limit > 0) {
		snprintf(cpu, sizeof(cpu), "%.3f", it->wall_time_limit);
		json_object_object_add(o, "wall_time_limit",
		    json_object_new_double_s(it->wall_time_limit, cpu));
	}
	json_object_object_add(o, "memory_limit", json_object_new_int(it->memory_limit_kb));
	if (it->max_file_size_kb > 0)
		json_object_object_add(o, "max_file_size",
		    json_object_new_int(it->max_file_size_kb));
	if (it->callback_url != NULL)
		json_object_object_add(o, "callback_url",
		    json_object_new_string(it->callback_url));
	if (it->submitter != NULL)
		json_object_object_add(o, "pitwall_submitter",
		    json_object_new_string(it->submitter));
	free(src);
	free(in);
	if (it->validator != NULL) {
		json_object *pv = validator_json(it->validator);
		char *ans = b64_encode(it->expected ? it->expected : "",
		    it->expected ? it->expected_len : 0);

		if (pv == NULL || ans == NULL) {
			json_object_put(pv);
			free(ans);
			json_object_put(o);
			return NULL;
		}
		json_object_object_add(o, "expected_output",
		    json_object_new_string(ans));
		json_object_object_add(o, "pitwall_validator", pv);
		free(ans);
	}
	return o;
}

/* Judge0's 422 hash {"field": ["message", …]} as one sentence. */
static void
error_hash_text(json_object *o, char *out, size_t outsz)
{
	size_t n = 0;

	out[0] = '\0';
	if (!json_object_is_type(o, json_type_object)) {
		snprintf(out, outsz, "%s", json_object_get_string(o));
		return;
	}
	json_object_object_foreach(o, key, val) {
		const char *msg = json_object_is_type(val, json_type_array) &&
		    json_object_array_length(val) > 0 ?
		    json_object_get_string(json_object_array_get_idx(val, 0)) :
		    json_object_get_string(val);
		int w = snprintf(out + n, outsz - n, "%s%s %s", n ? "; " : "",
		    key, msg ? msg : "is invalid");
		if (w < 0 || (size_t)w >= outsz - n)
			break;
		n += (size_t)w;
	}
}

enum judge0_rc
judge0_batch_submit(struct judge0 *j, const struct judge0_item *items,
    size_t n, struct judge0_ret *out, char *err, size_t errsz)
{
	json_object *req = NULL, *arr, *reply = NULL;
	struct buf b = { NULL, 0, 0 };
	enum judge0_rc rc = J0_UNAVAILABLE;
	long status = 0;
	size_t i;

	memset(out, 0, n * sizeof(*out));
	if ((req = json_object_new_object()) == NULL ||
	    (arr = json_object_new_array()) == NULL) {
		snprintf(err, errsz, "out of memory");
		goto out;
	}
	json_object_object_add(req, "submissions", arr);
	for (i = 0; i < n; i++) {
		json_object *it = item_json(&items[i]);
		if (it == NULL) {
			snprintf(err, errsz, "out of memory");
			goto out;
		}
		json_object_array_add(arr, it);
	}
	rc = judge0_request(j, "POST", "/submissions/batch?base64_encoded=true",
	    json_object_to_json_string_ext(req, JSON_C_TO_STRING_PLAIN |
	    JSON_C_TO_STRING_NOSLASHESCAPE), j->cfg->judge0_timeout_ms, &status,
	    &b, err, errsz);
	if (rc != J0_OK)
		goto out;
	if (status >= 500 || status == 429) {
		snprintf(err, errsz, "Judge0 answered %ld: %.200s", status,
		    b.data ? b.data : "");
		rc = J0_UNAVAILABLE;
		goto out;
	}
	reply = b.data ? json_tokener_parse(b.data) : NULL;
	if ((status != 201 && status != 422) ||
	    !json_object_is_type(reply, json_type_array) ||
	    json_object_array_length(reply) != n) {
		if (status == 401 || status == 403)
			snprintf(err, errsz, "Judge0 refused authentication (%ld)", status);
		else
			snprintf(err, errsz, "Judge0 answered %ld: %.200s", status,
			    b.data ? b.data : "");
		rc = status >= 400 && status < 500 ? J0_REJECTED : J0_UNAVAILABLE;
		goto out;
	}
	for (i = 0; i < n; i++) {
		json_object *el = json_object_array_get_idx(reply, i), *tok;
		if (json_object_object_get_ex(el, "token", &tok) &&
		    json_object_is_type(tok, json_type_string) &&
		    json_object_get_string_len(tok) > 0 &&
		    (size_t)json_object_get_string_len(tok) < sizeof(out[i].token))
			snprintf(out[i].token, sizeof(out[i].token), "%s",
			    json_object_get_string(tok));
		else
			error_hash_text(el, out[i].error, sizeof(out[i].error));
		if (out[i].token[0] == '\0' && out[i].error[0] == '\0')
			snprintf(out[i].error, sizeof(out[i].error), "Judge0 gave no token");
	}
	rc = J0_OK;
out:
	json_object_put(req);
	json_object_put(reply);
	free(b.data);
	return rc;
}

/*
 * GET path: J0_OK with the parsed 200 reply in *reply (caller puts; NULL
 * when it is not JSON), else what went wrong, in err.
 */
static enum judge0_rc
judge0_get_json(struct judge0 *j, const char *path, json_object **reply,
    char *err, size_t errsz)
{
	struct buf b = { NULL, 0, 0 };
	enum judge0_rc rc;
	long status = 0;

	*reply = NULL;
	rc = judge0_request(j, "GET", path, NULL, j->cfg->judge0_timeout_ms,
	    &status, &b, err, errsz);
	if (rc == J0_OK && status != 200) {
		snprintf(err, errsz, "Judge0 answered %ld: %.200s", status,
		    b.data ? b.data : "");
		rc = status >= 500 || status == 429 ? J0_UNAVAILABLE : J0_REJECTED;
	}
	if (rc == J0_OK)
		*reply = b.data ? json_tokener_parse(b.data) : NULL;
	free(b.data);
	return rc;
}

enum judge0_rc
judge0_batch_get(struct judge0 *j, const char *const *tokens, size_t n,
    json_object **out, char *err, size_t errsz)
{
	char path[4096];
	size_t len, i;
	json_object *reply = NULL, *subs;
	enum judge0_rc rc;

	*out = NULL;
	len = (size_t)snprintf(path, sizeof(path),
	    "/submissions/batch?base64_encoded=true&fields=" RESULT_FIELDS "&tokens=");
	for (i = 0; i < n; i++) {
		int w = snprintf(path + len, sizeof(path) - len, "%s%s",
		    i ? "," : "", tokens[i]);
		if (w < 0 || (size_t)w >= sizeof(path) - len) {
			snprintf(err, errsz, "too many tokens for one request");
			return J0_REJECTED;
		}
		len += (size_t)w;
	}
	if ((rc = judge0_get_json(j, path, &reply, err, errsz)) != J0_OK)
		goto out;
	if (!json_object_object_get_ex(reply, "submissions", &subs) ||
	    !json_object_is_type(subs, json_type_array) ||
	    json_object_array_length(subs) != n) {
		snprintf(err, errsz, "Judge0's batch reply is malformed");
		rc = J0_UNAVAILABLE;
		goto out;
	}
	*out = json_object_get(subs);
	rc = J0_OK;
out:
	json_object_put(reply);
	return rc;
}

enum judge0_rc
judge0_languages(struct judge0 *j, json_object **out, char *err, size_t errsz)
{
	json_object *reply = NULL;
	enum judge0_rc rc;

	*out = NULL;
	if ((rc = judge0_get_json(j, "/languages", &reply, err, errsz)) != J0_OK)
		goto out;
	if (!json_object_is_type(reply, json_type_array)) {
		snprintf(err, errsz, "Judge0's /languages reply is not an array");
		rc = J0_UNAVAILABLE;
		goto out;
	}
	*out = json_object_get(reply);
out:
	json_object_put(reply);
	return rc;
}

enum judge0_rc
judge0_run_wait(struct judge0 *j, const struct judge0_item *items, size_t n,
    long timeout_ms, struct judge0_run *out)
{
	CURLM *multi = NULL;
	CURL **easy = NULL;
	struct buf *bufs = NULL;
	char **bodies = NULL, url[1024];
	enum judge0_rc worst = J0_OK;
	int running = 0, left;
	double secs = 0;
	size_t i;
	CURLMsg *msg;

	memset(out, 0, n * sizeof(*out));
	easy = calloc(n, sizeof(*easy));
	bufs = calloc(n, sizeof(*bufs));
	bodies = calloc(n, sizeof(*bodies));
	if ((multi = curl_multi_init()) == NULL || easy == NULL || bufs == NULL ||
	    bodies == NULL) {
		worst = J0_UNAVAILABLE;
		goto out;
	}
	snprintf(url, sizeof(url), "%s/submissions?base64_encoded=true&wait=true"
	    "&fields=" RESULT_FIELDS, j->base);
	for (i = 0; i < n; i++) {
		json_object *o = item_json(&items[i]);
		out[i].rc = J0_UNAVAILABLE;
		if (o == NULL || (bodies[i] = strdup(json_object_to_json_string_ext(o,
		    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE))) == NULL ||
		    (easy[i] = curl_easy_init()) == NULL) {
			json_object_put(o);
			worst = J0_UNAVAILABLE;
			goto out;
		}
		json_object_put(o);
		curl_easy_setopt(easy[i], CURLOPT_URL, url);
		curl_easy_setopt(easy[i], CURLOPT_HTTPHEADER, j->headers);
		curl_easy_setopt(easy[i], CURLOPT_POSTFIELDS, bodies[i]);
		curl_easy_setopt(easy[i], CURLOPT_CONNECTTIMEOUT_MS,
		    (long)j->cfg->judge0_connect_timeout_ms);
		curl_easy_setopt(easy[i], CURLOPT_TIMEOUT_MS, timeout_ms);
		curl_easy_setopt(easy[i], CURLOPT_NOSIGNAL, 1L);
		curl_easy_setopt(easy[i], CURLOPT_WRITEFUNCTION, on_data);
		curl_easy_setopt(easy[i], CURLOPT_WRITEDATA, &bufs[i]);
		curl_easy_setopt(easy[i], CURLOPT_PRIVATE, (void *)&out[i]);
		curl_easy_setopt(easy[i], CURLOPT_PROTOCOLS_STR, "http,https");
		curl_multi_add_handle(multi, easy[i]);
	}
	do {
		if (curl_multi_perform(multi, &running) != CURLM_OK)
			break;
		if (running)
			curl_multi_poll(multi, NULL, 0, 200, NULL);
	} while (running);
	while ((msg = curl_multi_info_read(multi, &left)) != NULL) {
		if (msg->msg != CURLMSG_DONE)
			continue;
		for (i = 0; i < n; i++) {
			if (easy[i] != msg->easy_handle)
				continue;
			curl_easy_getinfo(easy[i], CURLINFO_TOTAL_TIME, &secs);
			if (msg->data.result != CURLE_OK) {
				out[i].timed_out = msg->data.result == CURLE_OPERATION_TIMEDOUT;
				metrics_judge0(METRICS_J0_SUBMIT,
				    metrics_j0_outcome_of(0, out[i].timed_out), secs);
				snprintf(out[i].error, sizeof(out[i].error), "%s",
				    curl_easy_strerror(msg->data.result));
				out[i].rc = J0_UNAVAILABLE;
				break;
			}
			curl_easy_getinfo(easy[i], CURLINFO_RESPONSE_CODE, &out[i].http_status);
			metrics_judge0(METRICS_J0_SUBMIT,
			    metrics_j0_outcome_of(out[i].http_status, 0), secs);
			out[i].reply = bufs[i].data ? json_tokener_parse(bufs[i].data) : NULL;
			if (out[i].http_status == 201 || out[i].http_status == 200)
				out[i].rc = J0_OK;
			else if (out[i].http_status >= 500 || out[i].http_status == 429) {
				out[i].rc = J0_UNAVAILABLE;
				snprintf(out[i].error, sizeof(out[i].error),
				    "Judge0 answered %ld", out[i].http_status);
			} else {
				out[i].rc = J0_REJECTED;
				error_hash_text(out[i].reply, out[i].error, sizeof(out[i].error));
			}
			break;
		}
	}
	for (i = 0; i < n; i++) {
		if (out[i].rc == J0_UNAVAILABLE)
			worst = J0_UNAVAILABLE;
		else if (out[i].rc == J0_REJECTED && worst == J0_OK)
			worst = J0_REJECTED;
	}
out:
	for (i = 0; easy != NULL && i < n; i++) {
		if (easy[i] != NULL) {
			curl_multi_remove_handle(multi, easy[i]);
			curl_easy_cleanup(easy[i]);
		}
		free(bufs[i].data);
		free(bodies[i]);
	}
	if (multi != NULL)
		curl_multi_cleanup(multi);
	free(easy);
	free(bufs);
	free(bodies);
	return worst;
}
