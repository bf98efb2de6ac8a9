/*
 * Pitwall configuration: one table of settings (lib/config.c), read from
 * the environment.  Secrets may come from files (NAME_FILE).  A bad value
 * stops the program at start with a message naming the variable.
 */
#ifndef PITWALL_CONFIG_H
#define PITWALL_CONFIG_H

#include <stddef.h>
#include <stdio.h>

struct config {
	/* logging */
	char	*log_level;
	char	*log_format;
	char	*log_file;

	/* stores */
	char	*database_url;
	int	 db_connect_timeout_s;
	char	*redis_socket;
	char	*redis_host;
	int	 redis_port;
	char	*redis_user;
	char	*redis_password;
	int	 redis_timeout_ms;
	char	*redis_password_dir;
	char	*redis_sentinels;
	char	*redis_sentinel_password;
	char	*redis_address_map;
	char	*redis_master_name;
	int	 redis_wait_replicas;
	int	 redis_wait_timeout_ms;

	/* auth */
	char	*jwt_secret;
	char	*jwt_issuer;
	int	 jwt_ttl_s;
	char	*callback_secret;
	char	*callback_base_url;
	char	*live_publish_url;

	/* judge0 */
	char	*judge0_url;
	int	 judge_embedded;	/* JUDGE0_URL is Pitwall's embedded judge */
	char	*judge0_auth_header;
	char	*judge0_auth_token;
	char	*judge0_rapidapi_key;
	char	*judge0_rapidapi_host;
	int	 judge0_batch_size;
	int	 judge0_connect_timeout_ms;
	int	 judge0_timeout_ms;
	double	 judge0_max_cpu_time_s;
	int	 judge0_deadline_s;

	/* contestant routes */
	int	 fcgi_threads;
	int	 max_source_bytes;
	int	 max_body_bytes;
	int	 max_callback_bytes;	/* 0 in the environment: derived at load */
	int	 judge0_max_file_size_kb;
	int	 submit_rate_per_min;
	int	 run_rate_per_min;
	int	 clar_rate_per_min;
	int	 team_max_members;
	int	 login_fail_rate_per_min;
	int	 login_ip_fail_rate_per_min;
	int	 run_timeout_ms;
	int	 output_limit_bytes;
	int	 cache_ttl_s;

	/* worker */
	char	*worker_id;
	int	 worker_batch;
	int	 worker_heartbeat_s;
	int	 worker_reap_interval_s;
	int	 worker_max_attempts;

	/* embedded judge (pitwall-judge, pitwall-judge-runner) */
	char	*judge_auth_header;
	char	*judge_auth_token;
	int	 judge_max_queue;
	int	 judge_max_batch;
	int	 judge_max_body_bytes;
	int	 judge_api_threads;
	int	 judge_api_procs;
	int	 judge_runners;
	int	 judge_submission_ttl_s;
	int	 judge_wait_max_s;
	char	*judge_box_dir;
	char	*judge_cache_dir;
	int	 judge_first_box;
	int	 judge_boxes;
	char	*judge_host_name;
	int	 judge_heartbeat_s;
	int	 judge_callback_tries;
	int	 judge_callback_timeout_ms;
};

enum config_type {
	CONFIG_STR,
	CONFIG_SECRET,	/* a string that may come from NAME_FILE */
	CONFIG_INT,
	CONFIG_DOUBLE,
	CONFIG_ENUM,	/* a string from a '|'-separated list in `choices` */
	CONFIG_TYPE__MAX
};

/* Flags for what a program insists on; see config_load(). */
#define CONFIG_NEED_JWT		0x01	/* non-empty JWT_SECRET */
#define CONFIG_NEED_CALLBACK	0x02	/* non-empty CALLBACK_SECRET */
#define CONFIG_NEED_DB		0x04	/* non-empty DATABASE_URL */

struct config_setting {
	const char		*env;
	enum config_type	 type;
	const char		*def;
	double			 min, max;
	const char		*choices;
	size_t			 offset;
	const char		*desc;
};

extern const struct config_setting config_settings[];
extern const size_t config_nsettings;

/*
 * Fill `cfg` from `getenv_fn` (getenv in programs, a fake in tests).
 * On error returns -1 and writes a message naming the variable into err.
 * The strings in cfg are owned by cfg: release with config_free().
 */
typedef const char *(*config_getenv_fn)(const char *);
/*
 * The largest callback body Judge0 can send when programs may write
 * max_file_size_kb (MAX_CALLBACK_BYTES=0 means this).
 */
int	config_callback_bytes(int max_file_size_kb);

int	config_load(struct config *cfg, unsigned need, config_getenv_fn getenv_fn,
	    char *err, size_t errsz);

/* As config_load with getenv; prints the error and exits 78 (EX_CONFIG). */
void	config_load_or_exit(struct config *cfg, unsigned need, const char *prog);

/*
 * Read the secret file PATH (ENV names the setting in messages): refused
 * when group or others can reach it, when not regular or over 64 KiB; one
 * trailing newline dropped.  A malloc'd string, or NULL with err set.
 */
char	*config_read_secret_file(const char *env, const char *path, char *err,
	    size_t errsz);

/* Release the strings of cfg, wiping secrets.  Accepts a zeroed cfg. */
void	config_free(struct config *cfg);

/* Print the settings table as Markdown (the README's table comes from it). */
void	config_print_markdown(FILE *fp);

/* Print an example environment file with every setting commented. */
void	config_print_example(FILE *fp);

#endif
