// SPDX-License-Identifier: GPL-2.0

//! preemptstat's trace events, `preemptstat:section` and `preemptstat:wakeup_spike`
//! (`preemptstat_trace.h`), for ftrace, trace-cmd and perf.
//!
//! The events are C (`TRACE_EVENT`); this is their FFI module: the two C wrappers and the safe
//! functions the module calls. Callers call them only after their threshold checks, so a
//! section under the threshold never leaves Rust; inside, a wrapper is the event's static-key
//! test and, only when someone enabled the event, the ring buffer write. Both are callable in
//! any context but NMI, which the callers never are in (probes ignore NMIs).

use crate::sites::Sample;
use core::ffi::{c_char, c_int, c_uint};
use kernel::ffi::c_ulong;

extern "C" {
    fn preemptstat_trace_section(
        kind: c_uint,
        duration_ns: u64,
        end_ns: u64,
        start: c_ulong,
        end: c_ulong,
        cpu: c_uint,
        pid: c_int,
        comm: *const c_char,
        context: c_uint,
    );
    fn preemptstat_trace_wakeup_spike(
        cpu: c_uint,
        expiry_ns: u64,
        irq_ns: u64,
        thread_ns: u64,
        start: c_ulong,
        end: c_ulong,
        cause: c_uint,
        cause_ns: u64,
        merged: c_uint,
    );
}

/// `cause` of a spike event without a breakdown (`none`).
pub(crate) const NO_CAUSE: u32 = 255;

/// Writes a `preemptstat:section` event for `s`, a section of `cpu` that the threshold log
/// records (nothing if the event is off).
#[inline]
pub(crate) fn section(s: &Sample, cpu: u32) {
    // SAFETY: `s.comm` is 16 bytes, which the event copies (and terminates); the wrapper only
    // tests the static key and writes to the trace ring buffer, in any non-NMI context.
    unsafe {
        preemptstat_trace_section(
            s.kind.idx() as c_uint,
            s.ns,
            s.end_ns,
            s.start as c_ulong,
            s.end as c_ulong,
            cpu,
            s.pid,
            s.comm.as_ptr().cast(),
            s.ctx,
        )
    };
}

/// A spike as its `preemptstat:wakeup_spike` event shows it.
pub(crate) struct Spike {
    /// CPU.
    pub(crate) cpu: u32,
    /// The programmed expiry.
    pub(crate) expiry_ns: u64,
    /// IRQ latency.
    pub(crate) irq_ns: u64,
    /// Thread latency.
    pub(crate) thread_ns: u64,
    /// The blamed section's start and end sites (0 if none; end 0 while open).
    pub(crate) site: (usize, usize),
    /// The breakdown's cause class ([`NO_CAUSE`] if none) and its time.
    pub(crate) cause: (u32, u64),
    /// Whether the spike was merged into the one before it (same section), so that the
    /// `spikes` file does not list it.
    pub(crate) merged: bool,
}

/// Writes a `preemptstat:wakeup_spike` event (nothing if the event is off).
pub(crate) fn wakeup_spike(s: &Spike) {
    // SAFETY: Plain values; the wrapper only tests the static key and writes to the trace ring
    // buffer, in any non-NMI context.
    unsafe {
        preemptstat_trace_wakeup_spike(
            s.cpu,
            s.expiry_ns,
            s.irq_ns,
            s.thread_ns,
            s.site.0 as c_ulong,
            s.site.1 as c_ulong,
            s.cause.0,
            s.cause.1,
            c_uint::from(s.merged),
        )
    };
}
