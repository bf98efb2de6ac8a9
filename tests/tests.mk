# Unit tests: one cmocka program per module, linked with the library of
# the current BUILD.  `make unit` builds them; tests/run runs them.
UNIT_SRC  := $(wildcard tests/unit/test_*.c)
UNIT_BINS := $(patsubst tests/unit/%.c,$(OUT)/tests/%,$(UNIT_SRC))

unit: $(UNIT_BINS)

$(OUT)/tests/%: tests/unit/%.c $(OUT)/libpitwall.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $< $(OUT)/libpitwall.a $(LDLIBS) $(shell pkg-config --libs cmocka)

# Unit tests of lib/sign.c, lib/dispatch.c and lib/cache.c (issue 12).
# test_sign sees libsodium's compare through --wrap; test_dispatch plays
# Judge0 through --wrap=judge0_batch_submit; both Redis users run against
# a throwaway redis-server (tests/unit/redis_fixture.c).
UNIT_CMOCKA := $(shell pkg-config --libs cmocka)
UNIT_FIXTURE := tests/unit/redis_fixture.c tests/unit/redis_fixture.h

$(OUT)/tests/test_sign: tests/unit/test_sign.c $(OUT)/libpitwall.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LDFLAGS) -Wl,--wrap=sodium_memcmp -o $@ $< $(OUT)/libpitwall.a $(LDLIBS) $(UNIT_CMOCKA)

$(OUT)/tests/test_dispatch: tests/unit/test_dispatch.c $(UNIT_FIXTURE) $(OUT)/libpitwall.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LDFLAGS) -Wl,--wrap=judge0_batch_submit -o $@ $< tests/unit/redis_fixture.c $(OUT)/libpitwall.a $(LDLIBS) $(UNIT_CMOCKA)

$(OUT)/tests/test_cache: tests/unit/test_cache.c $(UNIT_FIXTURE) $(OUT)/libpitwall.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $< tests/unit/redis_fixture.c $(OUT)/libpitwall.a $(LDLIBS) $(UNIT_CMOCKA)

# The problem package reader (admin/kpp*.c and the file helpers of
# admin/package.c) is no part of libpitwall: its unit test links it.
KPP_SRC := admin/kpp.c admin/kpp_data.c admin/kpp_files.c admin/package.c
$(OUT)/tests/test_kpp: tests/unit/test_kpp.c $(KPP_SRC) $(OUT)/libpitwall.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -Iadmin $(LDFLAGS) -o $@ $(filter %.c,$^) $(OUT)/libpitwall.a $(LDLIBS) $(shell pkg-config --libs cmocka)

# What verify expects of jury submissions (admin/kpp_verify.c).
$(OUT)/tests/test_kpp_verify: tests/unit/test_kpp_verify.c admin/kpp_verify.c $(OUT)/libpitwall.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -Iadmin $(LDFLAGS) -o $@ $(filter %.c,$^) $(OUT)/libpitwall.a $(LDLIBS) $(shell pkg-config --libs cmocka)

# Unit tests of worker code link the worker objects they test on top
# of the library; test_pgarr wraps open_memstream to make allocations fail.
$(OUT)/tests/test_pgarr: LDFLAGS += -Wl,--wrap=open_memstream

$(OUT)/tests/test_pgarr: $(OUT)/worker/pgarr.o
$(OUT)/tests/test_check: $(OUT)/worker/check.o
$(OUT)/tests/test_finalize: $(OUT)/worker/finalize.o $(OUT)/worker/pgarr.o

WORKER_UNIT := $(addprefix $(OUT)/tests/,test_pgarr test_check test_finalize)
$(WORKER_UNIT): $(OUT)/tests/test_%: tests/unit/test_%.c $(OUT)/libpitwall.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -Iworker $(LDFLAGS) -o $@ $< \
	    $(filter $(OUT)/worker/%.o,$^) \
	    $(OUT)/libpitwall.a $(LDLIBS) $(shell pkg-config --libs cmocka)

# lib/redis.c and lib/redis_acl.c: the roles' ACL loaded into a throwaway
# redis-server, READONLY reconnects, the WAIT rule.
$(OUT)/tests/test_redis: tests/unit/test_redis.c $(UNIT_FIXTURE) $(OUT)/libpitwall.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $< tests/unit/redis_fixture.c $(OUT)/libpitwall.a $(LDLIBS) $(UNIT_CMOCKA)
