# SPDX-License-Identifier: GPL-2.0
#
# preemptstat: build the module against a kernel, or run everything in a test VM.
#
#   make KDIR=/path/to/kernel/build   build rust/preemptstat.ko (and samples/) for that kernel
#                                     (Linux 7.3.y or 6.12.y from 6.12.118)
#   make reader                       build the reader (tools/target/release/preemptstat, or
#                                     under CARGO_TARGET_DIR), its manual pages and completions
#   make install                      install-module and install-reader:
#   make install-module               rust/preemptstat.ko (never the test-only samples) into
#                                     $(INSTALL_MOD_PATH)/lib/modules/KREL/updates/, KREL the
#                                     kernel it was built for; then depmod KREL, or, with
#                                     INSTALL_MOD_PATH set, a line saying to run it there
#   make install-reader               the reader in $(DESTDIR)$(PREFIX)/bin, its manual pages
#                                     (man1/preemptstat*.1.gz) and its bash, zsh and fish
#                                     completions where Debian looks for them
#   make install-dkms                 the module's sources and dkms.conf in
#                                     $(DESTDIR)/usr/src/preemptstat-VERSION, for
#                                     'dkms install preemptstat/VERSION -k KREL'
#   make run                          set up, build the test kernel, boot it, show a report
#   make check                        set up, lint, test the reader, run the VM suites of
#                                     CHECK_SUITES (what CI runs)
#   make check-full                   the whole VM suite on the 7.3 debug kernel (lockdep,
#                                     KASAN, kmemleak, debugobjects)
#   make check-rt                     the whole VM suite on the 7.3 PREEMPT_RT kernel
#   make check-6.12, check-rt-6.12    the whole VM suite on the 6.12 standard, PREEMPT_RT kernel
#   make check-debug-6.12             the reliability cases on the 6.12 debug kernel
#   make bench                        overhead and accuracy benchmarks in a VM
#   make list-kernels                 one line per test kernel flavor: NAME SERIES PATH
#   make print-kdir                   the build tree of the FLAVOR test kernel
#
# FLAVOR (default standard) picks the test kernel of kernel, print-kdir, run and bench:
# standard, debug, rt (Linux 7.3) or standard-6.12, debug-6.12, rt-6.12 (Linux 6.12 LTS).
# ICOUNT=N (0..10) runs bench's VM with QEMU's -icount shift=N: guest time from instruction
# counts, which the host's load cannot move.
# make run/check/bench install what they need (tools/setup.sh, root) and point KDIR at the
# cached test kernel themselves.
# Install: DESTDIR (default none) is prepended to every path; INSTALL_MOD_PATH (default
# DESTDIR) to the module's; PREFIX defaults to /usr/local. The install targets build
# nothing: run make (and make reader) first, as the user who owns the tree.

# The kernel to build against: the running kernel's build tree unless told otherwise. It must
# have CONFIG_RUST=y and be built with the same rustc and bindgen as this build uses.
KDIR ?= /lib/modules/$(shell uname -r)/build

# Rust-for-Linux kernels are built with clang: modules must be too.
LLVM ?= 1

TOOLS := $(CURDIR)/tools

# The test kernel flavor of kernel, print-kdir, run and bench.
FLAVOR ?= standard

.PHONY: all modules reader install install-module install-reader install-dkms clean setup kernel kernel-debug kernel-rt print-kdir list-kernels run \
	check check-full check-rt check-6.12 check-rt-6.12 check-debug-6.12 bench rustfmt \
	rustfmt-config rustfmtcheck clippy

all: modules

modules:
	$(MAKE) -C $(KDIR) M=$(CURDIR) LLVM=$(LLVM) modules

clean:
	$(MAKE) -C $(KDIR) M=$(CURDIR) LLVM=$(LLVM) clean

# --- Install ---------------------------------------------------------------------------------

PREFIX ?= /usr/local
INSTALL_MOD_PATH ?= $(DESTDIR)
BINDIR ?= $(PREFIX)/bin
MANDIR ?= $(PREFIX)/share/man
BASH_COMPLETION_DIR ?= $(PREFIX)/share/bash-completion/completions
# zsh on Debian reads /usr/share/zsh/vendor-completions and /usr/local/share/zsh/site-functions.
ZSH_COMPLETION_DIR ?= $(if $(filter /usr,$(PREFIX)),$(PREFIX)/share/zsh/vendor-completions,$(PREFIX)/share/zsh/site-functions)
FISH_COMPLETION_DIR ?= $(PREFIX)/share/fish/vendor_completions.d

MODULE_KO := $(CURDIR)/rust/preemptstat.ko
# The release of the kernel the module was built for, from its vermagic.
KREL ?= $(shell PATH="$$PATH:/usr/sbin:/sbin" modinfo -F vermagic $(MODULE_KO) 2>/dev/null | cut -d' ' -f1)
# Where cargo puts the reader: tools/env.sh sets CARGO_TARGET_DIR, cargo's default otherwise.
CARGO_TARGET_DIR ?= $(TOOLS)/target
READER_DIR = $(CARGO_TARGET_DIR)/release
# make reader's manual pages and completions.
READER_SHARE = $(READER_DIR)/preemptstat-share
# The DKMS package version, from dkms.conf.
DKMS_VERSION := $(shell sed -n 's/^PACKAGE_VERSION="\(.*\)"$$/\1/p' $(CURDIR)/dkms.conf)
DKMS_SRC = $(DESTDIR)/usr/src/preemptstat-$(DKMS_VERSION)

# The reader, then its manual pages and completions, made from its clap definition.
reader:
	cargo build --release --manifest-path $(TOOLS)/Cargo.toml
	rm -rf $(READER_SHARE)
	mkdir -p $(READER_SHARE)/man1
	$(READER_DIR)/preemptstat-manpage $(READER_SHARE)/man1
	gzip -9n $(READER_SHARE)/man1/*.1
	for shell in bash zsh fish; do \
		$(READER_DIR)/preemptstat completions $$shell >$(READER_SHARE)/completion.$$shell || exit 1; \
	done

install: install-module install-reader

install-module:
	@test -f $(MODULE_KO) || { echo "install-module: no rust/preemptstat.ko: build it first (make KDIR=...)" >&2; exit 1; }
	@test -n "$(KREL)" || { echo "install-module: no kernel release in the vermagic of rust/preemptstat.ko (modinfo): set KREL" >&2; exit 1; }
	install -D -m 644 $(MODULE_KO) $(INSTALL_MOD_PATH)/lib/modules/$(KREL)/updates/preemptstat.ko
ifeq ($(INSTALL_MOD_PATH),)
	depmod $(KREL)
else
	@echo "install-module: run 'depmod $(KREL)' where $(INSTALL_MOD_PATH) is installed (or 'depmod -b $(INSTALL_MOD_PATH) $(KREL)')"
endif

install-reader:
	@test -x $(READER_DIR)/preemptstat -a -f $(READER_SHARE)/completion.fish || { echo "install-reader: no reader in $(READER_DIR): build it first (make reader)" >&2; exit 1; }
	install -D -m 755 $(READER_DIR)/preemptstat $(DESTDIR)$(BINDIR)/preemptstat
	install -d $(DESTDIR)$(MANDIR)/man1
	install -m 644 $(READER_SHARE)/man1/*.1.gz $(DESTDIR)$(MANDIR)/man1/
	install -D -m 644 $(READER_SHARE)/completion.bash $(DESTDIR)$(BASH_COMPLETION_DIR)/preemptstat
	install -D -m 644 $(READER_SHARE)/completion.zsh $(DESTDIR)$(ZSH_COMPLETION_DIR)/_preemptstat
	install -D -m 644 $(READER_SHARE)/completion.fish $(DESTDIR)$(FISH_COMPLETION_DIR)/preemptstat.fish

# The sources of rust/preemptstat.ko (not the generated .mod.c), the top-level Kbuild that
# picks the kernel series, and dkms.conf.
install-dkms:
	install -d $(DKMS_SRC)/rust/compat
	install -m 644 $(CURDIR)/dkms.conf $(CURDIR)/Kbuild $(DKMS_SRC)/
	install -m 644 $(CURDIR)/rust/Kbuild $(wildcard $(CURDIR)/rust/*.rs $(CURDIR)/rust/*.h) \
		$(filter-out %.mod.c,$(wildcard $(CURDIR)/rust/*.c)) $(DKMS_SRC)/rust/
	install -m 644 $(wildcard $(CURDIR)/rust/compat/*.rs) $(DKMS_SRC)/rust/compat/
	@echo "install-dkms: build and install with 'dkms install preemptstat/$(DKMS_VERSION) -k KREL'"

# Format and lint against the kernel's own rustfmt configuration. Kbuild's rustfmt targets
# work on the whole kernel tree only, so rustfmt runs on this module's files directly. A
# separate build tree (O=) links its sources as KDIR/source.
RUSTFMT_CONFIG = $(firstword $(wildcard $(KDIR)/source/.rustfmt.toml $(KDIR)/.rustfmt.toml))
RUST_SOURCES = $(wildcard $(CURDIR)/rust/*.rs $(CURDIR)/rust/compat/*.rs $(CURDIR)/samples/*.rs)

rustfmt-config:
	@test -n "$(RUSTFMT_CONFIG)" || { echo "no .rustfmt.toml in $(KDIR) or $(KDIR)/source: set KDIR" >&2; exit 1; }

rustfmt: rustfmt-config
	rustfmt --edition 2021 --config-path $(RUSTFMT_CONFIG) $(RUST_SOURCES)

rustfmtcheck: rustfmt-config
	rustfmt --check --edition 2021 --config-path $(RUSTFMT_CONFIG) $(RUST_SOURCES)

clippy:
	$(MAKE) -C $(KDIR) M=$(CURDIR) LLVM=$(LLVM) CLIPPY=1 modules

# --- Test machinery (everything below installs what it needs) ----------------------------

setup:
	@$(TOOLS)/setup.sh

kernel: setup
	@$(TOOLS)/kernel.sh build $(FLAVOR)

kernel-debug: setup
	@$(TOOLS)/kernel.sh build debug

kernel-rt: setup
	@$(TOOLS)/kernel.sh build rt

# Prints the path of the cached FLAVOR test kernel's build tree and nothing else.
print-kdir:
	@$(TOOLS)/kernel.sh print-kdir $(FLAVOR)

# One line per flavor: NAME SERIES PATH, PATH "-" when that kernel is not built.
list-kernels:
	@$(TOOLS)/kernel.sh list

# rtla (timerlat with auto-analysis) from the FLAVOR kernel's series source, cached; prints its path.
rtla: setup
	@$(TOOLS)/rtla.sh build $(FLAVOR)

run: kernel
	@$(TOOLS)/run.sh $(FLAVOR)

# The suites 'make check' runs (tools/check.sh): FLAVOR is every case on that kernel,
# FLAVOR:reliability only the reliability-* cases. Each kernel is built once and cached.
# CI: the whole suite on the 7.3 standard kernel, the reliability cases on the 7.3 debug
# kernel (lockdep, KASAN, kmemleak: CI's only such coverage) and the whole suite on the 6.12
# PREEMPT_RT kernel; the debug kernel's whole suite would take a cold CI run past 90 minutes
# (README.md).
CHECK_SUITES ?= standard debug:reliability rt-6.12
CHECK_FLAVORS = $(foreach s,$(CHECK_SUITES),$(firstword $(subst :, ,$(s))))

check: setup
	@for f in $(CHECK_FLAVORS); do $(TOOLS)/kernel.sh build $$f || exit 1; done
	@$(TOOLS)/check.sh $(CHECK_SUITES)

check-full: kernel-debug
	@$(TOOLS)/check.sh debug

check-rt: kernel-rt
	@$(TOOLS)/check.sh rt

check-6.12: setup
	@$(TOOLS)/kernel.sh build standard-6.12
	@$(TOOLS)/check.sh standard-6.12

check-rt-6.12: setup
	@$(TOOLS)/kernel.sh build rt-6.12
	@$(TOOLS)/check.sh rt-6.12

check-debug-6.12: setup
	@$(TOOLS)/kernel.sh build debug-6.12
	@$(TOOLS)/check.sh debug-6.12:reliability

bench: kernel
	@$(if $(ICOUNT),PS_BENCH_ICOUNT=$(ICOUNT) )$(TOOLS)/bench.sh $(FLAVOR)
