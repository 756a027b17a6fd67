// SPDX-License-Identifier: GPL-2.0
/*
 * inject_shim.c - the C part of preemptstat_inject.ko, the same on every kernel series: the
 * module parameter and author (6.12's module! has neither params nor authors), the two locks
 * the lock modes take, the irq_works, tasklet and IRQ descriptor of the interrupt modes,
 * static inlines, what 6.12's Rust bindings lack, and the debugfs wrappers shared with
 * preemptstat.
 */
#include <linux/completion.h>
#include <linux/cpumask.h>
#include <linux/delay.h>
#include <linux/interrupt.h>
#include <linux/irq.h>
#include <linux/irq_work.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/sched.h>
#include <linux/smp.h>
#include <linux/spinlock.h>
#include <uapi/linux/sched/types.h>

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

/*
 * The hardirq and devirq modes. Their irq_works are IRQ_WORK_HARD_IRQ: queued on the local
 * CPU, they run from the irq_work interrupt (x86's self-IPI, irq_vectors:irq_work_entry) on
 * every kernel, PREEMPT_RT included, where other irq_works run in a per-CPU thread. Their
 * functions are in inject.rs (Rust names, which C cannot spell), set at module init.
 */
static struct irq_work inject_hardirq;
static struct irq_work inject_devirq;

struct irq_work *preemptstat_inject_hardirq_work(void)
{
	return &inject_hardirq;
}

struct irq_work *preemptstat_inject_devirq_work(void)
{
	return &inject_devirq;
}

void preemptstat_inject_irq_work_init_hard(struct irq_work *work,
					   void (*func)(struct irq_work *work))
{
	*work = IRQ_WORK_INIT_HARD(func);
}

/* 6.12's Rust bindings have no irq_work functions. */
bool preemptstat_inject_irq_work_queue(struct irq_work *work)
{
	return irq_work_queue(work);
}

void preemptstat_inject_irq_work_sync(struct irq_work *work)
{
	irq_work_sync(work);
}

/*
 * The devirq mode's interrupt: a Linux IRQ descriptor with no hardware behind it, the dummy
 * chip and the simple flow handler (fired from a hard irq_work, as the kernel's interrupt
 * simulator, kernel/irq/irq_sim.c, fires its own). Returns the IRQ number or -errno.
 *
 * Not irq_alloc_desc(): it makes THIS_MODULE the descriptor's owner, and request_irq() takes a
 * reference on the owner for as long as the IRQ is requested, so the module could never be
 * unloaded while it holds its own interrupt. Same arguments otherwise (any free IRQ from 1
 * on, one descriptor, no node preference), without an owner.
 */
int preemptstat_inject_devirq_alloc(void)
{
	int irq = __irq_alloc_descs(-1, 1, 1, NUMA_NO_NODE, NULL, NULL);

	if (irq < 0)
		return irq;
	irq_set_chip_and_handler(irq, &dummy_irq_chip, handle_simple_irq);
	/* Never handed to a legacy driver's probe_irq_on(). */
	irq_set_noprobe(irq);
	return irq;
}

void preemptstat_inject_devirq_free(unsigned int irq)
{
	irq_free_desc(irq);
}

/* Through the genirq flow: handle_simple_irq(), irq:irq_handler_entry/exit, the action. */
int preemptstat_inject_devirq_fire(unsigned int irq)
{
	return generic_handle_irq_safe(irq);
}

/* IRQ_HANDLED as irqreturn_t: a plain integer in 6.12's Rust bindings, a newtype in 7.3's. */
irqreturn_t preemptstat_inject_irq_handled(void)
{
	return IRQ_HANDLED;
}

/*
 * The softirq mode: a tasklet (TASKLET_SOFTIRQ), set up from inject.rs (tasklet_setup() with
 * its Rust callback), and the completion its callback signals once it has run. The
 * completion is counted: one complete() per tasklet run, one wait per command's section.
 */
static struct tasklet_struct inject_tasklet;
static DECLARE_COMPLETION(inject_tasklet_done);

struct tasklet_struct *preemptstat_inject_tasklet(void)
{
	return &inject_tasklet;
}

struct completion *preemptstat_inject_tasklet_done(void)
{
	return &inject_tasklet_done;
}

void preemptstat_inject_tasklet_schedule(struct tasklet_struct *t)
{
	tasklet_schedule(t);
}

/*
 * The fifo mode: the calling thread SCHED_FIFO at @prio. struct sched_attr is opaque to Rust,
 * and sched_set_fifo() fixes priority 50. Warns on failure, as sched_set_fifo() does.
 */
void preemptstat_inject_set_fifo(int prio)
{
	struct sched_attr attr = {
		.sched_policy = SCHED_FIFO,
		.sched_priority = prio,
	};

	WARN_ON_ONCE(sched_setattr_nocheck(current, &attr) != 0);
}
