# SPDX-License-Identifier: GPL-2.0
# Five 20 ms busy-waits of the injector's worker on CPU 1 at SCHED_FIFO 96, one above the
# probe's threads, preemption on: the timer interrupt is on time, and in at least 4 of the 5
# spikes the breakdown names the other task (the worker ps_inject/1, FIFO:96) as the cause for
# at least 80 % of the window, with its stack in spike_parts.
# timeout: 90
ps_load wakeup_threshold_us=5000 spikes_per_cpu=4096
inject_load
ps_reset
inject "fifo 1 20000 5 50000"
sleep 0.2
echo 0 >"$PS_ROOT/wakeup_enable"
breakdown_check 1 task " ps_inject/1 FIFO:96" 20000 4
# The longest other task's stack was taken when it was switched out: it is in inject_fifo.
grep -q '^frame 1 .*inject_fifo' "$PS_ROOT/spike_parts" || die "no stack frame of CPU 1 in inject_fifo"
