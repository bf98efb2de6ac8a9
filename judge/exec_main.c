/*
 * judge/exec_main.c — pitwall-judge-exec: run one Judge0 submission from
 * the command line, for tests and debugging.
 *
 *   pitwall-judge-exec [-v] [-w work_root] [-c cache_dir] [-b box_init]
 *       [-o output_cap] [-B first_box] [-g cgroup_v2_root] [-C cache_kb]
 *       < submission.json > result.json
 *   pitwall-judge-exec -L          # installed languages
 *
 * stdin: one submission object (Judge0 field names, plain text); with -m
 * an array of them, run one after the other by the same judge (so in the
 * same warm boxes), one result per line.
 * stdout: the Judge0-shaped result.  Exit status 0 when a result was
 * printed (whatever the Judge0 status), 1 on bad input (a 422-style
 * {"field": ["message"]} is printed), 2 when the judge cannot start.
 * With -v, stderr ends with the pool's figures: "pool: N started, M
 * retired".
 */
#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>

#include "judge.h"

struct cli {
	int	 verbose;
};

static void
cli_log(void *arg, enum judge_log_level lvl, const char *msg)
{
	const struct cli *c = arg;
	static const char *const names[] = { "error", "warning", "info" };

	if (lvl == JUDGE_LOG_INFO && !c->verbose)
		return;
	fprintf(stderr, "pitwall-judge-exec: %s: %s\n", names[lvl], msg);
}

static char *
read_all(FILE *f, size_t max)
{
	char	*buf = NULL, *n;
	size_t	 len = 0, cap = 0, got;

	for (;;) {
		if (len + 4096 + 1 > cap) {
			cap = cap ? cap * 2 : 65536;
			if (cap > max + 1 || (n = realloc(buf, cap)) == NULL) {
				free(buf);
				return NULL;
			}
			buf = n;
		}
		if ((got = fread(buf + len, 1, cap - len - 1, f)) == 0)
			break;
		len += got;
	}
	buf[len] = '\0';
	return buf;
}

static void
usage(void)
{
	fprintf(stderr, "usage: pitwall-judge-exec [-Lmv] [-w work_root] "
	    "[-c cache_dir] [-b box_init] [-o output_cap] [-B first_box] "
	    "[-g cgroup_v2_root] [-C cache_kb] < submission\n");
	exit(2);
}

/* A 422-style {"field": ["msg"]}. */
static struct json_object *
field_error(const char *field, const char *msg)
{
	struct json_object *out = json_object_new_object();
	struct json_object *err = json_object_new_array();

	json_object_array_add(err, json_object_new_string(msg));
	json_object_object_add(out, field, err);
	return out;
}

/* Checks one submission; NULL, or the 422 object to print. */
static struct json_object *
check_one(struct json_object *in, struct exec_submission *sub)
{
	const char	*field, *msg;

	if (exec_json_submission(in, sub, &field, &msg) == -1 ||
	    exec_submission_check(sub, &field, &msg) == -1)
		return field_error(field, msg);
	return NULL;
}

/* Runs one checked submission; its result object, NULL when out of
 * memory. */
static struct json_object *
run_one(struct exec *ex, const struct exec_submission *sub,
    const struct cli *cli)
{
	struct exec_result res;
	struct json_object *out;
	struct timespec	 ts;
	double		 t0;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	t0 = ts.tv_sec + ts.tv_nsec / 1e9;
	if (exec_run(ex, sub, &res) == -1) {
		fprintf(stderr, "pitwall-judge-exec: out of memory\n");
		return NULL;
	}
	clock_gettime(CLOCK_MONOTONIC, &ts);
	if (cli->verbose)
		fprintf(stderr, "pitwall-judge-exec: info: compile %s, "
		    "total %.3f s\n", res.compile_cached == 1 ? "cached" :
		    res.compile_cached == 0 ? "fresh" : "none",
		    ts.tv_sec + ts.tv_nsec / 1e9 - t0);
	out = exec_json_result(&res);
	exec_result_clear(&res);
	return out;
}

static void
print(struct json_object *o)
{
	puts(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
	json_object_put(o);
}

int
main(int argc, char *argv[])
{
	struct cli	 cli = { 0 };
	struct exec_config cfg;
	struct exec	*ex = NULL;
	struct exec_submission sub;
	struct json_object *in = NULL, *out = NULL, *item;
	enum json_tokener_error jerr;
	char		*text = NULL, self[PATH_MAX], boxinit[PATH_MAX + 32];
	int		 ch, list = 0, multi = 0, rc = 2;
	size_t		 i, count;
	long		 started, retired;
	ssize_t		 n;

	memset(&cfg, 0, sizeof(cfg));
	cfg.sandbox.work_root = "/var/lib/pitwall-judge/boxes";
	cfg.cache_dir = "/var/lib/pitwall-judge/cache";
	/* Default box-init: next to this binary. */
	if ((n = readlink("/proc/self/exe", self, sizeof(self) - 1)) > 0) {
		self[n] = '\0';
		snprintf(boxinit, sizeof(boxinit), "%s/pitwall-box-init",
		    dirname(self));
		cfg.sandbox.box_init = boxinit;
	}
	while ((ch = getopt(argc, argv, "Lmvw:c:b:o:B:g:C:")) != -1) {
		switch (ch) {
		case 'L': list = 1; break;
		case 'm': multi = 1; break;
		case 'v': cli.verbose = 1; break;
		case 'w': cfg.sandbox.work_root = optarg; break;
		case 'c': cfg.cache_dir = optarg; break;
		case 'b': cfg.sandbox.box_init = optarg; break;
		case 'o': cfg.sandbox.output_cap = strtoul(optarg, NULL, 10);
			break;
		case 'B': cfg.sandbox.first_box = atoi(optarg); break;
		case 'g': cfg.sandbox.cgroup_v2_root = optarg; break;
		case 'C': cfg.cache_max_kb = strtoul(optarg, NULL, 10); break;
		default: usage();
		}
	}
	if (list) {
		out = exec_json_languages();
		puts(json_object_to_json_string_ext(out, JSON_C_TO_STRING_PLAIN));
		json_object_put(out);
		return 0;
	}
	cfg.sandbox.log = cli_log;
	cfg.sandbox.log_arg = &cli;
	if ((text = read_all(stdin, 16 << 20)) == NULL) {
		fprintf(stderr, "pitwall-judge-exec: cannot read stdin\n");
		goto out;
	}
	in = json_tokener_parse_verbose(text, &jerr);
	if (in == NULL || (multi && !json_object_is_type(in,
	    json_type_array))) {
		print(field_error("submission", in == NULL ?
		    json_tokener_error_desc(jerr) : "an array is expected"));
		rc = 1;
		goto out;
	}
	if (!multi && (out = check_one(in, &sub)) != NULL) {
		print(out);
		out = NULL;
		rc = 1;
		goto out;
	}
	if ((ex = exec_new(&cfg)) == NULL) {
		fprintf(stderr, "pitwall-judge-exec: cannot start the judge\n");
		goto out;
	}
	count = multi ? json_object_array_length(in) : 1;
	for (i = 0; i < count; i++) {
		item = multi ? json_object_array_get_idx(in, i) : in;
		if (multi && (out = check_one(item, &sub)) != NULL) {
			print(out);
			continue;
		}
		if ((out = run_one(ex, &sub, &cli)) == NULL)
			goto out;
		print(out);
	}
	out = NULL;
	exec_pool_stats(ex, &started, &retired);
	if (cli.verbose)
		fprintf(stderr, "pitwall-judge-exec: info: pool: %ld started, "
		    "%ld retired\n", started, retired);
	rc = 0;
out:
	json_object_put(in);
	json_object_put(out);
	exec_free(ex);
	free(text);
	return rc;
}
