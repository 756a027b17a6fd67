# SPDX-License-Identifier: GPL-2.0
# Five 20 ms irqs-off sections on CPU 1 (20 times the probe's 1 ms period): in at least 4 of the
# 5 spikes they cause, the breakdown names the irqs-off section at inject_irq as the cause, for
# at least 80 % of the window; every spike's class times sum to its thread latency; the causes
# file counts them; the worst-spikes list holds them, worst first.
# timeout: 90
ps_load wakeup_threshold_us=5000 spikes_per_cpu=4096
inject_load
ps_reset
inject "irq 1 20000 5 50000"
sleep 0.2
echo 0 >"$PS_ROOT/wakeup_enable"
breakdown_check 1 irqsoff inject_irq+ 20000 4
dominant=$(awk '$1 == 1 && $2 == "irqsoff" { print $4 }' "$PS_ROOT/causes")
[ "${dominant:-0}" -ge 4 ] || die "causes: CPU 1 irqsoff dominant in $dominant spikes, expected >= 4"
# The worst list: worst first, at most 16 per CPU, its top the longest spike of the ring.
awk '!/^#/ { if (NR > 2 && $4 > prev) exit 1; prev = $4 }' "$PS_ROOT/spikes_worst" ||
	die "spikes_worst is not worst first"
top=$(awk '!/^#/ { print $4; exit }' "$PS_ROOT/spikes_worst")
max=$(awk '!/^#/ && $4 > m { m = $4 } END { print m + 0 }' "$PS_ROOT/spikes")
assert_eq "$top" "$max" "the worst spike's thread latency"
per_cpu=$(awk '!/^#/ { n[$1]++ } END { m = 0; for (c in n) if (n[c] > m) m = n[c]; print m }' "$PS_ROOT/spikes_worst")
[ "$per_cpu" -le 16 ] || die "spikes_worst keeps $per_cpu spikes of one CPU, at most 16"
