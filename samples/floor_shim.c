// SPDX-License-Identifier: GPL-2.0
/*
 * floor_shim.c - the C part of preemptstat_floor.ko: its author (6.12's module! has no
 * authors) and preemptstat's own shim, whose tracepoint wrappers it registers through.
 */
#include <linux/module.h>

#include "../rust/preemptstat_shim.c"

MODULE_AUTHOR("preemptstat developers");
