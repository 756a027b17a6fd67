// SPDX-License-Identifier: GPL-2.0

//! The worst sections, per CPU, each with the stack at its end.
//!
//! Each CPU keeps its own N worst sections of the current reset generation; readers merge the
//! lists of all CPUs and keep the N worst overall, which are always among the per-CPU lists.
//! The stack is saved only when a section makes it into the list: once the list is full, that
//! is one load and one compare on the common path.

use crate::{
    record::{SectionCell, SectionRecord},
    seqcount::SeqCount,
    sites::Sample,
    sys,
};
use core::sync::atomic::{AtomicU32, AtomicU64, AtomicUsize, Ordering::Relaxed};
use kernel::prelude::*;

/// Frames saved per worst section.
pub(crate) const STACK_DEPTH: usize = 16;

#[repr(C, align(64))]
struct WorstSlot {
    seq: SeqCount,
    gen: AtomicU64,
    section: SectionCell,
    nr_frames: AtomicU32,
    frames: [AtomicUsize; STACK_DEPTH],
}

impl WorstSlot {
    fn new() -> Self {
        Self {
            seq: SeqCount::new(),
            gen: AtomicU64::new(0),
            section: SectionCell::new(),
            nr_frames: AtomicU32::new(0),
            frames: [const { AtomicUsize::new(0) }; STACK_DEPTH],
        }
    }
}

/// A consistent copy of one worst section.
#[derive(Clone)]
pub(crate) struct WorstSnapshot {
    /// The section.
    pub(crate) section: SectionRecord,
    /// Stack at its end, innermost first.
    pub(crate) frames: [usize; STACK_DEPTH],
    /// How many of `frames` are valid.
    pub(crate) nr_frames: usize,
}

/// One CPU's worst sections.
pub(crate) struct WorstList {
    slots: KVVec<WorstSlot>,
    /// The shortest duration in the list once it is full (0 while it is not), for `floor_gen`.
    floor_ns: AtomicU64,
    floor_gen: AtomicU64,
}

impl WorstList {
    /// A list of `n` entries.
    pub(crate) fn new(n: usize) -> Result<Self> {
        let mut slots = KVVec::with_capacity(n, GFP_KERNEL)?;
        for _ in 0..n {
            slots.push(WorstSlot::new(), GFP_KERNEL)?;
        }
        Ok(Self {
            slots,
            floor_ns: AtomicU64::new(0),
            floor_gen: AtomicU64::new(0),
        })
    }

    /// The bytes of memory the list uses.
    pub(crate) fn bytes(&self) -> usize {
        self.slots.len() * core::mem::size_of::<WorstSlot>()
    }

    /// Adds `s` if it is among this CPU's worst. `raw_end_ip` is the event's own address, where
    /// the saved stack starts to be interesting. Owner CPU only, interrupts disabled.
    #[inline]
    pub(crate) fn record(&self, gen: u64, s: &Sample, raw_end_ip: usize) {
        if self.floor_gen.load(Relaxed) == gen && s.ns <= self.floor_ns.load(Relaxed) {
            return;
        }
        self.insert(gen, s, raw_end_ip);
    }

    #[inline(never)]
    fn insert(&self, gen: u64, s: &Sample, raw_end_ip: usize) {
        // The slot to replace: an empty one, else the shortest.
        let mut victim: Option<&WorstSlot> = None;
        for slot in self.slots.iter() {
            if slot.gen.load(Relaxed) != gen {
                victim = Some(slot);
                break;
            }
            // Not `is_none_or` (6.12's MSRV is Rust 1.78).
            let shorter = match victim {
                Some(v) => slot.section.ns() < v.section.ns(),
                None => true,
            };
            if shorter {
                victim = Some(slot);
            }
        }
        let Some(v) = victim else { return };
        if v.gen.load(Relaxed) == gen && v.section.ns() >= s.ns {
            return;
        }
        let mut frames = [0usize; STACK_DEPTH + 8];
        let n = sys::stack_trace_save(&mut frames);
        let frames = frames.get(..n).unwrap_or(&[]);
        // Drop the frames of the probe and of the tracing code that called it.
        let skip = frames.iter().position(|&f| f == raw_end_ip).unwrap_or(0);
        let frames = frames.get(skip..).unwrap_or(&[]);
        v.seq.write(|| {
            v.section.store(s);
            let mut nr = 0;
            for (d, f) in v.frames.iter().zip(frames.iter()) {
                d.store(*f, Relaxed);
                nr += 1;
            }
            v.nr_frames.store(nr, Relaxed);
            v.gen.store(gen, Relaxed);
        });
        // The new floor: the shortest entry once every slot is in use.
        let mut floor = u64::MAX;
        for slot in self.slots.iter() {
            if slot.gen.load(Relaxed) != gen {
                floor = 0;
                break;
            }
            floor = floor.min(slot.section.ns());
        }
        self.floor_ns.store(floor, Relaxed);
        self.floor_gen.store(gen, Relaxed);
    }

    /// Calls `f` with a copy of each entry of generation `gen`.
    pub(crate) fn for_each(&self, gen: u64, cpu: u32, mut f: impl FnMut(&WorstSnapshot)) {
        for v in self.slots.iter() {
            if v.gen.load(Relaxed) != gen {
                continue;
            }
            let snap = v.seq.read(|| {
                let mut frames = [0usize; STACK_DEPTH];
                for (d, s) in frames.iter_mut().zip(v.frames.iter()) {
                    *d = s.load(Relaxed);
                }
                WorstSnapshot {
                    section: v.section.load(cpu),
                    frames,
                    nr_frames: (v.nr_frames.load(Relaxed) as usize).min(STACK_DEPTH),
                }
            });
            if let Some(snap) = snap {
                if v.gen.load(Relaxed) == gen {
                    f(&snap);
                }
            }
        }
    }
}
