# SPDX-License-Identifier: GPL-2.0
# CPU 1 offline and online ten times while the wakeup probe runs: no warning, CPU 1's counts
# do not move while it is offline and advance again once it is back; its thread is parked,
# not leaked.
# timeout: 150
ps_load
ps_reset
for i in $(seq 10); do
	echo 0 >/sys/devices/system/cpu/cpu1/online || die "cannot offline CPU 1"
	a=$(wakeup_field 1 2)
	sleep 0.5
	b=$(wakeup_field 1 2)
	assert_eq "$b" "$a" "cycle $i: CPU 1 interrupts while offline"
	echo 1 >/sys/devices/system/cpu/cpu1/online || die "cannot online CPU 1"
	sleep 0.5
	c=$(wakeup_field 1 2)
	[ "$c" -gt "$b" ] || die "cycle $i: CPU 1 count did not advance after online ($b -> $c)"
done
n=$(count_threads preemptstat/)
assert_eq "$n" 2 "wakeup threads"
info "CPU 1: $(awk '$1 == 1' "$PS_ROOT/wakeup")"
