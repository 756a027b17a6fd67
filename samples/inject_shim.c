// SPDX-License-Identifier: GPL-2.0
/*
 * inject_shim.c - the C part of preemptstat_inject.ko, the same on every kernel series: the
 * module parameter and author (6.12's module! has neither params nor authors), the two locks
 * the lock modes take, static inlines, and the debugfs wrappers shared with preemptstat.
 */
#include <linux/cpumask.h>
#include <linux/delay.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/smp.h>
#include <linux/spinlock.h>

#include "inject_shim.h"
#include "../rust/debugfs_shim.c"

MODULE_AUTHOR("preemptstat developers");

static u64 preemptstat_inject_max_us_param = 100000;
module_param_named(max_us, preemptstat_inject_max_us_param, ullong, 0);
MODULE_PARM_DESC(max_us, "Longest section a command may ask for, in us (at most 1000000)");

u64 preemptstat_inject_max_us(void)
{
	return preemptstat_inject_max_us_param;
}

/* Statically initialised, so lockdep knows them by name on a debug kernel. */
static DEFINE_RAW_SPINLOCK(inject_raw);
static DEFINE_SPINLOCK(inject_spin);

raw_spinlock_t *preemptstat_inject_raw_lock(void)
{
	return &inject_raw;
}

spinlock_t *preemptstat_inject_spin_lock(void)
{
	return &inject_spin;
}

unsigned int preemptstat_inject_cpu_id(void)
{
	return raw_smp_processor_id();
}

bool preemptstat_inject_cpu_online(unsigned int cpu)
{
	return cpu < nr_cpu_ids && cpu_online(cpu);
}

void preemptstat_inject_fsleep(unsigned long us)
{
	fsleep(us);
}
