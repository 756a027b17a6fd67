#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# tools/vmtest/bench-guest.sh - the guest side of 'make bench' (see tools/bench.sh): every
# configuration measured in this one boot, alternating, with results appended to
# OUTDIR/bench.txt as "micro ROUND CFG IRQ PREEMPT IRQ_SPREAD PREEMPT_SPREAD",
# "macro ROUND CFG ROUNDS_PER_S", "acc MODE US PS_MAX_NS FTRACE_US", "mem WHAT BYTES",
# "clock NAME".

out=$1
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
export PS_REPO=$repo PS_OUT=$out PS_KO=$repo/rust/preemptstat.ko
floor_ko=$repo/samples/preemptstat_floor.ko
export PS_ROOT=/sys/kernel/debug/preemptstat
# shellcheck source=tools/vmtest/lib.sh
. "$here/lib.sh"
set +e
res=$out/bench.txt
: >"$res"
mountpoint -q /sys/kernel/debug || mount -t debugfs none /sys/kernel/debug
mountpoint -q "$TRACEFS" || mount -t tracefs nodev "$TRACEFS"
pingpong=$(cat "$out/bindir")/pingpong
MICRO_ROUNDS=${MICRO_ROUNDS:-5}
MACRO_ROUNDS=${MACRO_ROUNDS:-12}
PAIRS=200000
PINGS=10000

echo "clock $(cat /sys/devices/system/clocksource/clocksource0/current_clocksource)" >>"$res"
insmod "$repo/samples/preemptstat_bench.ko" || { echo "error insmod preemptstat_bench" >>"$res"; exit 1; }

ftrace_on() {
	echo 0 >"$TRACEFS/tracing_on"
	echo 0 >"$TRACEFS/tracing_thresh"
	echo preemptirqsoff >"$TRACEFS/current_tracer"
	echo 0 >"$TRACEFS/options/function-trace"
	echo 1 >"$TRACEFS/tracing_on"
}
ftrace_off() {
	echo 0 >"$TRACEFS/tracing_on"
	echo nop >"$TRACEFS/current_tracer"
}

# setup CFG / teardown CFG
setup() {
	case $1 in
	base) ;;
	floor) insmod "$floor_ko" ;;
	preemptstat) insmod "$PS_KO" wakeup=0 ;;
	preemptstat_nobd) insmod "$PS_KO" wakeup=0 breakdown=0 ;;
	preemptstat_noev) insmod "$out/noev/rust/preemptstat.ko" wakeup=0 ;;
	ftrace) ftrace_on ;;
	both) insmod "$PS_KO" wakeup=0 && ftrace_on ;;
	preemptstat_wakeup) insmod "$PS_KO" ;;
	esac
}
teardown() {
	case $1 in
	floor) rmmod preemptstat_floor ;;
	preemptstat | preemptstat_nobd | preemptstat_noev | preemptstat_wakeup) rmmod preemptstat ;;
	ftrace) ftrace_off ;;
	both) ftrace_off && rmmod preemptstat ;;
	esac
}

for r in $(seq "$MICRO_ROUNDS"); do
	for cfg in base floor preemptstat preemptstat_nobd preemptstat_noev ftrace both preemptstat_wakeup; do
		setup $cfg || echo "error setup $cfg" >>"$res"
		# On CPU 1, as the macro load: CPU 0 stays idle (under -icount its instructions would
		# count in CPU 1's clock too).
		taskset -c 1 sh -c "echo $PAIRS >/sys/kernel/debug/preemptstat_bench/run"
		read -r _ _ _ irq _ pre _ irqs _ pres _ _ _ hirq _ sirq </sys/kernel/debug/preemptstat_bench/run
		echo "micro $r $cfg $irq $pre $irqs $pres $hirq $sirq" >>"$res"
		teardown $cfg
	done
done

for r in $(seq "$MACRO_ROUNDS"); do
	for cfg in base floor preemptstat preemptstat_nobd ftrace; do
		setup $cfg || echo "error setup $cfg" >>"$res"
		# Both threads on CPU 1: every round trip is two context switches on one CPU. Across
		# two vCPUs, emulation makes each wakeup depend on host scheduling (a 2x spread).
		rate=$(taskset -c 1 "$pingpong" $PINGS | awk '{ print $2 }')
		echo "macro $r $cfg ${rate:-0}" >>"$res"
		teardown $cfg
	done
done

insmod "$PS_KO" wakeup=0
echo "mem default $(summary_value memory_bytes)" >>"$res"
inject_load
for spec in "irq irq irqsoff inject_irq+" "preempt preempt preemptoff inject_preempt+" \
	"raw_spin_lock_irqsave irq irqsoff inject_raw_spin_lock_irqsave+" \
	"spin_lock_irqsave irq irqsoff inject_spin_lock_irqsave+" \
	"spin_lock preempt preemptoff inject_spin_lock+" "nested any preemptirqsoff inject_nested+"; do
	set -- $spec
	for us in 1000 10000; do
		r=$(accuracy_measure "$1" "$2" "$3" "$4" $us 2>/dev/null | tail -n 1)
		echo "acc $1 $us $r" >>"$res"
	done
done
rmmod preemptstat_inject
rmmod preemptstat
insmod "$PS_KO" wakeup=0 sites_per_cpu=65536 worst=1000 log_entries=65536 spikes_per_cpu=4096
echo "mem max $(summary_value memory_bytes)" >>"$res"
rmmod preemptstat
rmmod preemptstat_bench
echo "done" >>"$res"
