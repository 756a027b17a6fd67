#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# tools/check.sh - everything 'make check' (and check-full, check-rt) runs after setup and the
# test kernels: rustfmt, the reader's fmt/clippy/tests, then for each suite a module build with
# clippy (warnings are errors) against that suite's kernel and its VM cases, in one boot per set
# of kernel parameters (a case's "# boot-args:" line, or the kernel's default). Prints
# one "ok"/"not ok" line per stage and per VM case, then "N passed, N failed"; exits non-zero on
# any failure.
#
# Usage: tools/check.sh [SUITE...]       (default: standard)
#   SUITE is FLAVOR (every case that runs on that kernel) or FLAVOR:reliability (only the
#   reliability-* cases). FLAVOR is a kernel of tools/kconfig/FLAVOR.list, which must be built
#   (tools/kernel.sh build FLAVOR). A case runs on every flavor unless it has a
#   "# flavors: NAME..." line. VM case lines are named vm:CASE on the standard kernel and
#   vm-FLAVOR:CASE on the others.

set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/.." && pwd)
# shellcheck source=tools/env.sh
. "$here/env.sh"

out=$repo/out/check
mkdir -p "$out"
passed=0
failed=0
n=0
t_start=$SECONDS

# stage NAME COMMAND...: run one check with its output in out/check/NAME.log.
stage() {
	local name=$1 t=$SECONDS rc
	shift
	n=$((n + 1))
	"$@" >"$out/$name.log" 2>&1
	rc=$?
	if [ "$rc" -eq 0 ]; then
		echo "ok $n $name # $((SECONDS - t)) s"
		passed=$((passed + 1))
	else
		echo "not ok $n $name - exit $rc; last lines of $out/$name.log:"
		tail -n 25 "$out/$name.log" | sed 's/^/# /'
		failed=$((failed + 1))
	fi
	return "$rc"
}

suites=("$@")
[ "${#suites[@]}" -gt 0 ] || suites=(standard)

# Every suite's kernel must be there before anything runs: a missing one fails the run with the
# reason, it is never skipped.
declare -A kdirs
for suite in "${suites[@]}"; do
	flavor=${suite%%:*}
	case "$suite" in "$flavor" | "$flavor:reliability") ;; *)
		echo "not ok 1 suites - unknown suite '$suite' (FLAVOR or FLAVOR:reliability)"
		echo "0 passed, 1 failed"
		exit 1
		;;
	esac
	kdirs[$flavor]=$("$here/kernel.sh" print-kdir "$flavor") || {
		echo "not ok 1 kernel-$flavor - no $flavor test kernel (run 'tools/kernel.sh build $flavor')"
		echo "0 passed, 1 failed"
		exit 1
	}
	echo "# $flavor test kernel: ${kdirs[$flavor]}"
done

# module_build KDIR: the module and the samples from clean, with clippy, against KDIR.
module_build() {
	make -C "$1" M="$repo" LLVM=1 clean &&
		make -C "$1" M="$repo" LLVM=1 CLIPPY=1 modules
}

# select_cases FLAVOR SUBSET: the case files of a suite, in name order.
select_cases() {
	local c flavors
	for c in "$repo"/tools/vmtest/cases/*.sh; do
		flavors=$(sed -n 's/^# flavors: *//p' "$c" | head -n 1)
		if [ -n "$flavors" ] && ! grep -qw -- "$1" <<<"$flavors"; then
			continue
		fi
		if [ "$2" = reliability ] && [[ "$(basename "$c")" != reliability-* ]]; then
			continue
		fi
		echo "$c"
	done
}

# vm_settings FLAVOR: the guest memory, the timeout scale and the kernel parameters of that
# kernel's boots ("-" for none). KASAN's shadow and kmemleak's object pool want memory; KASAN,
# lockdep and debugobjects make every event several times slower under TCG. kmemleak is off in
# the debug kernel's main boot: it reports only when scanned, which only reliability-kmemleak
# does (automatic scans are configured out), so for every other case it would find nothing and
# only cost time: it tracks every allocation (Documentation/testing.rst has the figures).
# reliability-kmemleak asks for it ("# boot-args:") and gets a boot of its own.
vm_settings() {
	case "$1" in
	debug) echo "2G 4 kmemleak=off" ;;
	rt) echo "1G 2 -" ;;
	*) echo "1G 1 -" ;;
	esac
}

# case_args CASE DEFAULT: the kernel parameters CASE boots with: its "# boot-args:" line, or
# DEFAULT.
case_args() {
	local a
	a=$(sed -n 's/^# boot-args: *//p' "$1" | head -n 1)
	echo "${a:-$2}"
}

# vm_suite FLAVOR SUBSET: the suite's cases, one line each; one boot of that kernel for all the
# cases that take the same kernel parameters, in the order of their first case.
vm_suite() {
	local flavor=$1 subset=$2 prefix=vm memory scale args cases c a line boot=0
	[ "$flavor" = standard ] || prefix=vm-$flavor
	read -r memory scale args < <(vm_settings "$flavor")
	mapfile -t cases < <(select_cases "$flavor" "$subset")
	local -A group
	local order=()
	for c in "${cases[@]}"; do
		a=$(case_args "$c" "$args")
		[ -n "${group[$a]+set}" ] || order+=("$a")
		group[$a]+="$c"$'\n'
	done
	echo "# VM suite on the $flavor kernel${subset:+ ($subset cases)}: ${#cases[@]} cases in ${#order[@]} boot(s) (TCG, 2 CPUs, $memory, timeouts x$scale)"
	for a in "${order[@]}"; do
		local name=$prefix
		boot=$((boot + 1))
		[ "$boot" -eq 1 ] || name=$prefix-boot$boot
		mapfile -t cases < <(printf '%s' "${group[$a]}")
		[ "$a" = - ] && a=
		echo "# boot $boot: ${#cases[@]} cases, kernel parameters: ${a:-(none)}; log $out/$name.log"
		PS_VM_MEMORY=$memory PS_TIMEOUT_SCALE=$scale PS_VM_APPEND=$a \
			"$here/vmtest/vmtest.sh" "${kdirs[$flavor]}" "$out/$name" "${cases[@]}" >"$out/$name.log" 2>&1
		while IFS= read -r line; do
			case "$line" in
			"ok "*)
				n=$((n + 1)) passed=$((passed + 1))
				echo "ok $n $prefix:${line#ok [0-9]* }"
				;;
			"not ok "*)
				n=$((n + 1)) failed=$((failed + 1))
				echo "not ok $n $prefix:${line#not ok [0-9]* }"
				;;
			*" passed, "*" failed") ;;
			*) echo "$line" ;;
			esac
		done <"$out/$name.log"
	done
}

# The largest kernel stack frame a module function may have, as the kernel's CONFIG_FRAME_WARN
# for C. rustc has no such warning, and the stack is 16 KiB: report functions that kept 1.5 KiB
# wakeup histograms on the stack took the guest to 240 bytes of it left, and then past it.
frame_limit=2048
# Module::init runs once, at insmod, near the top of the stack (7.8 KiB of 16 left at its
# deepest, measured by CONFIG_DEBUG_STACK_USAGE): it builds each CPU's state (4 KiB) on the stack
# before moving it into place.
frame_limit_init=6144

# module_frames: every function of the built modules within the frame limit.
module_frames() {
	local ko bad=0 size fn limit
	for ko in "$repo"/rust/*.ko "$repo"/samples/*.ko; do
		[ -f "$ko" ] || { echo "no module $ko"; return 1; }
		while read -r size fn; do
			limit=$frame_limit
			[[ "$fn" == *6Module4init ]] && limit=$frame_limit_init
			if [ "$size" -gt "$limit" ]; then
				echo "$(basename "$ko"): $fn has a $size-byte stack frame (limit $limit)"
				bad=1
			fi
		done < <(llvm-objdump-19 -d --no-show-raw-insn "$ko" | perl -ne '
			$fn = $1 if /^[0-9a-f]+ <(.*)>:$/;
			printf "%d %s\n", hex($1), $fn if /subq\s+\$0x([0-9a-f]+),\s*%rsp/')
	done
	[ "$bad" -eq 0 ] && echo "every function's stack frame is within $frame_limit bytes (init: $frame_limit_init)"
}

module_rustfmt() {
	make -s -C "$repo" KDIR="$KSRC_DIR" rustfmtcheck
}

stage module-rustfmt module_rustfmt
stage reader-fmt cargo fmt --manifest-path "$repo/tools/Cargo.toml" --all -- --check
stage reader-clippy cargo clippy --manifest-path "$repo/tools/Cargo.toml" --all-targets -- -D warnings
stage reader-test cargo test --manifest-path "$repo/tools/Cargo.toml"
stage reader-build cargo build --release --manifest-path "$repo/tools/Cargo.toml"

for suite in "${suites[@]}"; do
	flavor=${suite%%:*}
	subset=${suite#"$flavor"}
	subset=${subset#:}
	name=module-build-clippy
	[ "$flavor" = standard ] || name=module-build-clippy-$flavor
	t_suite=$SECONDS
	# A module that does not build for this kernel fails every case of the suite through
	# vmtest.sh (no .ko), so the suite still reports each case.
	stage "$name" module_build "${kdirs[$flavor]}" &&
		stage "module-frames${name#module-build-clippy}" module_frames
	vm_suite "$flavor" "$subset"
	echo "# suite $suite: $((SECONDS - t_suite)) s"
done

echo "# make check: $((SECONDS - t_start)) s"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
