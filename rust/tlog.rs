// SPDX-License-Identifier: GPL-2.0

//! The threshold log: every section at or above `threshold_us`, in a bounded ring per CPU.
//!
//! The ring keeps the newest records: a full ring overwrites its oldest record, and
//! `log_overwritten` in the summary counts every record lost that way.

use crate::{seqcount::SeqCount, sites::Sample};
use core::sync::atomic::{AtomicU32, AtomicU64, AtomicUsize, Ordering::Relaxed};
use kernel::prelude::*;

#[repr(C, align(64))]
struct LogSlot {
    seq: SeqCount,
    gen: AtomicU64,
    kind: AtomicU32,
    ctx: AtomicU32,
    pid: AtomicU32,
    start: AtomicUsize,
    end: AtomicUsize,
    ns: AtomicU64,
    end_ns: AtomicU64,
    comm: [AtomicU64; 2],
}

/// A copy of one log record.
#[derive(Clone)]
pub(crate) struct LogSnapshot {
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

/// One CPU's log ring.
pub(crate) struct LogRing {
    slots: KVVec<LogSlot>,
    /// Records written in this generation (the next slot is `head % len`).
    head: AtomicU64,
}

impl LogRing {
    /// A ring of `n` records.
    pub(crate) fn new(n: usize) -> Result<Self> {
        let mut slots = KVVec::with_capacity(n, GFP_KERNEL)?;
        for _ in 0..n {
            slots.push(
                LogSlot {
                    seq: SeqCount::new(),
                    gen: AtomicU64::new(0),
                    kind: AtomicU32::new(0),
                    ctx: AtomicU32::new(0),
                    pid: AtomicU32::new(0),
                    start: AtomicUsize::new(0),
                    end: AtomicUsize::new(0),
                    ns: AtomicU64::new(0),
                    end_ns: AtomicU64::new(0),
                    comm: [const { AtomicU64::new(0) }; 2],
                },
                GFP_KERNEL,
            )?;
        }
        Ok(Self {
            slots,
            head: AtomicU64::new(0),
        })
    }

    /// The bytes of memory the ring uses.
    pub(crate) fn bytes(&self) -> usize {
        self.slots.len() * core::mem::size_of::<LogSlot>()
    }

    /// Forgets every record (owner CPU, on a new generation).
    pub(crate) fn clear(&self) {
        self.head.store(0, Relaxed);
    }

    /// Records written and records overwritten in this generation.
    pub(crate) fn counts(&self) -> (u64, u64) {
        let head = self.head.load(Relaxed);
        (head, head.saturating_sub(self.slots.len() as u64))
    }

    /// Appends `s`. Owner CPU only, interrupts disabled.
    #[inline]
    pub(crate) fn push(&self, gen: u64, s: &Sample) {
        let len = self.slots.len() as u64;
        if len == 0 {
            return;
        }
        let head = self.head.load(Relaxed);
        let Some(slot) = self.slots.get((head % len) as usize) else {
            return;
        };
        slot.seq.write(|| {
            slot.kind.store(s.kind as u32, Relaxed);
            slot.ctx.store(s.ctx, Relaxed);
            slot.pid.store(s.pid as u32, Relaxed);
            slot.start.store(s.start, Relaxed);
            slot.end.store(s.end, Relaxed);
            slot.ns.store(s.ns, Relaxed);
            slot.end_ns.store(s.end_ns, Relaxed);
            slot.comm[0].store(s.comm[0], Relaxed);
            slot.comm[1].store(s.comm[1], Relaxed);
            slot.gen.store(gen, Relaxed);
        });
        self.head.store(head.wrapping_add(1), Relaxed);
    }

    /// Calls `f` with a copy of each record of generation `gen`.
    pub(crate) fn for_each(&self, gen: u64, cpu: u32, mut f: impl FnMut(&LogSnapshot)) {
        for slot in self.slots.iter() {
            if slot.gen.load(Relaxed) != gen {
                continue;
            }
            let snap = slot.seq.read(|| LogSnapshot {
                kind: slot.kind.load(Relaxed),
                ctx: slot.ctx.load(Relaxed),
                cpu,
                pid: slot.pid.load(Relaxed),
                comm: [slot.comm[0].load(Relaxed), slot.comm[1].load(Relaxed)],
                start: slot.start.load(Relaxed),
                end: slot.end.load(Relaxed),
                ns: slot.ns.load(Relaxed),
                end_ns: slot.end_ns.load(Relaxed),
            });
            if let Some(snap) = snap {
                if slot.gen.load(Relaxed) == gen {
                    f(&snap);
                }
            }
        }
    }
}
