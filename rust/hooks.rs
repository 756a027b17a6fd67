// SPDX-License-Identifier: GPL-2.0

//! The tracepoints preemptstat hooks: one table, which the module's probes (`probes.rs`) and
//! `make bench`'s floor (`samples/floor.rs`, empty probes on the very same tracepoints) both
//! attach to.

use crate::sys;
use core::ffi::{c_void, CStr};
use kernel::prelude::*;

/// A hooked event; it also fixes the probe's prototype.
#[derive(Clone, Copy)]
pub(crate) enum Event {
    /// `preemptirq:preempt_disable`, `(void *data, unsigned long ip, unsigned long parent_ip)`.
    PreemptDisable,
    /// `preemptirq:preempt_enable`, same prototype.
    PreemptEnable,
    /// `preemptirq:irq_disable`, same prototype.
    IrqDisable,
    /// `preemptirq:irq_enable`, same prototype.
    IrqEnable,
    /// `power:cpu_idle`, `(void *data, unsigned int state, unsigned int cpu_id)`.
    CpuIdle,
    /// `nmi:nmi_handler`, `(void *data, void *handler, s64 delta_ns, int handled)`.
    NmiHandler,
    /// `irq:irq_handler_entry`, `(void *data, int irq, struct irqaction *action)`.
    IrqHandlerEntry,
    /// `irq:irq_handler_exit`, `(void *data, int irq, struct irqaction *action, int ret)`.
    IrqHandlerExit,
    /// `irq:softirq_entry`, `(void *data, unsigned int vec_nr)`.
    SoftirqEntry,
    /// `irq:softirq_exit`, same prototype.
    SoftirqExit,
    /// `sched:sched_switch`, `(void *data, bool preempt, struct task_struct *prev, struct
    /// task_struct *next, unsigned int prev_state)`.
    SchedSwitch,
    /// `timer:hrtimer_expire_entry`, `(void *data, struct hrtimer *hrtimer, ktime_t now)` on
    /// 7.3 and `(..., ktime_t *now)` on 6.12: the probe never reads `now`, a 64-bit integer or
    /// a pointer, passed the same way.
    HrtimerExpireEntry,
    /// `timer:hrtimer_expire_exit`, `(void *data, struct hrtimer *hrtimer)`.
    HrtimerExpireExit,
    /// `irq_vectors:<VECTORS[i]>_entry`, `(void *data, int vector)`.
    VectorEntry(u32),
    /// `irq_vectors:<VECTORS[i]>_exit`, same prototype.
    VectorExit(u32),
}

/// A tracepoint to hook: its name, its event, and the kernel options that provide it.
pub(crate) struct Hook {
    /// The tracepoint's name.
    pub(crate) name: &'static CStr,
    /// What it reports.
    pub(crate) event: Event,
    /// The kernel options without which it does not exist (for the error message).
    pub(crate) config: &'static str,
    /// Whether only the spike breakdown uses it (the `breakdown` parameter leaves these out).
    pub(crate) breakdown: bool,
    /// Whether the module works without it (the x86 system vectors: another architecture, or
    /// a vector this kernel's configuration leaves out). A missing one is named at load.
    pub(crate) optional: bool,
}

/// The number of x86 system vectors followed (their names are `cause::VECTORS`).
pub(crate) const NR_VECTORS: usize = 11;

/// The number of tracepoints preemptstat hooks.
pub(crate) const NR_HOOKS: usize = 13 + 2 * NR_VECTORS;

const PREEMPT: &str =
    "CONFIG_PREEMPTIRQ_TRACEPOINTS and CONFIG_TRACE_PREEMPT_TOGGLE (CONFIG_PREEMPT_TRACER=y)";
const IRQ: &str =
    "CONFIG_PREEMPTIRQ_TRACEPOINTS and CONFIG_TRACE_IRQFLAGS (CONFIG_IRQSOFF_TRACER=y)";
const EVENTS: &str = "CONFIG_TRACEPOINTS";
const VECTOR: &str = "CONFIG_X86_LOCAL_APIC and CONFIG_TRACEPOINTS (x86 only)";

/// A required hook of the section tracer.
const fn hook(name: &'static CStr, event: Event, config: &'static str) -> Hook {
    Hook {
        name,
        event,
        config,
        breakdown: false,
        optional: false,
    }
}

/// A required hook of the breakdown.
const fn bd_hook(name: &'static CStr, event: Event) -> Hook {
    Hook {
        name,
        event,
        config: EVENTS,
        breakdown: true,
        optional: false,
    }
}

/// The entry and exit hooks of system vector `i`.
const fn vector(entry: &'static CStr, exit: &'static CStr, i: u32) -> [Hook; 2] {
    [
        Hook {
            name: entry,
            event: Event::VectorEntry(i),
            config: VECTOR,
            breakdown: true,
            optional: true,
        },
        Hook {
            name: exit,
            event: Event::VectorExit(i),
            config: VECTOR,
            breakdown: true,
            optional: true,
        },
    ]
}

/// Every tracepoint preemptstat hooks: the section tracer's five, then the breakdown's.
pub(crate) const HOOKS: [Hook; NR_HOOKS] = {
    let v = [
        vector(c"local_timer_entry", c"local_timer_exit", 0),
        vector(c"irq_work_entry", c"irq_work_exit", 1),
        vector(c"reschedule_entry", c"reschedule_exit", 2),
        vector(c"call_function_entry", c"call_function_exit", 3),
        vector(
            c"call_function_single_entry",
            c"call_function_single_exit",
            4,
        ),
        vector(c"x86_platform_ipi_entry", c"x86_platform_ipi_exit", 5),
        vector(c"error_apic_entry", c"error_apic_exit", 6),
        vector(c"spurious_apic_entry", c"spurious_apic_exit", 7),
        vector(c"thermal_apic_entry", c"thermal_apic_exit", 8),
        vector(c"threshold_apic_entry", c"threshold_apic_exit", 9),
        vector(
            c"deferred_error_apic_entry",
            c"deferred_error_apic_exit",
            10,
        ),
    ];
    let [[v0e, v0x], [v1e, v1x], [v2e, v2x], [v3e, v3x], [v4e, v4x], [v5e, v5x], [v6e, v6x], [v7e, v7x], [v8e, v8x], [v9e, v9x], [v10e, v10x]] =
        v;
    [
        hook(c"preempt_disable", Event::PreemptDisable, PREEMPT),
        hook(c"preempt_enable", Event::PreemptEnable, PREEMPT),
        hook(c"irq_disable", Event::IrqDisable, IRQ),
        hook(c"irq_enable", Event::IrqEnable, IRQ),
        hook(
            c"cpu_idle",
            Event::CpuIdle,
            "CONFIG_TRACEPOINTS (the power:cpu_idle event)",
        ),
        bd_hook(c"nmi_handler", Event::NmiHandler),
        bd_hook(c"irq_handler_entry", Event::IrqHandlerEntry),
        bd_hook(c"irq_handler_exit", Event::IrqHandlerExit),
        bd_hook(c"softirq_entry", Event::SoftirqEntry),
        bd_hook(c"softirq_exit", Event::SoftirqExit),
        bd_hook(c"sched_switch", Event::SchedSwitch),
        bd_hook(c"hrtimer_expire_entry", Event::HrtimerExpireEntry),
        bd_hook(c"hrtimer_expire_exit", Event::HrtimerExpireExit),
        v0e,
        v0x,
        v1e,
        v1x,
        v2e,
        v2x,
        v3e,
        v3x,
        v4e,
        v4x,
        v5e,
        v5x,
        v6e,
        v6x,
        v7e,
        v7x,
        v8e,
        v8x,
        v9e,
        v9x,
        v10e,
        v10x,
    ]
};

/// Finds every tracepoint of [`HOOKS`] (without the breakdown's unless `breakdown`) and
/// attaches `probe(event)` to it with `data`. A missing required tracepoint fails with
/// `ENODEV`, each one named with the kernel options it needs.
///
/// # Safety
///
/// `probe(event)` must be an `unsafe extern "C" fn` with the prototype that [`Event`] documents
/// for `event`, and `data` and the probes' code must stay valid until the returned set has been
/// dropped.
pub(crate) unsafe fn attach(
    probe: impl Fn(Event) -> *mut c_void,
    data: *mut c_void,
    breakdown: bool,
) -> Result<KBox<sys::ProbeSet<NR_HOOKS>>> {
    let mut found = [None; NR_HOOKS];
    sys::find_tracepoints(&HOOKS, |h| h.name, &mut found);
    let mut missing = false;
    for (h, f) in HOOKS.iter().zip(found.iter_mut()) {
        if h.breakdown && !breakdown {
            *f = None;
        } else if f.is_none() && h.optional {
            pr_info!(
                "tracepoint {} not found (it needs {}): breakdowns go without it\n",
                h.name.to_str().unwrap_or("?"),
                h.config
            );
        } else if f.is_none() {
            pr_err!(
                "tracepoint {} not found: the kernel needs {}\n",
                h.name.to_str().unwrap_or("?"),
                h.config
            );
            missing = true;
        }
    }
    if missing {
        return Err(ENODEV);
    }
    // Every required tracepoint was found; the optional ones missing are skipped.
    let pairs = HOOKS
        .iter()
        .zip(found.iter())
        .filter_map(|(h, tp)| tp.map(|tp| (tp, probe(h.event))));
    // SAFETY: Each probe has its tracepoint's prototype and outlives the set with `data`, as
    // the caller guarantees.
    unsafe { sys::ProbeSet::register(pairs, data) }
}
