/* SPDX-License-Identifier: GPL-2.0 */
/*
 * preemptstat_trace.h - preemptstat's trace events, for ftrace, trace-cmd and perf.
 *
 * preemptstat:section        a section the threshold log records, as it records it
 * preemptstat:wakeup_spike   a wakeup over the spike threshold, with its blamed site and cause
 *                            (merged=1: merged into the spike before it, not in `spikes`)
 *
 * Addresses are stored, not strings: no symbol lookup happens when an event is written, and
 * the fields work with hist triggers (hist:keys=start.sym). The Rust side calls the wrappers
 * of preemptstat_trace.c (declared there) only after its threshold checks;
 * each wrapper is the event's static-key test and, when the event is on, the write.
 *
 * The numeric codes are the module's: kind (rust/model.rs Kind), context (CONTEXT_NAMES),
 * cause (rust/cause.rs Class).
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM preemptstat

#if !defined(_PREEMPTSTAT_TRACE_H) || defined(TRACE_HEADER_MULTI_READ)
#define _PREEMPTSTAT_TRACE_H

#include <linux/tracepoint.h>

#define preemptstat_show_kind(k)						\
	__print_symbolic(k, { 0, "preempt" }, { 1, "irq" }, { 2, "any" })

#define preemptstat_show_context(c)						\
	__print_symbolic(c, { 0, "task" }, { 1, "bh" }, { 2, "softirq" },	\
			 { 3, "hardirq" }, { 4, "nmi" })

#define preemptstat_show_cause(c)						\
	__print_symbolic(c, { 0, "nmi" }, { 1, "irq" }, { 2, "timer" },	\
			 { 3, "softirq" }, { 4, "irqsoff" }, { 5, "preemptoff" },	\
			 { 6, "task" }, { 7, "idle" }, { 8, "switch" },		\
			 { 9, "unaccounted" }, { 255, "none" })

TRACE_EVENT(section,

	TP_PROTO(unsigned int kind, u64 duration_ns, u64 end_ns, unsigned long start,
		 unsigned long end, unsigned int cpu, int pid, const char *comm,
		 unsigned int context),

	TP_ARGS(kind, duration_ns, end_ns, start, end, cpu, pid, comm, context),

	TP_STRUCT__entry(
		__field(	u64,		duration_ns	)
		__field(	u64,		end_ns		)
		__field(	unsigned long,	start		)
		__field(	unsigned long,	end		)
		__field(	unsigned int,	kind		)
		__field(	unsigned int,	cpu		)
		__field(	int,		pid		)
		__field(	unsigned int,	context		)
		__array(	char,		comm,	16	)
	),

	TP_fast_assign(
		__entry->duration_ns = duration_ns;
		__entry->end_ns = end_ns;
		__entry->start = start;
		__entry->end = end;
		__entry->kind = kind;
		__entry->cpu = cpu;
		__entry->pid = pid;
		__entry->context = context;
		memcpy(__entry->comm, comm, 16);
		__entry->comm[15] = '\0';
	),

	TP_printk("kind=%s duration_ns=%llu end_ns=%llu start=%pS end=%pS cpu=%u pid=%d comm=%s context=%s",
		  preemptstat_show_kind(__entry->kind), __entry->duration_ns, __entry->end_ns,
		  (void *)__entry->start, (void *)__entry->end, __entry->cpu, __entry->pid,
		  __entry->comm, preemptstat_show_context(__entry->context))
);

TRACE_EVENT(wakeup_spike,

	TP_PROTO(unsigned int cpu, u64 expiry_ns, u64 irq_ns, u64 thread_ns, unsigned long start,
		 unsigned long end, unsigned int cause, u64 cause_ns, unsigned int merged),

	TP_ARGS(cpu, expiry_ns, irq_ns, thread_ns, start, end, cause, cause_ns, merged),

	TP_STRUCT__entry(
		__field(	u64,		expiry_ns	)
		__field(	u64,		irq_ns		)
		__field(	u64,		thread_ns	)
		__field(	unsigned long,	start		)
		__field(	unsigned long,	end		)
		__field(	u64,		cause_ns	)
		__field(	unsigned int,	cpu		)
		__field(	unsigned int,	cause		)
		__field(	unsigned int,	merged		)
	),

	TP_fast_assign(
		__entry->expiry_ns = expiry_ns;
		__entry->irq_ns = irq_ns;
		__entry->thread_ns = thread_ns;
		__entry->start = start;
		__entry->end = end;
		__entry->cause_ns = cause_ns;
		__entry->cpu = cpu;
		__entry->cause = cause;
		__entry->merged = merged;
	),

	TP_printk("cpu=%u expiry_ns=%llu irq_ns=%llu thread_ns=%llu start=%pS end=%pS cause=%s cause_ns=%llu merged=%u",
		  __entry->cpu, __entry->expiry_ns, __entry->irq_ns, __entry->thread_ns,
		  (void *)__entry->start, (void *)__entry->end,
		  preemptstat_show_cause(__entry->cause), __entry->cause_ns, __entry->merged)
);

#endif /* _PREEMPTSTAT_TRACE_H */

/* This part must be outside the multi-read guard. */
#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE preemptstat_trace
#include <trace/define_trace.h>

