// SPDX-License-Identifier: GPL-2.0
/*
 * preemptstat_trace.c - defines preemptstat's trace events (preemptstat_trace.h) and the two
 * wrappers Rust calls: TRACE_EVENT and its trace_<event>() static inlines are C macros, and the
 * kernel's Rust declare_trace! only works for events in the kernel's own bindings.
 */
#ifndef PREEMPTSTAT_NO_TRACE_EVENTS
#define CREATE_TRACE_POINTS
#include "preemptstat_trace.h"
#else
/* The bench's build without events: the wrappers do nothing. */
#include <linux/types.h>
#define trace_section(...) do { } while (0)
#define trace_wakeup_spike(...) do { } while (0)
#endif

/* Declared for -Wmissing-prototypes; rust/trace_events.rs declares the same two. */
void preemptstat_trace_section(unsigned int kind, u64 duration_ns, u64 end_ns,
			       unsigned long start, unsigned long end, unsigned int cpu, int pid,
			       const char *comm, unsigned int context);
void preemptstat_trace_wakeup_spike(unsigned int cpu, u64 expiry_ns, u64 irq_ns, u64 thread_ns,
				    unsigned long start, unsigned long end, unsigned int cause,
				    u64 cause_ns, unsigned int merged);

void preemptstat_trace_section(unsigned int kind, u64 duration_ns, u64 end_ns,
			       unsigned long start, unsigned long end, unsigned int cpu, int pid,
			       const char *comm, unsigned int context)
{
	trace_section(kind, duration_ns, end_ns, start, end, cpu, pid, comm, context);
}

void preemptstat_trace_wakeup_spike(unsigned int cpu, u64 expiry_ns, u64 irq_ns, u64 thread_ns,
				    unsigned long start, unsigned long end, unsigned int cause,
				    u64 cause_ns, unsigned int merged)
{
	trace_wakeup_spike(cpu, expiry_ns, irq_ns, thread_ns, start, end, cause, cause_ns, merged);
}
