// SPDX-License-Identifier: GPL-2.0
//! The ten cause classes of a spike's latency breakdown ([`Cause`]) and a spike's time in each ([`Breakdown`]).
//!
//! Every nanosecond of a spike's thread latency goes to exactly one class.
//! The classes have a fixed order, which is also their priority (time
//! explained by two goes to the earlier one) and the order of the
//! `<class>_ns` columns of `spikes` and of the lines of `causes`:
//!
//! ```text
//! nmi irq timer softirq irqsoff preemptoff task idle switch unaccounted
//! ```
//!
//! ```
//! use preemptstat_core::Cause;
//!
//! let c: Cause = "softirq".parse().unwrap();
//! assert_eq!(c, Cause::Softirq);
//! assert_eq!(c.column(), "softirq_ns");
//! assert_eq!(Cause::ALL.iter().position(|&x| x == c), Some(3));
//! assert!("hardirq".parse::<Cause>().is_err());
//! ```

use std::fmt;
use std::str::FromStr;

use crate::error::{FieldError, ParseError};
use crate::line::Fields;

/// Where a part of a spike's latency went.
///
/// Written as its [`name`](Cause::name) in every file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Cause {
    /// `nmi`: NMI handlers.
    Nmi,
    /// `irq`: hard interrupts other than the probe's own timer interrupt:
    /// device IRQs, x86 system vectors, other hrtimer callbacks.
    Irq,
    /// `timer`: the probe's own timer interrupt, minus what else ran in it.
    Timer,
    /// `softirq`: softirqs, by vector.
    Softirq,
    /// `irqsoff`: an `any` section opened by disabling interrupts.
    Irqsoff,
    /// `preemptoff`: an `any` section opened by disabling preemption.
    Preemptoff,
    /// `task`: other tasks that ran before the probe's thread.
    Task,
    /// `idle`: the CPU was idle at the expiry, until it left idle.
    Idle,
    /// `switch`: after the timer interrupt entered, not explained by
    /// anything above (the wakeup and the context switch themselves).
    Switch,
    /// `unaccounted`: before the timer interrupt entered, not explained by
    /// anything above (hypervisor, SMI, emulation).
    Unaccounted,
}

/// The number of cause classes.
pub const CAUSES: usize = 10;

impl Cause {
    /// Every class, in the module's (priority) order.
    pub const ALL: [Cause; CAUSES] = [
        Cause::Nmi,
        Cause::Irq,
        Cause::Timer,
        Cause::Softirq,
        Cause::Irqsoff,
        Cause::Preemptoff,
        Cause::Task,
        Cause::Idle,
        Cause::Switch,
        Cause::Unaccounted,
    ];

    /// The name used in the files, e.g. `irqsoff`.
    pub fn name(self) -> &'static str {
        match self {
            Cause::Nmi => "nmi",
            Cause::Irq => "irq",
            Cause::Timer => "timer",
            Cause::Softirq => "softirq",
            Cause::Irqsoff => "irqsoff",
            Cause::Preemptoff => "preemptoff",
            Cause::Task => "task",
            Cause::Idle => "idle",
            Cause::Switch => "switch",
            Cause::Unaccounted => "unaccounted",
        }
    }

    /// The name of the class's column in `spikes`, e.g. `irqsoff_ns`.
    pub fn column(self) -> &'static str {
        match self {
            Cause::Nmi => "nmi_ns",
            Cause::Irq => "irq_ns",
            Cause::Timer => "timer_ns",
            Cause::Softirq => "softirq_ns",
            Cause::Irqsoff => "irqsoff_ns",
            Cause::Preemptoff => "preemptoff_ns",
            Cause::Task => "task_ns",
            Cause::Idle => "idle_ns",
            Cause::Switch => "switch_ns",
            Cause::Unaccounted => "unaccounted_ns",
        }
    }

    /// The class's place in [`Cause::ALL`].
    pub fn index(self) -> usize {
        self as usize
    }
}

impl fmt::Display for Cause {
    /// Writes [`Cause::name`].
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Cause {
    type Err = FieldError;

    /// Parses one class name.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Cause::ALL
            .into_iter()
            .find(|c| c.name() == s)
            .ok_or_else(|| {
                FieldError::new(format!(
                    "unknown cause class {} (expected nmi, irq, timer, softirq, irqsoff, \
                     preemptoff, task, idle, switch or unaccounted)",
                    crate::line::excerpt(s)
                ))
            })
    }
}

/// A spike's thread latency split into the ten classes, in nanoseconds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct Breakdown([u64; CAUSES]);

impl Breakdown {
    /// A breakdown with these times, in [`Cause::ALL`] order.
    pub fn new(ns: [u64; CAUSES]) -> Self {
        Breakdown(ns)
    }

    /// The time of `cause`.
    pub fn get(&self, cause: Cause) -> u64 {
        self.0[cause.index()]
    }

    /// Every class with its time, in [`Cause::ALL`] order.
    pub fn iter(&self) -> impl Iterator<Item = (Cause, u64)> + '_ {
        Cause::ALL.into_iter().map(|c| (c, self.get(c)))
    }

    /// The classes with time, in [`Cause::ALL`] order.
    pub fn nonzero(&self) -> impl Iterator<Item = (Cause, u64)> + '_ {
        self.iter().filter(|&(_, ns)| ns > 0)
    }

    /// The sum of the ten times (which cannot overflow).
    pub fn total(&self) -> u128 {
        self.0.iter().map(|&ns| u128::from(ns)).sum()
    }

    /// The ten times, in [`Cause::ALL`] order.
    pub fn as_array(&self) -> &[u64; CAUSES] {
        &self.0
    }

    /// Parses the ten `<class>_ns` fields.
    pub(crate) fn parse_fields(f: &mut Fields<'_>) -> Result<Breakdown, ParseError> {
        let mut ns = [0; CAUSES];
        for cause in Cause::ALL {
            ns[cause.index()] = f.number(cause.column())?;
        }
        Ok(Breakdown(ns))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_in_order() {
        let names: Vec<&str> = Cause::ALL.iter().map(|c| c.name()).collect();
        assert_eq!(
            names.join(" "),
            "nmi irq timer softirq irqsoff preemptoff task idle switch unaccounted"
        );
        for (i, c) in Cause::ALL.into_iter().enumerate() {
            assert_eq!(c.index(), i);
            assert_eq!(c.name().parse::<Cause>(), Ok(c));
            assert_eq!(c.column(), format!("{c}_ns"));
        }
    }

    #[test]
    fn unknown_class() {
        let err = "hardirq".parse::<Cause>().unwrap_err();
        assert_eq!(
            err.reason(),
            "unknown cause class \"hardirq\" (expected nmi, irq, timer, softirq, irqsoff, \
             preemptoff, task, idle, switch or unaccounted)"
        );
        for bad in ["", "IRQ", "irq ", "-"] {
            assert!(bad.parse::<Cause>().is_err(), "{bad:?}");
        }
    }

    #[test]
    fn breakdown_totals() {
        let b = Breakdown::new([u64::MAX, 1, 0, 0, 0, 0, 0, 0, 0, 2]);
        assert_eq!(b.total(), u128::from(u64::MAX) + 3);
        assert_eq!(b.get(Cause::Unaccounted), 2);
        assert_eq!(
            b.nonzero().map(|(c, _)| c).collect::<Vec<_>>(),
            [Cause::Nmi, Cause::Irq, Cause::Unaccounted]
        );
    }
}
