# SPDX-License-Identifier: GPL-2.0
#
# tools/env.sh - the pinned versions and paths shared by setup.sh, kernel.sh and the VM harness.
# Sourced, not executed. Everything the cached test kernel depends on is pinned here, because a
# module must be built by the exact rustc and bindgen that built its kernel.

# The Rust toolchain: keep in sync with rust-toolchain.toml at the top of the repository.
RUST_TOOLCHAIN=1.95.0
# bindgen-cli version used for the kernel's Rust bindings.
BINDGEN_VERSION=0.73.2
# virtme-ng version (1.42 needs standard input open: the harness feeds it /dev/null).
VNG_VERSION=1.42
# Kernel series. The module is built and tested against each; a test kernel flavor is
# NAME (the default series, 7.3) or NAME-SERIES (standard-6.12), from the fragments of
# tools/kconfig/NAME.list. Each series comes from Debian's linux-source-SERIES package:
#   7.3   trixie-backports, whatever version it has (a backports suite keeps only its newest
#         version: a pin would break every new machine the day it moves). setup.sh records the
#         version it unpacked, which is part of every kernel's cache key.
#   6.12  bookworm-security, pinned: KERNEL_DEB_6_12 is the one line to bump. The security
#         suite keeps older versions for a while; once the pin has left it, setup fails with one
#         line naming the newest version available.
KERNEL_SERIES=7.3
KERNEL_SERIES_ALL="7.3 6.12"
KERNEL_SUITE_7_3=trixie-backports
KERNEL_DEB_7_3=
KERNEL_SUITE_6_12=bookworm-security
KERNEL_DEB_6_12=6.12.118-1~deb12u1
# Every test kernel flavor, in the order 'make list-kernels' prints them.
KERNEL_FLAVORS="standard debug rt standard-6.12 debug-6.12 rt-6.12"
# LLVM major version used for LLVM=1 builds.
LLVM_VERSION=19

# QEMU options of every guest (vng --qemu-opts).
# -accel tcg,thread=single: one host thread runs both vCPUs. Multi-threaded TCG (QEMU's
# default; 10.0.2 here) kills the guest with "Oops: int3" at trace_preempt_off+0xe / trace_preempt_on+0xe
# right after a tracepoint's static key is patched (tracepoint_probe_register/unregister ->
# static_key_enable/disable -> smp_text_poke_batch_finish): memory already holds the final
# nop, but the other vCPU still executes a stale translation of the temporary int3. The
# kernel's text_poke protocol is sound; QEMU's cross-vCPU invalidation of self-modified code
# is not. 200 insmod/rmmod cycles under load: the guest died at cycle 20 with multi-threaded
# TCG and ran all 200 with thread=single.
QEMU_TCG_OPTS="-accel tcg,thread=single"

CACHE_DIR=${PREEMPTSTAT_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/preemptstat}
TOOLS_DIR=$CACHE_DIR/tools
VENV_DIR=$CACHE_DIR/venv
# The unpacked source of the default series (its .rustfmt.toml formats the module).
KSRC_DIR=$CACHE_DIR/src/linux-source-$KERNEL_SERIES

# ksrc_dir SERIES: where that series' kernel source is unpacked.
ksrc_dir() {
	echo "$CACHE_DIR/src/linux-source-$1"
}

# kernel_suite SERIES / kernel_deb SERIES: the Debian suite of that series' linux-source package
# and the pinned version (empty: the suite's only one).
kernel_suite() {
	local v=KERNEL_SUITE_${1//./_}
	echo "${!v}"
}
kernel_deb() {
	local v=KERNEL_DEB_${1//./_}
	echo "${!v-}"
}

# flavor_series FLAVOR / flavor_base FLAVOR: a flavor's kernel series and fragment list name
# (standard-6.12: 6.12 and standard; rt: 7.3 and rt).
flavor_series() {
	if [[ "$1" =~ -([0-9]+\.[0-9]+)$ ]]; then
		echo "${BASH_REMATCH[1]}"
	else
		echo "$KERNEL_SERIES"
	fi
}
flavor_base() {
	if [[ "$1" =~ ^(.*)-[0-9]+\.[0-9]+$ ]]; then
		echo "${BASH_REMATCH[1]}"
	else
		echo "$1"
	fi
}

export RUSTUP_TOOLCHAIN=$RUST_TOOLCHAIN
# Cargo's build products live in the cache too, so that a fresh clone in the same place (every
# CI run) does not compile the reader's dependencies again. One directory per checkout: cargo
# judges freshness by the mtimes of the files the last build read, by absolute path, so two
# checkouts sharing one target directory each reuse the other's binaries, built from the other
# one's sources (a dev tree ran tests compiled in the CI clone, which pointed at its deleted
# fixtures). The VM guests learn where the binaries are from OUTDIR/bindir
# (tools/vmtest/vmtest.sh, tools/run.sh, tools/bench.sh).
PS_CHECKOUT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
PS_CHECKOUT_KEY=$(printf '%s' "$PS_CHECKOUT" | sha256sum | cut -c1-12)
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$CACHE_DIR/cargo-target/$PS_CHECKOUT_KEY}
export PATH=/usr/lib/llvm-$LLVM_VERSION/bin:$TOOLS_DIR/bin:$VENV_DIR/bin:$HOME/.cargo/bin:$PATH
