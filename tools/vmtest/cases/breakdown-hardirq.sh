# SPDX-License-Identifier: GPL-2.0
# Five 20 ms busy-waits in a hard irq_work on CPU 1 (the irq_work self-IPI, hard IRQ context on
# every kernel, PREEMPT_RT included): in at least 4 of the 5 spikes they cause, the breakdown
# names the irq_work vector as the cause (class irq, not the irqs-off section inside it), for
# at least 80 % of the window.
# timeout: 90
ps_load wakeup_threshold_us=5000 spikes_per_cpu=4096
inject_load
ps_reset
inject "hardirq 1 20000 5 50000"
sleep 0.2
echo 0 >"$PS_ROOT/wakeup_enable"
breakdown_check 1 irq " irq_work " 20000 4
dominant=$(awk '$1 == 1 && $2 == "irq" { print $4 }' "$PS_ROOT/causes")
[ "${dominant:-0}" -ge 4 ] || die "causes: CPU 1 irq dominant in $dominant spikes, expected >= 4"
