# Unit tests: one cmocka program per module, linked with the library of
# the current BUILD.  `make unit` builds them; tests/run runs them.
UNIT_SRC  := $(wildcard tests/unit/test_*.c)
UNIT_BINS := $(patsubst tests/unit/%.c,$(OUT)/tests/%,$(UNIT_SRC))

unit: $(UNIT_BINS)

$(OUT)/tests/%: tests/unit/%.c $(OUT)/libpitwall.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $< $(OUT)/libpitwall.a $(LDLIBS) $(shell pkg-config --libs cmocka)
