# libFuzzer targets (clang).  `make fuzz` runs each for FUZZ_SECONDS.
FUZZ_CC      ?= clang
FUZZ_SECONDS ?= 60
FUZZ_TARGETS := $(patsubst tests/fuzz/%.c,build/fuzz/%,$(wildcard tests/fuzz/fuzz_*.c))
FUZZ_LIB_SRC := lib/json.c lib/query.c lib/sign.c lib/judge0.c lib/auth.c lib/config.c lib/log.c \
                lib/metrics.c lib/judgehosts.c lib/redis.c lib/verdict.c lib/outval.c lib/capi.c admin/package.c
FUZZ_FLAGS   := -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
                -std=gnu11 -D_GNU_SOURCE -pthread -Ilib $(PKG_CFLAGS)

build/fuzz/%: tests/fuzz/%.c $(FUZZ_LIB_SRC)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_FLAGS) -o $@ $^ $(PKG_LIBS) -lm

# The embedded judge's API parsers (fuzz_judge.c) and what they call.
FUZZ_JUDGE_SRC := judge/exec_json.c judge/exec.c judge/sandbox.c judge/box.c judge/cgroup.c \
                  judge/fs.c judge/lang.c judge/api_b64.c judge/store_json.c judge/store.c \
                  judge/validate.c judge/interact.c judge/pool.c
build/fuzz/fuzz_judge: $(FUZZ_JUDGE_SRC)
build/fuzz/fuzz_judge: FUZZ_FLAGS += -Ijudge
# The pitwall_validator extension (fuzz_validator.c): judge/validate.c's parser.
build/fuzz/fuzz_validator: $(FUZZ_JUDGE_SRC)
build/fuzz/fuzz_validator: FUZZ_FLAGS += -Ijudge

# The user and team CSV imports (fuzz_csv.c).
build/fuzz/fuzz_csv: lib/account.c lib/db.c lib/team.c lib/board.c lib/livepost.c

fuzz-build: $(FUZZ_TARGETS)

fuzz: fuzz-build
	bash tests/fuzz/run $(FUZZ_SECONDS)

# The ICPC/Kattis package reader: YAML (fuzz_kpp_yaml.c) and zips
# (fuzz_kpp_zip.c; its seeds are the fixture packages of tests/packages, zipped).
FUZZ_KPP_SRC := admin/kpp.c admin/kpp_data.c admin/kpp_files.c
build/fuzz/fuzz_kpp_yaml build/fuzz/fuzz_kpp_zip: $(FUZZ_KPP_SRC)
build/fuzz/fuzz_kpp_yaml build/fuzz/fuzz_kpp_zip: FUZZ_FLAGS += -Iadmin

# What verify reads of a jury submission (fuzz_kpp_expected.c).
build/fuzz/fuzz_kpp_expected: admin/kpp_verify.c
build/fuzz/fuzz_kpp_expected: FUZZ_FLAGS += -Iadmin
