# SPDX-License-Identifier: GPL-2.0
# A load with the injector loaded but no injected section: spikes may happen (emulation is
# noisy) but none is blamed on the injector; the wakeups run at the configured period.
# timeout: 60
ps_load wakeup_threshold_us=3000
inject_load
ps_reset
load_for 4
echo 0 >"$PS_ROOT/wakeup_enable"
cat "$PS_ROOT/wakeup"
n=$(spikes_where 'index($0, "preemptstat_inject")' | wc -l)
assert_eq "$n" 0 "spikes blamed on the injector without injections"
for cpu in 0 1; do
	c=$(wakeup_field $cpu 2)
	m=$(wakeup_field $cpu 10)
	# 4 s at 1 ms: about 4000 periods, each either an IRQ or a missed period.
	[ $((c + m)) -ge 3000 ] || die "CPU $cpu: $c timer interrupts + $m missed in 4 s at 1 ms"
done
