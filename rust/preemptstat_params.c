// SPDX-License-Identifier: GPL-2.0
/*
 * preemptstat_params.c - preemptstat's module parameters.
 *
 * They are declared in C on every kernel series: the 6.12 kernel's module! macro has no
 * parameters, and one mechanism on every series keeps their names, types, defaults and
 * modinfo descriptions the same. All are load-time only (permission 0: no sysfs file; the
 * runtime controls are the debugfs files). The kernel parses each value by its type and
 * rejects what does not parse; Rust checks the bounds named in each description when the
 * module initialises (rust/preemptstat_main.rs) and fails the load with -EINVAL on any value
 * outside them.
 */
#include <linux/module.h>
#include <linux/moduleparam.h>

#include "preemptstat_params.h"

MODULE_AUTHOR("preemptstat developers");

/* PREEMPTSTAT_PARAM(name, kernel param type, C type, default, description) */
#define PREEMPTSTAT_PARAM(name, ptype, ctype, def, desc)		\
	static ctype preemptstat_##name = def;				\
	module_param_named(name, preemptstat_##name, ptype, 0);	\
	MODULE_PARM_DESC(name, desc);					\
	ctype preemptstat_param_##name(void)				\
	{								\
		return preemptstat_##name;				\
	}

PREEMPTSTAT_PARAM(sites_per_cpu, uint, u32, 4096,
		  "Site table slots per CPU (64..65536, rounded up to a power of two)");
PREEMPTSTAT_PARAM(worst, uint, u32, 20, "Worst sections kept (1..1000)");
PREEMPTSTAT_PARAM(log_entries, uint, u32, 256, "Threshold log records kept per CPU (16..65536)");
PREEMPTSTAT_PARAM(threshold_us, ullong, u64, 1000,
		  "Sections at least this long go to the log, in us (0 = off, max 10 s)");
PREEMPTSTAT_PARAM(enabled, bool, bool, true, "Start recording at load time");
PREEMPTSTAT_PARAM(wakeup, bool, bool, true, "Start the wakeup probe at load time");
PREEMPTSTAT_PARAM(period_us, uint, u32, 1000, "Wakeup timer period in us (100..1000000)");
PREEMPTSTAT_PARAM(wakeup_threshold_us, ullong, u64, 1000,
		  "Wakeups with thread latency at least this are spikes, in us (0 = none)");
PREEMPTSTAT_PARAM(wakeup_prio, uint, u32, 95, "SCHED_FIFO priority of the wakeup threads (1..99)");
PREEMPTSTAT_PARAM(spikes_per_cpu, uint, u32, 64, "Spikes kept per CPU (1..4096)");
PREEMPTSTAT_PARAM(breakdown, bool, bool, true,
		  "Hook the NMI, IRQ, softirq, sched_switch and hrtimer events that break spikes down");
