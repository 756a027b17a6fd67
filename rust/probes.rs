// SPDX-License-Identifier: GPL-2.0

//! The probes on the kernel's tracepoints and their registration: the only code that talks to
//! the tracepoint mechanism.
//!
//! The preemptirq tracepoints are not exported to modules; they are found by name with
//! `for_each_kernel_tracepoint()`, as `samples/trace_events/trace_custom_sched.c` does.

use crate::{model::Kind, sys, tracer::Tracer};
use core::ffi::{c_uint, c_void, CStr};
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

/// A tracepoint preemptstat needs, its probe, and the kernel options that provide it.
struct Hook {
    name: &'static CStr,
    probe: *mut c_void,
    config: &'static str,
}

/// The probes, registered with a `Tracer` as their data; unregistered on drop, which waits
/// until none of them can still run.
///
/// # Invariants
///
/// Every `(tp, probe)` in `registered` is registered with `data`, which points at a `Tracer`
/// that outlives this object.
pub(crate) struct Probes {
    registered: [Option<(sys::Tracepoint, *mut c_void)>; NR_HOOKS],
    data: *mut c_void,
}

/// The number of tracepoints preemptstat hooks.
const NR_HOOKS: usize = 5;

// SAFETY: The pointers are only used to unregister, which is thread-safe.
unsafe impl Send for Probes {}
// SAFETY: See above; `Probes` offers no shared-reference operations.
unsafe impl Sync for Probes {}

impl Probes {
    /// Registers every probe with `tracer`. Fails with `ENODEV`, naming the kernel options,
    /// when a tracepoint does not exist.
    ///
    /// # Safety
    ///
    /// `tracer` must outlive the returned object.
    pub(crate) unsafe fn register(tracer: &Tracer) -> Result<Self> {
        let hooks: [Hook; NR_HOOKS] = [
            Hook {
                name: c"preempt_disable",
                probe: probe_preempt_disable as *mut c_void,
                config: "CONFIG_PREEMPTIRQ_TRACEPOINTS and CONFIG_TRACE_PREEMPT_TOGGLE (CONFIG_PREEMPT_TRACER=y)",
            },
            Hook {
                name: c"preempt_enable",
                probe: probe_preempt_enable as *mut c_void,
                config: "CONFIG_PREEMPTIRQ_TRACEPOINTS and CONFIG_TRACE_PREEMPT_TOGGLE (CONFIG_PREEMPT_TRACER=y)",
            },
            Hook {
                name: c"irq_disable",
                probe: probe_irq_disable as *mut c_void,
                config: "CONFIG_PREEMPTIRQ_TRACEPOINTS and CONFIG_TRACE_IRQFLAGS (CONFIG_IRQSOFF_TRACER=y)",
            },
            Hook {
                name: c"irq_enable",
                probe: probe_irq_enable as *mut c_void,
                config: "CONFIG_PREEMPTIRQ_TRACEPOINTS and CONFIG_TRACE_IRQFLAGS (CONFIG_IRQSOFF_TRACER=y)",
            },
            Hook {
                name: c"cpu_idle",
                probe: probe_cpu_idle as *mut c_void,
                config: "CONFIG_TRACEPOINTS (the power:cpu_idle event)",
            },
        ];
        let names = hooks.each_ref().map(|h| h.name);
        let mut found = [None; NR_HOOKS];
        sys::find_tracepoints(&names, &mut found);
        let mut missing = false;
        for (h, f) in hooks.iter().zip(found.iter()) {
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
        // INVARIANT: Filled below with registered pairs only.
        let mut this = Self {
            registered: [None; NR_HOOKS],
            data: core::ptr::from_ref(tracer).cast_mut().cast(),
        };
        for ((h, f), slot) in hooks
            .iter()
            .zip(found.iter())
            .zip(this.registered.iter_mut())
        {
            let Some(tp) = *f else { return Err(ENODEV) };
            // SAFETY: Each probe's prototype is its tracepoint's (`preemptirq_template` is
            // `(unsigned long ip, unsigned long parent_ip)`, `cpu` is `(unsigned int state,
            // unsigned int cpu_id)`), and the caller guarantees the tracer outlives `this`,
            // whose drop unregisters and waits.
            unsafe { sys::tracepoint_register(tp, h.probe, this.data)? };
            *slot = Some((tp, h.probe));
        }
        Ok(this)
    }
}

impl Drop for Probes {
    fn drop(&mut self) {
        for (tp, probe) in self.registered.iter().flatten() {
            // SAFETY: Registered with `self.data` (type invariant).
            unsafe { sys::tracepoint_unregister(*tp, *probe, self.data) };
        }
        // Wait for probes still running on other CPUs before the tracer can be freed.
        sys::tracepoint_sync();
    }
}
