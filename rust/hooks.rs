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
}

/// A tracepoint to hook: its name, its event, and the kernel options that provide it.
pub(crate) struct Hook {
    /// The tracepoint's name.
    pub(crate) name: &'static CStr,
    /// What it reports.
    pub(crate) event: Event,
    /// The kernel options without which it does not exist (for the error message).
    pub(crate) config: &'static str,
}

/// The number of tracepoints preemptstat hooks.
pub(crate) const NR_HOOKS: usize = 5;

/// Every tracepoint preemptstat hooks.
pub(crate) const HOOKS: [Hook; NR_HOOKS] = [
    Hook {
        name: c"preempt_disable",
        event: Event::PreemptDisable,
        config: "CONFIG_PREEMPTIRQ_TRACEPOINTS and CONFIG_TRACE_PREEMPT_TOGGLE (CONFIG_PREEMPT_TRACER=y)",
    },
    Hook {
        name: c"preempt_enable",
        event: Event::PreemptEnable,
        config: "CONFIG_PREEMPTIRQ_TRACEPOINTS and CONFIG_TRACE_PREEMPT_TOGGLE (CONFIG_PREEMPT_TRACER=y)",
    },
    Hook {
        name: c"irq_disable",
        event: Event::IrqDisable,
        config: "CONFIG_PREEMPTIRQ_TRACEPOINTS and CONFIG_TRACE_IRQFLAGS (CONFIG_IRQSOFF_TRACER=y)",
    },
    Hook {
        name: c"irq_enable",
        event: Event::IrqEnable,
        config: "CONFIG_PREEMPTIRQ_TRACEPOINTS and CONFIG_TRACE_IRQFLAGS (CONFIG_IRQSOFF_TRACER=y)",
    },
    Hook {
        name: c"cpu_idle",
        event: Event::CpuIdle,
        config: "CONFIG_TRACEPOINTS (the power:cpu_idle event)",
    },
];

/// Finds every tracepoint of [`HOOKS`] and attaches `probe(event)` to it with `data`. A missing
/// tracepoint fails with `ENODEV`, each one named with the kernel options it needs.
///
/// # Safety
///
/// `probe(event)` must be an `unsafe extern "C" fn` with the prototype that [`Event`] documents
/// for `event`, and `data` and the probes' code must stay valid until the returned set has been
/// dropped.
pub(crate) unsafe fn attach(
    probe: impl Fn(Event) -> *mut c_void,
    data: *mut c_void,
) -> Result<sys::ProbeSet<NR_HOOKS>> {
    let names = HOOKS.each_ref().map(|h| h.name);
    let mut found = [None; NR_HOOKS];
    sys::find_tracepoints(&names, &mut found);
    let mut missing = false;
    for (h, f) in HOOKS.iter().zip(found.iter()) {
        if f.is_none() {
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
    // Every tracepoint was found: `flatten` keeps them in the order of `HOOKS`.
    let pairs = HOOKS
        .iter()
        .zip(found.into_iter().flatten())
        .map(|(h, tp)| (tp, probe(h.event)));
    // SAFETY: Each probe has its tracepoint's prototype and outlives the set with `data`, as
    // the caller guarantees.
    unsafe { sys::ProbeSet::register(pairs, data) }
}
