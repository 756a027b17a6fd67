# SPDX-License-Identifier: GPL-2.0
# NMIs: sysrq l, written on CPU 0, makes CPU 1 print its backtrace from an NMI handler. Five of
# them with the shortest period (100 us, so that every NMI covers an expiry) and a 100 us
# threshold: at least 4 spikes on CPU 1 have NMI time (the causes file's count over all spikes),
# at least 50 us per spike, and the NMI parts name nmi_cpu_backtrace_handler. The NMI need not
# be the cause: the backtrace is printed from an irq_work (hard IRQ without PREEMPT_RT) that can
# take longer on the emulated console, and then that IRQ is. CPU 1 runs a nice 19 busy loop:
# an NMI that finds it idle would be short next to the emulated idle exit.
# dmesg-allow: Call Trace
# timeout: 90
ps_load wakeup_threshold_us=100 period_us=100 spikes_per_cpu=4096
busy_start 1
ps_reset
for i in 1 2 3 4 5; do
	taskset -c 0 sh -c 'echo l >/proc/sysrq-trigger' 
	sleep 0.3
done
echo 0 >"$PS_ROOT/wakeup_enable"
info "$(awk '$1 == 1 && $2 == "nmi"' "$PS_ROOT/causes")"
# Every wakeup under emulation is over 100 us, so the spikes ring has long moved on: the count
# comes from the causes file (all spikes of the generation), the label from what the ring and
# the worst list still hold.
read -r n ns < <(awk '$1 == 1 && $2 == "nmi" { print $3, $5 }' "$PS_ROOT/causes")
[ "${n:-0}" -ge 4 ] || die "${n:-0} spikes on CPU 1 with NMI time, expected at least 4"
[ "${ns:-0}" -ge $((n * 50000)) ] || die "NMI time ${ns:-0} ns in $n spikes: less than 50 us each"
lines=$(grep '^part 1 [0-9]* [0-9] nmi ' "$PS_ROOT/spike_parts" || true)
info "$lines"
[ -n "$lines" ] || die "no NMI part of a CPU 1 spike in spike_parts"
if grep -v nmi_cpu_backtrace_handler <<<"$lines"; then
	die "NMI parts that do not name nmi_cpu_backtrace_handler"
fi
