# SPDX-License-Identifier: GPL-2.0
# A CPU that went idle while recording was on and woke while it was off still records once it
# is back on, without going idle again: the idle gate follows the cpu_idle events whether or not
# recording is on. (It did not: CPU 1 stayed gated, every section on it lost, until its next
# idle, which a busy CPU may never reach; found as a lost 80 ms section in reader-e2e on the
# debug kernel.) Five rounds: CPU 1 idle under enable 1, enable 0, a busy loop on CPU 1,
# enable 1, a 20 ms irqs-off section on CPU 1; each must be recorded.
# timeout: 90
ps_load wakeup=0
inject_load
# The control writes come from CPU 0, so that CPU 1 stays idle until the busy loop starts.
taskset -pc 0 $$ >/dev/null || die "taskset of the case's shell failed"
ps_reset
rounds=5
for i in $(seq "$rounds"); do
	echo 1 >"$PS_ROOT/enable"
	sleep 0.5
	echo 0 >"$PS_ROOT/enable"
	taskset -c 1 sh -c 'while :; do :; done' &
	busy=$!
	sleep 0.2
	echo 1 >"$PS_ROOT/enable"
	inject "irq 1 20000 1"
	echo 0 >"$PS_ROOT/enable"
	kill "$busy"
	wait "$busy" 2>/dev/null || true
done
n=$(site_field irq inject_irq+ 2)
info "injected sections recorded: ${n:-0} of $rounds; gated_events $(summary_value gated_events)"
assert_eq "${n:-0}" "$rounds" "20 ms sections on CPU 1 recorded after enable 0/1 across its idle"
