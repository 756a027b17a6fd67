// SPDX-License-Identifier: GPL-2.0
//! The `spikes` file: late wakeups of the wakeup probe, each with the section blamed for it, oldest first.
//!
//! A spike is a wakeup whose thread latency reached `wakeup_threshold_us`.
//! Each record is
//!
//! ```text
//! # cpu expiry_ns irq_latency_ns thread_latency_ns pid comm blame_kind blame_context open_ns start end other_ns other_start other_end
//! 1 11557993136 126642 4695266 92 ps_inject/1 preempt task 414795 inject_preempt+0x13/0x80 [inj] inject_preempt+0x69/0x80 [inj] 20661 preempt_schedule+0x28/0x30 wakeup_thread+0xe4/0xad0 [preemptstat]
//! 0 11615399543 2507713 3545581 0 swapper/0 - - - - - 73780 io_schedule+0x4c/0x70 schedule_timeout+0xa8/0x120
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
//!
//! Symbols are as in `sites`: one field, optionally followed by a
//! `[module]` field.

use crate::comm::Comm;
use crate::error::ParseError;
use crate::kind::{Context, Kind};
use crate::line::{excerpt, record_lines, Fields};
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

/// Parses the whole contents of the `spikes` file, in file order (oldest
/// first).
///
/// # Errors
///
/// [`ParseError::Malformed`] naming the line of the first problem: a bad
/// field, a blame or other section that is `-` in some fields only, or a
/// `blame_kind` of `any`.
///
/// ```
/// use preemptstat_core::{parse_spikes, Kind};
///
/// let spikes = parse_spikes(
///     "1 900 100 4000 7 a irq task 50 f+0x1/0x9 [m] - - - -\n0 990 10 3000 0 swapper/0 - - - - - 20 g+0x1/0x9 h+0x2/0x9\n",
/// )
/// .unwrap();
/// let blame = spikes[0].blame.as_ref().unwrap();
/// assert_eq!(blame.kind, Kind::Irq);
/// assert_eq!(blame.end, None);
/// assert!(spikes[1].blame.is_none());
/// assert_eq!(spikes[1].other.as_ref().unwrap().duration_ns, 20);
/// ```
pub fn parse_spikes(text: &str) -> Result<Vec<Spike>, ParseError> {
    record_lines(text)?
        .into_iter()
        .map(|line| {
            let mut f = line.fields();
            let cpu = f.number("cpu")?;
            let expiry_ns = f.number("expiry_ns")?;
            let irq_latency_ns = f.number("irq_latency_ns")?;
            let thread_latency_ns = f.number("thread_latency_ns")?;
            let pid = f.number("pid")?;
            let comm = f.parse("comm")?;
            let blame = Blame::parse_fields(&mut f)?;
            let other = OtherSection::parse_fields(&mut f)?;
            f.finish()?;
            Ok(Spike {
                cpu,
                expiry_ns,
                irq_latency_ns,
                thread_latency_ns,
                pid,
                comm,
                blame,
                other,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const BLAMED: &str = "1 11557993136 126642 4695266 92 ps_inject/1 preempt task 414795 _RNvCs57rNj5LhXbl_18preemptstat_inject14inject_preempt+0x13/0x80 [preemptstat_inject] _RNvCs57rNj5LhXbl_18preemptstat_inject14inject_preempt+0x69/0x80 [preemptstat_inject] 20661 preempt_schedule+0x28/0x30 _RNvNtCshgn3BSDfKLP_16preemptstat_main6wakeup13wakeup_thread+0xe4/0xad0 [preemptstat]";
    const UNBLAMED: &str = "0 11615399543 2507713 3545581 0 swapper/0 - - - - - 73780 io_schedule+0x4c/0x70 schedule_timeout+0xa8/0x120";

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
    }

    #[test]
    fn unblamed_spike() {
        let spikes = parse_spikes(&format!("{UNBLAMED}\n")).unwrap();
        let s = &spikes[0];
        assert!(s.blame.is_none());
        assert_eq!(s.comm.to_string(), "swapper/0");
        assert_eq!(s.other.as_ref().unwrap().duration_ns, 73780);
    }

    #[test]
    fn optional_parts() {
        for (tail, blamed, open, other) in [
            ("irq hardirq 5 a+0x1/0x2 - - - -", true, true, false),
            ("irq hardirq 5 a+0x1/0x2 [m] - 7 ? ?", true, true, true),
            ("preempt nmi 0 ? b+0x1/0x2 [m] - - -", true, false, false),
            ("- - - - - - - -", false, false, false),
        ] {
            let spikes = parse_spikes(&format!("0 1 2 3 4 - {tail}\n")).unwrap();
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
    fn malformed() {
        for (tail, needle) in [
            // A blame with 4 dashes: the fifth field is not `-`.
            (
                "- - - - 73780 io_schedule+0x4c/0x70 schedule_timeout+0xa8/0x120",
                "field `end`: expected `-` (nothing is blamed: blame_kind is `-`), found \"73780\"",
            ),
            // Only 4 blame dashes and no other: a field is missing.
            ("- - - - - - -", "missing field `other_end`"),
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
                "- - - - - 5 a+0x1/0x2 b+0x1/0x2 x",
                "unexpected extra field",
            ),
            ("- - - - - - - - -", "unexpected extra field \"-\""),
            ("- - - - -", "missing field `other_ns`"),
            ("irq task 5 a+0x1/0x2 [m]", "missing field `end`"),
            (
                "irq task 5 a+0x1/0x2 [m] -  - -",
                "field `other_ns` is empty",
            ),
            (
                "- - - - - 5 ? ? [m]",
                "field `other_end`: an unresolved address",
            ),
        ] {
            let text = format!("{BLAMED}\n0 1 2 3 4 a {tail}\n");
            match parse_spikes(&text) {
                Err(ParseError::Malformed { line: 2, reason }) => {
                    assert!(reason.contains(needle), "{tail:?}: {reason}")
                }
                other => panic!("{tail:?}: {other:?}"),
            }
        }
        for (head, needle) in [
            ("x 1 2 3 4 a", "field `cpu`"),
            ("0 1 2 3 -4 a", "field `pid`"),
            ("0 1 2 3 4 a\\q", "field `comm`: bad escape"),
            ("0 - 2 3 4 a", "field `expiry_ns`"),
        ] {
            let text = format!("{head} - - - - - - - -\n");
            match parse_spikes(&text) {
                Err(ParseError::Malformed { line: 1, reason }) => {
                    assert!(reason.contains(needle), "{head:?}: {reason}")
                }
                other => panic!("{head:?}: {other:?}"),
            }
        }
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
