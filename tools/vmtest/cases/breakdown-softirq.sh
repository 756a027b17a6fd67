# SPDX-License-Identifier: GPL-2.0
# Five 20 ms busy-waits in a tasklet on CPU 1. Without PREEMPT_RT softirqs run with preemption
# off (on an interrupt's exit or in ksoftirqd): in at least 4 of the 5 spikes the breakdown names
# TASKLET softirq as the cause for at least 80 % of the window. On PREEMPT_RT the tasklet runs
# in a preemptible thread below the probe's priority: no spike names a softirq as its cause and
# none is half an injection long.
# timeout: 90
ps_load wakeup_threshold_us=5000 spikes_per_cpu=4096
inject_load
ps_reset
inject "softirq 1 20000 5 50000"
sleep 0.2
echo 0 >"$PS_ROOT/wakeup_enable"
if kernel_is_rt; then
	lines=$(cause_lines 1 0)
	info "spikes on CPU 1 (expiry thread_ns cause cause_ns label):"
	info "$lines"
	n=$(awk '$3 == "softirq"' <<<"$lines" | grep -c . || true)
	[ "$n" -eq 0 ] || die "$n spikes on PREEMPT_RT name a softirq as their cause"
	long=$(awk '$2 >= 10000000' <<<"$lines" | grep -c . || true)
	[ "$long" -eq 0 ] || die "$long spikes of 10 ms or more on PREEMPT_RT, where the tasklet is preemptible"
else
	breakdown_check 1 softirq " TASKLET " 20000 4
fi
