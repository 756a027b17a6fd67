#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# tools/vmtest/guest.sh - runs inside the test VM (as root): every case in turn, each under a
# time limit, each followed by a kernel health check of what it added to dmesg.
#
# Usage (by vmtest.sh): guest.sh OUTDIR, with the case files listed in OUTDIR/cases.list.
# Writes OUTDIR/results.tap (KTAP lines, with each case's output between "# BEGIN name" and
# "# END name"), OUTDIR/dmesg.txt (the whole kernel log, case by case) and OUTDIR/guest-done.

set -u
out=$1
mapfile -t cases <"$out/cases.list"
set -- "${cases[@]}"
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
results=$out/results.tap
# Every case's time limit is multiplied by this (vmtest.sh: PS_TIMEOUT_SCALE).
scale=$(cat "$out/timeout_scale" 2>/dev/null || echo 1)
# Cases that run for a fixed time scale it too (a debug kernel does less in a second).
export PS_TIMEOUT_SCALE=$scale

# Real kernel failures. A case may allow more with "# dmesg-allow: REGEX" (for example the
# NMI backtraces that sysrq-l prints on purpose).
bad_re='WARNING:|BUG:|Oops|general protection|Call Trace|KASAN|UBSAN|possible circular locking|possible recursive locking|inconsistent lock state|rcu_.*stall|soft lockup|hard LOCKUP|kmemleak|INFO: task .* blocked|Kernel panic'

mountpoint -q /sys/kernel/debug || mount -t debugfs none /sys/kernel/debug

export PS_REPO=$repo
export PS_OUT=$out
export PS_KO=$repo/rust/preemptstat.ko
export PS_ROOT=/sys/kernel/debug/preemptstat
# The release binaries' directory (CARGO_TARGET_DIR on the host), written by vmtest.sh.
export PS_BINDIR=$(cat "$out/bindir" 2>/dev/null || echo "$repo/tools/target/release")
export PS_READER=$PS_BINDIR/preemptstat
# The rtla of the kernel's series (vmtest.sh: PS_RTLA), empty if there is none.
export PS_RTLA=$(cat "$out/rtla" 2>/dev/null)
# What the install-* cases load (vmtest.sh: PS_INSTALL_DIR).
export PS_INSTALL_DIR=$(cat "$out/install" 2>/dev/null)

{
	echo "KTAP version 1"
	echo "1..$#"
	echo "# kernel $(uname -r), $(nproc) CPUs, clocksource $(cat /sys/devices/system/clocksource/clocksource0/current_clocksource)"
} >"$results"
: >"$out/dmesg.txt"

n=0
for c in "$@"; do
	n=$((n + 1))
	name=$(basename "$c" .sh)
	limit=$(sed -n 's/^# timeout: *\([0-9]*\).*/\1/p' "$c" | head -n 1)
	limit=$((${limit:-60} * scale))
	allow=$(sed -n 's/^# dmesg-allow: *//p' "$c" | head -n 1)
	dmesg -C
	t0=$(date +%s.%N)
	# timeout puts itself and the case in a process group of their own: whatever the case
	# left running in the background (a load, an injection loop) is killed with the group, so
	# it cannot hold a module or load the CPUs of the next case.
	timeout -k 5 "$limit" bash -c '. "$1"; . "$2"' case "$here/lib.sh" "$c" \
		>"$out/case.log" 2>&1 &
	tpid=$!
	wait "$tpid"
	rc=$?
	kill -KILL -- "-$tpid" 2>/dev/null && sleep 0.5
	t1=$(date +%s.%N)
	# Leave the next case a clean kernel: unload whatever this one left loaded.
	for m in preemptstat_inject preemptstat_bench preemptstat_floor preemptstat; do
		if grep -q "^$m " /proc/modules; then
			rmmod "$m" >>"$out/case.log" 2>&1 || echo "cleanup: rmmod $m failed" >>"$out/case.log"
		fi
	done
	log=$(dmesg)
	{
		echo "=== $name"
		echo "$log"
	} >>"$out/dmesg.txt"
	bad=$(grep -E "$bad_re" <<<"$log" | { if [ -n "$allow" ]; then grep -vE "$allow"; else cat; fi; })
	# CONFIG_DEBUG_STACK_USAGE reports each new deepest kernel stack: less than 2 KiB of the
	# 16 KiB left is a stack overflow waiting for one more interrupt or page fault.
	deep=$(awk '/used greatest stack depth: [0-9]+ bytes left/ {
		for (i = 1; i < NF; i++) if ($i == "depth:" && $(i + 1) + 0 < 2048) print }' <<<"$log")
	bad=$bad${deep:+${bad:+$'\n'}$deep}
	{
		echo "# BEGIN $name"
		sed 's/^/# /' "$out/case.log"
		[ -z "$bad" ] || sed 's/^/# dmesg: /' <<<"$bad"
		echo "# END $name"
		secs=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }')
		if [ "$rc" -eq 0 ] && [ -z "$bad" ]; then
			echo "ok $n $name # ${secs} s"
		elif [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
			echo "not ok $n $name - timed out after $limit s"
		elif [ "$rc" -ne 0 ]; then
			echo "not ok $n $name - exit $rc"
		else
			echo "not ok $n $name - kernel reported a failure in dmesg"
		fi
	} >>"$results"
done
touch "$out/guest-done"
