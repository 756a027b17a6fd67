/* SPDX-License-Identifier: GPL-2.0 */
/* inject_shim.h - what samples/inject.rs needs from C (it declares the same functions). */
#ifndef PREEMPTSTAT_INJECT_SHIM_H
#define PREEMPTSTAT_INJECT_SHIM_H

#include <linux/types.h>
#include <linux/spinlock_types.h>

u64 preemptstat_inject_max_us(void);
raw_spinlock_t *preemptstat_inject_raw_lock(void);
spinlock_t *preemptstat_inject_spin_lock(void);
unsigned int preemptstat_inject_cpu_id(void);
bool preemptstat_inject_cpu_online(unsigned int cpu);
void preemptstat_inject_fsleep(unsigned long us);

#endif /* PREEMPTSTAT_INJECT_SHIM_H */
