/*
 * judge/exec_main.c — pitwall-judge-exec: run one Judge0 submission from
 * the command line, for tests and debugging.
 *
 *   pitwall-judge-exec [-v] [-w work_root] [-c cache_dir] [-b box_init]
 *       [-o output_cap] [-B first_box] [-g cgroup_v2_root] [-C cache_kb]
 *       < submission.json > result.json
 *   pitwall-judge-exec -L          # installed languages
 *
 * stdin: one submission object (Judge0 field names, plain text).
 * stdout: the Judge0-shaped result.  Exit status 0 when a result was
 * printed (whatever the Judge0 status), 1 on bad input (a 422-style
 * {"field": ["message"]} is printed), 2 when the judge cannot start.
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
	fprintf(stderr, "usage: pitwall-judge-exec [-Lv] [-w work_root] "
	    "[-c cache_dir] [-b box_init] [-o output_cap] [-B first_box] "
	    "[-g cgroup_v2_root] [-C cache_kb] < submission\n");
	exit(2);
}

int
main(int argc, char *argv[])
{
	struct cli	 cli = { 0 };
	struct exec_config cfg;
	struct exec	*ex = NULL;
	struct exec_submission sub;
	struct exec_result res;
	struct json_object *in = NULL, *out = NULL, *err;
	enum json_tokener_error jerr;
	const char	*field, *msg;
	char		*text = NULL, self[PATH_MAX], boxinit[PATH_MAX + 32];
	int		 ch, list = 0, rc = 2;
	double		 t0;
	struct timespec	 ts;
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
	while ((ch = getopt(argc, argv, "Lvw:c:b:o:B:g:C:")) != -1) {
		switch (ch) {
		case 'L': list = 1; break;
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
	if (in == NULL || exec_json_submission(in, &sub, &field, &msg) == -1 ||
	    exec_submission_check(&sub, &field, &msg) == -1) {
		if (in == NULL) {
			field = "submission";
			msg = json_tokener_error_desc(jerr);
		}
		out = json_object_new_object();
		err = json_object_new_array();
		json_object_array_add(err, json_object_new_string(msg));
		json_object_object_add(out, field, err);
		puts(json_object_to_json_string_ext(out, JSON_C_TO_STRING_PLAIN));
		rc = 1;
		goto out;
	}
	if ((ex = exec_new(&cfg)) == NULL) {
		fprintf(stderr, "pitwall-judge-exec: cannot start the judge\n");
		goto out;
	}
	clock_gettime(CLOCK_MONOTONIC, &ts);
	t0 = ts.tv_sec + ts.tv_nsec / 1e9;
	if (exec_run(ex, &sub, &res) == -1) {
		fprintf(stderr, "pitwall-judge-exec: out of memory\n");
		goto out;
	}
	clock_gettime(CLOCK_MONOTONIC, &ts);
	if (cli.verbose)
		fprintf(stderr, "pitwall-judge-exec: info: compile %s, "
		    "total %.3f s\n", res.compile_cached == 1 ? "cached" :
		    res.compile_cached == 0 ? "fresh" : "none",
		    ts.tv_sec + ts.tv_nsec / 1e9 - t0);
	out = exec_json_result(&res);
	puts(json_object_to_json_string_ext(out, JSON_C_TO_STRING_PLAIN));
	exec_result_clear(&res);
	rc = 0;
out:
	json_object_put(in);
	json_object_put(out);
	exec_free(ex);
	free(text);
	return rc;
}
