# SPDX-License-Identifier: GPL-2.0
# NMIs: sysrq l, written on CPU 0, makes CPU 1 print its backtrace from an NMI handler (several
# hundred us under emulation). Five of them with the shortest period (100 us, so that every NMI
# covers an expiry) and a 100 us threshold: in at least 4 of the 5 a spike on CPU 1 names the
# NMI handler (nmi_cpu_backtrace_handler) as its cause.
# dmesg-allow: Call Trace
# timeout: 90
ps_load wakeup_threshold_us=100 period_us=100 spikes_per_cpu=4096
ps_reset
for i in 1 2 3 4 5; do
	taskset -c 0 sh -c 'echo l >/proc/sysrq-trigger' 
	sleep 0.3
done
echo 0 >"$PS_ROOT/wakeup_enable"
info "$(awk '$1 == 1 && $2 == "nmi"' "$PS_ROOT/causes")"
lines=$(cause_lines 1 0 | awk '$3 == "nmi"')
info "$lines"
n=$(grep -c . <<<"$lines")
[ "$n" -ge 4 ] || die "$n spikes on CPU 1 caused by an NMI, expected at least 4"
grep -q backtrace <<<"$lines" || die "no NMI cause names the backtrace handler"
