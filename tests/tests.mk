# Unit tests: one cmocka program per module, linked with the library of
# the current BUILD.  `make unit` builds them; tests/run runs them.
UNIT_SRC  := $(wildcard tests/unit/test_*.c)
UNIT_BINS := $(patsubst tests/unit/%.c,$(OUT)/tests/%,$(UNIT_SRC))

unit: $(UNIT_BINS)

$(OUT)/tests/%: tests/unit/%.c $(OUT)/libpitwall.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $< $(OUT)/libpitwall.a $(LDLIBS) $(shell pkg-config --libs cmocka)

# Unit tests of worker code link the worker objects they test (listed
# here) on top of the library; test_pgarr wraps open_memstream to make
# allocations fail.
WORKER_UNIT_OBJS_test_pgarr := $(OUT)/worker/pgarr.o
WORKER_UNIT_LDFLAGS_test_pgarr := -Wl,--wrap=open_memstream

$(OUT)/tests/test_pgarr: tests/unit/test_pgarr.c $(OUT)/worker/pgarr.o $(OUT)/libpitwall.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -Iworker $(LDFLAGS) $(WORKER_UNIT_LDFLAGS_test_pgarr) -o $@ $< \
	    $(WORKER_UNIT_OBJS_test_pgarr) $(OUT)/libpitwall.a $(LDLIBS) $(shell pkg-config --libs cmocka)
