# SPDX-License-Identifier: GPL-2.0
#
# preemptstat: build the module against a kernel, or run everything in a test VM.
#
#   make KDIR=/path/to/kernel/build   build rust/preemptstat.ko (and samples/) for that kernel
#                                     (Linux 7.3.y or 6.12.y from 6.12.118)
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

# The kernel to build against: the running kernel's build tree unless told otherwise. It must
# have CONFIG_RUST=y and be built with the same rustc and bindgen as this build uses.
KDIR ?= /lib/modules/$(shell uname -r)/build

# Rust-for-Linux kernels are built with clang: modules must be too.
LLVM ?= 1

TOOLS := $(CURDIR)/tools

# The test kernel flavor of kernel, print-kdir, run and bench.
FLAVOR ?= standard

.PHONY: all modules clean setup kernel kernel-debug kernel-rt print-kdir list-kernels run \
	check check-full check-rt check-6.12 check-rt-6.12 check-debug-6.12 bench rustfmt \
	rustfmt-config rustfmtcheck clippy

all: modules

modules:
	$(MAKE) -C $(KDIR) M=$(CURDIR) LLVM=$(LLVM) modules

clean:
	$(MAKE) -C $(KDIR) M=$(CURDIR) LLVM=$(LLVM) clean

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
