// SPDX-License-Identifier: GPL-2.0
/*
 * bench_shim.c - the C part of preemptstat_bench.ko: its author (6.12's module! has no
 * authors), the debugfs wrappers shared with preemptstat, and the hard IRQ and softirq series
 * (an irq_work and a tasklet: C macros and static inlines).
 */
#include <linux/atomic.h>
#include <linux/bottom_half.h>
#include <linux/interrupt.h>
#include <linux/irq_work.h>
#include <linux/module.h>
#include <linux/percpu.h>
#include <linux/processor.h>

#include "../rust/debugfs_shim.c"

MODULE_AUTHOR("preemptstat developers");

int preemptstat_bench_hardirq(void);
int preemptstat_bench_softirq(void);
void preemptstat_bench_sync(void);

/* How many of each have run; the series wait for each one before the next. */
static atomic_t bench_hardirqs = ATOMIC_INIT(0);
static atomic_t bench_softirqs = ATOMIC_INIT(0);

static void bench_irq_work_fn(struct irq_work *work)
{
	atomic_inc(&bench_hardirqs);
}

static DEFINE_PER_CPU(struct irq_work, bench_work) = IRQ_WORK_INIT_HARD(bench_irq_work_fn);

static void bench_tasklet_fn(struct tasklet_struct *t)
{
	atomic_inc(&bench_softirqs);
}

static DECLARE_TASKLET(bench_tasklet, bench_tasklet_fn);

/*
 * One hard IRQ on this CPU: an irq_work (IRQ_WORK_HARD_IRQ, so in hard IRQ context on
 * PREEMPT_RT too; on x86 a self-IPI, irq_vectors:irq_work_entry/exit), waited for. The caller
 * has migration disabled and interrupts on. Returns 0, or -ETIMEDOUT if it did not run.
 */
int preemptstat_bench_hardirq(void)
{
	int before = atomic_read(&bench_hardirqs);
	unsigned long spins = 0;

	if (!irq_work_queue(this_cpu_ptr(&bench_work)))
		return -EBUSY;
	while (atomic_read(&bench_hardirqs) == before) {
		if (++spins > 100000000UL)
			return -ETIMEDOUT;
		cpu_relax();
	}
	return 0;
}

/*
 * One softirq on this CPU: the tasklet scheduled with bottom halves off, run by
 * local_bh_enable() (TASKLET_SOFTIRQ, irq:softirq_entry/exit). Returns 0, or -ETIMEDOUT if it
 * did not run there (then it runs later, in ksoftirqd).
 */
int preemptstat_bench_softirq(void)
{
	int before = atomic_read(&bench_softirqs);

	local_bh_disable();
	tasklet_schedule(&bench_tasklet);
	local_bh_enable();
	return atomic_read(&bench_softirqs) == before ? -ETIMEDOUT : 0;
}

/* Before unload: no irq_work or tasklet of this module may still be pending or running. */
void preemptstat_bench_sync(void)
{
	int cpu;

	for_each_possible_cpu(cpu)
		irq_work_sync(per_cpu_ptr(&bench_work, cpu));
	tasklet_kill(&bench_tasklet);
}
