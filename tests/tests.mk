# Unit tests: one cmocka program per module, linked with the library of
# the current BUILD.  `make unit` builds them; tests/run runs them.
UNIT_SRC  := $(wildcard tests/unit/test_*.c)
UNIT_BINS := $(patsubst tests/unit/%.c,$(OUT)/tests/%,$(UNIT_SRC))

unit: $(UNIT_BINS)

$(OUT)/tests/%: tests/unit/%.c $(OUT)/libpitwall.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $< $(OUT)/libpitwall.a $(LDLIBS) $(shell pkg-config --libs cmocka)

# The problem package reader (admin/kpp*.c and the file helpers of
# admin/package.c) is no part of libpitwall: its unit test links it.
KPP_SRC := admin/kpp.c admin/kpp_data.c admin/kpp_files.c admin/package.c
$(OUT)/tests/test_kpp: tests/unit/test_kpp.c $(KPP_SRC) $(OUT)/libpitwall.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -Iadmin $(LDFLAGS) -o $@ $(filter %.c,$^) $(OUT)/libpitwall.a $(LDLIBS) $(shell pkg-config --libs cmocka)
