# SPDX-License-Identifier: GPL-2.0
# Injected spin_lock_irqsave sections of 100 us, 1 ms and 10 ms on CPU 1: the irq site starts at the injector's
# function (never a lock function or Rust helper), counts exactly, and its max is at least the
# injected length and at most ftrace's irqsoff reading of the same section x 1.02 + 5 us.
# On PREEMPT_RT these are sleeping locks that open no section: tracer-rt-locks checks that.
# flavors: standard debug
# timeout: 240
# The wakeup probe stays off: its thread wakes CPU 1 every period, and under emulation that
# makes sections long enough to replace ftrace's latest one.
ps_load wakeup=0
inject_load
for us in 100 1000 10000; do
	accuracy spin_lock_irqsave irq irqsoff inject_spin_lock_irqsave+ $us
done
