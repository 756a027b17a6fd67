// SPDX-License-Identifier: GPL-2.0

//! The threshold log: every section at or above `threshold_us`, in a bounded ring per CPU.
//!
//! The ring keeps the newest records: a full ring overwrites its oldest record, and
//! `log_overwritten` in the summary counts every record lost that way.

use crate::{
    record::{SectionCell, SectionRecord},
    seqcount::SeqCount,
    sites::Sample,
};
use core::sync::atomic::{AtomicU64, Ordering::Relaxed};
use kernel::prelude::*;

#[repr(C, align(64))]
struct LogSlot {
    seq: SeqCount,
    gen: AtomicU64,
    section: SectionCell,
}

/// A copy of one log record.
pub(crate) type LogSnapshot = SectionRecord;

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
                    section: SectionCell::new(),
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
            slot.section.store(s);
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
            let snap = slot.seq.read(|| slot.section.load(cpu));
            if let Some(snap) = snap {
                if slot.gen.load(Relaxed) == gen {
                    f(&snap);
                }
            }
        }
    }
}
