// SPDX-License-Identifier: GPL-2.0
/*
 * bench_shim.c - the C part of preemptstat_bench.ko: its author (6.12's module! has no
 * authors) and the debugfs wrappers shared with preemptstat.
 */
#include <linux/module.h>

#include "../rust/debugfs_shim.c"

MODULE_AUTHOR("preemptstat developers");
