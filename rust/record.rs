// SPDX-License-Identifier: GPL-2.0

//! One completed section as the worst list and the threshold log keep it.

use crate::sites::Sample;
use core::sync::atomic::{AtomicU32, AtomicU64, AtomicUsize, Ordering::Relaxed};

/// The fields of a completed section, stored in atomics so that other CPUs can read them
/// (under the owner's sequence count).
pub(crate) struct SectionCell {
    kind: AtomicU32,
    ctx: AtomicU32,
    pid: AtomicU32,
    start: AtomicUsize,
    end: AtomicUsize,
    ns: AtomicU64,
    end_ns: AtomicU64,
    comm: [AtomicU64; 2],
}

/// A copy of a [`SectionCell`].
#[derive(Clone, Copy)]
pub(crate) struct SectionRecord {
    /// Kind index.
    pub(crate) kind: u32,
    /// Context code it started in.
    pub(crate) ctx: u32,
    /// CPU.
    pub(crate) cpu: u32,
    /// Task that opened it.
    pub(crate) pid: u32,
    /// Its name.
    pub(crate) comm: [u64; 2],
    /// Start site.
    pub(crate) start: usize,
    /// End site.
    pub(crate) end: usize,
    /// Duration.
    pub(crate) ns: u64,
    /// When it ended.
    pub(crate) end_ns: u64,
}

impl SectionCell {
    /// An empty cell.
    pub(crate) const fn new() -> Self {
        Self {
            kind: AtomicU32::new(0),
            ctx: AtomicU32::new(0),
            pid: AtomicU32::new(0),
            start: AtomicUsize::new(0),
            end: AtomicUsize::new(0),
            ns: AtomicU64::new(0),
            end_ns: AtomicU64::new(0),
            comm: [const { AtomicU64::new(0) }; 2],
        }
    }

    /// Stores `s` (owner CPU, inside its sequence count write).
    pub(crate) fn store(&self, s: &Sample) {
        self.kind.store(s.kind as u32, Relaxed);
        self.ctx.store(s.ctx, Relaxed);
        self.pid.store(s.pid as u32, Relaxed);
        self.start.store(s.start, Relaxed);
        self.end.store(s.end, Relaxed);
        self.ns.store(s.ns, Relaxed);
        self.end_ns.store(s.end_ns, Relaxed);
        self.comm[0].store(s.comm[0], Relaxed);
        self.comm[1].store(s.comm[1], Relaxed);
    }

    /// The duration stored.
    pub(crate) fn ns(&self) -> u64 {
        self.ns.load(Relaxed)
    }

    /// A copy, for the section recorded on `cpu` (inside a sequence count read).
    pub(crate) fn load(&self, cpu: u32) -> SectionRecord {
        SectionRecord {
            kind: self.kind.load(Relaxed),
            ctx: self.ctx.load(Relaxed),
            cpu,
            pid: self.pid.load(Relaxed),
            comm: [self.comm[0].load(Relaxed), self.comm[1].load(Relaxed)],
            start: self.start.load(Relaxed),
            end: self.end.load(Relaxed),
            ns: self.ns.load(Relaxed),
            end_ns: self.end_ns.load(Relaxed),
        }
    }
}
