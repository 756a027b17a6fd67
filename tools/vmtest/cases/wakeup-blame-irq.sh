# SPDX-License-Identifier: GPL-2.0
# Five 5 ms irqs-off sections on CPU 1: each gives exactly one spike on CPU 1 blamed on
# inject_irq (the periods missed inside a section are counted, not reported as spikes), the
# worst with IRQ and thread latency >= 5 ms minus one period; the site counts 5 spikes; and no
# spike on CPU 0 is blamed on the injector.
# timeout: 60
# Room for every spike of the run: on the debug kernel the kernel's own wakeups are 1 to 12 ms
# late under TCG, and with the default 64 per CPU they pushed the injector's spikes out of the
# log (4 of 5, then 0 of 5 left).
ps_load wakeup_threshold_us=3000 spikes_per_cpu=4096
inject_load
ps_reset
inject "irq 1 5000 5 20000"
sleep 0.2
echo 0 >"$PS_ROOT/wakeup_enable"
info "$(wc -l <"$PS_ROOT/spikes") spike lines; on CPU 1 at the injector:"
# The spikes on CPU 1 blamed on the injector, read once: every check below looks at these.
blamed=$(spikes_where '$1 == 1 && index($10, "inject_irq+")')
info "$blamed"
blame_count_check 1 inject_irq+ 5 "$blamed"
awk '$7 != "irq" { exit 1 }' <<<"$blamed" ||
	die "a blamed spike's kind is not irq"
worst_irq=$(awk 'BEGIN { m = 0 } $3 > m { m = $3 } END { print m }' <<<"$blamed")
worst_thread=$(awk 'BEGIN { m = 0 } $4 > m { m = $4 } END { print m }' <<<"$blamed")
info "worst IRQ latency $worst_irq ns, thread latency $worst_thread ns"
[ "$worst_irq" -ge 4000000 ] || die "worst IRQ latency $worst_irq < 4 ms"
[ "$worst_thread" -ge 4000000 ] || die "worst thread latency $worst_thread < 4 ms"
n0=$(spikes_where '$1 == 0 && index($0, "preemptstat_inject")' | wc -l)
assert_eq "$n0" 0 "spikes on CPU 0 blamed on the injector"
spikes=$(site_field any inject_irq+ 12)
assert_eq "$spikes" 5 "spikes counted on the any site at inject_irq"
missed=$(wakeup_field 1 10)
info "CPU 1 missed periods: $missed"
[ "$missed" -ge 15 ] || die "five 5 ms sections should miss at least 15 periods, missed $missed"
