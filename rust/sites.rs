// SPDX-License-Identifier: GPL-2.0

//! The per-CPU site table: statistics per (kind, start site, end site).
//!
//! Each CPU has its own open-addressing hash table of fixed size, allocated at load time and
//! written only by that CPU, inside a probe, with interrupts off. So the hot path takes no lock
//! and shares no cache line with other CPUs; readers merge the tables of all CPUs.
//!
//! Reset is lazy: an entry belongs to the reset generation it was written in, and an entry of
//! an older generation counts as empty. Lookups stop at the first empty slot, which is correct
//! because entries are never removed within a generation.
//!
//! An entry of a module that was unloaded is *retired*: it keeps its statistics and the names
//! resolved before the module went away, but never matches again, so a module loaded later at
//! the same address starts new entries.

use crate::{
    model::{Kind, HIST_BUCKETS},
    seqcount::SeqCount,
};
use core::sync::atomic::{AtomicU32, AtomicU64, AtomicUsize, Ordering::Relaxed};
use kernel::prelude::*;

/// How many slots a lookup probes before it gives up and counts the section as dropped.
pub(crate) const PROBE_LIMIT: usize = 64;

/// One sample to add to a site.
pub(crate) struct Sample {
    /// Section kind.
    pub(crate) kind: Kind,
    /// Start site (return address in the function that opened the section).
    pub(crate) start: usize,
    /// End site.
    pub(crate) end: usize,
    /// Context code the section started in.
    pub(crate) ctx: u32,
    /// Duration.
    pub(crate) ns: u64,
    /// When it ended (CLOCK_MONOTONIC ns).
    pub(crate) end_ns: u64,
    /// Task that opened it.
    pub(crate) pid: i32,
    /// Its name (NUL-padded).
    pub(crate) comm: [u64; 2],
}

/// One site table entry. Its fields are only meaningful when `gen` is the current generation.
#[repr(C, align(64))]
pub(crate) struct Site {
    seq: SeqCount,
    /// `kind`, plus [`RETIRED`] once the module of one of its sites went away.
    kind: AtomicU32,
    gen: AtomicU64,
    start: AtomicUsize,
    end: AtomicUsize,
    /// Index+1 into the retired names, 0 while not retired.
    retired_id: AtomicU32,
    ctx_mask: AtomicU32,
    count: AtomicU64,
    total_ns: AtomicU64,
    min_ns: AtomicU64,
    max_ns: AtomicU64,
    max_end_ns: AtomicU64,
    max_pid: AtomicU32,
    max_ctx: AtomicU32,
    max_comm: [AtomicU64; 2],
    hist: [AtomicU32; HIST_BUCKETS],
    /// Late wakeups blamed on this site, and the worst thread latency among them.
    spikes: AtomicU32,
    spike_max_ns: AtomicU64,
}

/// The flag in `Site::kind` of a retired entry.
const RETIRED: u32 = 1 << 8;

impl Site {
    fn new() -> Self {
        Self {
            seq: SeqCount::new(),
            kind: AtomicU32::new(0),
            gen: AtomicU64::new(0),
            start: AtomicUsize::new(0),
            end: AtomicUsize::new(0),
            retired_id: AtomicU32::new(0),
            ctx_mask: AtomicU32::new(0),
            count: AtomicU64::new(0),
            total_ns: AtomicU64::new(0),
            min_ns: AtomicU64::new(0),
            max_ns: AtomicU64::new(0),
            max_end_ns: AtomicU64::new(0),
            max_pid: AtomicU32::new(0),
            max_ctx: AtomicU32::new(0),
            max_comm: [const { AtomicU64::new(0) }; 2],
            hist: [const { AtomicU32::new(0) }; HIST_BUCKETS],
            spikes: AtomicU32::new(0),
            spike_max_ns: AtomicU64::new(0),
        }
    }

    fn set_max(&self, s: &Sample) {
        self.max_ns.store(s.ns, Relaxed);
        self.max_end_ns.store(s.end_ns, Relaxed);
        self.max_pid.store(s.pid as u32, Relaxed);
        self.max_ctx.store(s.ctx, Relaxed);
        self.max_comm[0].store(s.comm[0], Relaxed);
        self.max_comm[1].store(s.comm[1], Relaxed);
    }

    /// Makes this (empty) slot the entry of `s`, holding `s` alone.
    fn claim(&self, gen: u64, s: &Sample) {
        self.seq.write(|| {
            self.kind.store(s.kind as u32, Relaxed);
            self.start.store(s.start, Relaxed);
            self.end.store(s.end, Relaxed);
            self.retired_id.store(0, Relaxed);
            self.ctx_mask.store(1 << s.ctx, Relaxed);
            self.count.store(1, Relaxed);
            self.total_ns.store(s.ns, Relaxed);
            self.min_ns.store(s.ns, Relaxed);
            self.set_max(s);
            let b = crate::model::hist_bucket(s.ns);
            for (i, h) in self.hist.iter().enumerate() {
                h.store(u32::from(i == b), Relaxed);
            }
            self.spikes.store(0, Relaxed);
            self.spike_max_ns.store(0, Relaxed);
            self.gen.store(gen, Relaxed);
        });
    }

    /// Adds `s` to this entry.
    fn add(&self, s: &Sample) {
        self.seq.write(|| {
            self.count
                .store(self.count.load(Relaxed).wrapping_add(1), Relaxed);
            let total = self.total_ns.load(Relaxed).saturating_add(s.ns);
            self.total_ns.store(total, Relaxed);
            self.ctx_mask
                .store(self.ctx_mask.load(Relaxed) | (1 << s.ctx), Relaxed);
            if s.ns < self.min_ns.load(Relaxed) {
                self.min_ns.store(s.ns, Relaxed);
            }
            if s.ns > self.max_ns.load(Relaxed) {
                self.set_max(s);
            }
            if let Some(h) = self.hist.get(crate::model::hist_bucket(s.ns)) {
                h.store(h.load(Relaxed).saturating_add(1), Relaxed);
            }
        });
    }

    fn matches(&self, gen: u64, s: &Sample) -> bool {
        self.gen.load(Relaxed) == gen
            && self.kind.load(Relaxed) == s.kind as u32
            && self.start.load(Relaxed) == s.start
            && self.end.load(Relaxed) == s.end
    }
}

/// A consistent copy of one entry, as readers see it.
#[derive(Clone)]
pub(crate) struct SiteSnapshot {
    /// Kind index.
    pub(crate) kind: u32,
    /// Start site.
    pub(crate) start: usize,
    /// End site.
    pub(crate) end: usize,
    /// Index+1 into the retired names, 0 if live.
    pub(crate) retired_id: u32,
    /// Contexts seen (bit per context code).
    pub(crate) ctx_mask: u32,
    /// Number of sections.
    pub(crate) count: u64,
    /// Sum of their durations.
    pub(crate) total_ns: u64,
    /// Shortest.
    pub(crate) min_ns: u64,
    /// Longest.
    pub(crate) max_ns: u64,
    /// When the longest ended.
    pub(crate) max_end_ns: u64,
    /// CPU of the longest.
    pub(crate) max_cpu: u32,
    /// Task that opened the longest.
    pub(crate) max_pid: u32,
    /// Its context.
    pub(crate) max_ctx: u32,
    /// Its name.
    pub(crate) max_comm: [u64; 2],
    /// Log2 histogram.
    pub(crate) hist: [u64; HIST_BUCKETS],
    /// Late wakeups blamed on this site.
    pub(crate) spikes: u64,
    /// The worst thread latency among them.
    pub(crate) spike_max_ns: u64,
}

impl SiteSnapshot {
    /// Whether `other` is the same site (same kind and sites, same retirement).
    pub(crate) fn same_key(&self, other: &SiteSnapshot) -> bool {
        self.kind == other.kind
            && self.start == other.start
            && self.end == other.end
            && self.retired_id == other.retired_id
    }

    /// Adds another CPU's statistics of the same site.
    pub(crate) fn merge(&mut self, o: &SiteSnapshot) {
        self.ctx_mask |= o.ctx_mask;
        self.count = self.count.saturating_add(o.count);
        self.total_ns = self.total_ns.saturating_add(o.total_ns);
        self.min_ns = self.min_ns.min(o.min_ns);
        if o.max_ns > self.max_ns {
            self.max_ns = o.max_ns;
            self.max_end_ns = o.max_end_ns;
            self.max_cpu = o.max_cpu;
            self.max_pid = o.max_pid;
            self.max_ctx = o.max_ctx;
            self.max_comm = o.max_comm;
        }
        for (a, b) in self.hist.iter_mut().zip(o.hist.iter()) {
            *a = a.saturating_add(*b);
        }
        self.spikes = self.spikes.saturating_add(o.spikes);
        self.spike_max_ns = self.spike_max_ns.max(o.spike_max_ns);
    }
}

/// One CPU's site table.
pub(crate) struct SiteTable {
    slots: KVVec<Site>,
    mask: usize,
}

impl SiteTable {
    /// A table of `size` slots (a power of two).
    pub(crate) fn new(size: usize) -> Result<Self> {
        if !size.is_power_of_two() {
            return Err(EINVAL);
        }
        let mut slots = KVVec::with_capacity(size, GFP_KERNEL)?;
        for _ in 0..size {
            slots.push(Site::new(), GFP_KERNEL)?;
        }
        Ok(Self {
            slots,
            mask: size - 1,
        })
    }

    /// The bytes of memory the table uses.
    pub(crate) fn bytes(&self) -> usize {
        self.slots.len() * core::mem::size_of::<Site>()
    }

    fn home(s: &Sample) -> usize {
        let k = (s.start as u64) ^ (s.end as u64).rotate_left(29) ^ ((s.kind as u64) << 59);
        (k.wrapping_mul(0x9e37_79b9_7f4a_7c15) >> 32) as usize
    }

    /// Adds `s` to its entry, making one if needed. Returns `false` if no slot was free within
    /// [`PROBE_LIMIT`] probes: the caller counts the section as dropped. Owner CPU only, with
    /// interrupts disabled.
    #[inline]
    pub(crate) fn record(&self, gen: u64, s: &Sample) -> bool {
        let home = Self::home(s);
        for i in 0..PROBE_LIMIT.min(self.slots.len()) {
            let Some(e) = self.slots.get(home.wrapping_add(i) & self.mask) else {
                return false;
            };
            if e.gen.load(Relaxed) != gen {
                e.claim(gen, s);
                return true;
            }
            if e.matches(gen, s) {
                e.add(s);
                return true;
            }
        }
        false
    }

    /// Counts a late wakeup against the entry (kind, start, end), if it exists. Owner CPU
    /// only, interrupts disabled.
    pub(crate) fn add_spike(
        &self,
        gen: u64,
        kind: Kind,
        start: usize,
        end: usize,
        delay_ns: u64,
    ) -> bool {
        let key = Sample {
            kind,
            start,
            end,
            ctx: 0,
            ns: 0,
            end_ns: 0,
            pid: 0,
            comm: [0; 2],
        };
        let home = Self::home(&key);
        for i in 0..PROBE_LIMIT.min(self.slots.len()) {
            let Some(e) = self.slots.get(home.wrapping_add(i) & self.mask) else {
                return false;
            };
            if e.gen.load(Relaxed) != gen {
                return false;
            }
            if e.matches(gen, &key) {
                e.seq.write(|| {
                    e.spikes
                        .store(e.spikes.load(Relaxed).saturating_add(1), Relaxed);
                    if delay_ns > e.spike_max_ns.load(Relaxed) {
                        e.spike_max_ns.store(delay_ns, Relaxed);
                    }
                });
                return true;
            }
        }
        false
    }

    /// Retires the live entries of generation `gen` for which `hit(start, end)` is true,
    /// giving them `id`. Returns how many it retired. Process context, any CPU: it only sets
    /// flags, which the owner never clears within a generation.
    pub(crate) fn retire(&self, gen: u64, id: u32, hit: impl Fn(usize, usize) -> bool) -> usize {
        let mut n = 0;
        for e in self.slots.iter() {
            let kind = e.kind.load(Relaxed);
            if e.gen.load(Relaxed) == gen
                && kind & RETIRED == 0
                && hit(e.start.load(Relaxed), e.end.load(Relaxed))
            {
                e.retired_id.store(id, Relaxed);
                e.kind.store(kind | RETIRED, Relaxed);
                n += 1;
            }
        }
        n
    }

    /// Calls `f` with a consistent copy of every entry of generation `gen`.
    pub(crate) fn for_each(&self, gen: u64, cpu: u32, mut f: impl FnMut(&SiteSnapshot)) {
        for e in self.slots.iter() {
            if e.gen.load(Relaxed) != gen {
                continue;
            }
            let snap = e.seq.read(|| {
                let mut hist = [0u64; HIST_BUCKETS];
                for (d, h) in hist.iter_mut().zip(e.hist.iter()) {
                    *d = u64::from(h.load(Relaxed));
                }
                SiteSnapshot {
                    kind: e.kind.load(Relaxed) & !RETIRED,
                    start: e.start.load(Relaxed),
                    end: e.end.load(Relaxed),
                    retired_id: e.retired_id.load(Relaxed),
                    ctx_mask: e.ctx_mask.load(Relaxed),
                    count: e.count.load(Relaxed),
                    total_ns: e.total_ns.load(Relaxed),
                    min_ns: e.min_ns.load(Relaxed),
                    max_ns: e.max_ns.load(Relaxed),
                    max_end_ns: e.max_end_ns.load(Relaxed),
                    max_cpu: cpu,
                    max_pid: e.max_pid.load(Relaxed),
                    max_ctx: e.max_ctx.load(Relaxed),
                    max_comm: [e.max_comm[0].load(Relaxed), e.max_comm[1].load(Relaxed)],
                    hist,
                    spikes: u64::from(e.spikes.load(Relaxed)),
                    spike_max_ns: e.spike_max_ns.load(Relaxed),
                }
            });
            // A claim of this slot for a newer generation may have raced the copy.
            if let Some(snap) = snap {
                if e.gen.load(Relaxed) == gen {
                    f(&snap);
                }
            }
        }
    }
}
