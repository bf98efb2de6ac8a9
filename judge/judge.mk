# judge/judge.mk — the embedded judge: its core (sandbox, executor,
# languages; JUDGE_CORE_SRC, no lib/), pitwall-box-init, the command-line
# pitwall-judge-exec, and the service programs that link the core with lib/.
# Included by the top Makefile (CFLAGS, LDLIBS, OUT, BINDIR, obj come
# from there).

JUDGE_CORE_SRC := judge/sandbox.c judge/pool.c judge/box.c judge/cgroup.c judge/fs.c judge/lang.c \
                  judge/exec.c judge/exec_json.c judge/validate.c judge/interact.c
JUDGE_LIBS     := $(shell pkg-config --libs json-c libsodium 2>/dev/null) -lm
SECCOMP_CFLAGS := $(shell pkg-config --cflags libseccomp 2>/dev/null)
SECCOMP_LIBS   := $(shell pkg-config --libs libseccomp 2>/dev/null || echo -lseccomp)

# box-init runs inside every box as pid 1 under the program's limits: it
# is built without sanitizers (their runtime would need more address
# space, /proc and threads than the box allows).
BOX_INIT_CFLAGS := $(filter-out -fsanitize=% -fno-sanitize-recover=% \
                   -fno-omit-frame-pointer,$(CFLAGS)) $(SECCOMP_CFLAGS)

$(OUT)/judge/box_init.o: judge/box_init.c
	@mkdir -p $(dir $@)
	$(CC) $(BOX_INIT_CFLAGS) -MMD -MP -c -o $@ $<

# It empties /tmp and /dev/shm between runs with fs.c's removal.
$(OUT)/judge/box_fs.o: judge/fs.c
	@mkdir -p $(dir $@)
	$(CC) $(BOX_INIT_CFLAGS) -MMD -MP -c -o $@ $<

$(BINDIR)/pitwall-box-init: $(OUT)/judge/box_init.o $(OUT)/judge/box_fs.o
	@mkdir -p $(dir $@)
	$(CC) -o $@ $^ $(SECCOMP_LIBS)

$(BINDIR)/pitwall-judge-exec: $(call obj,judge/exec_main.c $(JUDGE_CORE_SRC)) \
                              $(BINDIR)/pitwall-box-init
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $(filter %.o,$^) $(JUDGE_LIBS) -pthread

.PHONY: judge test-judge
judge: $(BINDIR)/pitwall-judge-exec $(BINDIR)/pitwall-box-init
all: $(BINDIR)/pitwall-judge-exec $(BINDIR)/pitwall-box-init

test-judge: judge
	bash tests/judge/run_hostile.sh $(BINDIR)

# The service layer: pitwall-judge (Judge0 API, FastCGI, runs as the
# service user) and pitwall-judge-runner (drains the Redis job list, runs
# as root).  Both link lib/ (config, log, redis, json).
JUDGE_STORE_SRC  := judge/store.c judge/store_json.c judge/api_b64.c
JUDGE_API_SRC    := judge/api_main.c judge/api_http.c judge/api_submissions.c \
                    judge/api_info.c $(JUDGE_STORE_SRC)
JUDGE_RUNNER_SRC := judge/runner_main.c judge/runner_callback.c $(JUDGE_STORE_SRC)

$(BINDIR)/pitwall-judge: $(call obj,$(JUDGE_API_SRC) $(JUDGE_CORE_SRC)) \
                         $(OUT)/libpitwall.a
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $(filter %.o %.a,$^) $(LDLIBS) $(JUDGE_LIBS)

$(BINDIR)/pitwall-judge-runner: $(call obj,$(JUDGE_RUNNER_SRC) $(JUDGE_CORE_SRC)) \
                                $(OUT)/libpitwall.a $(BINDIR)/pitwall-box-init
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $(filter %.o %.a,$^) $(LDLIBS) $(JUDGE_LIBS)

.PHONY: judge-service
judge-service: $(BINDIR)/pitwall-judge $(BINDIR)/pitwall-judge-runner
judge: judge-service
all: $(BINDIR)/pitwall-judge $(BINDIR)/pitwall-judge-runner
