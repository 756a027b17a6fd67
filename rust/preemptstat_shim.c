// SPDX-License-Identifier: GPL-2.0
/*
 * preemptstat_shim.c - the static inlines and macros preemptstat needs, as functions.
 *
 * Everything here is a small wrapper. None of it may fire a preemptirq tracepoint: the
 * probes call these functions, so raw_local_irq_save() (not local_irq_save()) is used.
 *
 * Two kinds of wrapper live here, the same on every kernel series preemptstat builds against:
 * static inlines and macros, which Rust cannot call; and exported functions that the 6.12
 * kernel's Rust bindings do not reach (its rust/bindings/bindings_helper.h includes neither
 * <linux/tracepoint.h> nor <linux/debugfs.h>, and a module cannot extend it). Calling them
 * through C on 7.3 too keeps one code path, type-checked by the compiler against the real
 * prototypes, instead of hand-written declarations.
 */
#include <linux/hrtimer.h>
#include <linux/interrupt.h>
#include <linux/preempt.h>
#include <linux/irqflags.h>
#include <linux/tracepoint.h>
#include <linux/sched.h>
#include <linux/smp.h>
#include <linux/stacktrace.h>
#include <uapi/linux/sched/types.h>

#include "preemptstat_shim.h"

/*
 * What the CPU is doing, from preempt_count(): 0 task, 1 task with bottom halves disabled,
 * 2 serving a softirq, 3 hardirq, 4 NMI. Matches the constants in rust/sys.rs.
 */
notrace unsigned int preemptstat_context(void)
{
	unsigned long pc = preempt_count();

	if (pc & NMI_MASK)
		return 4;
	if (pc & HARDIRQ_MASK)
		return 3;
	if (pc & SOFTIRQ_OFFSET)
		return 2;
	if (pc & SOFTIRQ_MASK)
		return 1;
	return 0;
}

/* The CPU this runs on. Stable while preemption or interrupts are off, as in every probe. */
notrace unsigned int preemptstat_cpu_id(void)
{
	return raw_smp_processor_id();
}

/* Disables interrupts without tracing, so no irq_disable event fires from inside a probe. */
notrace unsigned long preemptstat_raw_irq_save(void)
{
	unsigned long flags;

	raw_local_irq_save(flags);
	return flags;
}

notrace void preemptstat_raw_irq_restore(unsigned long flags)
{
	raw_local_irq_restore(flags);
}

/*
 * stack_trace_save() from a probe body. The unwinder looks up module text under RCU, and
 * with preemptible RCU the outermost rcu_read_unlock() may run rcu_read_unlock_special(),
 * which asserts on lockdep's view of the interrupt state. A preempt probe has interrupts
 * off behind lockdep's back (preemptstat_raw_irq_save()), so for the walk lockdep is told,
 * the way trace_hardirqs_off() and trace_hardirqs_on() tell it, minus their tracepoints.
 * Only here, not around every probe body: lockdep's "hardirqs last disabled at" keeps
 * naming the kernel code that really disabled them.
 */
notrace unsigned int preemptstat_stack_trace_save(unsigned long *store, unsigned int size)
{
	bool tell = IS_ENABLED(CONFIG_PROVE_LOCKING) && raw_irqs_disabled() &&
		    lockdep_hardirqs_enabled();
	unsigned int nr;

	if (tell)
		lockdep_hardirqs_off(_THIS_IP_);
	nr = stack_trace_save(store, size, 0);
	if (tell) {
		lockdep_hardirqs_on_prepare();
		lockdep_hardirqs_on(_THIS_IP_);
	}
	return nr;
}

/* Calls @fn for every tracepoint of vmlinux (the preemptirq ones are not exported). */
void preemptstat_for_each_tracepoint(void (*fn)(struct tracepoint *tp, void *priv), void *priv)
{
	for_each_kernel_tracepoint(fn, priv);
}

int preemptstat_tracepoint_register(struct tracepoint *tp, void *probe, void *data)
{
	return tracepoint_probe_register(tp, probe, data);
}

int preemptstat_tracepoint_unregister(struct tracepoint *tp, void *probe, void *data)
{
	return tracepoint_probe_unregister(tp, probe, data);
}

/* Waits for every probe that may still run: exactly what the kernel's own helper does. */
void preemptstat_tracepoint_sync(void)
{
	tracepoint_synchronize_unregister();
}

/* set_current_state(TASK_INTERRUPTIBLE): a macro with a barrier. */
void preemptstat_set_current_interruptible(void)
{
	set_current_state(TASK_INTERRUPTIBLE);
}

/* __set_current_state(TASK_RUNNING). */
void preemptstat_set_current_running(void)
{
	__set_current_state(TASK_RUNNING);
}

/* SCHED_FIFO at @prio: struct sched_attr is opaque to Rust, sched_set_fifo() fixes prio 50. */
int preemptstat_set_fifo(struct task_struct *p, int prio)
{
	struct sched_attr attr = {
		.size = sizeof(attr),
		.sched_policy = SCHED_FIFO,
		.sched_priority = prio,
	};

	return sched_setattr_nocheck(p, &attr);
}

/*
 * The breakdown's labels, read only while a window is open (never on the common path). The
 * objects are live: the irqaction of the handler that is running, the hrtimer whose callback
 * is running, the task being switched out.
 */

/* Copies the first 16 bytes of an irqaction's name, NUL-padded, into out. */
notrace void preemptstat_irqaction_name(const struct irqaction *action, char out[16])
{
	const char *name = action ? action->name : NULL;
	int i;

	for (i = 0; i < 16; i++)
		out[i] = 0;
	for (i = 0; name && i < 16 && name[i]; i++)
		out[i] = name[i];
}

/* The callback of an hrtimer (__private on 7.3, a plain field on 6.12). */
notrace unsigned long preemptstat_hrtimer_function(const struct hrtimer *timer)
{
	return (unsigned long)ACCESS_PRIVATE(timer, function);
}

/*
 * A task's pid, name (16 bytes), scheduling policy, and priority as a user sees it: the
 * rt_priority for SCHED_FIFO and SCHED_RR, the nice value otherwise.
 */
notrace int preemptstat_task_info(const struct task_struct *p, char comm[16],
				  unsigned int *policy, int *prio)
{
	int i;

	for (i = 0; i < 16; i++)
		comm[i] = READ_ONCE(p->comm[i]);
	*policy = p->policy;
	if (p->policy == SCHED_FIFO || p->policy == SCHED_RR)
		*prio = p->rt_priority;
	else
		*prio = PRIO_TO_NICE(p->static_prio);
	return p->pid;
}
