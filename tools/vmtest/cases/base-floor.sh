# SPDX-License-Identifier: GPL-2.0
# make bench's cost floor (samples/preemptstat_floor.ko, empty probes on preemptstat's five
# tracepoints) loads and unloads cleanly ten times under load, beside preemptstat, which still
# records an injected section each time its probes share the tracepoints with the floor's.
# timeout: 240
floor_ko=$PS_REPO/samples/preemptstat_floor.ko
[ -f "$floor_ko" ] || die "$floor_ko not built"
ps_load wakeup=0
inject_load
load_start 120
ahead_of_load
for i in $(seq 10); do
	insmod "$floor_ko" || die "cycle $i: insmod preemptstat_floor.ko failed"
	module_loaded preemptstat_floor || die "cycle $i: preemptstat_floor not in /proc/modules"
	ps_reset
	inject "irq 1 2000"
	n=$(site_count irq inject_irq+)
	[ "$n" -ge 1 ] ||
		die "cycle $i: with the floor's probes attached, preemptstat has no irq site in inject_irq"
	rmmod preemptstat_floor || die "cycle $i: rmmod preemptstat_floor failed"
done
load_stop
info "10 cycles with the floor's probes beside preemptstat's, an injected irq section recorded in each"
