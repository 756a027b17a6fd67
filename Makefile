# SPDX-License-Identifier: GPL-2.0
#
# preemptstat: build the module against a kernel, or run everything in a test VM.
#
#   make KDIR=/path/to/kernel/build   build rust/preemptstat.ko (and samples/) for that kernel
#   make run                          set up, build the test kernel, boot it, show a report
#   make check                        set up, lint, test the reader, run the VM test suite
#   make bench                        overhead and accuracy benchmarks in a VM
#
# make run/check/bench install what they need (tools/setup.sh, root) and point KDIR at the
# cached test kernel themselves.

# The kernel to build against: the running kernel's build tree unless told otherwise. It must
# have CONFIG_RUST=y and be built with the same rustc and bindgen as this build uses.
KDIR ?= /lib/modules/$(shell uname -r)/build

# Rust-for-Linux kernels are built with clang: modules must be too.
LLVM ?= 1

TOOLS := $(CURDIR)/tools

.PHONY: all modules clean setup kernel print-kdir run check check-vm bench rustfmt \
	rustfmtcheck clippy reader

all: modules

modules:
	$(MAKE) -C $(KDIR) M=$(CURDIR) LLVM=$(LLVM) modules

clean:
	$(MAKE) -C $(KDIR) M=$(CURDIR) LLVM=$(LLVM) clean

# Format and lint against the kernel's own rustfmt configuration.
rustfmt:
	$(MAKE) -C $(KDIR) M=$(CURDIR) LLVM=$(LLVM) rustfmt

rustfmtcheck:
	$(MAKE) -C $(KDIR) M=$(CURDIR) LLVM=$(LLVM) rustfmtcheck

clippy:
	$(MAKE) -C $(KDIR) M=$(CURDIR) LLVM=$(LLVM) CLIPPY=1 modules

# --- Test machinery (everything below installs what it needs) ----------------------------

setup:
	@$(TOOLS)/setup.sh

kernel: setup
	@$(TOOLS)/kernel.sh build standard

# Prints the path of the cached test kernel's build tree and nothing else.
print-kdir:
	@$(TOOLS)/kernel.sh print-kdir standard

run: kernel
	@$(TOOLS)/run.sh

check: kernel
	@$(TOOLS)/check.sh

bench: kernel
	@$(TOOLS)/bench.sh
