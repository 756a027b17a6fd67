// SPDX-License-Identifier: GPL-2.0

//! A sequence counter for records that one CPU writes and other CPUs read.
//!
//! The writer is always the owning CPU inside a probe, with interrupts off, so writers never
//! race each other; readers (debugfs, on any CPU) retry until they saw a record that was not
//! being written. This is the kernel's `seqcount_t` protocol with Rust atomics: the writer makes
//! the count odd, writes, makes it even; the reader reads the count, the fields, the count again.

use core::sync::atomic::{fence, AtomicU32, Ordering::*};

/// How often a reader retries a record that keeps changing before it gives up on it.
const READ_RETRIES: u32 = 10_000;

/// A sequence counter.
pub(crate) struct SeqCount(AtomicU32);

impl SeqCount {
    /// A counter with no write in progress.
    pub(crate) const fn new() -> Self {
        Self(AtomicU32::new(0))
    }

    /// Runs `write` as one update of the record. Only the owning CPU, with interrupts
    /// disabled, may call this.
    #[inline]
    pub(crate) fn write<R>(&self, write: impl FnOnce() -> R) -> R {
        let s = self.0.load(Relaxed);
        self.0.store(s.wrapping_add(1), Relaxed);
        fence(Release);
        let r = write();
        self.0.store(s.wrapping_add(2), Release);
        r
    }

    /// Reads a consistent copy with `read`; `None` if every attempt raced a writer.
    pub(crate) fn read<R>(&self, mut read: impl FnMut() -> R) -> Option<R> {
        for _ in 0..READ_RETRIES {
            let s1 = self.0.load(Acquire);
            if s1 & 1 != 0 {
                core::hint::spin_loop();
                continue;
            }
            let r = read();
            fence(Acquire);
            if self.0.load(Relaxed) == s1 {
                return Some(r);
            }
        }
        None
    }
}
