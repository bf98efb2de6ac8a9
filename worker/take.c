/*
 * The reliable queue: jobs move from pitwall:queue to this worker's
 * processing list and leave it only once their effects are committed;
 * lists of workers that died are moved back.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "extern.h"
#include "keys.h"
#include "log.h"
#include "metrics.h"
#include "redis.h"

void
job_clear(struct job *job)
{
	free(job->raw);
	verdict_result_clear(&job->res);
	memset(job, 0, sizeof(*job));
}

/* Fill *job from a BLMOVE/LMOVE reply.  0 / -1 (nil or not a string). */
static int
job_from_reply(struct job *job, redisReply *rep)
{
	memset(job, 0, sizeof(*job));
	if (rep == NULL || rep->type != REDIS_REPLY_STRING)
		return -1;
	if ((job->raw = malloc(rep->len + 1)) == NULL)
		return -1;
	memcpy(job->raw, rep->str, rep->len);
	job->raw[rep->len] = '\0';
	job->rawlen = rep->len;
	job->state = JOB_NEW;
	verdict_result_clear(&job->res);
	return 0;
}

/*
 * Move up to max jobs to the processing list: wait up to 1 s for the
 * first, then take what is already there, the LMOVEs pipelined (one
 * round trip).  Returns how many are in jobs.
 */
size_t
queue_take(struct wctx *w, struct job *jobs, size_t max)
{
	redisContext *c;
	redisReply *rep;
	void *r;
	size_t n = 0, i, sent = 0;

	rep = redis_cmd(w->redis, "BLMOVE %s %s RIGHT LEFT 1", KEY_QUEUE,
	    w->processing);
	if (rep == NULL)
		return 0;
	if (rep->type == REDIS_REPLY_ERROR)
		log_error(NULL, "BLMOVE: %s", rep->str);
	if (job_from_reply(&jobs[n], rep) == 0)
		n++;
	freeReplyObject(rep);
	if (n == 0 || n >= max || (c = redis_ctx(w->redis)) == NULL)
		return n;
	for (i = n; i < max; i++) {
		if (redisAppendCommand(c, "LMOVE %s %s RIGHT LEFT", KEY_QUEUE,
		    w->processing) != REDIS_OK)
			break;
		sent++;
	}
	/*
	 * Every reply is read; a job moved but not kept here (no memory)
	 * stays in the processing list and comes back with the next requeue.
	 */
	for (i = 0; i < sent; i++) {
		if (redisGetReply(c, &r) != REDIS_OK) {
			log_warn(NULL, "Redis LMOVE failed: %s", c->errstr);
			redis_broken(w->redis);
			break;
		}
		rep = r;
		if (job_from_reply(&jobs[n], rep) == 0)
			n++;
		freeReplyObject(rep);
	}
	return n;
}

/*
 * Remove one copy of each job from the processing list, pipelined.
 * 0 / -1 (some may be removed: LREM again is harmless).
 */
int
queue_done_many(struct wctx *w, struct job *const *jobs, size_t n)
{
	redisContext *c;
	void *r;
	size_t i, sent = 0;
	int rc = 0;

	if (n == 0)
		return 0;
	if ((c = redis_ctx(w->redis)) == NULL)
		return -1;
	for (i = 0; i < n; i++) {
		if (redisAppendCommand(c, "LREM %s 1 %b", w->processing,
		    jobs[i]->raw, jobs[i]->rawlen) != REDIS_OK) {
			rc = -1;
			break;
		}
		sent++;
	}
	for (i = 0; i < sent; i++) {
		if (redisGetReply(c, &r) != REDIS_OK) {
			log_warn(NULL, "Redis LREM failed: %s", c->errstr);
			redis_broken(w->redis);
			return -1;
		}
		if (queue_reply_ok(r) == -1)
			rc = -1;
	}
	return rc;
}

/* Consume a reply: 0 unless it is missing or an error (logged). */
int
queue_reply_ok(redisReply *rep)
{
	int rc = (rep == NULL || rep->type == REDIS_REPLY_ERROR) ? -1 : 0;

	if (rep != NULL && rep->type == REDIS_REPLY_ERROR)
		log_error(NULL, "Redis: %s", rep->str);
	if (rep != NULL)
		freeReplyObject(rep);
	return rc;
}

/*
 * LPUSH pitwall:dead {"reason","job"} and, when list is not NULL, remove
 * the job from list, in one MULTI.  0 / -1.
 */
int
queue_dead_raw(struct wctx *w, const char *list, const char *raw,
    size_t rawlen, const char *reason)
{
	json_object *o = NULL;
	const char *s;
	int rc = -1;

	if ((o = json_object_new_object()) == NULL)
		return -1;
	json_object_object_add(o, "reason", json_object_new_string(reason));
	json_object_object_add(o, "job", json_object_new_string_len(raw,
	    (int)rawlen));
	s = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN);
	if (queue_reply_ok(redis_cmd(w->redis, "MULTI")) == -1)
		goto out;
	if (queue_reply_ok(redis_cmd(w->redis, "LPUSH %s %s", KEY_DEAD, s)) == -1 ||
	    (list != NULL && queue_reply_ok(redis_cmd(w->redis, "LREM %s 1 %b", list,
	    raw, rawlen)) == -1)) {
		(void)queue_reply_ok(redis_cmd(w->redis, "DISCARD"));
		goto out;
	}
	if (queue_reply_ok(redis_cmd(w->redis, "EXEC")) == -1)
		goto out;
	log_warn(NULL, "dead letter: %s", reason);
	metrics_count(METRICS_DEAD_LETTERS, 1);
	rc = 0;
out:
	json_object_put(o);
	return rc;
}

int
queue_dead(struct wctx *w, const struct job *job)
{
	return queue_dead_raw(w, w->processing, job->raw, job->rawlen,
	    job->reason);
}

/*
 * Move every job of `list` back to the front (the RIGHT end, taken next)
 * of the queue, one atomic LMOVE each, oldest ending up first.  Returns
 * how many moved, -1 when Redis failed.
 */
int
queue_requeue(struct wctx *w, const char *list)
{
	redisReply *rep;
	int n = 0;

	for (;;) {
		rep = redis_cmd(w->redis, "LMOVE %s %s LEFT RIGHT", list,
		    KEY_QUEUE);
		if (rep == NULL)
			return -1;
		if (rep->type != REDIS_REPLY_STRING) {
			freeReplyObject(rep);
			break;
		}
		freeReplyObject(rep);
		n++;
	}
	if (n > 0) {
		log_info(NULL, "moved %d unfinished jobs of %s back to the queue",
		    n, list);
		metrics_count(METRICS_ORPHANS_REQUEUED, n);
	}
	return n;
}

/*
 * For every worker in pitwall:workers whose heartbeat expired, move its
 * processing list back to the queue and forget it.  0 / -1.
 */
int
queue_sweep(struct wctx *w)
{
	redisReply *members, *rep;
	char key[256], list[256];
	size_t i;
	int alive;

	if ((members = redis_cmd(w->redis, "SMEMBERS %s", KEY_WORKERS)) == NULL)
		return -1;
	if (members->type != REDIS_REPLY_ARRAY) {
		freeReplyObject(members);
		return -1;
	}
	for (i = 0; i < members->elements; i++) {
		const redisReply *m = members->element[i];

		if (m->type != REDIS_REPLY_STRING || strcmp(m->str, w->id) == 0)
			continue;
		snprintf(key, sizeof(key), KEY_WORKER_FMT, m->str);
		if ((rep = redis_cmd(w->redis, "EXISTS %s", key)) == NULL)
			break;
		alive = rep->type == REDIS_REPLY_INTEGER && rep->integer > 0;
		freeReplyObject(rep);
		if (alive)
			continue;
		log_info(NULL, "worker %s stopped beating; recovering its jobs",
		    m->str);
		snprintf(list, sizeof(list), KEY_PROCESSING_FMT, m->str);
		if (queue_requeue(w, list) == -1)
			break;
		if ((rep = redis_cmd(w->redis, "SREM %s %s", KEY_WORKERS,
		    m->str)) != NULL)
			freeReplyObject(rep);
	}
	freeReplyObject(members);
	return 0;
}

/*
 * Push a result job {"type":"result","s","t","a","body"} on the queue
 * (for the reaper: results re-polled from Judge0 or made up).  0 / -1.
 */
int
queue_push_result(struct wctx *w, const char *sid, long long tid, int attempt,
    const char *body)
{
	json_object *o;
	const char *s;
	int rc;

	if ((o = json_object_new_object()) == NULL)
		return -1;
	json_object_object_add(o, "type", json_object_new_string("result"));
	json_object_object_add(o, "s", json_object_new_string(sid));
	json_object_object_add(o, "t", json_object_new_int64(tid));
	json_object_object_add(o, "a", json_object_new_int(attempt));
	json_object_object_add(o, "body", json_object_new_string(body));
	s = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN);
	rc = queue_reply_ok(redis_cmd(w->redis, "LPUSH %s %s", KEY_QUEUE, s));
	json_object_put(o);
	return rc;
}
