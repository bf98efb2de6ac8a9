# Pitwall — plain GNU make.  `make` builds bin/; `make san` builds the
# ASan+UBSan variant under build/san/bin (used by the tests); `make test`
# installs what is missing, builds, runs every test against a throwaway stack.

PKGS      := fcgi hiredis libpq json-c libcurl libjwt libsodium libzip yaml-0.1
CC        ?= cc
WARN      := -Wall -Wextra -Wstrict-prototypes -Wmissing-prototypes \
             -Wwrite-strings -Wshadow -Wpointer-arith -Werror
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null)
CFLAGS    ?= -O2 -g
CFLAGS    += -std=gnu11 -D_GNU_SOURCE -pthread $(WARN) -Ilib $(PKG_CFLAGS)
LDLIBS    += $(PKG_LIBS) -pthread -lm

BUILD     ?= release
ifeq ($(BUILD),san)
CFLAGS    += -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
LDFLAGS   += -fsanitize=address,undefined
OUT       := build/san
BINDIR    := build/san/bin
else
OUT       := build/release
BINDIR    := bin
endif

LIB_SRC    := $(wildcard lib/*.c)
FCGI_SRC   := $(wildcard fcgi/*.c)
WORKER_SRC := $(wildcard worker/*.c)
ADMIN_SRC  := $(wildcard admin/*.c)

obj = $(patsubst %.c,$(OUT)/%.o,$(1))

PROGS := $(BINDIR)/pitwall-fcgi $(BINDIR)/pitwall-worker $(BINDIR)/pitwall-admin

.PHONY: all san test demo clean fuzz fuzz-build bench unit
all: $(PROGS)

$(OUT)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -MMD -MP -c -o $@ $<

$(OUT)/libpitwall.a: $(call obj,$(LIB_SRC))
	@mkdir -p $(dir $@)
	$(AR) rcs $@ $^

$(BINDIR)/pitwall-fcgi: $(call obj,$(FCGI_SRC)) $(OUT)/libpitwall.a
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BINDIR)/pitwall-worker: $(call obj,$(WORKER_SRC)) $(OUT)/libpitwall.a
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BINDIR)/pitwall-admin: $(call obj,$(ADMIN_SRC)) $(OUT)/libpitwall.a
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

# Each component may add its own programs and tests in a fragment.
-include judge/judge.mk
-include tests/tests.mk
-include web/web.mk

san:
	$(MAKE) BUILD=san all

test:
	bash scripts/install-deps
	bash tests/run

demo:
	bash scripts/install-deps
	$(MAKE) all
	bash scripts/demo

bench:
	bash tests/bench/run

clean:
	rm -rf build bin

-include $(shell find build -name '*.d' 2>/dev/null)
-include tests/fuzz/fuzz.mk
