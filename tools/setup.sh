#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# tools/setup.sh - install everything preemptstat needs to build and test, idempotently.
#
# Runs as root: it adds apt sources and installs Debian packages. On the machines this project
# is developed and tested on (Debian 12 "bookworm", x86_64) everything runs as root.
#
# What it installs (see README.md "What the first run installs"):
#   - apt sources bookworm-backports and trixie-backports, with APT::Default-Release "bookworm"
#     so that nothing else moves;
#   - clang-19, lld-19, llvm-19, libclang-19-dev (the kernel is built with LLVM=1);
#   - kernel build dependencies: flex bison bc libelf-dev libssl-dev cpio dwarves kmod;
#   - qemu-system-x86 from bookworm-backports (it must match the backports qemu-utils),
#     busybox-static and udev (without udev the guest command's output is lost);
#   - the Rust toolchain named in rust-toolchain.toml with rust-src, rustfmt and clippy;
#   - bindgen-cli (pinned) and virtme-ng (pinned, in a virtual environment), both under the
#     cache directory, never in the system Python;
#   - the Debian linux-source-7.3 package, unpacked under the cache directory.
#
# A second run checks each step in well under a second and says "setup: nothing to do".

set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=tools/env.sh
. "$here/env.sh"

did_something=0

die() {
	echo "setup: FAILED: $*" >&2
	exit 1
}

mkdir -p "$CACHE_DIR"
log=$CACHE_DIR/setup.log

# step NAME COMMAND...: run one long step with its output in the log, print what it does and
# how long it took; on failure, show the end of its output and stop.
step() {
	local name=$1
	shift
	local t0=$SECONDS
	echo "setup: $name ..."
	echo "=== $(date) $name" >>"$log"
	if ! "$@" >>"$log" 2>&1; then
		tail -n 25 "$log" >&2
		die "$name (full output in $log; rerun 'make setup' once the cause is fixed)"
	fi
	echo "setup: $name done in $((SECONDS - t0)) s"
	did_something=1
}

[ "$(id -u)" -eq 0 ] || die "must run as root (it installs Debian packages); run 'sudo make setup'"
[ "$(uname -m)" = x86_64 ] || die "only x86_64 hosts are supported (found $(uname -m))"
command -v apt-get >/dev/null || die "apt-get not found: this script supports Debian 12 (bookworm)"

export DEBIAN_FRONTEND=noninteractive

# --- apt sources -------------------------------------------------------------------------------

apt_sources=/etc/apt/sources.list.d/preemptstat-backports.sources
apt_pref=/etc/apt/apt.conf.d/99preemptstat-default-release

write_apt_sources() {
	cat >"$apt_sources" <<-'EOF'
	# Added by preemptstat tools/setup.sh: qemu from bookworm-backports, linux-source from
	# trixie-backports. APT::Default-Release keeps everything else on bookworm.
	Types: deb
	URIs: http://deb.debian.org/debian
	Suites: bookworm-backports trixie-backports
	Components: main
	Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
	EOF
	echo 'APT::Default-Release "bookworm";' >"$apt_pref"
	apt-get update -qq
}

if [ ! -f "$apt_sources" ] || [ ! -f "$apt_pref" ] ||
	! ls /var/lib/apt/lists/*trixie-backports*Packages* >/dev/null 2>&1; then
	step "apt sources (bookworm-backports, trixie-backports) and apt-get update" write_apt_sources
fi

# --- Debian packages ---------------------------------------------------------------------------

# missing_pkgs PKG...: print the packages of the list that are not installed.
missing_pkgs() {
	local p
	for p in "$@"; do
		dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed$' ||
			echo "$p"
	done
}

base_pkgs=(clang-19 lld-19 llvm-19 libclang-19-dev flex bison bc libelf-dev libssl-dev cpio
	dwarves kmod xz-utils binutils busybox-static udev rsync python3-venv)
missing=$(missing_pkgs "${base_pkgs[@]}")
if [ -n "$missing" ]; then
	# shellcheck disable=SC2086
	step "apt-get install $(echo $missing)" \
		apt-get install -y -qq --no-install-recommends $missing
fi

missing=$(missing_pkgs qemu-system-x86)
if [ -n "$missing" ]; then
	step "apt-get install qemu-system-x86 (bookworm-backports)" \
		apt-get install -y -qq --no-install-recommends -t bookworm-backports qemu-system-x86
fi

# --- Rust toolchain ----------------------------------------------------------------------------

command -v rustup >/dev/null ||
	die "rustup not found: install Rust with rustup (https://rustup.rs), then rerun"

rust_components_ok() {
	local installed
	installed=$(rustup component list --installed --toolchain "$RUST_TOOLCHAIN" 2>/dev/null) ||
		return 1
	for c in rust-src rustfmt clippy; do
		grep -q "^$c" <<<"$installed" || return 1
	done
}

if ! rust_components_ok; then
	step "rustup toolchain $RUST_TOOLCHAIN with rust-src, rustfmt, clippy" \
		rustup toolchain install "$RUST_TOOLCHAIN" --profile minimal \
		--component rust-src --component rustfmt --component clippy
fi

# --- bindgen-cli -------------------------------------------------------------------------------

if [ "$("$TOOLS_DIR/bin/bindgen" --version 2>/dev/null)" != "bindgen $BINDGEN_VERSION" ]; then
	step "cargo install bindgen-cli $BINDGEN_VERSION (about 2 minutes)" \
		cargo "+$RUST_TOOLCHAIN" install --quiet --locked --force --root "$TOOLS_DIR" \
		bindgen-cli --version "$BINDGEN_VERSION"
fi

# --- virtme-ng ---------------------------------------------------------------------------------

install_vng() {
	rm -rf "$VENV_DIR"
	python3 -m venv "$VENV_DIR"
	"$VENV_DIR/bin/pip" install --quiet --disable-pip-version-check "virtme-ng==$VNG_VERSION"
}

if [ "$("$VENV_DIR/bin/vng" --version 2>/dev/null | awk '{print $2}')" != "$VNG_VERSION" ]; then
	step "virtme-ng $VNG_VERSION in $VENV_DIR" install_vng
fi

# --- kernel source -----------------------------------------------------------------------------

fetch_kernel_source() {
	local tmp
	tmp=$(mktemp -d "$CACHE_DIR/src.tmp.XXXXXX")
	(
		cd "$tmp"
		apt-get download -qq -t trixie-backports "linux-source-$KERNEL_SERIES"
		dpkg-deb -x linux-source-*.deb pkg
		dpkg-deb -f linux-source-*.deb Version >version
		tar -xJf "pkg/usr/src/linux-source-$KERNEL_SERIES.tar.xz"
		mv "linux-source-$KERNEL_SERIES" tree
		cp version tree/.preemptstat-debian-version
	)
	rm -rf "$KSRC_DIR"
	mkdir -p "$(dirname "$KSRC_DIR")"
	mv "$tmp/tree" "$KSRC_DIR"
	rm -rf "$tmp"
}

if [ ! -f "$KSRC_DIR/.preemptstat-debian-version" ]; then
	mkdir -p "$CACHE_DIR"
	step "download and unpack linux-source-$KERNEL_SERIES (trixie-backports) into $KSRC_DIR" \
		fetch_kernel_source
fi

if [ "$did_something" -eq 0 ]; then
	echo "setup: nothing to do (everything installed; cache in $CACHE_DIR)"
fi
