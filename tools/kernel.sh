#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# tools/kernel.sh - build or reuse preemptstat's cached test kernels.
#
# Usage:
#   tools/kernel.sh build [FLAVOR]       build the kernel unless the cache has it
#   tools/kernel.sh print-kdir [FLAVOR]  print the kernel build tree's path, nothing else
#   tools/kernel.sh key [FLAVOR]         print the cache key
#   tools/kernel.sh list                 one line per flavor: NAME SERIES PATH (- if not built)
#
# FLAVOR is "standard" (default), "debug", "rt", or one of those with a series suffix
# ("standard-6.12"): NAME-SERIES is built from Debian's linux-source-SERIES, NAME alone from the
# default series (KERNEL_SERIES in tools/env.sh). A flavor's configuration is the list of
# kconfig fragments in tools/kconfig/NAME.list (one file name per line), merged in that order,
# the same on every series; where a series needs something else, tools/kconfig/FLAVOR.list
# takes the place of NAME.list for that flavor (rt-6.12.list: on 6.12, PREEMPT_RT excludes
# PREEMPT). A later fragment's setting of an option wins over an earlier one's.
#
# The cache lives outside the checkout in $CACHE_DIR/kernels/ (tools/env.sh). An entry is named
# FLAVOR-KERNELVERSION-KEY, where KEY hashes everything the built tree depends on: the Debian
# kernel package version, the fragments, rustc, bindgen, clang, virtme-ng (its base config) and
# the build recipe below. The entry is a symbolic link to the build directory, made only after
# the build and the configuration check completed, so an interrupted build never leaves a
# half-built cache entry: the next run removes the leftover directory and starts again.

set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=tools/env.sh
. "$here/env.sh"

# Bump when the way the kernel is configured or built changes.
RECIPE=1

die() {
	echo "kernel: FAILED: $*" >&2
	exit 1
}

cmd=${1:-build}

if [ "$cmd" = list ]; then
	for f in $KERNEL_FLAVORS; do
		path=$("$0" print-kdir "$f" 2>/dev/null) || path=-
		echo "$f $(flavor_series "$f") $path"
	done
	exit 0
fi

flavor=${2:-standard}
series=$(flavor_series "$flavor")
base=$(flavor_base "$flavor")
case " $KERNEL_FLAVORS " in *" $flavor "*) ;; *)
	die "unknown kernel flavor '$flavor' (one of: $KERNEL_FLAVORS)" ;;
esac
list=$here/kconfig/$flavor.list
[ -f "$list" ] || list=$here/kconfig/$base.list
[ -f "$list" ] || die "unknown kernel flavor '$flavor' (no $list)"

fragments=()
while read -r f; do
	case "$f" in "" | "#"*) continue ;; esac
	[ -f "$here/kconfig/$f" ] || die "$list names $f, which does not exist"
	fragments+=("$here/kconfig/$f")
done <"$list"

ksrc=$(ksrc_dir "$series")
[ -f "$ksrc/.preemptstat-debian-version" ] ||
	die "no $series kernel source in $ksrc: run 'make setup' first"
kver=$(cat "$ksrc/.preemptstat-debian-version")

cache_key() {
	{
		echo "recipe $RECIPE"
		echo "flavor $flavor"
		echo "linux-source-$series $kver"
		for f in "${fragments[@]}"; do
			echo "fragment $(basename "$f")"
			cat "$f"
		done
		rustc -vV
		bindgen --version
		clang --version | head -n 1
		echo "virtme-ng $VNG_VERSION"
	} | sha256sum | cut -c1-16
}

key=$(cache_key)
kernels=$CACHE_DIR/kernels
entry=$kernels/$flavor-${kver%%-*}-$key

case "$cmd" in
key)
	echo "$key"
	exit 0
	;;
print-kdir)
	[ -d "$entry/" ] || die "the $flavor kernel is not built yet: run 'make kernel FLAVOR=$flavor'"
	readlink -f "$entry"
	exit 0
	;;
build) ;;
*) die "unknown command '$cmd' (build, print-kdir, key or list)" ;;
esac

if [ -d "$entry/" ]; then
	echo "kernel: $flavor kernel cached in $(readlink -f "$entry") (key $key)"
	exit 0
fi

mkdir -p "$kernels"
# One build at a time per cache: a second 'make check' waits here instead of building twice.
exec 9>"$kernels/.lock"
flock 9
if [ -d "$entry/" ]; then
	echo "kernel: $flavor kernel cached in $(readlink -f "$entry") (key $key)"
	exit 0
fi

# Remove leftovers of interrupted builds and entries no link points to any more.
for d in "$kernels"/.build-*; do
	[ -e "$d" ] || continue
	in_use=0
	for l in "$kernels"/*; do
		[ -L "$l" ] && [ "$(readlink -f "$l")" = "$d" ] && in_use=1
	done
	[ "$in_use" -eq 1 ] || rm -rf "$d"
done

build=$(mktemp -d "$kernels/.build-$flavor-$key.XXXXXX")
log=$build/preemptstat-build.log
t0=$SECONDS
echo "kernel: building the $flavor test kernel (linux-source-$series $kver, key $key) in $build"
echo "kernel: log in $log; a cold build takes about 15 minutes on 2 cores"

# run DESCRIPTION COMMAND...: run a build step with its output in the log.
run() {
	local what=$1 t=$SECONDS
	shift
	if ! "$@" >>"$log" 2>&1; then
		tail -n 40 "$log" >&2
		die "$what failed (full log: $log)"
	fi
	echo "kernel: $what done in $((SECONDS - t)) s"
}

cd "$ksrc"
run "check that Rust is available (make LLVM=1 rustavailable)" \
	make LLVM=1 O="$build" rustavailable

custom=()
for f in "${fragments[@]}"; do custom+=(--custom "$f"); done
run "virtme-ng minimal config plus fragments" \
	virtme-configkernel --defconfig "${custom[@]}" O="$build" LLVM=1
# virtme-ng appends its own required options after ours; merge ours once more so that our
# choices win, then let olddefconfig settle the dependencies.
run "merge fragments" \
	scripts/kconfig/merge_config.sh -m -O "$build" "$build/.config" "${fragments[@]}"
run "olddefconfig" make LLVM=1 O="$build" olddefconfig

# Every option of the fragments must have ended up as the last fragment that sets it says:
# CONFIG_RUST, for one, silently stays off when the Rust toolchain is not detected.
declare -A want
order=()
for f in "${fragments[@]}"; do
	while read -r line; do
		if [[ "$line" =~ ^(CONFIG_[A-Za-z0-9_]+)=(.*)$ ]] ||
			[[ "$line" =~ ^#\ (CONFIG_[A-Za-z0-9_]+)\ is\ not\ set$ ]]; then
			[ -n "${want[${BASH_REMATCH[1]}]+set}" ] || order+=("${BASH_REMATCH[1]}")
			want[${BASH_REMATCH[1]}]=$line
		fi
	done <"$f"
done
missing=()
for opt in "${order[@]}"; do
	line=${want[$opt]}
	if [[ "$line" == "#"* ]]; then
		! grep -q "^$opt=" "$build/.config" || missing+=("$opt (must be off)")
	else
		grep -qx "$line" "$build/.config" || missing+=("$opt")
	fi
done
if [ "${#missing[@]}" -gt 0 ]; then
	die "configuration does not have: ${missing[*]} (see $build/.config and $log)"
fi
echo "kernel: all ${#order[@]} fragment options verified"

jobs=$(($(nproc) + 1))
run "make LLVM=1 -j$jobs (vmlinux, bzImage, modules)" make LLVM=1 O="$build" -j"$jobs" all
[ -f "$build/arch/x86/boot/bzImage" ] || die "no bzImage after the build (log: $log)"
[ -f "$build/Module.symvers" ] || die "no Module.symvers after the build (log: $log)"
[ -f "$build/rust/libkernel.rmeta" ] || die "no rust/libkernel.rmeta after the build (log: $log)"

# Publish: the link appears atomically, and only now.
ln -sfn "$build" "$entry.tmp"
mv -T "$entry.tmp" "$entry"
echo "kernel: $flavor kernel built in $((SECONDS - t0)) s: $build (key $key)"
