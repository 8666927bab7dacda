# SPDX-License-Identifier: MIT
# bpf.mk (included by the Makefile): the BPF programs lib/bpf/NAME.bpf.c. Each is compiled by
# clang -target bpf against a vmlinux.h that bpftool dumps from this machine's BTF (into
# $(BUILD)/bpf: generated, never committed; CO-RE relocations make the object fit other
# kernels), linked by `bpftool gen object` (which drops the DWARF) and embedded in the command
# as a skeleton, $(BUILD)/bpf/NAME.skel.h (`bpftool gen skeleton`), loaded with libbpf, and as a
# light skeleton, $(BUILD)/bpf/NAME.lskel.h (`bpftool gen skeleton -L`): a loader program that
# the kernel runs, which applies the CO-RE relocations and finds the attach point against the
# kernel's own BTF, so nic2app does not read and parse the 6 MB of /sys/kernel/btf/vmlinux
# (most of a libbpf load's ~25 ms here; fd_iter.c uses it).
#
# Without clang, bpftool, libbpf or BTF (/sys/kernel/btf/vmlinux: CONFIG_DEBUG_INFO_BTF) the
# build goes on without BPF, after saying which is missing: NIC2APP_NO_BPF makes the loaders
# stubs that return -EOPNOTSUPP, and `fds --engine bpf` says why. BPF=0 asks for that too.

BPF_SRCS := $(sort $(wildcard lib/bpf/*.bpf.c))
BPF_CLANG ?= clang
BPFTOOL ?= bpftool
VMLINUX_BTF ?= /sys/kernel/btf/vmlinux
BPF_OUT := $(BUILD)/bpf
# the architecture's name as bpf_tracing.h wants it (for reading syscall arguments)
BPF_ARCH := $(shell uname -m | sed -e 's/x86_64/x86/' -e 's/aarch64/arm64/' -e 's/ppc64le/powerpc/' \
	-e 's/s390x/s390/' -e 's/riscv64/riscv/' -e 's/loongarch64/loongarch/')

bpf_missing = $(strip $(if $(shell command -v $(BPF_CLANG) 2>/dev/null),,clang) \
	$(if $(shell command -v $(BPFTOOL) 2>/dev/null),,bpftool) \
	$(if $(shell pkg-config --exists libbpf 2>/dev/null && echo y),,libbpf) \
	$(if $(wildcard $(VMLINUX_BTF)),,$(VMLINUX_BTF)))

ifeq ($(BPF),)
ifneq ($(filter-out $(NO_DEPS_GOALS),$(or $(MAKECMDGOALS),all)),)
BPF_MISSING := $(bpf_missing)
# the tools can be installed (scripts/deps.sh does it as root, or names them); BTF cannot
ifneq ($(filter-out $(VMLINUX_BTF),$(BPF_MISSING)),)
$(info nic2app: missing for the BPF engine: $(BPF_MISSING); running scripts/deps.sh)
BPF_DEPS_STATUS := $(shell scripts/deps.sh >&2; echo $$?)
BPF_MISSING := $(bpf_missing)
endif
ifneq ($(BPF_MISSING),)
$(info nic2app: building without the BPF engine (missing: $(BPF_MISSING)); `nic2app fds` reads /proc)
BPF := 0
else
BPF := 1
endif
else
BPF := 0
endif
endif

ifeq ($(BPF),1)
BPF_OBJS := $(BPF_SRCS:lib/bpf/%.bpf.c=$(BPF_OUT)/%.bpf.o)
BPF_SKELS := $(BPF_SRCS:lib/bpf/%.bpf.c=$(BPF_OUT)/%.skel.h)
# light skeletons for the programs whose loaders use one (a program must suit bpftool's
# loader generator to be listed here)
BPF_LIGHT := fd_iter
BPF_SKELS += $(BPF_LIGHT:%=$(BPF_OUT)/%.lskel.h)
override CFLAGS += -I$(BPF_OUT) $(shell pkg-config --cflags libbpf 2>/dev/null)
LDLIBS += $(shell pkg-config --libs libbpf 2>/dev/null)
BPF_CFLAGS := -target bpf -O2 -g -D__TARGET_ARCH_$(BPF_ARCH) -I$(BPF_OUT) -Ilib/bpf \
	-Wall -Werror

all: $(BPF_SKELS)

# the loaders (lib/bpf/*.c) include the skeletons, in every build of the library
BPF_LOADERS := $(patsubst %.c,%.o,$(filter-out %.bpf.c,$(wildcard lib/bpf/*.c)))
$(addprefix $(BUILD)/,$(BPF_LOADERS)) $(addprefix $(FUZZ_BUILD)/,$(BPF_LOADERS)): $(BPF_SKELS)

$(BPF_OUT)/vmlinux.h:
	$(call msg,BTF,$@)
	@mkdir -p $(dir $@)
	$(Q)$(BPFTOOL) btf dump file $(VMLINUX_BTF) format c > $@.tmp && mv $@.tmp $@

$(BPF_OUT)/%.bpf.o: lib/bpf/%.bpf.c $(BPF_OUT)/vmlinux.h
	$(call msg,BPF,$<)
	$(Q)$(BPF_CLANG) $(BPF_CFLAGS) -MMD -MP -MT $@ -MF $(@:.o=.d) -c $< -o $@.raw.o
	$(Q)$(BPFTOOL) gen object $@ $@.raw.o && rm -f $@.raw.o

$(BPF_OUT)/%.skel.h: $(BPF_OUT)/%.bpf.o
	$(call msg,SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< name $*_bpf > $@.tmp && mv $@.tmp $@

$(BPF_OUT)/%.lskel.h: $(BPF_OUT)/%.bpf.o
	$(call msg,SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton -L $< name $*_bpf > $@.tmp && mv $@.tmp $@

-include $(BPF_OBJS:.o=.d)
else
override CFLAGS += -DNIC2APP_NO_BPF
endif
