// SPDX-License-Identifier: GPL-2.0

//! One value per possible CPU, indexed by CPU id.
//!
//! The kernel crate has no per-CPU abstraction in 7.3 or 6.12. This is the plain replacement: a
//! `kvmalloc`ed array with one slot per possible CPU id. Every slot is cache-line aligned by
//! its type, so CPUs never share a written line. The probes reach their own CPU's slot with
//! [`PerCpu::this`]; readers walk all slots.

use crate::sys;
use kernel::prelude::*;

/// One `T` for every possible CPU id.
pub(crate) struct PerCpu<T> {
    slots: KVVec<T>,
}

impl<T> PerCpu<T> {
    /// Makes the slots with `make(cpu)`.
    pub(crate) fn new(mut make: impl FnMut(usize) -> Result<T>) -> Result<Self> {
        let n = sys::nr_cpu_ids();
        let mut slots = KVVec::with_capacity(n, GFP_KERNEL)?;
        for cpu in 0..n {
            slots.push(make(cpu)?, GFP_KERNEL)?;
        }
        Ok(Self { slots })
    }

    /// The current CPU's slot. Only meaningful where the caller cannot migrate (probes run with
    /// preemption or interrupts disabled).
    #[inline]
    pub(crate) fn this(&self) -> Option<&T> {
        self.slots.get(sys::cpu_id())
    }

    /// The slot of `cpu`.
    pub(crate) fn get(&self, cpu: usize) -> Option<&T> {
        self.slots.get(cpu)
    }

    /// Every slot with its CPU id.
    pub(crate) fn iter(&self) -> impl Iterator<Item = (usize, &T)> {
        self.slots.iter().enumerate()
    }

    /// The number of slots (possible CPU ids).
    pub(crate) fn len(&self) -> usize {
        self.slots.len()
    }
}
