/*
 * judge/judge.h — private header of the core of Pitwall's embedded
 * Judge0-compatible judge: the sandbox (one bubblewrap box per run), the
 * language table and the executor that turns a Judge0 submission into a
 * Judge0 result.  The service layer (API, runners, Redis store) declares
 * its own in service.h.
 *
 * Layering: exec_* uses lang_*, sandbox_* and fs_*; sandbox_* uses box_*,
 * cgroup_* and fs_*.  The core does not use lib/ (pitwall-judge-exec links
 * it alone); logging goes through a callback held in the sandbox context
 * (no global state).
 */
#ifndef PITWALL_JUDGE_H
#define PITWALL_JUDGE_H

#include <stddef.h>
#include <stdint.h>
#include <glob.h>
#include <pthread.h>
#include <sys/types.h>

struct json_object;

/* ------------------------------------------------------------------ */
/* Logging                                                              */

enum judge_log_level { JUDGE_LOG_ERR, JUDGE_LOG_WARN, JUDGE_LOG_INFO };

/* Called with one formatted line (no trailing newline). */
typedef void judge_log_fn(void *arg, enum judge_log_level lvl, const char *msg);

/* ------------------------------------------------------------------ */
/* Sandbox (sandbox.c, cgroup.c)                                        */

struct sandbox_config {
	const char	*work_root;	/* box dirs live here; created 0711 */
	const char	*lock_dir;	/* box-N.lock files; NULL: work_root */
	const char	*box_init;	/* path of pitwall-box-init */
	const char	*bwrap;		/* NULL: /usr/bin/bwrap */
	const char	*cgroup_v2_root;/* NULL: auto (our own cgroup) */
	int		 first_box;	/* box ids first_box .. +box_count-1 */
	int		 box_count;
	uid_t		 first_uid;	/* box N runs as first_uid + N */
	size_t		 output_cap;	/* bytes kept per stream; 0: 64 KiB */
	size_t		 box_kb;	/* /box tmpfs size; 0: 256 MiB */
	size_t		 box_inodes;	/* and its inodes; 0: 8192 */
	judge_log_fn	*log;		/* NULL: stderr */
	void		*log_arg;
};

enum cgroup_mode { CGROUP_NONE, CGROUP_V1, CGROUP_V2 };

/* Limits of one run.  0 means "no limit" for every field. */
struct sandbox_limits {
	double	cpu_time;	/* s, reported as exceeded above this */
	double	cpu_extra;	/* s, killed at cpu_time + cpu_extra */
	double	wall_time;	/* s, killed at this */
	long	memory_kb;	/* cgroup limit */
	long	stack_kb;
	long	fsize_kb;	/* every written file, stdout/stderr too */
	int	max_procs;	/* processes + threads of the program */
	int	nofile;		/* open files; 0: 256 */
};

/* A file placed in /box before the run. */
struct sandbox_file {
	const char	*name;	/* plain name, no '/' */
	const void	*data;
	size_t		 len;
	mode_t		 mode;
};

struct sandbox_request {
	const char *const	*argv;		/* run in /box; argv[0] path */
	const void		*stdin_data;	/* may be NULL */
	size_t			 stdin_len;
	const struct sandbox_file *files;	/* may be NULL */
	size_t			 nfiles;
	const char		*copy_from;	/* dir whose files go in /box */
	const char		*collect_to;	/* existing dir: /box files out */
	int			 merge_stderr;	/* stderr into stdout */
	/* >= 0: the program's stdin / stdout is this descriptor (stdin_data
	 * is then unused, stdout not captured); -1: stdin_data and a
	 * captured stdout.  A zeroed request must set both to -1. */
	int			 in_fd;
	int			 out_fd;
	struct sandbox_limits	 limits;
};

enum sandbox_outcome {
	SANDBOX_EXITED,		/* exit_code valid */
	SANDBOX_SIGNALED,	/* exit_signal valid */
	SANDBOX_KILLED,		/* we killed it: time limit */
	SANDBOX_EXEC_FAILED,	/* exec_errno valid (ENOEXEC -> status 14) */
	SANDBOX_INTERNAL	/* the box itself failed; see message */
};

struct sandbox_result {
	enum sandbox_outcome outcome;
	int	 exit_code;
	int	 exit_signal;
	int	 exec_errno;
	double	 cpu_time;	/* s, of all the box ran (cgroup) but set-up */
	double	 wall_time;	/* s */
	long	 memory_kb;	/* peak */
	int	 cpu_limit_hit;
	int	 wall_limit_hit;
	int	 memory_limit_hit;
	char	*out;		/* NUL-terminated, owned; may hold NULs */
	size_t	 out_len;
	int	 out_truncated;
	char	*err;
	size_t	 err_len;
	int	 err_truncated;
	char	 message[256];	/* why, for SANDBOX_INTERNAL */
};

struct sandbox;

/* Creates the context: checks bwrap, box-init, work_root and probes
 * cgroups (v2 delegated or v1; none is a configuration error, logged
 * with what is missing).  Logs the degraded mode of a judge not run as
 * root.  Returns NULL on a configuration error (logged).  Caller frees
 * with sandbox_free(). */
struct sandbox	*sandbox_new(const struct sandbox_config *);
void		 sandbox_free(struct sandbox *);

/* Runs one command in a box of the warm pool, reset since its last run
 * (nothing of an earlier run is visible).  Safe from several threads at
 * once, each getting its own box.  Returns 0 when *res was filled (any
 * outcome, SANDBOX_INTERNAL included) and -1 only on bad arguments.  The
 * caller releases res with sandbox_result_clear(). */
int		 sandbox_run(struct sandbox *, const struct sandbox_request *,
		    struct sandbox_result *);
void		 sandbox_result_clear(struct sandbox_result *);
/* Boxes the pool started and retired (could not be reset) so far. */
void		 sandbox_pool_stats(struct sandbox *, long *started,
		    long *retired);
void		 sandbox_log(const struct sandbox *, enum judge_log_level,
		    const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/*
 * pitwall-box-init, pid 1 of a warm box, reads one box_cmd per run on
 * BOX_CTL_FD (a SOCK_SEQPACKET socket), with descriptors attached
 * (SCM_RIGHTS): stdin, stdout, stderr, the report pipe's write end and
 * the run cgroup's cgroup.procs (1 for v2, 3 for v1).  It forks the
 * program, which joins the run cgroup; once the program has ended it kills
 * every other process of the box, empties /tmp and
 * /dev/shm, removes SysV IPC objects and answers one byte on BOX_CTL_FD:
 * BOX_ACK_CLEAN, or BOX_ACK_DIRTY when the reset failed.
 */
#define BOX_CTL_FD	3
#define BOX_CMD_ARGS	32768
#define BOX_CMD_FDS	7
#define BOX_ACK_CLEAN	'k'
#define BOX_ACK_DIRTY	'f'

struct box_cmd {
	int64_t	 cpu;		/* RLIMIT_CPU s; 0: none */
	int64_t	 fsize;		/* bytes; 0: none */
	int64_t	 stack;		/* bytes; 0: unchanged */
	int64_t	 nofile;
	uint32_t nfds;		/* descriptors attached */
	uint32_t len;		/* bytes of args used */
	char	 args[BOX_CMD_ARGS];	/* argv, each NUL-terminated */
};

/* What box-init writes on the report pipe when the program ends.  Absent
 * when the run was killed. */
enum box_report_kind { BOX_REPORT_EXITED = 1, BOX_REPORT_EXEC_FAILED };

struct box_report {
	int	 kind;
	int	 exec_errno;
	int	 wstatus;
	int	 pad;
	int64_t	 cpu_us;	/* program + descendants box-init reaped */
	int64_t	 wall_us;
	int64_t	 maxrss_kb;
};

/* cgroup.c — private to the sandbox. */
#define CGROUP_NFILES	11
struct cgroup_base {
	enum cgroup_mode mode;
	char	 mem[512];	/* parent dirs of per-run groups */
	char	 pids[512];
	char	 cpu[512];	/* cpuacct (v1); == mem for v2 */
};

struct cgroup_run {
	enum cgroup_mode mode;
	char	 mem[600];
	char	 pids[600];
	char	 cpu[600];
	/* Opened before fork so the child only has to write(). */
	int	 procs_fd[3];
	/* A kept v1 group's attribute files, opened once (cgroup.c's
	 * cg_files[]): fd + 1, 0 when not open. */
	int	 file[CGROUP_NFILES];
	long	 oom0;		/* OOM kills before this run (v1, kept) */
	long long base;		/* bytes charged before this run (v1, kept) */
};

int	cgroup_probe(struct cgroup_base *, const char *v2_root,
	    char *why, size_t whylen);	/* -1: none usable, see why */
int	cgroup_create(const struct cgroup_base *, const char *name,
	    const struct sandbox_limits *, struct cgroup_run *);
int	cgroup_enter(const struct cgroup_run *);	/* async-signal-safe */
int	cgroup_cpu_usage(const struct cgroup_run *, double *sec);
int	cgroup_kill_all(const struct cgroup_run *);
int	cgroup_kill_but(const struct cgroup_run *, pid_t keep);
int	cgroup_stats(const struct cgroup_run *, long *peak_kb, int *oom);
int	cgroup_destroy(struct cgroup_run *);
/* A box's run group for one run, and its reset after (see cgroup.c):
 * kept for the box's life on v1, made per run on v2. */
int	cgroup_run_begin(const struct cgroup_base *, const char *name,
	    const struct sandbox_limits *, struct cgroup_run *);
int	cgroup_run_end(struct cgroup_run *);
/* The box's own group (holds bwrap and box-init in <name>/init; runs go
 * in <name>/run); removed with what is left in it. */
int	cgroup_box_create(const struct cgroup_base *, const char *name,
	    struct cgroup_run *holder);
int	cgroup_box_remove(const struct cgroup_base *, const char *name);

/* sandbox.c and box.c only: the context and one locked box. */
#define BOX_MAX_ARGS	512
#define POOL_MAX	64	/* idle boxes kept */

struct box;

struct sandbox {
	struct sandbox_config cfg;
	char		*work_root;
	char		*lock_dir;
	char		*box_init;	/* readable by every box uid */
	char		*bwrap;
	int		 is_root;
	struct cgroup_base cg;
	glob_t		 etc_java;	/* /etc/java* for the JVM */
	int		 have_glob;
	/* The warm pool (pool.c): idle boxes, guarded by pool_lock. */
	pthread_mutex_t	 pool_lock;
	struct box	*idle[POOL_MAX];
	int		 nidle;
	long		 started;
	long		 retired;
};

/* A warm box: a locked id, its tmpfs and cgroup, and a bwrap whose pid 1
 * (box-init) runs the commands sent on ctl.  Owned by one run at a time. */
struct box {
	int	 id;
	int	 lock_fd;
	uid_t	 uid;
	char	 dir[600];
	char	 cgname[64];	/* pitwall-box-N */
	char	 runcg[80];	/* pitwall-box-N/run */
	struct cgroup_run holder;
	struct cgroup_run run;	/* runcg (mode CGROUP_NONE: not made) */
	pid_t	 bwrap;		/* our child */
	int	 ctl;		/* control socket, -1 when none */
	long	 runs;
};

/* pool.c — the warm boxes: take one (started when none is idle), give it
 * back after a reset or retire it. */
struct box *pool_take(struct sandbox *, char *msg, size_t);
void	pool_give(struct sandbox *, struct box *);
void	pool_retire(struct sandbox *, struct box *, const char *why);
void	pool_free(struct sandbox *);

/* box.c — the mechanics of one box (see sandbox.c for the flow). */
int	box_acquire(struct sandbox *, struct box *, char *msg, size_t);
void	box_empty(struct sandbox *, struct box *);
void	box_release(struct box *);
int	box_mount(const struct sandbox *, const char *dir, uid_t);
int	box_fill(struct sandbox *, const struct box *,
	    const struct sandbox_request *);
void	box_kill_uid(const struct sandbox *, uid_t);
int	box_argv(const struct sandbox *, const struct box *, char **av,
	    char store[][64]);
void	box_child(const struct sandbox *, const struct box *, int ctl,
	    char **av) __attribute__((noreturn));
int	box_memfd(const char *name, const void *data, size_t len);
int	box_slurp(int fd, size_t cap, char **data, size_t *len,
	    int *truncated);
int	box_send(const struct box *, const struct sandbox_limits *,
	    const char *const *argv, const int *fds, int nfds);
int	box_watch(struct sandbox_result *, const struct box *,
	    const struct cgroup_run *, const struct sandbox_limits *,
	    double start);
double	box_now(void);

/* fs.c — file helpers used by sandbox and exec. */
int	fs_rmtree(const char *path);
int	fs_empty(const char *path);	/* rmtree of what is in path */
int	fs_write_file(const char *path, const void *, size_t, mode_t);
int	fs_read_file(const char *path, char **data, size_t *len, size_t max);
int	fs_copy_files(const char *from, const char *to, uid_t, gid_t,
	    size_t max_total);
int	fs_mkdir_p(const char *path, mode_t);
int	fs_cache_evict(const char *dir, size_t namelen, long long max_bytes,
	    int keep_s);
long long fs_du(const char *path);

/* ------------------------------------------------------------------ */
/* Languages (lang.c)                                                   */

struct lang {
	int		 id;		/* Judge0 CE id */
	const char	*name;		/* Judge0 CE name, exactly (fallback) */
	const char	*source_file;	/* e.g. main.c */
	const char *const *compile;	/* argv before the options; NULL */
	const char *const *compile_tail;/* argv after the options */
	const char *const *run;		/* argv before the arguments */
	const char	*probe[2];	/* binaries that must exist */
	const char	*label;		/* "C (GCC %s)": the installed version */
	const char *const *version;	/* argv printing it; NULL: name as is */
	double		 compile_cpu_s;	/* 0: Judge0's maximum (15 s CPU, */
	double		 compile_wall_s;/* 20 s wall) */
};

const struct lang *lang_find(int id);
size_t		 lang_count(void);
const struct lang *lang_at(size_t i);
int		 lang_installed(const struct lang *);
/*
 * The name GET /languages shows: the label with the version the installed
 * toolchain reports ("C (GCC 12.2.0)"), probed once per process (the
 * first call runs every probe, a few seconds at most; lang_probe() at
 * start takes that cost there); Judge0's name when the probe fails.  The
 * id stays Judge0's.  Static storage, read-only after the probe.
 */
const char	*lang_name(const struct lang *);
void		 lang_probe(void);

/* Splits s like a shell would for words (quotes and backslashes, no
 * expansion) and appends the words to *argv (NULL-terminated, realloc'd,
 * *argc counts).  Returns -1 on unbalanced quotes or allocation failure.
 * Caller frees with lang_argv_free(). */
int		 lang_argv_append(char ***argv, size_t *argc, const char *s);
void		 lang_argv_free(char **argv);

/* ------------------------------------------------------------------ */
/* Executor (exec.c, exec_json.c)                                       */

enum exec_status {
	EXEC_IN_QUEUE = 1, EXEC_PROCESSING, EXEC_ACCEPTED, EXEC_WRONG_ANSWER,
	EXEC_TLE, EXEC_CE, EXEC_SIGSEGV, EXEC_SIGXFSZ, EXEC_SIGFPE,
	EXEC_SIGABRT, EXEC_NZEC, EXEC_RE_OTHER, EXEC_INTERNAL,
	EXEC_FORMAT_ERROR, EXEC_STATUS__MAX
};

/* Plain (not base64) Judge0 submission; strings may be NULL. */
struct exec_submission {
	const char	*source_code;
	size_t		 source_len;
	int		 language_id;
	const char	*stdin_data;
	size_t		 stdin_len;
	const char	*expected_output;
	size_t		 expected_len;
	const char	*compiler_options;
	const char	*command_line_arguments;
	double		 cpu_time_limit;
	double		 cpu_extra_time;
	double		 wall_time_limit;
	long		 memory_limit;		/* KB */
	long		 stack_limit;		/* KB */
	int		 max_processes_and_or_threads;
	long		 max_file_size;		/* KB */
	int		 redirect_stderr_to_stdout;
	int		 enable_network;	/* ignored: always off */
	int		 number_of_runs;
	/* Pitwall's extension (docs/judge.md): the pitwall_validator
	 * object as JSON text, NULL when none; expected_output is then the
	 * validator's answer file, not compared. */
	const char	*validator_json;
	size_t		 validator_json_len;
};

/* A nullable byte string of the result. */
struct exec_text {
	char	*data;		/* NULL: JSON null; else NUL-terminated */
	size_t	 len;
};

/* What a custom or interactive validator said (pitwall_validation). */
struct exec_validation {
	int		 present;	/* the validator was built or run */
	int		 exit;		/* < 0: null (it did not exit) */
	struct exec_text judgemessage;
	struct exec_text teammessage;
	char		 score[48];	/* "" when null */
};

struct exec_result {
	int		 status_id;
	struct exec_text stdout_text;
	struct exec_text stderr_text;
	struct exec_text compile_output;
	struct exec_text message;
	double		 time;		/* CPU s; < 0: null */
	double		 wall_time;	/* s; < 0: null */
	long		 memory;	/* KB; < 0: null */
	int		 exit_code;	/* < 0: null */
	int		 exit_signal;	/* < 0: null */
	int		 compile_cached;/* 1 hit, 0 compiled, -1 no compile */
	struct exec_validation validation;
};

struct exec_config {
	struct sandbox_config	 sandbox;
	const char		*cache_dir;	/* compile cache */
	size_t			 cache_max_kb;	/* its bound; 0: 1 GiB */
};

struct exec;

struct exec	*exec_new(const struct exec_config *);
void		 exec_free(struct exec *);
/* The sandbox's pool figures (sandbox_pool_stats). */
void		 exec_pool_stats(struct exec *, long *started, long *retired);

/* Judge0 defaults for every optional field. */
void		 exec_submission_defaults(struct exec_submission *);
/* Range checks per Judge0; on failure returns -1 and sets *field and *msg
 * (static strings) for a 422 {"field": ["msg"]}. */
int		 exec_submission_check(const struct exec_submission *,
		    const char **field, const char **msg);
/* Compiles (once per digest) and runs.  Returns 0 with *res filled (any
 * status, 13 included) or -1 on allocation failure.  Caller releases res
 * with exec_result_clear(). */
int		 exec_run(struct exec *, const struct exec_submission *,
		    struct exec_result *);
void		 exec_result_clear(struct exec_result *);
const char	*exec_status_description(int id);
/* For validate.c and interact.c: a copy of data[0..len) (NULL: null),
 * a status with its message, the build of argv on files into the compile
 * cache entry `hex` (0 with *dir the files to copy into a box, caller
 * frees; -1 with r's status 6 or 13), and the submission's run(s) with
 * stdin/stdout on in_fd/out_fd (-1: the memfds). */
int		 exec_text_set(struct exec_text *, const char *data, size_t len);
struct sandbox	*exec_sandbox(struct exec *);
int		 exec_result_fail(struct exec_result *, int status,
		    const char *msg);
int		 exec_build_cached(struct exec *, const char *hex,
		    const char *const *argv, const struct sandbox_file *files,
		    size_t nfiles, const struct sandbox_limits *lim,
		    struct exec_result *r, char **dir);
int		 exec_runs(struct exec *, const struct lang *,
		    const struct exec_submission *, const char *files,
		    struct exec_result *, int in_fd, int out_fd);

/* ------------------------------------------------------------------ */
/* Validators (validate.c, interact.c): Pitwall's extension             */

enum validator_mode { VALIDATOR_CUSTOM, VALIDATOR_INTERACTIVE,
	VALIDATOR_MODE__MAX };

/* A validator source, by its base name in the box. */
struct validator_file {
	char	*name;
	char	*data;
	size_t	 len;
};

struct validator_spec {
	enum validator_mode	 mode;
	int			 language_id;	/* 50 C, 54 C++, 71 Python */
	char			 digest[65];	/* our own hash: the cache key */
	char			*flags;		/* "" when none */
	double			 time_limit;	/* s */
	long			 memory_kb;
	struct validator_file	*files;
	size_t			 nfiles;
};

/* Most files and bytes of a validator; message files kept per run. */
#define VALIDATOR_FILES_MAX	64
#define VALIDATOR_BYTES_MAX	((size_t)8 << 20)
#define VALIDATOR_MESSAGE_MAX	((size_t)64 << 10)

/* Parses pitwall_validator JSON text (docs/judge.md) into *v.  Returns 0,
 * or -1 with a sentence in err; release *v with validator_spec_clear() in
 * both cases. */
int		 validator_spec_parse(const char *json, size_t len,
		    struct validator_spec *v, char *err, size_t errsz);
void		 validator_spec_clear(struct validator_spec *);
/* The submission of s (compiled into files, may be NULL) judged by its
 * validator, s's expected_output its answer: the run, then the validator
 * (validate.c), or both at once joined by pipes (interact.c).  0 with r
 * filled, -1 on memory. */
int		 validate_run(struct exec *, const struct lang *,
		    const struct exec_submission *, const char *files,
		    struct exec_result *);
/* validate.c for interact.c: the validator built (0 with *dir, the
 * argv to run it with input, answer, feedback dir and flags; -1 with r
 * IE), and its outcome as r's status and validation. */
int		 validate_build(struct exec *, const struct validator_spec *,
		    struct exec_result *r, char **dir, char ***argv);
void		 validate_outcome(const struct sandbox_result *,
		    const char *feedback, struct exec_result *r);
void		 validate_limits(const struct validator_spec *, double wall,
		    struct sandbox_limits *);
/* The validator built and its request ready (argv with input, answer,
 * feedback dir and flags; its files; the feedback dir to collect to;
 * custom limits, fds -1): 0, or -1 with r IE.  Release vr in both cases. */
struct vrun {
	char			*dir;
	char			**argv;
	char			 fb[700];
	struct sandbox_file	 io[2];
};
int		 validate_prepare(struct exec *, const struct validator_spec *,
		    const struct exec_submission *, struct exec_result *r,
		    struct vrun *vr, struct sandbox_request *req);
void		 validate_release(struct vrun *vr);
int		 interact_run(struct exec *, const struct lang *,
		    const struct exec_submission *, const char *files,
		    const struct validator_spec *, struct exec_result *);

/* exec_json.c — plain-text JSON mapping (the HTTP API adds base64).  The
 * submission's strings point into obj, which must outlive it. */
int		 exec_json_submission(struct json_object *obj,
		    struct exec_submission *, const char **field,
		    const char **msg);
struct json_object *exec_json_result(const struct exec_result *);
struct json_object *exec_json_languages(void);

#endif
