# SPDX-License-Identifier: GPL-2.0
# Five 5 ms preempt-off sections on CPU 1: each gives exactly one spike blamed on
# inject_preempt with thread latency >= 5 ms minus one period and IRQ latency < 1 ms (the timer
# interrupt is not delayed, only the thread); later wakeups delayed by the same section are
# merged into its spike (spikes_merged), not reported again.
# timeout: 60
ps_load wakeup_threshold_us=3000
inject_load
ps_reset
inject "preempt 1 5000 5 20000"
sleep 0.2
echo 0 >"$PS_ROOT/wakeup_enable"
info "$(cat "$PS_ROOT/spikes")"
n=$(spikes_where '$1 == 1 && index($10, "inject_preempt+")' | wc -l)
assert_eq "$n" 5 "spikes on CPU 1 blamed on inject_preempt"
spikes_where '$1 == 1 && index($10, "inject_preempt+")' |
	awk '$7 != "preempt" || $4 < 4000000 { print; bad = 1 } END { exit bad }' ||
	die "a blamed spike has kind != preempt or thread latency < 4 ms"
# Preemption off does not delay the timer interrupt, only the thread. Under emulation a vCPU
# now and then takes an interrupt milliseconds late whatever the guest does, so one of the
# five may show it; a tracer that confused the two latencies would fail all five.
fast=$(spikes_where '$1 == 1 && index($10, "inject_preempt+") && $3 < 1000000' | wc -l)
info "spikes with IRQ latency < 1 ms: $fast of 5"
[ "$fast" -ge 4 ] || die "only $fast of 5 preempt-off spikes have IRQ latency < 1 ms"
merged=$(summary_value spikes_merged)
info "spikes merged into an earlier one of the same section: $merged"
