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
#   - pkg-config, libtracefs-dev and libtraceevent-dev, to build rtla from each series' kernel
#     source (tools/rtla.sh);
#   - trace-cmd and linux-perf, the real tools the trace events are tested with
#     (tracer-trace-events);
#   - dkms, which tools/check.sh's dkms stage runs in temporary trees (without its recommends:
#     they would pull in Debian's kernel headers);
#   - qemu-system-x86 from bookworm-backports (it must match the backports qemu-utils),
#     busybox-static and udev (without udev the guest command's output is lost);
#   - prometheus (promtool) and prometheus-node-exporter, for the export's checks
#     (check.sh prometheus-*, the VM case reader-prometheus); on a systemd machine their
#     packages start their own services on ports 9090 and 9100, which no test uses;
#   - the Rust toolchain named in rust-toolchain.toml with rust-src, rustfmt and clippy;
#   - bindgen-cli (pinned) and virtme-ng (pinned, in a virtual environment), both under the
#     cache directory, never in the system Python;
#   - the Debian linux-source packages of every kernel series (7.3 from trixie-backports,
#     6.12 from bookworm-security at a pinned version: tools/env.sh), unpacked under the cache
#     directory.
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
	dwarves kmod xz-utils binutils busybox-static udev rsync python3-venv
	pkg-config libtracefs-dev libtraceevent-dev trace-cmd linux-perf dkms prometheus
	prometheus-node-exporter)
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

# --- kernel sources ----------------------------------------------------------------------------

# Every series of KERNEL_SERIES_ALL (tools/env.sh): Debian's linux-source-SERIES, unpacked under
# the cache. A pinned series (KERNEL_DEB_*) is fetched again when the pin changes.

# fetch_kernel_source SERIES VERSION SUITE: download linux-source-SERIES (VERSION, or the
# suite's own version if empty) and unpack it into ksrc_dir SERIES.
fetch_kernel_source() {
	local series=$1 version=$2 suite=$3 tmp ksrc
	ksrc=$(ksrc_dir "$series")
	tmp=$(mktemp -d "$CACHE_DIR/src.tmp.XXXXXX")
	(
		cd "$tmp"
		if [ -n "$version" ]; then
			apt-get download -qq "linux-source-$series=$version"
		else
			apt-get download -qq -t "$suite" "linux-source-$series"
		fi
		dpkg-deb -x linux-source-*.deb pkg
		dpkg-deb -f linux-source-*.deb Version >version
		tar -xJf "pkg/usr/src/linux-source-$series.tar.xz"
		mv "linux-source-$series" tree
		cp version tree/.preemptstat-debian-version
	)
	rm -rf "$ksrc"
	mkdir -p "$(dirname "$ksrc")"
	mv "$tmp/tree" "$ksrc"
	rm -rf "$tmp"
}

# deb_versions SERIES: the versions of linux-source-SERIES apt knows, newest first.
deb_versions() {
	apt-cache madison "linux-source-$1" 2>/dev/null | awk -F'|' '{ gsub(/ /, "", $2); print $2 }'
}

for series in $KERNEL_SERIES_ALL; do
	ksrc=$(ksrc_dir "$series")
	want=$(kernel_deb "$series")
	suite=$(kernel_suite "$series")
	have=$(cat "$ksrc/.preemptstat-debian-version" 2>/dev/null || true)
	if [ -n "$have" ] && { [ -z "$want" ] || [ "$have" = "$want" ]; }; then
		continue
	fi
	if [ -n "$want" ] && ! deb_versions "$series" | grep -qxF "$want"; then
		# The lists may be older than the archive: look once more after an update.
		apt-get update -qq >>"$log" 2>&1 || true
		if ! deb_versions "$series" | grep -qxF "$want"; then
			newest=$(deb_versions "$series" | head -n 1)
			die "linux-source-$series $want is no longer in the archive; the newest available is ${newest:-none}: set KERNEL_DEB_${series//./_}=${newest:-VERSION} in tools/env.sh"
		fi
	fi
	step "download and unpack linux-source-$series ${want:-($suite)} into $ksrc" \
		fetch_kernel_source "$series" "$want" "$suite"
done

if [ "$did_something" -eq 0 ]; then
	echo "setup: nothing to do (everything installed; cache in $CACHE_DIR)"
fi
