/* Unit tests of lib/config.c: defaults, ranges, secret files, refusals. */
#include <sys/stat.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "config.h"

#define KEY32 "0123456789abcdef0123456789abcdef"

static const char *fake_env[32][2];

static void
env_set(const char *k, const char *v)
{
	int i;

	for (i = 0; i < 32; i++)
		if (fake_env[i][0] == NULL || strcmp(fake_env[i][0], k) == 0) {
			fake_env[i][0] = k;
			fake_env[i][1] = v;
			return;
		}
}

static const char *
fake_getenv(const char *k)
{
	int i;

	for (i = 0; i < 32 && fake_env[i][0] != NULL; i++)
		if (strcmp(fake_env[i][0], k) == 0)
			return fake_env[i][1];
	return NULL;
}

static int
setup(void **state)
{
	(void)state;
	memset(fake_env, 0, sizeof(fake_env));
	env_set("JWT_SECRET", KEY32);
	env_set("CALLBACK_SECRET", KEY32 "x");
	return 0;
}

static void
test_defaults(void **state)
{
	struct config cfg;
	char err[256];

	(void)state;
	assert_int_equal(config_load(&cfg, CONFIG_NEED_JWT | CONFIG_NEED_CALLBACK,
	    fake_getenv, err, sizeof(err)), 0);
	assert_int_equal(cfg.judge0_batch_size, 20);
	assert_int_equal(cfg.redis_port, 6379);
	assert_true(cfg.judge0_max_cpu_time_s == 15.0);
	assert_string_equal(cfg.log_level, "info");
	assert_string_equal(cfg.judge0_url, "http://127.0.0.1:2358");
	assert_string_equal(cfg.jwt_secret, KEY32);
	config_free(&cfg);
}

static void
test_values_and_ranges(void **state)
{
	struct config cfg;
	char err[256];

	(void)state;
	env_set("JUDGE0_BATCH_SIZE", "5");
	assert_int_equal(config_load(&cfg, 0, fake_getenv, err, sizeof(err)), 0);
	assert_int_equal(cfg.judge0_batch_size, 5);
	config_free(&cfg);

	env_set("JUDGE0_BATCH_SIZE", "0");
	assert_int_equal(config_load(&cfg, 0, fake_getenv, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "JUDGE0_BATCH_SIZE"));
	assert_non_null(strstr(err, "out of range"));

	env_set("JUDGE0_BATCH_SIZE", "20x");
	assert_int_equal(config_load(&cfg, 0, fake_getenv, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "JUDGE0_BATCH_SIZE"));

	env_set("JUDGE0_BATCH_SIZE", "");
	assert_int_equal(config_load(&cfg, 0, fake_getenv, err, sizeof(err)), -1);

	env_set("JUDGE0_BATCH_SIZE", "99999999999999999999");
	assert_int_equal(config_load(&cfg, 0, fake_getenv, err, sizeof(err)), -1);

	env_set("JUDGE0_BATCH_SIZE", "20");
	env_set("JUDGE0_MAX_CPU_TIME", "2.5");
	assert_int_equal(config_load(&cfg, 0, fake_getenv, err, sizeof(err)), 0);
	assert_true(cfg.judge0_max_cpu_time_s == 2.5);
	config_free(&cfg);

	env_set("PITWALL_LOG_LEVEL", "loud");
	assert_int_equal(config_load(&cfg, 0, fake_getenv, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "PITWALL_LOG_LEVEL"));

	env_set("PITWALL_LOG_LEVEL", "debug");
	env_set("JUDGE0_URL", "ftp://x");
	assert_int_equal(config_load(&cfg, 0, fake_getenv, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "JUDGE0_URL"));
}

static void
test_refuses_empty_and_short_secrets(void **state)
{
	struct config cfg;
	char err[256];

	(void)state;
	env_set("JWT_SECRET", "");
	assert_int_equal(config_load(&cfg, CONFIG_NEED_JWT, fake_getenv, err,
	    sizeof(err)), -1);
	assert_non_null(strstr(err, "JWT_SECRET"));

	/* Not needed by this program: accepted. */
	assert_int_equal(config_load(&cfg, CONFIG_NEED_CALLBACK, fake_getenv, err,
	    sizeof(err)), 0);
	config_free(&cfg);

	env_set("JWT_SECRET", "short");
	assert_int_equal(config_load(&cfg, CONFIG_NEED_JWT, fake_getenv, err,
	    sizeof(err)), -1);
	assert_non_null(strstr(err, "too short"));

	env_set("JWT_SECRET", KEY32);
	env_set("CALLBACK_SECRET", "");
	assert_int_equal(config_load(&cfg, CONFIG_NEED_CALLBACK, fake_getenv, err,
	    sizeof(err)), -1);
	assert_non_null(strstr(err, "CALLBACK_SECRET"));

	env_set("DATABASE_URL", "");
	assert_int_equal(config_load(&cfg, CONFIG_NEED_DB, fake_getenv, err,
	    sizeof(err)), -1);
	assert_non_null(strstr(err, "DATABASE_URL"));
}

static char *
write_tmp(const char *content, mode_t mode)
{
	static char path[64];
	int fd;

	snprintf(path, sizeof(path), "/tmp/pitwall-cfgtest.XXXXXX");
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, content, strlen(content)), (ssize_t)strlen(content));
	close(fd);
	chmod(path, mode);
	return path;
}

static void
test_secret_files(void **state)
{
	struct config cfg;
	char err[256], *path;

	(void)state;
	path = write_tmp(KEY32 "file\n", 0600);
	env_set("JWT_SECRET", NULL);
	env_set("JWT_SECRET_FILE", path);
	assert_int_equal(config_load(&cfg, CONFIG_NEED_JWT, fake_getenv, err,
	    sizeof(err)), 0);
	assert_string_equal(cfg.jwt_secret, KEY32 "file");	/* newline dropped */
	config_free(&cfg);

	/* Both the value and the file: ambiguous, refused. */
	env_set("JWT_SECRET", KEY32);
	assert_int_equal(config_load(&cfg, CONFIG_NEED_JWT, fake_getenv, err,
	    sizeof(err)), -1);
	assert_non_null(strstr(err, "both"));
	env_set("JWT_SECRET", NULL);

	/* Readable by others: refused. */
	chmod(path, 0644);
	assert_int_equal(config_load(&cfg, CONFIG_NEED_JWT, fake_getenv, err,
	    sizeof(err)), -1);
	assert_non_null(strstr(err, "JWT_SECRET_FILE"));
	assert_non_null(strstr(err, "chmod 600"));
	unlink(path);

	/* Missing file: refused with the variable's name. */
	assert_int_equal(config_load(&cfg, CONFIG_NEED_JWT, fake_getenv, err,
	    sizeof(err)), -1);
	assert_non_null(strstr(err, "JWT_SECRET_FILE"));

	/* An empty file is an empty key. */
	path = write_tmp("", 0600);
	env_set("JWT_SECRET_FILE", path);
	assert_int_equal(config_load(&cfg, CONFIG_NEED_JWT, fake_getenv, err,
	    sizeof(err)), -1);
	assert_non_null(strstr(err, "JWT_SECRET"));
	unlink(path);
}

static void
test_markdown_lists_every_setting(void **state)
{
	char *buf = NULL;
	size_t len = 0, i;
	FILE *fp = open_memstream(&buf, &len);

	(void)state;
	config_print_markdown(fp);
	fclose(fp);
	for (i = 0; i < config_nsettings; i++)
		assert_non_null(strstr(buf, config_settings[i].env));
	free(buf);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_defaults, setup),
		cmocka_unit_test_setup(test_values_and_ranges, setup),
		cmocka_unit_test_setup(test_refuses_empty_and_short_secrets, setup),
		cmocka_unit_test_setup(test_secret_files, setup),
		cmocka_unit_test_setup(test_markdown_lists_every_setting, setup),
	};
	return cmocka_run_group_tests_name("config", tests, NULL, NULL);
}
