#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# tools/rtla.sh - build or reuse rtla, the kernel's timerlat/osnoise front end, per kernel series.
#
# Usage:
#   tools/rtla.sh build [SERIES|FLAVOR]       build rtla unless the cache has it; prints its path
#   tools/rtla.sh print-path [SERIES|FLAVOR]  print the cached rtla's path, nothing else
#
# SERIES is a kernel series of KERNEL_SERIES_ALL (7.3, 6.12; default KERNEL_SERIES, tools/env.sh);
# a test kernel flavor (standard, rt-6.12, ...) stands for its series, so that 'make rtla
# FLAVOR=rt-6.12' builds the rtla that goes with that kernel. Status lines go to standard error,
# the path alone to standard output: RTLA=$(tools/rtla.sh build 6.12).
#
# rtla comes from the series' own kernel source (tools/tracing/rtla of Debian's linux-source,
# unpacked by tools/setup.sh), one binary per series: the tracefs files and options of
# timerlat/osnoise change between series, and rtla only knows those of its own. Debian's packaged
# rtla (bookworm: 6.1) predates timerlat's auto-analysis and is not used.
#
# The build uses clang-19 (LLVM=1, as the kernels) and links the host's libtracefs and
# libtraceevent (libtracefs-dev, libtraceevent-dev: tools/setup.sh). Every optional feature is
# off, whatever else the host has installed: BPF sample collection (BUILD_BPF_SKEL=0, and the
# libbpf, clang BPF CO-RE and bpftool feature checks forced off), libcpupower (7.3's
# --deepest-idle-state) and libcheck (unit tests). The build writes only into its O= directory,
# never into the cached kernel source.
#
# The cache lives outside the checkout in $CACHE_DIR/rtla/ (tools/env.sh). An entry is a
# directory SERIES-KEY holding rtla and its build.log, where KEY hashes everything the binary
# depends on: the Debian kernel package version, the make arguments, clang, the libtracefs and
# libtraceevent versions and the recipe below. The entry appears (one rename) only after the
# build and its check succeeded: an interrupted build never leaves a half-built entry. The
# guests of tools/vmtest see the host's file system, so they run the cached binary as it is.

set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=tools/env.sh
. "$here/env.sh"

# Bump when the way rtla is built changes.
RECIPE=1

die() {
	echo "rtla: FAILED: $*" >&2
	exit 1
}

usage="usage: tools/rtla.sh build|print-path [SERIES|FLAVOR] (series: $KERNEL_SERIES_ALL)"
cmd=${1:-}
arg=${2:-$KERNEL_SERIES}
case "$cmd" in
build | print-path) ;;
"") die "no command: $usage" ;;
*) die "unknown command '$cmd': $usage" ;;
esac

# A series, or a flavor standing for its series.
if [[ " $KERNEL_SERIES_ALL " == *" $arg "* ]]; then
	series=$arg
elif [[ " $KERNEL_FLAVORS " == *" $arg "* ]]; then
	series=$(flavor_series "$arg")
else
	die "unknown kernel series or flavor '$arg' (series: $KERNEL_SERIES_ALL; flavors: $KERNEL_FLAVORS)"
fi

ksrc=$(ksrc_dir "$series")
src=$ksrc/tools/tracing/rtla
[ -f "$ksrc/.preemptstat-debian-version" ] ||
	die "no $series kernel source in $ksrc: run 'make setup' first"
[ -f "$src/Makefile" ] || die "no $src/Makefile in the $series kernel source"
kver=$(cat "$ksrc/.preemptstat-debian-version")

command -v clang >/dev/null || die "clang not found (clang-$LLVM_VERSION): run 'make setup'"
command -v pkg-config >/dev/null || die "pkg-config not found: run 'make setup'"
for lib in libtracefs libtraceevent; do
	pkg-config --exists "$lib" || die "$lib not found by pkg-config ($lib-dev): run 'make setup'"
done

jobs=$(($(nproc) + 1))
# The make arguments, part of the key. LLVM=1 alone reaches only the top-level Makefile: the
# sub-make that compiles src/*.c (tools/build/Makefile.build) would use cc (gcc), so CC and
# HOSTCC are named on the command line, which every sub-make inherits. feature-NAME=0 on the
# command line wins over the Makefile's own detection (tools/build/Makefile.feature): the
# optional features stay off even on a host that has their libraries. 6.12's Makefile knows none
# of them and ignores them.
make_args=(LLVM=1 CC=clang HOSTCC=clang BUILD_BPF_SKEL=0 feature-libbpf=0
	feature-clang-bpf-co-re=0 feature-bpftool-skeletons=0 feature-libcpupower=0
	feature-libcheck=0)

cache_key() {
	{
		echo "recipe $RECIPE"
		echo "linux-source-$series $kver"
		echo "make ${make_args[*]}"
		clang --version | head -n 1
		echo "libtracefs $(pkg-config --modversion libtracefs)"
		echo "libtraceevent $(pkg-config --modversion libtraceevent)"
	} | sha256sum | cut -c1-16
}

key=$(cache_key)
cache=$CACHE_DIR/rtla
entry=$cache/$series-$key

if [ "$cmd" = print-path ]; then
	[ -x "$entry/rtla" ] || die "rtla for $series is not built yet: run 'tools/rtla.sh build $series'"
	echo "$entry/rtla"
	exit 0
fi

if [ -x "$entry/rtla" ]; then
	echo "rtla: $series rtla cached (linux-source-$series $kver, key $key)" >&2
	echo "$entry/rtla"
	exit 0
fi

mkdir -p "$cache"
# One build at a time per cache; a second caller waits, then finds the entry.
exec 9>"$cache/.lock"
flock 9
if [ -x "$entry/rtla" ]; then
	echo "rtla: $series rtla cached (linux-source-$series $kver, key $key)" >&2
	echo "$entry/rtla"
	exit 0
fi
# Leftovers of interrupted builds (nobody else builds: the lock is ours).
rm -rf "$cache"/.build-* "$cache"/.entry-*

build=$(mktemp -d "$cache/.build-$series-$key.XXXXXX")
log=$build/build.log
t0=$SECONDS
echo "rtla: building rtla from linux-source-$series $kver (key $key) in $build" >&2

# The environment must not steer the build: a calling make's MAKEFLAGS (its variables, its -j),
# or CFLAGS, LDFLAGS, O, OUTPUT, srctree, subdir, which the tools Makefiles read.
if ! env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL -u CFLAGS -u LDFLAGS -u EXTRA_CFLAGS -u O \
	-u OUTPUT -u srctree -u subdir \
	make -C "$src" O="$build" -j"$jobs" "${make_args[@]}" >"$log" 2>&1; then
	tail -n 25 "$log" >&2
	die "make -C $src (linux-source-$series $kver) failed (full log: $log)"
fi
[ -x "$build/rtla" ] || die "no $build/rtla after the build (log: $log)"

# The binary must run here and have timerlat's auto-analysis.
# (rtla --version and --help exit non-zero: only their output counts.)
out=$("$build/rtla" --version 2>&1) || true
version=$(sed -n 's/^rtla version //p' <<<"$out" | head -n 1)
[ -n "$version" ] || die "the new $build/rtla does not run: '$build/rtla --version' printed no version (log: $log)"
out=$("$build/rtla" timerlat top --help 2>&1) || true
grep -q -- --aa-only <<<"$out" ||
	die "the new rtla $version has no 'timerlat top --aa-only' (no auto-analysis; log: $log)"

# Publish: the entry appears in one rename, and only now. The O= tree (objects) goes away.
tmp=$(mktemp -d "$cache/.entry-$series-$key.XXXXXX")
cp "$build/rtla" "$log" "$tmp/"
chmod 755 "$tmp"
rm -rf "$entry"
mv -T "$tmp" "$entry"
rm -rf "$build"
echo "rtla: rtla $version built in $((SECONDS - t0)) s: $entry/rtla" >&2
echo "$entry/rtla"
