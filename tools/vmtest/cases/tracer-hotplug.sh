# SPDX-License-Identifier: GPL-2.0
# CPU 1 offline for 2 s and back, three times: no section of 2 s or more, and CPU 1 records
# sections again once it is back.
# timeout: 90
ps_load
inject_load
ps_reset
for i in 1 2 3; do
	echo 0 >/sys/devices/system/cpu/cpu1/online || die "cannot offline CPU 1"
	sleep 2
	echo 1 >/sys/devices/system/cpu/cpu1/online || die "cannot online CPU 1"
	sleep 0.5
done
inject "irq 1 500 2"
echo 0 >"$PS_ROOT/enable"
awk '!/^#/ && $5 >= 2000000000 { print; bad = 1 } END { exit bad }' "$PS_ROOT/sites" ||
	die "a section of 2 s or more after CPU hotplug"
assert_eq "$(site_field irq inject_irq+ 2)" 2 "sections on CPU 1 after it came back"
info "hotplug discards: $(summary_value discarded_hotplug_any)"
