// SPDX-License-Identifier: GPL-2.0
//! The `spikes` file: late wakeups of the wakeup probe, each with the section blamed for it and its latency split by cause, oldest first.
//!
//! A spike is a wakeup whose thread latency reached `wakeup_threshold_us`.
//! Each record is
//!
//! ```text
//! # cpu expiry_ns irq_latency_ns thread_latency_ns pid comm blame_kind blame_context open_ns start end other_ns other_start other_end cause cause_ns nmi_ns irq_ns timer_ns softirq_ns irqsoff_ns preemptoff_ns task_ns idle_ns switch_ns unaccounted_ns
//! 1 11557993136 126642 4695266 92 ps_inject/1 preempt task 414795 inject_preempt+0x13/0x80 [inj] inject_preempt+0x69/0x80 [inj] 20661 preempt_schedule+0x28/0x30 wakeup_thread+0xe4/0xad0 [preemptstat] preemptoff 4420000 0 0 26314 52110 0 4420000 0 0 70200 126642
//! 0 11615399543 2507713 3545581 0 swapper/0 - - - - - 73780 io_schedule+0x4c/0x70 schedule_timeout+0xa8/0x120 idle 2100000 0 240000 60000 610000 0 0 0 2100000 127868 407713
//! ```
//!
//! - `pid comm`: the task that held the CPU (escaped as in every file).
//! - `blame_kind blame_context open_ns start end`: the blamed `any`
//!   section: the kind that opened it (`preempt` or `irq`), the context it
//!   started in, how long it had been open at the expiry (0 if it opened
//!   later), and where it started and ended; `end` alone is `-` when the
//!   section was still open when the thread ran. All five are `-` when
//!   nothing is blamed.
//! - `other_ns other_start other_end`: the largest other section in the
//!   latency window, or three `-` when there is none.
//! - `cause cause_ns`: the [`Cause`] class of the spike's largest labelled
//!   part (rank 1 in `spike_parts`) and that part's time, at most its
//!   class's time.
//! - `nmi_ns` ... `unaccounted_ns`: the time of each class (the
//!   [`Breakdown`]), which add up exactly to `thread_latency_ns`.
//!
//! The first 15 columns are format 1's. Symbols are as in `sites`: one
//! field, optionally followed by a `[module]` field. A spike is known by its
//! CPU and expiry ([`SpikeKey`]), which the file lists once each.

use std::collections::BTreeMap;
use std::fmt;

use crate::cause::{Breakdown, Cause};
use crate::comm::Comm;
use crate::error::ParseError;
use crate::kind::{Context, Kind};
use crate::line::{excerpt, record_lines, Fields, Line};
use crate::symbol::Symbol;

/// The name of the spikes file inside the module's debugfs directory.
pub const SPIKES_FILE: &str = "spikes";

/// One late wakeup (a line of `spikes`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Spike {
    /// The CPU of the wakeup.
    pub cpu: u32,
    /// The programmed expiry of the timer, in nanoseconds since boot.
    pub expiry_ns: u64,
    /// How late the timer interrupt handler ran, in nanoseconds.
    pub irq_latency_ns: u64,
    /// How late the woken thread ran, in nanoseconds.
    pub thread_latency_ns: u64,
    /// The PID of the task that held the CPU.
    pub pid: u32,
    /// The name of that task.
    pub comm: Comm,
    /// The section blamed for the latency, if any.
    pub blame: Option<Blame>,
    /// The largest other section in the latency window, if any.
    pub other: Option<OtherSection>,
    /// The class of the spike's largest labelled part (its rank 1 part in
    /// `spike_parts`).
    pub cause: Cause,
    /// That part's time, in nanoseconds (at most its class's time).
    pub cause_ns: u64,
    /// The thread latency split by class; the ten add up to
    /// `thread_latency_ns`.
    pub breakdown: Breakdown,
}

impl Spike {
    /// The spike's CPU and expiry, which tell it from every other.
    pub fn key(&self) -> SpikeKey {
        SpikeKey {
            cpu: self.cpu,
            expiry_ns: self.expiry_ns,
        }
    }
}

/// What identifies a spike in `spikes`, `spikes_worst` and `spike_parts`:
/// its CPU and the expiry of its timer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SpikeKey {
    /// The CPU.
    pub cpu: u32,
    /// The programmed expiry, in nanoseconds since boot.
    pub expiry_ns: u64,
}

impl fmt::Display for SpikeKey {
    /// Writes `CPU 1 at 11521993136 ns`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "CPU {} at {} ns", self.cpu, self.expiry_ns)
    }
}

/// The `any` section a spike is blamed on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Blame {
    /// The kind that opened the section: [`Kind::Preempt`] or [`Kind::Irq`].
    pub kind: Kind,
    /// The context the section started in.
    pub context: Context,
    /// How long the section had been open at the expiry, in nanoseconds; 0
    /// if it opened after the expiry.
    pub open_ns: u64,
    /// Where the section started.
    pub start: Symbol,
    /// Where it ended; `None` if it was still open when the thread ran.
    pub end: Option<Symbol>,
}

/// A section in a spike's latency window that is not blamed for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OtherSection {
    /// How long the section took, in nanoseconds.
    pub duration_ns: u64,
    /// Where it started.
    pub start: Symbol,
    /// Where it ended.
    pub end: Symbol,
}

/// Why the blame fields after a `-` blame_kind must be `-`.
const NO_BLAME: &str = "nothing is blamed: blame_kind is `-`";

/// Why the other fields after a `-` other_ns must be `-`.
const NO_OTHER: &str = "no other section: other_ns is `-`";

impl Blame {
    /// Parses the five blame fields, all `-` for no blame.
    fn parse_fields(f: &mut Fields<'_>) -> Result<Option<Blame>, ParseError> {
        if f.take_dash() {
            for what in ["blame_context", "open_ns", "start", "end"] {
                f.dash(what, NO_BLAME)?;
            }
            return Ok(None);
        }
        let kind: Kind = f.parse("blame_kind")?;
        if kind == Kind::Any {
            return Err(f.error(format!(
                "field `blame_kind`: expected preempt or irq (the kind that opened the \
                 section) or `-`, found {}",
                excerpt(kind.name())
            )));
        }
        let context = f.parse("blame_context")?;
        let open_ns = f.number("open_ns")?;
        let start = f.symbol("start")?;
        let end = if f.take_dash() {
            None
        } else {
            Some(f.symbol("end")?)
        };
        Ok(Some(Blame {
            kind,
            context,
            open_ns,
            start,
            end,
        }))
    }
}

impl OtherSection {
    /// Parses the three other fields, all `-` for none.
    fn parse_fields(f: &mut Fields<'_>) -> Result<Option<OtherSection>, ParseError> {
        if f.take_dash() {
            f.dash("other_start", NO_OTHER)?;
            f.dash("other_end", NO_OTHER)?;
            return Ok(None);
        }
        let duration_ns = f.number("other_ns")?;
        let start = f.symbol("other_start")?;
        let end = f.symbol("other_end")?;
        Ok(Some(OtherSection {
            duration_ns,
            start,
            end,
        }))
    }
}

impl Spike {
    /// Parses one record of `spikes` or `spikes_worst`: the format 1
    /// columns, the cause and the ten class times, which must add up to the
    /// thread latency.
    fn parse_line(line: Line<'_>) -> Result<Spike, ParseError> {
        let mut f = line.fields();
        let cpu = f.number("cpu")?;
        let expiry_ns = f.number("expiry_ns")?;
        let irq_latency_ns = f.number("irq_latency_ns")?;
        let thread_latency_ns = f.number("thread_latency_ns")?;
        let pid = f.number("pid")?;
        let comm = f.parse("comm")?;
        let blame = Blame::parse_fields(&mut f)?;
        let other = OtherSection::parse_fields(&mut f)?;
        let cause: Cause = f.parse("cause")?;
        let cause_ns: u64 = f.number("cause_ns")?;
        let breakdown = Breakdown::parse_fields(&mut f)?;
        f.finish()?;
        let total = breakdown.total();
        if total != u128::from(thread_latency_ns) {
            return Err(line.error(format!(
                "the ten class times (nmi_ns to unaccounted_ns) add up to {total} ns, \
                 not thread_latency_ns {thread_latency_ns}"
            )));
        }
        let class_ns = breakdown.get(cause);
        if cause_ns > class_ns {
            return Err(line.error(format!(
                "field `cause_ns`: {cause_ns} ns is more than the {cause} class's {class_ns} ns \
                 ({})",
                cause.column()
            )));
        }
        if cause_ns == 0 && thread_latency_ns > 0 {
            return Err(line.error(
                "field `cause_ns`: 0 ns for a spike with latency (the cause is its largest part)",
            ));
        }
        Ok(Spike {
            cpu,
            expiry_ns,
            irq_latency_ns,
            thread_latency_ns,
            pid,
            comm,
            blame,
            other,
            cause,
            cause_ns,
            breakdown,
        })
    }
}

/// Parses the records of `spikes` or `spikes_worst`, each with its line
/// number, checking that no spike (CPU and expiry) comes twice.
pub(crate) fn spike_lines(text: &str) -> Result<Vec<(usize, Spike)>, ParseError> {
    let mut seen: BTreeMap<SpikeKey, usize> = BTreeMap::new();
    record_lines(text)?
        .into_iter()
        .map(|line| {
            let spike = Spike::parse_line(line)?;
            if let Some(first) = seen.insert(spike.key(), line.number) {
                return Err(line.error(format!(
                    "the spike of {} appears twice (first on line {first})",
                    spike.key()
                )));
            }
            Ok((line.number, spike))
        })
        .collect()
}

/// Parses the whole contents of the `spikes` file, in file order (oldest
/// first).
///
/// # Errors
///
/// [`ParseError::Malformed`] naming the line of the first problem: a bad
/// field, a blame or other section that is `-` in some fields only, a
/// `blame_kind` of `any`, an unknown cause class, class times that do not
/// add up to the thread latency, a `cause_ns` over its class's time, or a
/// spike (CPU and expiry) listed twice.
///
/// ```
/// use preemptstat_core::{parse_spikes, Cause, Kind};
///
/// let spikes = parse_spikes(
///     "1 900 100 4000 7 a irq task 50 f+0x1/0x9 [m] - - - - irqsoff 3000 0 0 0 0 3000 0 0 0 900 100\n\
///      0 990 10 3000 0 swapper/0 - - - - - 20 g+0x1/0x9 h+0x2/0x9 idle 2990 0 0 0 0 0 0 0 2990 0 10\n",
/// )
/// .unwrap();
/// let blame = spikes[0].blame.as_ref().unwrap();
/// assert_eq!(blame.kind, Kind::Irq);
/// assert_eq!(blame.end, None);
/// assert_eq!((spikes[0].cause, spikes[0].cause_ns), (Cause::Irqsoff, 3000));
/// assert_eq!(spikes[0].breakdown.get(Cause::Switch), 900);
/// assert!(spikes[1].blame.is_none());
/// assert_eq!(spikes[1].other.as_ref().unwrap().duration_ns, 20);
/// ```
pub fn parse_spikes(text: &str) -> Result<Vec<Spike>, ParseError> {
    Ok(spike_lines(text)?.into_iter().map(|(_, s)| s).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    const BLAMED: &str = "1 11557993136 126642 4695266 92 ps_inject/1 preempt task 414795 _RNvCs57rNj5LhXbl_18preemptstat_inject14inject_preempt+0x13/0x80 [preemptstat_inject] _RNvCs57rNj5LhXbl_18preemptstat_inject14inject_preempt+0x69/0x80 [preemptstat_inject] 20661 preempt_schedule+0x28/0x30 _RNvNtCshgn3BSDfKLP_16preemptstat_main6wakeup13wakeup_thread+0xe4/0xad0 [preemptstat] preemptoff 4420000 0 0 26314 52110 0 4420000 0 0 70200 126642";
    const UNBLAMED: &str = "0 11615399543 2507713 3545581 0 swapper/0 - - - - - 73780 io_schedule+0x4c/0x70 schedule_timeout+0xa8/0x120 idle 2100000 0 240000 60000 610000 0 0 0 2100000 127868 407713";
    /// A valid cause and breakdown for a thread latency of 3 ns.
    const THREE: &str = "switch 2 0 0 0 0 0 0 0 0 2 1";

    /// Asserts that `text` is malformed at `line` with a reason containing
    /// `needle`.
    #[track_caller]
    fn assert_malformed(text: &str, line: usize, needle: &str) {
        match parse_spikes(text) {
            Err(ParseError::Malformed { line: l, reason }) => {
                assert_eq!(l, line, "{text:?}: {reason}");
                assert!(reason.contains(needle), "{text:?}: {reason}");
            }
            other => panic!("{text:?}: {other:?}"),
        }
    }

    #[test]
    fn blamed_spike() {
        let spikes = parse_spikes(&format!("# header\n{BLAMED}\n")).unwrap();
        let s = &spikes[0];
        assert_eq!((s.cpu, s.pid), (1, 92));
        assert_eq!(
            (s.expiry_ns, s.irq_latency_ns, s.thread_latency_ns),
            (11557993136, 126642, 4695266)
        );
        assert_eq!(s.comm.as_bytes(), b"ps_inject/1");
        let b = s.blame.as_ref().unwrap();
        assert_eq!(
            (b.kind, b.context, b.open_ns),
            (Kind::Preempt, Context::Task, 414795)
        );
        assert_eq!(
            b.start.to_string(),
            "preemptstat_inject::inject_preempt+0x13/0x80 [preemptstat_inject]"
        );
        assert_eq!(
            b.end.as_ref().unwrap().to_string(),
            "preemptstat_inject::inject_preempt+0x69/0x80 [preemptstat_inject]"
        );
        let o = s.other.as_ref().unwrap();
        assert_eq!(o.duration_ns, 20661);
        assert_eq!(o.start.to_string(), "preempt_schedule+0x28/0x30");
        assert_eq!(
            o.end.to_string(),
            "preemptstat_main::wakeup::wakeup_thread+0xe4/0xad0 [preemptstat]"
        );
        assert_eq!((s.cause, s.cause_ns), (Cause::Preemptoff, 4_420_000));
        assert_eq!(
            s.breakdown.as_array(),
            &[0, 0, 26314, 52110, 0, 4_420_000, 0, 0, 70200, 126_642]
        );
        assert_eq!(
            s.key(),
            SpikeKey {
                cpu: 1,
                expiry_ns: 11557993136
            }
        );
        assert_eq!(s.key().to_string(), "CPU 1 at 11557993136 ns");
    }

    #[test]
    fn unblamed_spike() {
        let spikes = parse_spikes(&format!("{UNBLAMED}\n")).unwrap();
        let s = &spikes[0];
        assert!(s.blame.is_none());
        assert_eq!(s.comm.to_string(), "swapper/0");
        assert_eq!(s.other.as_ref().unwrap().duration_ns, 73780);
        assert_eq!((s.cause, s.cause_ns), (Cause::Idle, 2_100_000));
        assert_eq!(
            s.breakdown.nonzero().collect::<Vec<_>>(),
            [
                (Cause::Irq, 240_000),
                (Cause::Timer, 60_000),
                (Cause::Softirq, 610_000),
                (Cause::Idle, 2_100_000),
                (Cause::Switch, 127_868),
                (Cause::Unaccounted, 407_713),
            ]
        );
    }

    #[test]
    fn optional_parts() {
        for (tail, blamed, open, other) in [
            ("irq hardirq 5 a+0x1/0x2 - - - -", true, true, false),
            ("irq hardirq 5 a+0x1/0x2 [m] - 7 ? ?", true, true, true),
            ("preempt nmi 0 ? b+0x1/0x2 [m] - - -", true, false, false),
            ("- - - - - - - -", false, false, false),
        ] {
            let spikes = parse_spikes(&format!("0 1 2 3 4 - {tail} {THREE}\n")).unwrap();
            let s = &spikes[0];
            assert!(s.comm.is_empty());
            assert_eq!(s.blame.is_some(), blamed, "{tail}");
            if let Some(b) = &s.blame {
                assert_eq!(b.end.is_none(), open, "{tail}");
            }
            assert_eq!(s.other.is_some(), other, "{tail}");
        }
        assert_eq!(parse_spikes(""), Ok(vec![]));
    }

    #[test]
    fn malformed_format_1_columns() {
        for (tail, needle) in [
            // A blame with 4 dashes: the fifth field is not `-`.
            (
                "- - - - 73780 io_schedule+0x4c/0x70 schedule_timeout+0xa8/0x120",
                "field `end`: expected `-` (nothing is blamed: blame_kind is `-`), found \"73780\"",
            ),
            (
                "- task 5 a+0x1/0x2 b+0x1/0x2 - - -",
                "field `blame_context`: expected `-`",
            ),
            (
                "irq - - - - - - -",
                "field `blame_context`: unknown context \"-\"",
            ),
            ("irq task - a+0x1/0x2 b+0x1/0x2 - - -", "field `open_ns`"),
            ("irq task 5 - b+0x1/0x2 - - -", "field `start`: expected"),
            (
                "any task 5 a+0x1/0x2 b+0x1/0x2 - - -",
                "field `blame_kind`: expected preempt or irq",
            ),
            (
                "softirq task 5 a+0x1/0x2 b+0x1/0x2 - - -",
                "field `blame_kind`: unknown kind",
            ),
            (
                "irq irq 5 a+0x1/0x2 b+0x1/0x2 - - -",
                "field `blame_context`: unknown context",
            ),
            (
                "- - - - - - a+0x1/0x2 -",
                "field `other_start`: expected `-` (no other section: other_ns is `-`)",
            ),
            ("- - - - - - - b+0x1/0x2", "field `other_end`: expected `-`"),
            ("- - - - - 5 - b+0x1/0x2", "field `other_start`: expected"),
            ("- - - - - 5 a+0x1/0x2 -", "field `other_end`: expected"),
            ("- - - - - x a+0x1/0x2 b+0x1/0x2", "field `other_ns`"),
            (
                "irq task 5 a+0x1/0x2 [m] -  - -",
                "field `other_ns` is empty",
            ),
            (
                "- - - - - 5 ? ? [m]",
                "field `other_end`: an unresolved address",
            ),
        ] {
            assert_malformed(
                &format!("{BLAMED}\n0 1 2 3 4 a {tail} {THREE}\n"),
                2,
                needle,
            );
        }
        for (head, needle) in [
            ("x 1 2 3 4 a", "field `cpu`"),
            ("0 1 2 3 -4 a", "field `pid`"),
            ("0 1 2 3 4 a\\q", "field `comm`: bad escape"),
            ("0 - 2 3 4 a", "field `expiry_ns`"),
        ] {
            assert_malformed(&format!("{head} - - - - - - - - {THREE}\n"), 1, needle);
        }
    }

    /// Too few or too many columns: a format 1 line (15 columns) lacks the
    /// cause, a line cut anywhere in the breakdown names the first missing
    /// column, one more is an extra field.
    #[test]
    fn wrong_column_count() {
        let format1 = "0 1 2 3 4 a - - - - - - - -";
        assert_malformed(&format!("{format1}\n"), 1, "missing field `cause`");
        assert_malformed(
            &format!("{format1} switch\n"),
            1,
            "missing field `cause_ns`",
        );
        let fields: Vec<&str> = THREE.split(' ').collect();
        for (n, column) in Cause::ALL.iter().map(|c| c.column()).enumerate() {
            let cut = fields[..2 + n].join(" ");
            assert_malformed(
                &format!("{format1} {cut}\n"),
                1,
                &format!("missing field `{column}`"),
            );
        }
        assert_malformed(
            &format!("{format1} {THREE} 0\n"),
            1,
            "unexpected extra field \"0\"",
        );
        assert_malformed(
            &format!("{format1} {THREE} \n"),
            1,
            "unexpected extra field",
        );
        // An old line with a breakdown but no other section fields.
        assert_malformed(
            "0 1 2 3 4 a - - - - - switch 2 0 0 0 0 0 0 0 0 2 1\n",
            1,
            "field `other_ns`: expected an unsigned decimal integer, found \"switch\"",
        );
    }

    #[test]
    fn breakdown_must_add_up() {
        let head = "0 1 2 3 4 a - - - - - - - -";
        assert_malformed(
            &format!("{BLAMED}\n{head} switch 2 0 0 0 0 0 0 0 0 2 2\n"),
            2,
            "the ten class times (nmi_ns to unaccounted_ns) add up to 4 ns, not \
             thread_latency_ns 3",
        );
        assert_malformed(
            &format!("{head} switch 2 0 0 0 0 0 0 0 0 2 0\n"),
            1,
            "add up to 2 ns, not thread_latency_ns 3",
        );
        // No overflow: the sum of ten u64s is exact.
        let max = u64::MAX;
        assert_malformed(
            &format!("0 1 2 {max} 4 a - - - - - - - - nmi {max} {max} 0 0 0 0 0 0 0 0 1\n"),
            1,
            &format!("add up to {} ns", u128::from(max) + 1),
        );
        let ok = parse_spikes(&format!(
            "0 1 2 {max} 4 a - - - - - - - - nmi {max} {max} 0 0 0 0 0 0 0 0 0\n"
        ))
        .unwrap();
        assert_eq!(ok[0].breakdown.get(Cause::Nmi), max);
    }

    #[test]
    fn cause_fields() {
        let head = "0 1 2 3 4 a - - - - - - - -";
        for (cause, needle) in [
            (
                "hardirq 1 0 0 0 0 0 0 0 0 2 1",
                "field `cause`: unknown cause class \"hardirq\"",
            ),
            ("- 1 0 0 0 0 0 0 0 0 2 1", "unknown cause class \"-\""),
            ("IRQ 1 0 0 0 0 0 0 0 0 2 1", "unknown cause class \"IRQ\""),
            (
                "switch x 0 0 0 0 0 0 0 0 2 1",
                "field `cause_ns`: expected an unsigned decimal integer",
            ),
            (
                "switch 3 0 0 0 0 0 0 0 0 2 1",
                "field `cause_ns`: 3 ns is more than the switch class's 2 ns (switch_ns)",
            ),
            (
                "irq 1 0 0 0 0 0 0 0 0 2 1",
                "field `cause_ns`: 1 ns is more than the irq class's 0 ns (irq_ns)",
            ),
            ("switch 0 0 0 0 0 0 0 0 0 2 1", "field `cause_ns`: 0 ns"),
            (
                "switch 1 0 0 0 0 0 0 0 0 2 -1",
                "field `unaccounted_ns`: expected an unsigned",
            ),
        ] {
            assert_malformed(&format!("{head} {cause}\n"), 1, needle);
        }
        // The cause is the largest part, not the largest class: a class may
        // hold more time in several parts.
        let s = parse_spikes(&format!("{head} unaccounted 1 0 0 0 0 0 0 0 0 2 1\n")).unwrap();
        assert_eq!((s[0].cause, s[0].cause_ns), (Cause::Unaccounted, 1));
    }

    #[test]
    fn a_spike_is_listed_once() {
        assert_malformed(
            &format!("{BLAMED}\n{UNBLAMED}\n{BLAMED}\n"),
            3,
            "the spike of CPU 1 at 11557993136 ns appears twice (first on line 1)",
        );
        // The same expiry on another CPU is another spike.
        let other_cpu = BLAMED.replacen("1 ", "0 ", 1);
        assert_eq!(
            parse_spikes(&format!("{BLAMED}\n{other_cpu}\n"))
                .unwrap()
                .len(),
            2
        );
    }

    #[test]
    fn truncated_mid_line() {
        let cut = &UNBLAMED[..UNBLAMED.len() - 7];
        assert!(matches!(
            parse_spikes(&format!("{BLAMED}\n{cut}")),
            Err(ParseError::Malformed { line: 2, reason }) if reason.starts_with("truncated")
        ));
    }
}
