// SPDX-License-Identifier: GPL-2.0

//! preemptstat_floor: empty probes on preemptstat's tracepoints, for `make bench`.
//!
//! A TEST TOOL ONLY. While it is loaded, a probe that returns at once is attached to each
//! tracepoint preemptstat hooks (the preemptirq events and `cpu_idle` for the sections, and
//! the breakdown's NMI, IRQ, softirq, `sched_switch`, hrtimer and x86 vector events). What a pair costs then is what the tracepoint mechanism alone
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

// The floor never reads which vector an event is.
#[allow(dead_code)]
#[path = "../rust/hooks.rs"]
mod hooks;
#[allow(dead_code)]
#[path = "../rust/sys.rs"]
mod sys;

use core::ffi::{c_int, c_uint, c_void};
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

/// The empty probe of `nmi_handler`, `(void *data, void *handler, s64 delta_ns, int handled)`.
extern "C" fn probe_nmi(_data: *mut c_void, _handler: *mut c_void, _delta: i64, _h: c_int) {}

/// The empty probe of `irq_handler_entry`, `(void *data, int irq, struct irqaction *action)`.
extern "C" fn probe_irq_entry(_data: *mut c_void, _irq: c_int, _action: *mut c_void) {}

/// The empty probe of `irq_handler_exit`, `(void *data, int irq, struct irqaction *action,
/// int ret)`.
extern "C" fn probe_irq_exit(_data: *mut c_void, _irq: c_int, _action: *mut c_void, _ret: c_int) {}

/// The empty probe of `softirq_entry` and `softirq_exit`, `(void *data, unsigned int vec_nr)`.
extern "C" fn probe_softirq(_data: *mut c_void, _vec: c_uint) {}

/// The empty probe of `sched_switch`, `(void *data, bool preempt, struct task_struct *prev,
/// struct task_struct *next, unsigned int prev_state)`.
extern "C" fn probe_switch(
    _data: *mut c_void,
    _preempt: bool,
    _prev: *mut c_void,
    _next: *mut c_void,
    _state: c_uint,
) {
}

/// The empty probe of `hrtimer_expire_entry`, `(void *data, struct hrtimer *t, ktime_t now)`
/// (`ktime_t *now` on 6.12: unread, passed the same way).
extern "C" fn probe_hrtimer_entry(_data: *mut c_void, _timer: *mut c_void, _now: usize) {}

/// The empty probe of `hrtimer_expire_exit`, `(void *data, struct hrtimer *t)`.
extern "C" fn probe_hrtimer_exit(_data: *mut c_void, _timer: *mut c_void) {}

/// The empty probe of the `irq_vectors` events, `(void *data, int vector)`.
extern "C" fn probe_vector(_data: *mut c_void, _vector: c_int) {}

/// The empty probes on every tracepoint of preemptstat's table (`rust/hooks.rs`);
/// unregistered on drop, which waits until none can still run.
struct Floor {
    /// Held for its drop.
    _set: KBox<sys::ProbeSet<NR_HOOKS>>,
}

impl kernel::Module for Floor {
    fn init(_module: &'static ThisModule) -> Result<Self> {
        let probe = |event| match event {
            Event::PreemptDisable | Event::PreemptEnable | Event::IrqDisable | Event::IrqEnable => {
                probe_preemptirq as *mut c_void
            }
            Event::CpuIdle => probe_cpu_idle as *mut c_void,
            Event::NmiHandler => probe_nmi as *mut c_void,
            Event::IrqHandlerEntry => probe_irq_entry as *mut c_void,
            Event::IrqHandlerExit => probe_irq_exit as *mut c_void,
            Event::SoftirqEntry | Event::SoftirqExit => probe_softirq as *mut c_void,
            Event::SchedSwitch => probe_switch as *mut c_void,
            Event::HrtimerExpireEntry => probe_hrtimer_entry as *mut c_void,
            Event::HrtimerExpireExit => probe_hrtimer_exit as *mut c_void,
            Event::VectorEntry(_) | Event::VectorExit(_) => probe_vector as *mut c_void,
        };
        // SAFETY: Each probe's prototype is its event's, as `hooks::Event` lists them; they use no data, and this module's text stays until the set's drop has
        // unregistered them and waited.
        let set = unsafe { hooks::attach(probe, core::ptr::null_mut(), true)? };
        Ok(Self { _set: set })
    }
}
