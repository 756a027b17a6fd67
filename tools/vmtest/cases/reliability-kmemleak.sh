# SPDX-License-Identifier: GPL-2.0
# kmemleak: clear it, load preemptstat and the injector, trace a load with resets, spikes and
# hotplug, unload both, wait past kmemleak's 5 s minimum object age and scan twice: no report.
# flavors: debug
# slub_debug=F turns off SLUB's per-CPU sheaves, which hide slab leaks from kmemleak on 7.3:
# a sheaf hands out objects[--size] and keeps the pointer in the slot it no longer counts, and
# kmemleak scans the whole sheaf, so every object a sheaf handed out stays "referenced" until
# the slot is reused. A module that leaked 256 bytes at each of 3 loads was reported 0 times
# with sheaves (kmemleak's dump: count = 1 on all three) and 3 times without (count = 0).
# boot-args: kmemleak=on slub_debug=F
# timeout: 300
kml=/sys/kernel/debug/kmemleak
[ -e "$kml" ] || die "no $kml: this kernel has no kmemleak"
echo scan >"$kml"
echo clear >"$kml"
ps_load threshold_us=100 wakeup_threshold_us=200
inject_load
load_start 20
inject "irq 1 2000 3 500"
inject "preempt 0 2000 3 500"
ps_reset
echo 0 >/sys/devices/system/cpu/cpu1/online
echo 1 >/sys/devices/system/cpu/cpu1/online
inject "nested 1 1000 3 500"
for f in $PS_REPORT_FILES; do cat "$PS_ROOT/$f" >/dev/null; done
load_stop
rmmod preemptstat_inject
ps_unload
sleep 6
echo scan >"$kml"
echo scan >"$kml"
leaks=$(cat "$kml")
[ -z "$leaks" ] || die "kmemleak reports: $(head -30 <<<"$leaks")"
info "kmemleak: no report after two scans"
