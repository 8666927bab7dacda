# SPDX-License-Identifier: MIT
# nic2app: one GNU Makefile for the library, the command, the examples and the tests.
#   make [all]        build everything into $(BUILD)
#   make tour         install what is missing, build quietly, run the four-minute tour
#   make check        build and run every test (SANITIZE=1: with ASan+UBSan)
#   make check-valgrind  the tests again, our programs under valgrind's memcheck
#   make fuzz         FUZZ_SECONDS=60: every parser's libFuzzer target (clang)
#   make bench        benchmarks (performance goals live here, never in tests)
#   make pictures     the README's picture, rendered by headless Chromium
#   make install      PREFIX=/usr/local DESTDIR=
#   make clean        V=1 shows the full commands
#   BPF=0             leave out the BPF engine (left out by itself without clang, bpftool, BTF)

VERSION := 0.1.0
PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
MANDIR ?= $(PREFIX)/share/man
LIBEXECDIR ?= $(PREFIX)/libexec/nic2app

CC ?= cc
CFLAGS ?= -O2 -g
PKGS := liburing libmnl cmocka

ifeq ($(SANITIZE),1)
BUILD ?= build/san
override CFLAGS += -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
override LDFLAGS += -fsanitize=address,undefined
else
BUILD ?= build
endif

# Missing dependencies are installed (or named) by scripts/deps.sh, but only when
# pkg-config cannot find them, and never for goals that do not compile anything.
NO_DEPS_GOALS := clean help deps
ifneq ($(filter-out $(NO_DEPS_GOALS),$(or $(MAKECMDGOALS),all)),)
ifneq ($(shell pkg-config --exists $(PKGS) 2>/dev/null && echo ok),ok)
$(info nic2app: pkg-config cannot find all of: $(PKGS); running scripts/deps.sh)
DEPS_STATUS := $(shell scripts/deps.sh >&2; echo $$?)
ifneq ($(DEPS_STATUS),0)
$(error scripts/deps.sh could not provide the build dependencies (see above))
endif
ifneq ($(shell pkg-config --exists $(PKGS) 2>/dev/null && echo ok),ok)
$(error pkg-config still cannot find: $(shell for p in $(PKGS); do pkg-config --exists $$p || echo $$p; done))
endif
endif
endif

PKG_CFLAGS := $(shell pkg-config --cflags liburing libmnl 2>/dev/null)
PKG_LIBS := $(shell pkg-config --libs liburing libmnl 2>/dev/null)
CMOCKA_CFLAGS := $(shell pkg-config --cflags cmocka 2>/dev/null)
CMOCKA_LIBS := $(shell pkg-config --libs cmocka 2>/dev/null)

# -D_GNU_SOURCE: Linux's own calls (gettid, sched_getcpu, setns, cpu_set_t) in every file
override CFLAGS += -std=gnu11 -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes \
	-Wmissing-prototypes -D_GNU_SOURCE -Iinclude -MMD -MP \
	-DNIC2APP_VERSION='"$(VERSION)"' -DNIC2APP_LIBEXECDIR='"$(LIBEXECDIR)"' $(PKG_CFLAGS)
LDLIBS := $(PKG_LIBS) -lm

# `make tour` prints only the lesson: no build lines unless V=1 asks for the commands
ifeq ($(V),1)
Q :=
msg = @true
else ifneq ($(filter tour,$(MAKECMDGOALS)),)
Q := @
msg = @true
else
Q := @
msg = @printf '  %-6s %s\n' $(1) $(2)
endif

# one folder per subsystem: lib/SUBSYSTEM/*.c
LIB_SRCS := $(sort $(filter-out %.bpf.c,$(wildcard lib/*/*.c)))
CMD_SRCS := $(sort $(wildcard src/*.c))
EXAMPLE_SRCS := $(sort $(wildcard examples/*.c))
UNIT_SRCS := $(sort $(wildcard tests/unit/test_*.c))
HELPER_SRCS := $(sort $(wildcard tests/helpers/*.c))

LIB_OBJS := $(LIB_SRCS:%.c=$(BUILD)/%.o)
CMD_OBJS := $(CMD_SRCS:%.c=$(BUILD)/%.o)
LIBNIC2APP := $(BUILD)/libnic2app.a
NIC2APP := $(BUILD)/nic2app
EXAMPLES := $(EXAMPLE_SRCS:examples/%.c=$(BUILD)/examples/%)
UNIT_TESTS := $(UNIT_SRCS:tests/unit/%.c=$(BUILD)/tests/unit/%)
HELPERS := $(HELPER_SRCS:tests/helpers/%.c=$(BUILD)/tests/helpers/%)

ALL_OBJS := $(LIB_OBJS) $(CMD_OBJS) $(EXAMPLE_SRCS:%.c=$(BUILD)/%.o) \
	$(UNIT_SRCS:%.c=$(BUILD)/%.o) $(HELPER_SRCS:%.c=$(BUILD)/%.o)

# keep the objects of programs, so -MMD dependencies stay useful
.SECONDARY:

.PHONY: all tour check bench pictures install uninstall clean deps help
all: $(NIC2APP) $(EXAMPLES) $(UNIT_TESTS) $(HELPERS)

$(BUILD)/%.o: %.c
	$(call msg,CC,$<)
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(CFLAGS) -c $< -o $@

$(BUILD)/tests/unit/%.o: tests/unit/%.c
	$(call msg,CC,$<)
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(CFLAGS) $(CMOCKA_CFLAGS) -c $< -o $@

$(LIBNIC2APP): $(LIB_OBJS)
	$(call msg,AR,$@)
	$(Q)rm -f $@ && $(AR) rcs $@ $^

$(NIC2APP): $(CMD_OBJS) $(LIBNIC2APP)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/examples/%: $(BUILD)/examples/%.o $(LIBNIC2APP)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/tests/unit/%: $(BUILD)/tests/unit/%.o $(LIBNIC2APP)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(CMOCKA_LIBS) $(LDLIBS)

$(BUILD)/tests/helpers/%: $(BUILD)/tests/helpers/%.o $(LIBNIC2APP)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

tour: $(NIC2APP) $(EXAMPLES)
	$(Q)$(NIC2APP) tour

check: all
	$(Q)scripts/deps.sh check
	$(Q)BUILD=$(BUILD) scripts/run-tests.sh

# make check-valgrind: the same tests, our programs under valgrind's memcheck (errors and
# definite or indirect leaks fail a test), on the plain build: ASan and valgrind cannot
# share a process. One test: scripts/run-valgrind.sh NAME.
.PHONY: check-valgrind
ifeq ($(SANITIZE),1)
check-valgrind:
	$(error check-valgrind runs the plain build: leave out SANITIZE=1)
else
check-valgrind: all
	$(Q)scripts/deps.sh valgrind
	$(Q)BUILD=$(BUILD) scripts/run-valgrind.sh
endif

bench: $(NIC2APP)
	$(Q)BUILD=$(BUILD) scripts/bench.sh

pictures: $(NIC2APP)
	$(Q)BUILD=$(BUILD) scripts/pictures.sh

# Fuzzing: a libFuzzer target per parser, tests/fuzz/fuzz_NAME.c. The normal build links each
# with tests/fuzz/replay.c (make check replays the committed corpus and regressions through it);
# `make fuzz` builds them with clang, libFuzzer, ASan and UBSan (the library too, apart, in
# $(FUZZ_BUILD)) and runs each for FUZZ_SECONDS on a copy of its corpus (-j2: two at a time).
FUZZ_SRCS := $(sort $(wildcard tests/fuzz/fuzz_*.c))
FUZZ_NAMES := $(FUZZ_SRCS:tests/fuzz/fuzz_%.c=%)
FUZZ_CC ?= clang
FUZZ_SECONDS ?= 60
FUZZ_BUILD := build/fuzz
FUZZ_SANITIZE := -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all
# the project's flags, with the build's own optimisation and sanitizers left out
FUZZ_CFLAGS = -g -O1 $(FUZZ_SANITIZE) -Ilib $(filter-out -O% -g -fsanitize=% \
	-fno-sanitize-recover=% -fno-omit-frame-pointer,$(CFLAGS))
FUZZ_LIB := $(FUZZ_BUILD)/libnic2app.a
FUZZ_OBJS := $(LIB_SRCS:%.c=$(FUZZ_BUILD)/%.o) $(FUZZ_SRCS:%.c=$(FUZZ_BUILD)/%.o)
REPLAYS := $(FUZZ_NAMES:%=$(BUILD)/tests/fuzz/replay_%)
REPLAY_OBJS := $(FUZZ_SRCS:%.c=$(BUILD)/%.o) $(BUILD)/tests/fuzz/replay.o

.PHONY: fuzz $(FUZZ_NAMES:%=fuzz-%)
all: $(REPLAYS)

# -Ilib: fuzz_peer drives the server's private connection state machine
$(BUILD)/tests/fuzz/%.o: tests/fuzz/%.c
	$(call msg,CC,$<)
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(CFLAGS) -Ilib -c $< -o $@

$(BUILD)/tests/fuzz/replay_%: $(BUILD)/tests/fuzz/fuzz_%.o $(BUILD)/tests/fuzz/replay.o \
		$(LIBNIC2APP)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(FUZZ_BUILD)/%.o: %.c
	$(call msg,FUZZCC,$<)
	@mkdir -p $(dir $@)
	$(Q)$(FUZZ_CC) $(FUZZ_CFLAGS) -c $< -o $@

$(FUZZ_LIB): $(LIB_SRCS:%.c=$(FUZZ_BUILD)/%.o)
	$(call msg,AR,$@)
	$(Q)rm -f $@ && $(AR) rcs $@ $^

$(FUZZ_BUILD)/fuzz_%: $(FUZZ_BUILD)/tests/fuzz/fuzz_%.o $(FUZZ_LIB)
	$(call msg,LINK,$@)
	$(Q)$(FUZZ_CC) $(FUZZ_SANITIZE) -o $@ $^ $(LDLIBS)

fuzz: $(FUZZ_NAMES:%=fuzz-%)

$(FUZZ_NAMES:%=fuzz-%): fuzz-%: $(FUZZ_BUILD)/fuzz_%
	$(Q)scripts/fuzz.sh $* $(FUZZ_SECONDS) $<

-include $(FUZZ_OBJS:.o=.d) $(REPLAY_OBJS:.o=.d)

deps:
	$(Q)scripts/deps.sh

install: $(NIC2APP) $(EXAMPLES)
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(LIBEXECDIR)
	install -m 755 $(NIC2APP) $(DESTDIR)$(BINDIR)/nic2app
	install -m 644 docs/nic2app.1 $(DESTDIR)$(MANDIR)/man1/nic2app.1
	install -m 755 $(EXAMPLES) $(DESTDIR)$(LIBEXECDIR)/

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/nic2app $(DESTDIR)$(MANDIR)/man1/nic2app.1
	rm -rf $(DESTDIR)$(LIBEXECDIR)

clean:
	rm -rf build

help:
	@sed -n '2,12s/^# \{0,1\}//p' Makefile

# BPF programs (lib/bpf/*.bpf.c) and their skeletons
include lib/bpf/bpf.mk

-include $(ALL_OBJS:.o=.d)
