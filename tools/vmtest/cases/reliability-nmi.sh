# SPDX-License-Identifier: GPL-2.0
# NMIs while tracing under load: ten sysrq-l backtraces (an NMI to every other CPU). The irq
# tracepoints fire inside the NMI; preemptstat counts those events (nmi_events) and drops them.
# Without lockdep, irqentry_nmi_exit() never calls the matching irq_enable, so the next
# irqs-off section outside the NMI has lost its start: it must show as unpaired_end_irq, never
# as a section. No site starts or ends in NMI code, no section is 1 s or longer, and tracing
# still counts exactly afterwards.
# dmesg-allow: Call Trace
# timeout: 120
ps_load
inject_load
load_start 1200
ps_reset
sleep 0.5
nmi_irqs() {
	awk '$1 == "NMI:" { for (i = 2; i <= NF; i++) if ($i ~ /^[0-9]+$/) s += $i } END { print s + 0 }' /proc/interrupts
}
n0=$(summary_value nmi_events) u0=$(summary_value unpaired_end_irq) i0=$(nmi_irqs)
for i in $(seq 10); do
	echo l >/proc/sysrq-trigger
	sleep 0.3
done
n1=$(summary_value nmi_events) u1=$(summary_value unpaired_end_irq) i1=$(nmi_irqs)
load_stop
info "NMIs $i0 -> $i1, nmi_events $n0 -> $n1, unpaired_end_irq $u0 -> $u1, lockdep: $(kernel_has_lockdep && echo yes || echo no)"
[ "$i1" -gt "$i0" ] || die "sysrq-l raised no NMI: the case tested nothing"
[ "$n1" -gt "$n0" ] || die "no NMI event counted"
if ! kernel_has_lockdep; then
	[ "$u1" -gt "$u0" ] || die "the starts lost to NMIs were not counted as unpaired_end_irq"
fi
bad=$(sites_awk 'if (start ~ /^(exc_nmi|asm_exc_nmi|default_do_nmi|nmi_handle|irqentry_nmi_|nmi_cpu_backtrace_handler)/ || end ~ /^(exc_nmi|asm_exc_nmi|default_do_nmi|nmi_handle|irqentry_nmi_|nmi_cpu_backtrace_handler)/) print')
[ -z "$bad" ] || die "sections in NMI code: $bad"
awk '!/^#/ && $5 >= 1000000000 { print; bad = 1 } END { exit bad }' "$PS_ROOT/sites" ||
	die "a section of 1 s or more after NMIs"
ps_reset
inject "irq 1 500 3"
assert_eq "$(site_field irq inject_irq+ 2)" 3 "sections counted after the NMIs"
