# SPDX-License-Identifier: GPL-2.0
# 50 load/unload cycles of preemptstat while a load runs on all CPUs: pipes, context switches,
# syscalls, file system walks, short sleeps (timers), and the injector's irqs-off and
# preempt-off sections on both CPUs. The case's own steps run ahead of the load (ahead_of_load).
# Every cycle the module traces (seen_any > 0), every report file reads, the wakeup threads
# exist, and unloading removes the directory and the threads.
# timeout: 400
inject_load
load_start 1200
inject_loop_start "irq 0 200 3 300" "preempt 1 200 3 300" "raw_spin_lock_irqsave 1 100 2 200" "nested 0 300 1"
ahead_of_load
cpus=$(nproc)
for i in $(seq 50); do
	ps_load
	# Every report file through the shell's own read: an exec per file would cost more than
	# the cycle under TCG.
	for f in $PS_REPORT_FILES; do
		read_file "$PS_ROOT/$f" || die "cycle $i: cannot read $f"
	done
	while read -r k v; do [ "$k" = seen_any ] && break; done <"$PS_ROOT/summary"
	[ "$v" -gt 0 ] || die "cycle $i: nothing traced (seen_any $v)"
	assert_eq "$(count_threads preemptstat/)" "$cpus" "cycle $i: wakeup threads"
	ps_unload
	[ ! -e "$PS_ROOT" ] || die "cycle $i: $PS_ROOT still exists after rmmod"
	assert_eq "$(count_threads preemptstat/)" 0 "cycle $i: wakeup threads after rmmod"
done
inject_loop_stop
load_stop
info "50 cycles under load"
