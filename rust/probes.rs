// SPDX-License-Identifier: GPL-2.0

//! The probes on the kernel's tracepoints (the table of `hooks.rs`) and their registration,
//! through `sys::ProbeSet`.
//!
//! The preemptirq tracepoints are not exported to modules; they are found by name with
//! `for_each_kernel_tracepoint()`, as `samples/trace_events/trace_custom_sched.c` does.

use crate::{
    hooks::{self, Event, NR_HOOKS, NR_VECTORS},
    model::Kind,
    sys,
    tracer::Tracer,
    wakeup,
};
use core::ffi::{c_int, c_uint, c_void};
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

/// The `nmi_handler` probe (NMI context, after each handler).
///
/// # Safety
///
/// Called by the tracepoint with the `data` it was registered with: a live [`Tracer`].
unsafe extern "C" fn probe_nmi_handler(
    data: *mut c_void,
    handler: *mut c_void,
    delta: i64,
    _h: c_int,
) {
    // SAFETY: As in `probe_preempt_disable`.
    let t = unsafe { &*data.cast::<Tracer>() };
    if let Some(c) = t.cause() {
        c.nmi(handler as usize, delta.max(0) as u64);
    }
}

/// The `irq_handler_entry` probe (hard IRQ, interrupts disabled).
///
/// # Safety
///
/// Called by the tracepoint with the `data` it was registered with: a live [`Tracer`].
unsafe extern "C" fn probe_irq_handler_entry(data: *mut c_void, _irq: c_int, _action: *mut c_void) {
    // SAFETY: As in `probe_preempt_disable`.
    let t = unsafe { &*data.cast::<Tracer>() };
    if let Some(c) = t.cause() {
        c.irq_entry();
    }
}

/// The `irq_handler_exit` probe (hard IRQ, interrupts disabled).
///
/// # Safety
///
/// Called by the tracepoint with the `data` it was registered with: a live [`Tracer`], and the
/// `action` whose handler has just run.
unsafe extern "C" fn probe_irq_handler_exit(
    data: *mut c_void,
    irq: c_int,
    action: *mut c_void,
    _ret: c_int,
) {
    // SAFETY: As in `probe_preempt_disable`.
    let t = unsafe { &*data.cast::<Tracer>() };
    if let Some(c) = t.cause() {
        // SAFETY: `action` is the handler's, live while the tracepoint runs.
        c.irq_exit(irq as u32, || unsafe { sys::irqaction_name(action) });
    }
}

/// The `softirq_entry` probe.
///
/// # Safety
///
/// Called by the tracepoint with the `data` it was registered with: a live [`Tracer`].
unsafe extern "C" fn probe_softirq_entry(data: *mut c_void, _vec: c_uint) {
    // SAFETY: As in `probe_preempt_disable`.
    let t = unsafe { &*data.cast::<Tracer>() };
    if let Some(c) = t.cause() {
        c.softirq_entry();
    }
}

/// The `softirq_exit` probe.
///
/// # Safety
///
/// Called by the tracepoint with the `data` it was registered with: a live [`Tracer`].
unsafe extern "C" fn probe_softirq_exit(data: *mut c_void, vec: c_uint) {
    // SAFETY: As in `probe_preempt_disable`.
    let t = unsafe { &*data.cast::<Tracer>() };
    if let Some(c) = t.cause() {
        c.softirq_exit(vec);
    }
}

/// The `sched_switch` probe (interrupts disabled, the runqueue locked).
///
/// # Safety
///
/// Called by the tracepoint with the `data` it was registered with: a live [`Tracer`], and
/// the live tasks `prev` and `next`.
unsafe extern "C" fn probe_sched_switch(
    data: *mut c_void,
    _preempt: bool,
    prev: *mut c_void,
    _next: *mut c_void,
    _prev_state: c_uint,
) {
    // SAFETY: As in `probe_preempt_disable`.
    let t = unsafe { &*data.cast::<Tracer>() };
    if let Some(c) = t.cause() {
        // SAFETY: `prev` is the task being switched out, live during the switch.
        c.switch(|| unsafe { sys::task_info(prev) });
    }
}

/// The `hrtimer_expire_entry` probe (hard IRQ, interrupts disabled).
///
/// # Safety
///
/// Called by the tracepoint with the `data` it was registered with: a live [`Tracer`], and the
/// live `hrtimer` whose callback is about to run.
unsafe extern "C" fn probe_hrtimer_entry(data: *mut c_void, timer: *mut c_void, _now: usize) {
    // SAFETY: As in `probe_preempt_disable`.
    let t = unsafe { &*data.cast::<Tracer>() };
    if let Some(c) = t.cause() {
        // SAFETY: `timer` is live (see above).
        c.hrtimer_entry(unsafe { sys::hrtimer_function(timer) });
    }
}

/// The `hrtimer_expire_exit` probe (hard IRQ, interrupts disabled).
///
/// # Safety
///
/// Called by the tracepoint with the `data` it was registered with: a live [`Tracer`].
unsafe extern "C" fn probe_hrtimer_exit(data: *mut c_void, _timer: *mut c_void) {
    // SAFETY: As in `probe_preempt_disable`.
    let t = unsafe { &*data.cast::<Tracer>() };
    if let Some(c) = t.cause() {
        c.hrtimer_exit(wakeup::timer_fn());
    }
}

/// The probe of `irq_vectors:<VECTORS[V]>_entry` (hard IRQ, interrupts disabled).
///
/// # Safety
///
/// Called by the tracepoint with the `data` it was registered with: a live [`Tracer`].
unsafe extern "C" fn probe_vector_entry<const V: u32>(data: *mut c_void, _vector: c_int) {
    // SAFETY: As in `probe_preempt_disable`.
    let t = unsafe { &*data.cast::<Tracer>() };
    if let Some(c) = t.cause() {
        c.vector_entry(V);
    }
}

/// The probe of `irq_vectors:<VECTORS[V]>_exit` (hard IRQ, interrupts disabled).
///
/// # Safety
///
/// Called by the tracepoint with the `data` it was registered with: a live [`Tracer`].
unsafe extern "C" fn probe_vector_exit<const V: u32>(data: *mut c_void, _vector: c_int) {
    // SAFETY: As in `probe_preempt_disable`.
    let t = unsafe { &*data.cast::<Tracer>() };
    if let Some(c) = t.cause() {
        c.vector_exit(V);
    }
}

/// A system vector's probe type.
type VectorProbe = unsafe extern "C" fn(*mut c_void, c_int);

/// The entry probes of the system vectors, by index in `cause::VECTORS`.
const VECTOR_ENTRY: [VectorProbe; NR_VECTORS] = [
    probe_vector_entry::<0>,
    probe_vector_entry::<1>,
    probe_vector_entry::<2>,
    probe_vector_entry::<3>,
    probe_vector_entry::<4>,
    probe_vector_entry::<5>,
    probe_vector_entry::<6>,
    probe_vector_entry::<7>,
    probe_vector_entry::<8>,
    probe_vector_entry::<9>,
    probe_vector_entry::<10>,
];

/// The exit probes of the system vectors.
const VECTOR_EXIT: [VectorProbe; NR_VECTORS] = [
    probe_vector_exit::<0>,
    probe_vector_exit::<1>,
    probe_vector_exit::<2>,
    probe_vector_exit::<3>,
    probe_vector_exit::<4>,
    probe_vector_exit::<5>,
    probe_vector_exit::<6>,
    probe_vector_exit::<7>,
    probe_vector_exit::<8>,
    probe_vector_exit::<9>,
    probe_vector_exit::<10>,
];

/// The probe of vector `v` from `table` (null for an index out of range, never produced by
/// `hooks::HOOKS`, which `register` would refuse with `EINVAL`).
fn vector_probe(table: &[VectorProbe; NR_VECTORS], v: u32) -> *mut c_void {
    table
        .get(v as usize)
        .map_or(core::ptr::null_mut(), |&p| p as *mut c_void)
}

/// The probes, registered with a `Tracer` as their data; unregistered on drop, which waits
/// until none of them can still run.
pub(crate) struct Probes {
    /// Held for its drop.
    _set: KBox<sys::ProbeSet<NR_HOOKS>>,
}

impl Probes {
    /// Registers every probe with `tracer` (the breakdown's only if `breakdown`). Fails with `ENODEV`, naming the kernel options,
    /// when a tracepoint does not exist.
    ///
    /// # Safety
    ///
    /// `tracer` must outlive the returned object.
    pub(crate) unsafe fn register(tracer: &Tracer, breakdown: bool) -> Result<Self> {
        let probe = |event| match event {
            Event::PreemptDisable => probe_preempt_disable as *mut c_void,
            Event::PreemptEnable => probe_preempt_enable as *mut c_void,
            Event::IrqDisable => probe_irq_disable as *mut c_void,
            Event::IrqEnable => probe_irq_enable as *mut c_void,
            Event::CpuIdle => probe_cpu_idle as *mut c_void,
            Event::NmiHandler => probe_nmi_handler as *mut c_void,
            Event::IrqHandlerEntry => probe_irq_handler_entry as *mut c_void,
            Event::IrqHandlerExit => probe_irq_handler_exit as *mut c_void,
            Event::SoftirqEntry => probe_softirq_entry as *mut c_void,
            Event::SoftirqExit => probe_softirq_exit as *mut c_void,
            Event::SchedSwitch => probe_sched_switch as *mut c_void,
            Event::HrtimerExpireEntry => probe_hrtimer_entry as *mut c_void,
            Event::HrtimerExpireExit => probe_hrtimer_exit as *mut c_void,
            Event::VectorEntry(v) => vector_probe(&VECTOR_ENTRY, v),
            Event::VectorExit(v) => vector_probe(&VECTOR_EXIT, v),
        };
        // SAFETY: Each probe's prototype is its event's, as `hooks::Event` lists them, and the caller guarantees the tracer outlives the set, whose drop
        // unregisters and waits; the probes are in this module's text, which outlives it too.
        let set = unsafe {
            hooks::attach(
                probe,
                core::ptr::from_ref(tracer).cast_mut().cast(),
                breakdown,
            )?
        };
        Ok(Self { _set: set })
    }
}
