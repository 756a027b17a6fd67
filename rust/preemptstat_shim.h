/* SPDX-License-Identifier: GPL-2.0 */
/*
 * preemptstat_shim.h - C accessors for static inlines and macros Rust cannot reach.
 *
 * Declared here for -Wmissing-prototypes; the Rust side declares the same functions in
 * rust/sys.rs. Keep both in sync and keep this file tiny: an exported function is called
 * through kernel::bindings instead, unless static inlines must wrap the call
 * (stack_trace_save() inside lockdep's interrupt-state calls) or the bindings of a supported
 * kernel series lack it (see preemptstat_shim.c).
 */
#ifndef PREEMPTSTAT_SHIM_H
#define PREEMPTSTAT_SHIM_H

#include <linux/types.h>

unsigned int preemptstat_context(void);
unsigned int preemptstat_cpu_id(void);
unsigned long preemptstat_raw_irq_save(void);
void preemptstat_raw_irq_restore(unsigned long flags);
unsigned int preemptstat_stack_trace_save(unsigned long *store, unsigned int size);
void preemptstat_tracepoint_sync(void);

struct tracepoint;
void preemptstat_for_each_tracepoint(void (*fn)(struct tracepoint *tp, void *priv), void *priv);
int preemptstat_tracepoint_register(struct tracepoint *tp, void *probe, void *data);
int preemptstat_tracepoint_unregister(struct tracepoint *tp, void *probe, void *data);

struct task_struct;
void preemptstat_set_current_interruptible(void);
void preemptstat_set_current_running(void);
int preemptstat_set_fifo(struct task_struct *p, int prio);

struct irqaction;
struct hrtimer;
void preemptstat_irqaction_name(const struct irqaction *action, char out[16]);
unsigned long preemptstat_hrtimer_function(const struct hrtimer *timer);
int preemptstat_task_info(const struct task_struct *p, char comm[16], unsigned int *policy,
			  int *prio);

#endif /* PREEMPTSTAT_SHIM_H */
