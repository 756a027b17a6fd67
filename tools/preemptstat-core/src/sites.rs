// SPDX-License-Identifier: GPL-2.0
//! The `sites` file: the statistics of every (kind, start site, end site), longest section first.
//!
//! ```text
//! # kind count total_ns min_ns max_ns contexts max_cpu max_pid max_comm max_end_ns hist spikes spike_max_ns start end
//! any 4 14066661 2022587 5003362 task 1 91 ps_inject/1 11553415241 11:2,13:2 2 5191943 f+0x1c/0x80 [m] f+0x6d/0x80 [m]
//! ```
//!
//! The `max_*` fields describe the longest section; `hist` is the sparse
//! form of a [`Histogram`]; `spikes` counts the wakeup probe's late wakeups
//! blamed on the site (only `any` sites are blamed) and `spike_max_ns` is
//! the largest thread latency among them; `start` and `end` are each a
//! [`Symbol`] field optionally followed by a `[module]` field.

use crate::comm::Comm;
use crate::error::ParseError;
use crate::hist::Histogram;
use crate::kind::{ContextSet, Kind};
use crate::line::record_lines;
use crate::symbol::Symbol;

/// The name of the sites file inside the module's debugfs directory.
pub const SITES_FILE: &str = "sites";

/// The statistics of all sections of one kind that started at one site and
/// ended at another.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Site {
    /// What the sections kept off.
    pub kind: Kind,
    /// How many sections there were.
    pub count: u64,
    /// Their total duration, in nanoseconds.
    pub total_ns: u64,
    /// The shortest, in nanoseconds.
    pub min_ns: u64,
    /// The longest, in nanoseconds.
    pub max_ns: u64,
    /// Every context the sections ran in.
    pub contexts: ContextSet,
    /// The CPU the longest section ran on.
    pub max_cpu: u32,
    /// The PID of the task that was current during the longest section.
    pub max_pid: u32,
    /// The name of that task.
    pub max_comm: Comm,
    /// When the longest section ended, in nanoseconds since boot.
    pub max_end_ns: u64,
    /// The sections' durations.
    pub hist: Histogram,
    /// Late wakeups (spikes) of the wakeup probe blamed on these sections.
    pub spikes: u64,
    /// The largest thread latency among those spikes, in nanoseconds (0
    /// without spikes).
    pub spike_max_ns: u64,
    /// Where the sections started.
    pub start: Symbol,
    /// Where the sections ended.
    pub end: Symbol,
}

impl Site {
    /// The mean duration in nanoseconds (rounded down; 0 without sections).
    pub fn mean_ns(&self) -> u64 {
        self.total_ns.checked_div(self.count).unwrap_or(0)
    }
}

/// Parses the whole contents of the `sites` file, in file order.
///
/// # Errors
///
/// [`ParseError::Malformed`] naming the line of the first problem.
///
/// ```
/// use preemptstat_core::{parse_sites, Kind};
///
/// let sites = parse_sites("preempt 2 30 10 20 task,hardirq 0 1 - 99 4:2 0 0 a+0x1/0x9 [m] ?\n").unwrap();
/// assert_eq!(sites[0].kind, Kind::Preempt);
/// assert_eq!(sites[0].mean_ns(), 15);
/// assert_eq!(sites[0].start.module(), Some("m"));
/// ```
pub fn parse_sites(text: &str) -> Result<Vec<Site>, ParseError> {
    record_lines(text)?
        .into_iter()
        .map(|line| {
            let mut f = line.fields();
            let kind = f.kind()?;
            let count = f.number("count")?;
            let total_ns = f.number("total_ns")?;
            let min_ns = f.number("min_ns")?;
            let max_ns = f.number("max_ns")?;
            let contexts = f.contexts()?;
            let max_cpu = f.number("max_cpu")?;
            let max_pid = f.number("max_pid")?;
            let comm_field = f.next("max_comm")?;
            let max_comm = comm_field
                .parse()
                .map_err(|err| f.field_error("max_comm", err))?;
            let max_end_ns = f.number("max_end_ns")?;
            let hist_field = f.next("hist")?;
            let hist = hist_field
                .parse()
                .map_err(|err| f.field_error("hist", err))?;
            let spikes = f.number("spikes")?;
            let spike_max_ns = f.number("spike_max_ns")?;
            let start = f.symbol("start")?;
            let end = f.symbol("end")?;
            f.finish()?;
            Ok(Site {
                kind,
                count,
                total_ns,
                min_ns,
                max_ns,
                contexts,
                max_cpu,
                max_pid,
                max_comm,
                max_end_ns,
                hist,
                spikes,
                spike_max_ns,
                start,
                end,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kind::Context;

    const LINE: &str = "any 2 4051724 2003689 2048035 task 1 86 ps_inject/1 7512400620 11:1,12:1 1 4621242 _RNvCs57rNj5LhXbl_18preemptstat_inject28inject_raw_spin_lock_irqsave+0x15/0x80 [preemptstat_inject] _RNvCs57rNj5LhXbl_18preemptstat_inject28inject_raw_spin_lock_irqsave+0x5c/0x80 [preemptstat_inject]";

    #[test]
    fn one_site() {
        let sites = parse_sites(&format!("# header\n{LINE}\n")).unwrap();
        let s = &sites[0];
        assert_eq!(s.kind, Kind::Any);
        assert_eq!(
            (s.count, s.total_ns, s.min_ns, s.max_ns),
            (2, 4051724, 2003689, 2048035)
        );
        assert_eq!(s.mean_ns(), 2025862);
        assert_eq!(s.contexts.iter().collect::<Vec<_>>(), [Context::Task]);
        assert_eq!((s.max_cpu, s.max_pid), (1, 86));
        assert_eq!(s.max_comm.to_string(), "ps_inject/1");
        assert_eq!(s.max_end_ns, 7512400620);
        assert_eq!(s.hist.nonzero().collect::<Vec<_>>(), [(11, 1), (12, 1)]);
        assert_eq!((s.spikes, s.spike_max_ns), (1, 4621242));
        assert_eq!(
            s.start.to_string(),
            "preemptstat_inject::inject_raw_spin_lock_irqsave+0x15/0x80 [preemptstat_inject]"
        );
        assert_eq!(
            s.end.to_string(),
            "preemptstat_inject::inject_raw_spin_lock_irqsave+0x5c/0x80 [preemptstat_inject]"
        );
    }

    #[test]
    fn mean_of_nothing_is_zero() {
        let sites = parse_sites("any 0 0 0 0 - 0 0 - 0 - 0 0 ? ?\n").unwrap();
        assert_eq!(sites[0].mean_ns(), 0);
        assert!(sites[0].contexts.is_empty());
    }

    #[test]
    fn malformed() {
        for (line, needle) in [
            ("irq x 1 1 1 task 0 0 - 0 - 0 0 ? ?", "field `count`"),
            (
                "irq 1 1 1 1 irq 0 0 - 0 - 0 0 ? ?",
                "field `contexts`: unknown context",
            ),
            ("irq 1 1 1 1 task 0 0 \\x 0 - 0 0 ? ?", "field `max_comm`"),
            (
                "irq 1 1 1 1 task 0 0 - 0 40:1 0 0 ? ?",
                "field `hist`: bucket 40",
            ),
            ("irq 1 1 1 1 task 0 0 - 0 - - 0 ? ?", "field `spikes`"),
            ("irq 1 1 1 1 task 0 0 - 0 - 0 x ? ?", "field `spike_max_ns`"),
            // The format before the spike columns.
            (
                "irq 1 1 1 1 task 0 0 - 0 - ? ?",
                "field `spikes`: expected an unsigned decimal integer, found \"?\"",
            ),
            ("irq 1 1 1 1 task 0 0 - 0 - 0 0", "missing field `start`"),
            (
                "irq 1 1 1 1 task 0 0 - 0 - 0 0 ? ? x",
                "unexpected extra field",
            ),
            (
                "irq 1 1 1 1 task 0 0 - 0 - 0 0 ?  ?",
                "field `end` is empty",
            ),
        ] {
            match parse_sites(&format!("{LINE}\n{line}\n")) {
                Err(ParseError::Malformed { line: 2, reason }) => {
                    assert!(reason.contains(needle), "{line:?}: {reason}")
                }
                other => panic!("{line:?}: {other:?}"),
            }
        }
    }
}
