# Unit tests: one cmocka program per module, linked with the library of
# the current BUILD.  `make unit` builds them; tests/run runs them.
UNIT_SRC  := $(wildcard tests/unit/test_*.c)
UNIT_BINS := $(patsubst tests/unit/%.c,$(OUT)/tests/%,$(UNIT_SRC))

unit: $(UNIT_BINS)

$(OUT)/tests/%: tests/unit/%.c $(OUT)/libpitwall.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $< $(OUT)/libpitwall.a $(LDLIBS) $(shell pkg-config --libs cmocka)

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
