/* SPDX-License-Identifier: GPL-2.0 */
/* inject_shim.h - what samples/inject.rs needs from C (it declares the same functions). */
#ifndef PREEMPTSTAT_INJECT_SHIM_H
#define PREEMPTSTAT_INJECT_SHIM_H

#include <linux/irqreturn.h>
#include <linux/types.h>
#include <linux/spinlock_types.h>

struct completion;
struct irq_work;
struct tasklet_struct;

u64 preemptstat_inject_max_us(void);
raw_spinlock_t *preemptstat_inject_raw_lock(void);
spinlock_t *preemptstat_inject_spin_lock(void);
unsigned int preemptstat_inject_cpu_id(void);
bool preemptstat_inject_cpu_online(unsigned int cpu);
void preemptstat_inject_fsleep(unsigned long us);

/* The hardirq and devirq modes: hard irq_works, and the devirq mode's IRQ descriptor. */
struct irq_work *preemptstat_inject_hardirq_work(void);
struct irq_work *preemptstat_inject_devirq_work(void);
void preemptstat_inject_irq_work_init_hard(struct irq_work *work,
					   void (*func)(struct irq_work *work));
bool preemptstat_inject_irq_work_queue(struct irq_work *work);
void preemptstat_inject_irq_work_sync(struct irq_work *work);
int preemptstat_inject_devirq_alloc(void);
void preemptstat_inject_devirq_free(unsigned int irq);
int preemptstat_inject_devirq_fire(unsigned int irq);
irqreturn_t preemptstat_inject_irq_handled(void);

/* The softirq mode: a tasklet and the completion it signals. */
struct tasklet_struct *preemptstat_inject_tasklet(void);
struct completion *preemptstat_inject_tasklet_done(void);
void preemptstat_inject_tasklet_schedule(struct tasklet_struct *t);

/* The fifo mode. */
void preemptstat_inject_set_fifo(int prio);

#endif /* PREEMPTSTAT_INJECT_SHIM_H */
