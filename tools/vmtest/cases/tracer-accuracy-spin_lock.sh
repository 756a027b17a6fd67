# SPDX-License-Identifier: GPL-2.0
# Injected spin_lock sections of 100 us, 1 ms and 10 ms on CPU 1: the preempt site starts at the injector's
# function (never a lock function or Rust helper), counts exactly, and its max is at least the
# injected length and at most ftrace's preemptoff reading of the same section x 1.02 + 5 us.
# On PREEMPT_RT these are sleeping locks that open no section: tracer-rt-locks checks that.
# flavors: standard debug
# timeout: 240
# The wakeup probe stays off: its thread wakes CPU 1 every period, and under emulation that
# makes sections long enough to replace ftrace's latest one.
ps_load wakeup=0
inject_load
for us in 100 1000 10000; do
	accuracy spin_lock preempt preemptoff inject_spin_lock+ $us
done
