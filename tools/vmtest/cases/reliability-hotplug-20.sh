# SPDX-License-Identifier: GPL-2.0
# CPU 1 offline and online 20 times while tracing, the wakeup probe and a load run. While CPU 1
# is offline its wakeup counts do not move and CPU 0 keeps recording; once it is back it
# records again. The injector's sections are counted exactly (2 on CPU 0 and 1 on CPU 1 per
# cycle), no section spans an offline period, and the wakeup threads are parked, not leaked.
# timeout: 400
ps_load
inject_load
load_start 1200
ahead_of_load
ps_reset
for i in $(seq 20); do
	echo 0 >/sys/devices/system/cpu/cpu1/online || die "cycle $i: cannot offline CPU 1"
	a=$(wakeup_field 1 2)
	inject "irq 0 300 2 1000"
	sleep 0.5
	b=$(wakeup_field 1 2)
	assert_eq "$b" "$a" "cycle $i: CPU 1 wakeup interrupts while offline"
	echo 1 >/sys/devices/system/cpu/cpu1/online || die "cycle $i: cannot online CPU 1"
	inject "irq 1 300 1"
	sleep 0.3
	c=$(wakeup_field 1 2)
	[ "$c" -gt "$b" ] || die "cycle $i: CPU 1 wakeups did not advance after online ($b -> $c)"
done
echo 0 >"$PS_ROOT/enable"
load_stop
assert_eq "$(site_field irq inject_irq+ 2)" 60 "injected irq sections counted"
awk '!/^#/ && $5 >= 400000000 { print; bad = 1 } END { exit bad }' "$PS_ROOT/sites" ||
	die "a section of 400 ms or more: it spans an offline period"
n=$(count_threads preemptstat/)
assert_eq "$n" 2 "wakeup threads after 20 cycles"
info "discarded_hotplug_any $(summary_value discarded_hotplug_any); CPU 1: $(awk '$1 == 1' "$PS_ROOT/wakeup")"
