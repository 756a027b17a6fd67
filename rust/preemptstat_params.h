/* SPDX-License-Identifier: GPL-2.0 */
/*
 * preemptstat_params.h - the module parameters' values, for Rust (rust/params.rs declares
 * the same functions).
 */
#ifndef PREEMPTSTAT_PARAMS_H
#define PREEMPTSTAT_PARAMS_H

#include <linux/types.h>

u32 preemptstat_param_sites_per_cpu(void);
u32 preemptstat_param_worst(void);
u32 preemptstat_param_log_entries(void);
u64 preemptstat_param_threshold_us(void);
bool preemptstat_param_enabled(void);
bool preemptstat_param_wakeup(void);
u32 preemptstat_param_period_us(void);
u64 preemptstat_param_wakeup_threshold_us(void);
u32 preemptstat_param_wakeup_prio(void);
u32 preemptstat_param_spikes_per_cpu(void);
bool preemptstat_param_breakdown(void);

#endif /* PREEMPTSTAT_PARAMS_H */
