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
#[path = "../rust/hooks.rs"]
mod hooks;
#[allow(dead_code)]
#[path = "../rust/sys.rs"]
mod sys;

use core::ffi::{c_uint, c_void};
use hooks::{Event, NR_HOOKS};
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

/// The empty probes on every tracepoint of preemptstat's table (`rust/hooks.rs`);
/// unregistered on drop, which waits until none can still run.
struct Floor {
    /// Held for its drop.
    _set: sys::ProbeSet<NR_HOOKS>,
}

impl kernel::Module for Floor {
    fn init(_module: &'static ThisModule) -> Result<Self> {
        let probe = |event| match event {
            Event::PreemptDisable | Event::PreemptEnable | Event::IrqDisable | Event::IrqEnable => {
                probe_preemptirq as *mut c_void
            }
            Event::CpuIdle => probe_cpu_idle as *mut c_void,
        };
        // SAFETY: Each probe's prototype is its event's (`preemptirq_template` is `(unsigned
        // long ip, unsigned long parent_ip)`, `cpu` is `(unsigned int state, unsigned int
        // cpu_id)`); they use no data, and this module's text stays until the set's drop has
        // unregistered them and waited.
        let set = unsafe { hooks::attach(probe, core::ptr::null_mut())? };
        Ok(Self { _set: set })
    }
}
