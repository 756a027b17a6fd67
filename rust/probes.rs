// SPDX-License-Identifier: GPL-2.0

//! The probes on the kernel's tracepoints (the table of `hooks.rs`) and their registration,
//! through `sys::ProbeSet`.
//!
//! The preemptirq tracepoints are not exported to modules; they are found by name with
//! `for_each_kernel_tracepoint()`, as `samples/trace_events/trace_custom_sched.c` does.

use crate::{
    hooks::{self, Event, NR_HOOKS},
    model::Kind,
    sys,
    tracer::Tracer,
};
use core::ffi::{c_uint, c_void};
use kernel::{ffi::c_ulong, prelude::*};

/// `PWR_EVENT_EXIT`: the `state` of a `cpu_idle` event that leaves idle.
const PWR_EVENT_EXIT: c_uint = u32::MAX;

/// The `preempt_disable` probe.
///
/// # Safety
///
/// Called by the tracepoint with the `data` it was registered with: a live [`Tracer`].
unsafe extern "C" fn probe_preempt_disable(data: *mut c_void, ip: c_ulong, parent: c_ulong) {
    // SAFETY: `data` is the `Tracer` registered with this probe, which outlives the
    // registration and the `tracepoint_sync()` after it (see `Probes`).
    let t = unsafe { &*data.cast::<Tracer>() };
    t.event(Kind::Preempt, true, ip, parent);
}

/// The `preempt_enable` probe.
///
/// # Safety
///
/// Called by the tracepoint with the `data` it was registered with: a live [`Tracer`].
unsafe extern "C" fn probe_preempt_enable(data: *mut c_void, ip: c_ulong, parent: c_ulong) {
    // SAFETY: As in `probe_preempt_disable`.
    let t = unsafe { &*data.cast::<Tracer>() };
    t.event(Kind::Preempt, false, ip, parent);
}

/// The `irq_disable` probe.
///
/// # Safety
///
/// Called by the tracepoint with the `data` it was registered with: a live [`Tracer`].
unsafe extern "C" fn probe_irq_disable(data: *mut c_void, ip: c_ulong, parent: c_ulong) {
    // SAFETY: As in `probe_preempt_disable`.
    let t = unsafe { &*data.cast::<Tracer>() };
    t.event(Kind::Irq, true, ip, parent);
}

/// The `irq_enable` probe.
///
/// # Safety
///
/// Called by the tracepoint with the `data` it was registered with: a live [`Tracer`].
unsafe extern "C" fn probe_irq_enable(data: *mut c_void, ip: c_ulong, parent: c_ulong) {
    // SAFETY: As in `probe_preempt_disable`.
    let t = unsafe { &*data.cast::<Tracer>() };
    t.event(Kind::Irq, false, ip, parent);
}

/// The `cpu_idle` probe.
///
/// # Safety
///
/// Called by the tracepoint with the `data` it was registered with: a live [`Tracer`].
unsafe extern "C" fn probe_cpu_idle(data: *mut c_void, state: c_uint, _cpu: c_uint) {
    // SAFETY: As in `probe_preempt_disable`.
    let t = unsafe { &*data.cast::<Tracer>() };
    t.idle(state != PWR_EVENT_EXIT);
}

/// The probes, registered with a `Tracer` as their data; unregistered on drop, which waits
/// until none of them can still run.
pub(crate) struct Probes {
    /// Held for its drop.
    _set: sys::ProbeSet<NR_HOOKS>,
}

impl Probes {
    /// Registers every probe with `tracer`. Fails with `ENODEV`, naming the kernel options,
    /// when a tracepoint does not exist.
    ///
    /// # Safety
    ///
    /// `tracer` must outlive the returned object.
    pub(crate) unsafe fn register(tracer: &Tracer) -> Result<Self> {
        let probe = |event| match event {
            Event::PreemptDisable => probe_preempt_disable as *mut c_void,
            Event::PreemptEnable => probe_preempt_enable as *mut c_void,
            Event::IrqDisable => probe_irq_disable as *mut c_void,
            Event::IrqEnable => probe_irq_enable as *mut c_void,
            Event::CpuIdle => probe_cpu_idle as *mut c_void,
        };
        // SAFETY: Each probe's prototype is its event's (`preemptirq_template` is `(unsigned
        // long ip, unsigned long parent_ip)`, `cpu` is `(unsigned int state, unsigned int
        // cpu_id)`), and the caller guarantees the tracer outlives the set, whose drop
        // unregisters and waits; the probes are in this module's text, which outlives it too.
        let set = unsafe { hooks::attach(probe, core::ptr::from_ref(tracer).cast_mut().cast())? };
        Ok(Self { _set: set })
    }
}
