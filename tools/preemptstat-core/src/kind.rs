// SPDX-License-Identifier: GPL-2.0
//! The closed vocabularies of the record files: section [`Kind`]s, execution [`Context`]s and [`ContextSet`]s.

use std::fmt;
use std::str::FromStr;

use crate::error::FieldError;
use crate::line::excerpt;

/// What a section kept off: preemption, interrupts, or either.
///
/// Written as `preempt`, `irq` or `any` in every file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Kind {
    /// `preempt`: a preempt-off section (preempt count raised).
    Preempt,
    /// `irq`: an irqs-off section (local interrupts disabled).
    Irq,
    /// `any`: a section with preemption or interrupts (or both) off.
    Any,
}

impl Kind {
    /// Every kind, in the order the module writes them.
    pub const ALL: [Kind; 3] = [Kind::Preempt, Kind::Irq, Kind::Any];

    /// The name used in the files: `preempt`, `irq` or `any`.
    pub fn name(self) -> &'static str {
        match self {
            Kind::Preempt => "preempt",
            Kind::Irq => "irq",
            Kind::Any => "any",
        }
    }
}

impl fmt::Display for Kind {
    /// Writes [`Kind::name`].
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Kind {
    type Err = FieldError;

    /// Parses `preempt`, `irq` or `any`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Kind::ALL
            .into_iter()
            .find(|k| k.name() == s)
            .ok_or_else(|| {
                FieldError::new(format!(
                    "unknown kind {} (expected preempt, irq or any)",
                    excerpt(s)
                ))
            })
    }
}

/// The execution context a section ran in.
///
/// Written as `task`, `bh`, `softirq`, `hardirq` or `nmi`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Context {
    /// `task`: process context.
    Task,
    /// `bh`: process context with bottom halves disabled.
    Bh,
    /// `softirq`: serving a softirq.
    Softirq,
    /// `hardirq`: serving a hardware interrupt.
    Hardirq,
    /// `nmi`: serving a non-maskable interrupt.
    Nmi,
}

impl Context {
    /// Every context, in the order the module writes them in a set.
    pub const ALL: [Context; 5] = [
        Context::Task,
        Context::Bh,
        Context::Softirq,
        Context::Hardirq,
        Context::Nmi,
    ];

    /// The name used in the files.
    pub fn name(self) -> &'static str {
        match self {
            Context::Task => "task",
            Context::Bh => "bh",
            Context::Softirq => "softirq",
            Context::Hardirq => "hardirq",
            Context::Nmi => "nmi",
        }
    }

    /// This context's bit in a [`ContextSet`].
    fn bit(self) -> u8 {
        1 << (self as u8)
    }
}

impl fmt::Display for Context {
    /// Writes [`Context::name`].
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Context {
    type Err = FieldError;

    /// Parses one context name.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Context::ALL
            .into_iter()
            .find(|c| c.name() == s)
            .ok_or_else(|| {
                FieldError::new(format!(
                    "unknown context {} (expected task, bh, softirq, hardirq or nmi)",
                    excerpt(s)
                ))
            })
    }
}

/// A set of [`Context`]s: every context a site's sections ran in.
///
/// Written as the names joined by `,` in [`Context::ALL`] order, or `-` for
/// the empty set:
///
/// ```
/// use preemptstat_core::{Context, ContextSet};
///
/// let set: ContextSet = "task,softirq".parse().unwrap();
/// assert!(set.contains(Context::Softirq));
/// assert_eq!(set.to_string(), "task,softirq");
/// assert!("-".parse::<ContextSet>().unwrap().is_empty());
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct ContextSet(u8);

impl ContextSet {
    /// The empty set.
    pub const EMPTY: ContextSet = ContextSet(0);

    /// Whether `context` is in the set.
    pub fn contains(self, context: Context) -> bool {
        self.0 & context.bit() != 0
    }

    /// Adds `context` to the set.
    pub fn insert(&mut self, context: Context) {
        self.0 |= context.bit();
    }

    /// Whether the set is empty.
    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// The contexts in the set, in [`Context::ALL`] order.
    pub fn iter(self) -> impl Iterator<Item = Context> {
        Context::ALL.into_iter().filter(move |&c| self.contains(c))
    }
}

impl FromIterator<Context> for ContextSet {
    fn from_iter<I: IntoIterator<Item = Context>>(iter: I) -> Self {
        let mut set = ContextSet::EMPTY;
        for c in iter {
            set.insert(c);
        }
        set
    }
}

impl fmt::Display for ContextSet {
    /// Writes the names joined by `,`, or `-` for the empty set.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_empty() {
            return f.write_str("-");
        }
        for (i, c) in self.iter().enumerate() {
            if i > 0 {
                f.write_str(",")?;
            }
            f.write_str(c.name())?;
        }
        Ok(())
    }
}

impl FromStr for ContextSet {
    type Err = FieldError;

    /// Parses `-` or context names joined by `,`, each at most once.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if s == "-" {
            return Ok(ContextSet::EMPTY);
        }
        let mut set = ContextSet::EMPTY;
        for name in s.split(',') {
            if name.is_empty() {
                return Err(FieldError::new(format!(
                    "empty context name in {}",
                    excerpt(s)
                )));
            }
            let c: Context = name.parse()?;
            if set.contains(c) {
                return Err(FieldError::new(format!("context {c} appears twice")));
            }
            set.insert(c);
        }
        Ok(set)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_round_trip() {
        for k in Kind::ALL {
            assert_eq!(k.name().parse::<Kind>(), Ok(k));
            assert_eq!(k.to_string(), k.name());
        }
        assert!("Preempt".parse::<Kind>().is_err());
        assert!(""
            .parse::<Kind>()
            .unwrap_err()
            .reason()
            .contains("unknown kind"));
    }

    #[test]
    fn contexts_round_trip() {
        for c in Context::ALL {
            assert_eq!(c.name().parse::<Context>(), Ok(c));
        }
        assert!("irq".parse::<Context>().is_err());
    }

    #[test]
    fn context_sets() {
        let all: ContextSet = "task,bh,softirq,hardirq,nmi".parse().unwrap();
        assert_eq!(all.iter().count(), 5);
        let set: ContextSet = "nmi,task".parse().unwrap();
        assert_eq!(set.to_string(), "task,nmi");
        assert_eq!(
            set,
            [Context::Task, Context::Nmi]
                .into_iter()
                .collect::<ContextSet>()
        );
        assert_eq!(ContextSet::EMPTY.to_string(), "-");
        for bad in ["", ",", "task,", "task,,bh", "task,task", "-,task", "irq"] {
            assert!(bad.parse::<ContextSet>().is_err(), "{bad:?}");
        }
    }
}
