// SPDX-License-Identifier: GPL-2.0

//! preemptstat_floor: empty probes on preemptstat's tracepoints, for `make bench`.
//!
//! A TEST TOOL ONLY. While it is loaded, a probe that returns at once is attached to each
//! tracepoint preemptstat hooks (`preempt_disable`, `preempt_enable`, `irq_disable`,
//! `irq_enable`, `cpu_idle`). What a pair costs then is what the tracepoint mechanism alone
//! costs: the static key turned on, the call through `__DO_TRACE`, the probe's call and
//! return. Nothing that hooks these tracepoints can cost less, so `make bench` measures this
//! floor in the same boot as preemptstat and ftrace.
//!
//! `insmod` registers the probes (and fails with `ENODEV` if a tracepoint is missing);
//! `rmmod` unregisters them and waits, with `tracepoint_synchronize_unregister()`, until none
//! can still run.

// Samples use a part of it only.
#[allow(dead_code, unused_imports)]
#[path = "../rust/compat.rs"]
mod compat;
#[allow(dead_code)]
#[path = "../rust/sys.rs"]
mod sys;

use core::ffi::{c_uint, c_void, CStr};
use kernel::{ffi::c_ulong, prelude::*};

// The same invocation on every kernel series; the author is in floor_shim.c.
module! {
    type: Floor,
    name: "preemptstat_floor",
    description: "TEST ONLY: empty probes on preemptstat's tracepoints (the cost floor)",
    license: "GPL",
}

/// The empty probe of the preemptirq tracepoints, `(void *data, unsigned long ip, unsigned
/// long parent_ip)`.
extern "C" fn probe_preemptirq(_data: *mut c_void, _ip: c_ulong, _parent: c_ulong) {}

/// The empty probe of `cpu_idle`, `(void *data, unsigned int state, unsigned int cpu_id)`.
extern "C" fn probe_cpu_idle(_data: *mut c_void, _state: c_uint, _cpu: c_uint) {}

/// The tracepoints preemptstat hooks (`rust/probes.rs`).
const NAMES: [&CStr; 5] = [
    c"preempt_disable",
    c"preempt_enable",
    c"irq_disable",
    c"irq_enable",
    c"cpu_idle",
];

/// The probes, unregistered on drop, which waits until none can still run.
///
/// # Invariants
///
/// Every `(tp, probe)` in `registered` is registered with a null `data`.
struct Floor {
    registered: [Option<(sys::Tracepoint, *mut c_void)>; NAMES.len()],
}

// SAFETY: The pointers are only used to unregister, which is thread-safe.
unsafe impl Send for Floor {}
// SAFETY: See above; `Floor` offers no shared-reference operations.
unsafe impl Sync for Floor {}

impl kernel::Module for Floor {
    fn init(_module: &'static ThisModule) -> Result<Self> {
        let mut found = [None; NAMES.len()];
        sys::find_tracepoints(&NAMES, &mut found);
        // INVARIANT: Filled below with registered pairs only; if a registration fails, the
        // drop of `this` unregisters the ones before it.
        let mut this = Self {
            registered: [None; NAMES.len()],
        };
        for ((name, tp), slot) in NAMES.iter().zip(found).zip(this.registered.iter_mut()) {
            let Some(tp) = tp else {
                pr_err!("tracepoint {} not found\n", name.to_str().unwrap_or("?"));
                return Err(ENODEV);
            };
            let probe = if *name == c"cpu_idle" {
                probe_cpu_idle as *mut c_void
            } else {
                probe_preemptirq as *mut c_void
            };
            // SAFETY: Each probe's prototype is its tracepoint's (`preemptirq_template` is
            // `(unsigned long ip, unsigned long parent_ip)`, `cpu` is `(unsigned int state,
            // unsigned int cpu_id)`); it uses no data, and the module text it runs in stays
            // until the drop below has unregistered it and waited.
            unsafe { sys::tracepoint_register(tp, probe, core::ptr::null_mut())? };
            *slot = Some((tp, probe));
        }
        Ok(this)
    }
}

impl Drop for Floor {
    fn drop(&mut self) {
        for (tp, probe) in self.registered.iter().flatten() {
            // SAFETY: Registered with a null `data` (type invariant).
            unsafe { sys::tracepoint_unregister(*tp, *probe, core::ptr::null_mut()) };
        }
        // No probe may still run in this module's text once it is freed.
        sys::tracepoint_sync();
    }
}
