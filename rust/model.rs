// SPDX-License-Identifier: GPL-2.0

//! The vocabulary shared by the tracer and its reports: section kinds, contexts, histogram
//! buckets.

/// A kind of non-preemptible section.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// `preempt_count()` went from 0 to non-zero: `preempt_disable()`, spin locks, bottom
    /// halves disabled, softirq processing.
    Preempt = 0,
    /// Interrupts were off (`local_irq_disable()`, `*_irqsave()`, hardirq handlers).
    Irq = 1,
    /// Preemption or interrupts were off: the union of the two, counted once when nested.
    Any = 2,
}

/// The number of kinds; arrays indexed by [`Kind`] have this length.
pub(crate) const NR_KINDS: usize = 3;

/// Every kind, in index order.
pub(crate) const KINDS: [Kind; NR_KINDS] = [Kind::Preempt, Kind::Irq, Kind::Any];

impl Kind {
    /// The index of this kind in per-kind arrays.
    pub(crate) const fn idx(self) -> usize {
        self as usize
    }

    /// The name used in every file.
    pub(crate) const fn name(self) -> &'static str {
        match self {
            Kind::Preempt => "preempt",
            Kind::Irq => "irq",
            Kind::Any => "any",
        }
    }

    /// The kind with index `i`, if any.
    pub(crate) fn from_idx(i: usize) -> Option<Kind> {
        KINDS.get(i).copied()
    }
}

/// Names of the contexts a section can start in, indexed by the code `sys::context` returns.
pub(crate) const CONTEXT_NAMES: [&str; 5] = ["task", "bh", "softirq", "hardirq", "nmi"];

/// The name of context code `ctx` ("?" for a code that does not exist).
pub(crate) fn context_name(ctx: u32) -> &'static str {
    CONTEXT_NAMES.get(ctx as usize).copied().unwrap_or("?")
}

/// Writes a set of contexts (bit `1 << code` per context) as `task,hardirq`.
pub(crate) fn write_context_mask(f: &mut impl core::fmt::Write, mask: u32) -> core::fmt::Result {
    let mut first = true;
    for (i, name) in CONTEXT_NAMES.iter().enumerate() {
        if mask & (1 << i) != 0 {
            if !first {
                f.write_char(',')?;
            }
            f.write_str(name)?;
            first = false;
        }
    }
    if first {
        f.write_char('-')?;
    }
    Ok(())
}

/// The number of buckets of every latency histogram.
pub(crate) const HIST_BUCKETS: usize = 32;

/// The log2 histogram bucket of a duration: bucket 0 holds `[0, 1)` µs, bucket `i` in
/// `1..=30` holds `[2^(i-1), 2^i)` µs, bucket 31 holds everything from 2^30 µs (about 18
/// minutes) up.
#[inline]
pub(crate) fn hist_bucket(ns: u64) -> usize {
    let us = ns / 1000;
    let bits = (u64::BITS - us.leading_zeros()) as usize;
    bits.min(HIST_BUCKETS - 1)
}

/// The lower bound of bucket `i`, in µs.
pub(crate) fn hist_lo_us(i: usize) -> u64 {
    if i == 0 {
        0
    } else {
        1u64 << (i - 1).min(63)
    }
}

/// The upper bound (exclusive) of bucket `i`, in µs; `None` for the last, open-ended bucket.
pub(crate) fn hist_hi_us(i: usize) -> Option<u64> {
    if i + 1 >= HIST_BUCKETS {
        None
    } else {
        Some(1u64 << i)
    }
}
