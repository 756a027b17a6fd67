# SPDX-License-Identifier: GPL-2.0
# Five 20 ms busy-waits in the handler of the injector's own IRQ on CPU 1 (raised from a hard
# irq_work, so nested in the irq_work vector): in at least 4 of the 5 spikes the breakdown names
# that IRQ, by its number and its action's name ps_inject, as the cause for at least
# 80 % of the window (the innermost interrupt wins over the vector around it).
# timeout: 90
ps_load wakeup_threshold_us=5000 spikes_per_cpu=4096
inject_load
irq=$(awk '$1 == "devirq" { print $2 }' "$PS_INJECT")
[ -n "$irq" ] || die "the injector file shows no devirq IRQ number"
info "the injector's IRQ: $irq"
ps_reset
inject "devirq 1 20000 5 50000"
sleep 0.2
echo 0 >"$PS_ROOT/wakeup_enable"
grep -q " ps_inject$" /proc/interrupts || die "/proc/interrupts has no ps_inject"
breakdown_check 1 irq " $irq ps_inject -" 20000 4
