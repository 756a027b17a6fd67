# SPDX-License-Identifier: GPL-2.0
# Five 20 ms preempt-off sections on CPU 1: in at least 4 of the 5 spikes the breakdown names
# the preempt-off section at inject_preempt as the cause, for at least 80 % of the window (the
# timer interrupt came on time; the thread could not run until preemption came back on).
# timeout: 90
ps_load wakeup_threshold_us=5000 spikes_per_cpu=4096
inject_load
ps_reset
inject "preempt 1 20000 5 50000"
sleep 0.2
echo 0 >"$PS_ROOT/wakeup_enable"
breakdown_check 1 preemptoff inject_preempt+ 20000 4
