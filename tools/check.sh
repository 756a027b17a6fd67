#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# tools/check.sh - everything 'make check' (and check-full, check-rt) runs after setup and the
# test kernels: rustfmt, the reader's fmt/clippy/tests, then for each suite a module build with
# clippy (warnings are errors) against that suite's kernel, 'make install' into a temporary
# DESTDIR and a dkms build in temporary trees for it, and its VM cases, in one boot per set
# of kernel parameters (a case's "# boot-args:" line, or the kernel's default). Prints
# one "ok"/"not ok" line per stage and per VM case, then "N passed, N failed"; exits non-zero on
# any failure.
#
# Usage: tools/check.sh [SUITE...]       (default: standard)
#   SUITE is FLAVOR (every case that runs on that kernel) or FLAVOR:reliability (only the
#   reliability-* cases). FLAVOR is a test kernel of tools/kernel.sh (standard, debug, rt on
#   Linux 7.3; standard-6.12, debug-6.12, rt-6.12 on Linux 6.12), which must be built
#   (tools/kernel.sh build FLAVOR). A case runs on every flavor unless it has a
#   "# flavors: NAME..." line; there NAME is a configuration on every series (debug: debug and
#   debug-6.12) and NAME-SERIES one series only (debug-7.3: debug). VM case lines are named
#   vm:CASE on the 7.3 standard kernel and vm-FLAVOR:CASE on the others.

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
# reason, it is never skipped. (Building the debug kernel in the background while the standard
# suite ran saved 10 minutes of a cold run, but its compilers, even at nice 19, stalled the
# VM's host thread for milliseconds at a time: two latency cases failed.)
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

# case_header CASE NAME: the value of CASE's first "# NAME:" line, or nothing.
case_header() {
	sed -n "s/^# $2: *//p" "$1" | head -n 1
}

# flavor_listed FLAVOR NAME...: whether one of the NAMEs (a "# flavors:" line) names FLAVOR:
# its own name, its configuration (every series) or its configuration and series.
flavor_listed() {
	local flavor=$1 base series n
	base=$(flavor_base "$flavor")
	series=$(flavor_series "$flavor")
	shift
	for n in "$@"; do
		case "$n" in "$flavor" | "$base" | "$base-$series") return 0 ;; esac
	done
	return 1
}

# select_cases FLAVOR SUBSET: the case files of a suite, in name order.
select_cases() {
	local c flavors
	for c in "$repo"/tools/vmtest/cases/*.sh; do
		flavors=$(case_header "$c" flavors)
		# shellcheck disable=SC2086
		if [ -n "$flavors" ] && ! flavor_listed "$1" $flavors; then
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
	case "$(flavor_base "$1")" in
	debug) echo "2G 4 kmemleak=off" ;;
	rt) echo "1G 2 -" ;;
	*) echo "1G 1 -" ;;
	esac
}

# case_args CASE DEFAULT: the kernel parameters CASE boots with: its "# boot-args:" line, or
# DEFAULT.
case_args() {
	local a
	a=$(case_header "$1" boot-args)
	echo "${a:-$2}"
}

# case_timeout CASE: its "# timeout:" in seconds (60 if none, as guest.sh).
case_timeout() {
	local t
	t=$(case_header "$1" timeout)
	t=${t%%[!0-9]*}
	echo "${t:-60}"
}

# vm_suite FLAVOR SUBSET: the suite's cases, one line each. The cases go to lanes; a lane is
# one VM at a time, a boot for all its cases that take the same kernel parameters, in the order
# of their first case. A whole suite has one lane: its latency cases want the host to
# themselves. The reliability cases assert counts and consistency, not latencies, so they have
# two lanes, two VMs at once (each is one host thread, and the host has two cores): each case
# goes, longest "# timeout:" first, to the lane with the least so far.
vm_suite() {
	local flavor=$1 subset=$2 prefix=vm memory scale args cases c a line lanes=1 i l t
	[ "$flavor" = standard ] || prefix=vm-$flavor
	[ "$subset" = reliability ] && lanes=2
	read -r memory scale args < <(vm_settings "$flavor")
	mapfile -t cases < <(select_cases "$flavor" "$subset")
	local -A lane_of
	local total=()
	for ((l = 0; l < lanes; l++)); do total[l]=0; done
	while read -r t c; do
		l=0
		for ((i = 1; i < lanes; i++)); do
			[ "${total[i]}" -lt "${total[l]}" ] && l=$i
		done
		lane_of[$c]=$l
		total[l]=$((total[l] + t))
	done < <(for c in "${cases[@]}"; do echo "$(case_timeout "$c") $c"; done | sort -s -k1,1nr)
	# boots: "LANE ARGS" each, with its cases, in the order of their first case.
	local -A boot_cases
	local boots=() names=() lane=() bargs=() j
	for c in "${cases[@]}"; do
		j="${lane_of[$c]} $(case_args "$c" "$args")"
		[ -n "${boot_cases[$j]+set}" ] || boots+=("$j")
		boot_cases[$j]+="$c"$'\n'
	done
	echo "# VM suite on the $flavor kernel${subset:+ ($subset cases)}: ${#cases[@]} cases in ${#boots[@]} boot(s) on $lanes lane(s) (TCG, 2 CPUs, $memory, timeouts x$scale)"
	for ((i = 0; i < ${#boots[@]}; i++)); do
		names[i]=$prefix
		[ "$i" -eq 0 ] || names[i]=$prefix-boot$((i + 1))
		j=${boots[i]}
		lane[i]=${j%% *}
		bargs[i]=${j#* }
		[ "${bargs[i]}" = - ] && bargs[i]=
		echo "# boot $((i + 1)), lane $((lane[i] + 1)): $(printf '%s' "${boot_cases[$j]}" | grep -c .) cases, kernel parameters: ${bargs[i]:-(none)}; log $out/${names[i]}.log"
	done
	# run_lane LANE: the lane's boots, one after the other.
	run_lane() {
		local i
		for ((i = 0; i < ${#boots[@]}; i++)); do
			[ "${lane[i]}" = "$1" ] || continue
			mapfile -t cases < <(printf '%s' "${boot_cases[${boots[i]}]}")
			PS_VM_MEMORY=$memory PS_TIMEOUT_SCALE=$scale PS_VM_APPEND=${bargs[i]} \
				"$here/vmtest/vmtest.sh" "${kdirs[$flavor]}" "$out/${names[i]}" "${cases[@]}" \
				>"$out/${names[i]}.log" 2>&1
		done
	}
	local pids=()
	for ((l = 0; l < lanes; l++)); do
		run_lane "$l" &
		pids+=("$!")
	done
	wait "${pids[@]}"
	for ((i = 0; i < ${#boots[@]}; i++)); do
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
		done <"$out/${names[i]}.log"
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

# module_series_refused KDIR: a build against a kernel series the module does not support
# stops before compiling anything, with one line naming the supported series. A kernel of
# another series is simulated by overriding the kernel Makefile's VERSION, PATCHLEVEL and
# SUBLEVEL on the command line: they are all the top-level Kbuild's check reads.
module_series_refused() {
	local kdir=$1 v out n
	for v in 6.6.0 6.13.0 6.12.117 7.2.0 7.4.0 5.15.180; do
		IFS=. read -r ver pl sub <<<"$v"
		if out=$(make -C "$kdir" M="$repo" LLVM=1 VERSION="$ver" PATCHLEVEL="$pl" \
			SUBLEVEL="$sub" modules 2>&1); then
			echo "Linux $v: the build succeeded"
			return 1
		fi
		n=$(grep -c "preemptstat supports Linux 7.3.y and 6.12.y (6.12.118 or later); this kernel is $v\." <<<"$out")
		if [ "$n" -ne 1 ]; then
			echo "Linux $v: $n lines name the supported series; the build said:"
			echo "$out"
			return 1
		fi
		if grep -E 'error\[|^error:|warning:|^  (CC|RUSTC|LD|AR) ' <<<"$out"; then
			echo "Linux $v: the build compiled something before it stopped"
			return 1
		fi
		echo "Linux $v refused: $(grep 'preemptstat supports' <<<"$out")"
	done
}

# module_modinfo: the built modules declare their parameters (names, types, descriptions with
# their bounds) and author in modinfo, the same on every kernel series (tools/check.sh runs
# this after each suite's build).
module_modinfo() {
	local want got
	want='author:preemptstat developers
parm:breakdown:Hook the NMI, IRQ, softirq, sched_switch and hrtimer events that break spikes down (bool)
parm:enabled:Start recording at load time (bool)
parm:log_entries:Threshold log records kept per CPU (16..65536) (uint)
parm:period_us:Wakeup timer period in us (100..1000000) (uint)
parm:sites_per_cpu:Site table slots per CPU (64..65536, rounded up to a power of two) (uint)
parm:spikes_per_cpu:Spikes kept per CPU (1..4096) (uint)
parm:threshold_us:Sections at least this long go to the log, in us (0 = off, max 10 s) (ullong)
parm:wakeup:Start the wakeup probe at load time (bool)
parm:wakeup_prio:SCHED_FIFO priority of the wakeup threads (1..99) (uint)
parm:wakeup_threshold_us:Wakeups with thread latency at least this are spikes, in us (0 = none) (ullong)
parm:worst:Worst sections kept (1..1000) (uint)'
	got=$({ modinfo -F author "$repo/rust/preemptstat.ko" | sed 's/^/author:/'
		modinfo -F parm "$repo/rust/preemptstat.ko" | sed 's/^/parm:/'; } | sort)
	if [ "$got" != "$want" ]; then
		echo "preemptstat.ko modinfo differs from what is expected:"
		diff <(echo "$want") <(echo "$got")
		return 1
	fi
	want='author:preemptstat developers
parm:max_us:Longest section a command may ask for, in us (at most 1000000) (ullong)'
	got=$({ modinfo -F author "$repo/samples/preemptstat_inject.ko" | sed 's/^/author:/'
		modinfo -F parm "$repo/samples/preemptstat_inject.ko" | sed 's/^/parm:/'; } | sort)
	if [ "$got" != "$want" ]; then
		echo "preemptstat_inject.ko modinfo differs from what is expected:"
		diff <(echo "$want") <(echo "$got")
		return 1
	fi
	echo "modinfo: $(modinfo -F vermagic "$repo/rust/preemptstat.ko"): 10 parameters and the author; the injector's max_us"
}

# The VM cases install-modprobe and install-dkms load what install_layout and dkms_build leave
# here (tools/vmtest/vmtest.sh: PS_INSTALL_DIR). Each suite makes it anew for its kernel, after
# its module build; the next suite's 'make clean' (M=$repo) deletes the .ko files in it.
install_dir=$out/install

# install_layout KDIR: 'make install' into a temporary DESTDIR lays out exactly the module for
# KDIR's release (never a sample, though they are built), the reader, its manual pages and
# completions: under /usr/local (PREFIX's default) and under /usr (Debian's own paths). The
# /usr/local tree stays in $install_dir/destdir for install-modprobe.
install_layout() {
	local kdir=$1 krel prefix dest want got pages p bad=0
	krel=$(make -s -C "$kdir" kernelrelease) || return 1
	ls "$repo"/samples/*.ko >/dev/null || { echo "no samples built: the check needs them"; return 1; }
	make -s -C "$repo" reader || return 1
	pages="completions diff export hist log plot plot-hist plot-wakeup record report reset set
		sites version wakeup watch worst"
	for prefix in /usr/local /usr; do
		dest=$install_dir/destdir
		[ "$prefix" = /usr ] && dest=$install_dir/destdir-usr
		rm -rf "$dest"
		make -s -C "$repo" install DESTDIR="$dest" PREFIX="$prefix" || return 1
		want=$({
			echo "644 lib/modules/$krel/updates/preemptstat.ko"
			echo "755 ${prefix#/}/bin/preemptstat"
			echo "644 ${prefix#/}/share/man/man1/preemptstat.1.gz"
			for p in $pages; do echo "644 ${prefix#/}/share/man/man1/preemptstat-$p.1.gz"; done
			echo "644 ${prefix#/}/share/bash-completion/completions/preemptstat"
			if [ "$prefix" = /usr ]; then
				echo "644 usr/share/zsh/vendor-completions/_preemptstat"
			else
				echo "644 usr/local/share/zsh/site-functions/_preemptstat"
			fi
			echo "644 ${prefix#/}/share/fish/vendor_completions.d/preemptstat.fish"
		} | sort)
		got=$(cd "$dest" && find . ! -type d -printf '%m %P\n' | sort)
		if [ "$got" != "$want" ]; then
			echo "make install PREFIX=$prefix: the layout differs from what is expected (- expected, + installed):"
			diff <(echo "$want") <(echo "$got")
			bad=1
		fi
		cmp "$repo/rust/preemptstat.ko" "$dest/lib/modules/$krel/updates/preemptstat.ko" || bad=1
		"$dest$prefix/bin/preemptstat" --version || bad=1
		zcat "$dest$prefix/share/man/man1/preemptstat.1.gz" | grep -q '^\.TH preemptstat 1 ' ||
			{ echo "preemptstat.1.gz is not a manual page"; bad=1; }
		bash -c '. "$1" && complete -p preemptstat' _ \
			"$dest$prefix/share/bash-completion/completions/preemptstat" || bad=1
	done
	[ "$bad" -eq 0 ] && echo "make install: the expected $(grep -c . <<<"$want") files, no sample, under /usr/local and /usr"
}

# dkms_state: what DKMS keeps on this machine, to show that dkms_build changed none of it.
dkms_state() {
	find /var/lib/dkms /usr/src -maxdepth 1 -name '*preemptstat*' 2>/dev/null
	find /var/lib/dkms 2>/dev/null | sort
}

# dkms_build KDIR: Debian's dkms, in temporary trees only, builds preemptstat.ko from the
# sources 'make install-dkms' installs (no samples), LLVM=1, for KDIR's release; install-dkms
# loads it in the VM. A build tree without CONFIG_RUST, and one with CONFIG_RUST=y but
# without its Rust metadata, are refused with exit code 77 and dkms's one BUILD_EXCLUSIVE
# line, before anything is compiled; 'dkms autoinstall' for such a kernel succeeds and builds
# nothing (a kernel upgrade must not fail). The system's DKMS tree gains nothing.
dkms_build() {
	local kdir=$1 dir=$install_dir/dkms krel ver src before kos fake rc log line
	line='includes a BUILD_EXCLUSIVE directive which does not match this kernel/arch/config'
	command -v dkms >/dev/null || { echo "dkms not found: run 'make setup'"; return 1; }
	krel=$(make -s -C "$kdir" kernelrelease) || return 1
	ver=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"$/\1/p' "$repo/dkms.conf")
	if [ "$ver" != "$(sed -n 's/^version = "\(.*\)"$/\1/p' "$repo/tools/Cargo.toml")" ]; then
		echo "dkms.conf's PACKAGE_VERSION '$ver' is not the version in tools/Cargo.toml"
		return 1
	fi
	before=$(dkms_state)
	rm -rf "$dir"
	mkdir -p "$dir/tree" "$dir/refused-tree"
	make -s -C "$repo" install-dkms DESTDIR="$dir/root" || return 1
	src=$dir/root/usr/src
	if [ -n "$(find "$src" -path '*samples*')" ]; then
		echo "make install-dkms installed samples:"
		find "$src" -path '*samples*'
		return 1
	fi
	dkms build -m preemptstat -v "$ver" -k "$krel" --dkmstree "$dir/tree" --sourcetree "$src" \
		--kernelsourcedir "$kdir" || { cat "$dir"/tree/preemptstat/"$ver"/build/make.log; return 1; }
	mapfile -t kos < <(find "$dir/tree" -name '*.ko')
	if [ "${#kos[@]}" -ne 1 ] || [[ "${kos[0]}" != */"$krel"/*/module/preemptstat.ko ]]; then
		echo "dkms build left these modules, not one preemptstat.ko for $krel: ${kos[*]}"
		return 1
	fi
	[ "$(modinfo -F vermagic "${kos[0]}" | cut -d' ' -f1)" = "$krel" ] ||
		{ echo "${kos[0]} is not built for $krel"; return 1; }
	# The refused kernels: what dkms reads before it refuses, the build tree's .config and the
	# Rust metadata, one of them wanting (a build would fail on the missing Makefile, not with
	# the line).
	grep -q '^CONFIG_RUST=y$' "$kdir/.config" || { echo "$kdir/.config has no CONFIG_RUST=y"; return 1; }
	for fake in no-rust no-metadata; do
		mkdir -p "$dir/$fake"
		if [ "$fake" = no-rust ]; then
			sed 's/^CONFIG_RUST=y$/# CONFIG_RUST is not set/' "$kdir/.config" >"$dir/$fake/.config"
			mkdir "$dir/$fake/rust"
			ln -s "$kdir/rust/libkernel.rmeta" "$kdir/rust/libmacros.so" "$dir/$fake/rust/"
		else
			cp "$kdir/.config" "$dir/$fake/.config"
		fi
		log=$(dkms build -m preemptstat -v "$ver" -k "$krel" --dkmstree "$dir/refused-tree" \
			--sourcetree "$src" --kernelsourcedir "$dir/$fake" 2>&1)
		rc=$?
		if [ "$rc" -ne 77 ] || [ "$(grep -c "$line" <<<"$log")" -ne 1 ] ||
			grep -q 'Building module' <<<"$log"; then
			echo "dkms build for a kernel with $fake: exit $rc (77 expected), and said:"
			echo "$log"
			return 1
		fi
		echo "$fake: refused (exit 77): $(grep "$line" <<<"$log")"
		log=$(dkms autoinstall -k "$krel" --dkmstree "$dir/refused-tree" --sourcetree "$src" \
			--kernelsourcedir "$dir/$fake" --installtree "$dir/installed" 2>&1)
		rc=$?
		if [ "$rc" -ne 0 ] || [ -e "$dir/installed" ] || [ -n "$(find "$dir/refused-tree" -name '*.ko')" ]; then
			echo "dkms autoinstall for a kernel with $fake: exit $rc (0 expected), and said:"
			echo "$log"
			return 1
		fi
	done
	if [ "$(dkms_state)" != "$before" ]; then
		echo "dkms changed the system's DKMS tree or /usr/src:"
		diff <(echo "$before") <(dkms_state)
		return 1
	fi
	echo "dkms build: ${kos[0]#"$dir"/}; the system's DKMS tree unchanged"
}

module_rustfmt() {
	make -s -C "$repo" KDIR="$KSRC_DIR" rustfmtcheck
}

# need_tool NAME PACKAGE: fail with the reason if NAME is not installed (never skip).
need_tool() {
	command -v "$1" >/dev/null || {
		echo "$1 not found: run tools/setup.sh (Debian package $2)"
		return 1
	}
}

# prometheus_rules: the shipped alert rules load (promtool check rules) and fire exactly as their
# unit tests say (promtool test rules).
prometheus_rules() {
	need_tool promtool prometheus &&
		(cd "$repo/tools/prometheus" &&
			promtool check rules preemptstat.rules.yml &&
			promtool test rules preemptstat.rules.test.yml)
}

# prometheus_metrics: promtool check metrics on the release reader's export of the captured
# fixture exits 0 and prints nothing (a lint finding is printed, with exit 0 or not).
prometheus_metrics() {
	local lint rc=0
	need_tool promtool prometheus || return 1
	lint=$("$CARGO_TARGET_DIR/release/preemptstat" \
		--root "$repo/tools/preemptstat/tests/fixtures/v2-live" export --format prometheus |
		promtool check metrics 2>&1) || rc=$?
	[ "$rc" -eq 0 ] && [ -z "$lint" ] || {
		echo "promtool check metrics: exit $rc: $lint"
		return 1
	}
	echo "promtool check metrics: exit 0, no output"
}

stage module-rustfmt module_rustfmt
stage module-series-refused module_series_refused "${kdirs[${suites[0]%%:*}]}"
stage reader-fmt cargo fmt --manifest-path "$repo/tools/Cargo.toml" --all -- --check
stage reader-clippy cargo clippy --manifest-path "$repo/tools/Cargo.toml" --all-targets -- -D warnings
stage reader-test cargo test --manifest-path "$repo/tools/Cargo.toml"
stage reader-build make -s -C "$repo" reader
stage prometheus-metrics prometheus_metrics
stage prometheus-rules prometheus_rules

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
		stage "module-frames${name#module-build-clippy}" module_frames &&
		stage "module-modinfo${name#module-build-clippy}" module_modinfo &&
		stage "install${name#module-build-clippy}" install_layout "${kdirs[$flavor]}"
	stage "dkms${name#module-build-clippy}" dkms_build "${kdirs[$flavor]}"
	export PS_INSTALL_DIR=$install_dir
	# The rtla of the suite's series, for the cases that compare with it; if it does not
	# build, they fail with the reason (PS_RTLA empty), the rest of the suite runs.
	PS_RTLA=
	stage "rtla${name#module-build-clippy}" "$here/rtla.sh" build "$flavor" &&
		PS_RTLA=$("$here/rtla.sh" print-path "$flavor")
	export PS_RTLA
	vm_suite "$flavor" "$subset"
	echo "# suite $suite: $((SECONDS - t_suite)) s"
done

echo "# make check: $((SECONDS - t_start)) s"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
