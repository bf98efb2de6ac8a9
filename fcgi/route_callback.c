/*
 * PUT|POST /callback?s=<sid>&t=<tid>&a=<attempt>&sig=<hex> (Judge0 body) -> 204
 *
 * Judge0 counts any HTTP reply as delivered, so this path does as little
 * as it can: check the signature (constant time), bound the body, queue
 * it raw for the worker.  No parsing of program output, no rate limit.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <json-c/json.h>

#include "attempt.h"
#include "extern.h"
#include "keys.h"
#include "log.h"
#include "query.h"
#include "redis.h"
#include "sign.h"

void
route_callback(struct req *r)
{
	char sid[40], tstr[24], astr[16], sig[SIGN_HEX_LEN + 2];
	long long tid, attempt;
	json_object *job;
	redisReply *rep;

	if (query_get(r->query, "s", sid, sizeof(sid)) < 0 || !uuid_valid(sid) ||
	    query_get(r->query, "t", tstr, sizeof(tstr)) < 0 ||
	    parse_ll(tstr, 1, INT64_MAX, &tid) == -1 ||
	    query_get(r->query, "a", astr, sizeof(astr)) < 0 ||
	    parse_ll(astr, 1, ATTEMPT_MAX, &attempt) == -1 ||
	    query_get(r->query, "sig", sig, sizeof(sig)) < 0 ||
	    sign_callback_verify(r->cfg->callback_secret, sid, tid, (int)attempt,
	    sig) == -1) {
		log_warn(r->reqid, "callback refused: bad or missing signature");
		http_error(r, 403, "bad_signature", "the callback signature is not valid");
		return;
	}
	if (http_read_body(r, (size_t)r->cfg->max_callback_bytes) == -1)
		return;
	if (r->bodylen == 0) {
		http_error(r, 400, "bad_request", "the callback has no body");
		return;
	}
	job = json_object_new_object();
	json_object_object_add(job, "type", json_object_new_string("result"));
	json_object_object_add(job, "s", json_object_new_string(sid));
	json_object_object_add(job, "t", json_object_new_int64(tid));
	json_object_object_add(job, "a", json_object_new_int((int)attempt));
	json_object_object_add(job, "body",
	    json_object_new_string_len(r->body, (int)r->bodylen));
	/* The worker holds the body's token to the one recorded for (s, t,
	 * a): a replay of this URL with another body is dead-lettered. */
	json_object_object_add(job, "cb", json_object_new_int64(time(NULL)));
	/*
	 * Retried once on a broken connection (a thread's first callback
	 * after Redis restarted): a result pushed twice is stored once by
	 * the worker (ON CONFLICT DO NOTHING), a 503 would wait on the reaper.
	 */
	rep = redis_cmd_idem(r->w->redis, "LPUSH %s %s", KEY_QUEUE,
	    json_object_to_json_string_ext(job, JSON_C_TO_STRING_PLAIN));
	json_object_put(job);
	if (rep == NULL || rep->type != REDIS_REPLY_INTEGER) {
		freeReplyObject(rep);
		/* The reaper re-polls the token later; nothing is lost for good. */
		http_error(r, 503, "unavailable", "the queue is unavailable");
		return;
	}
	freeReplyObject(rep);
	if (redis_replicated(r->w->redis, r->reqid) == -1) {
		/* Not acknowledged: the reaper re-polls the token if this copy
		 * is lost with the master (docs/redis.md). */
		http_error(r, 503, "not_replicated",
		    "the result did not reach enough Redis replicas in time");
		return;
	}
	http_reply(r, 204, NULL, NULL, NULL, 0);
}
