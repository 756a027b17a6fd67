// SPDX-License-Identifier: GPL-2.0
//! The `log` file: every section at or over `threshold_us` still in the module's per-CPU rings, oldest first.
//!
//! ```text
//! # kind context duration_ns cpu pid comm end_ns start end
//! any task 582779 0 80 guest.sh 7487691316 irqentry_enter+0x69/0xd0 irqentry_exit+0x65/0x6b0
//! ```

use crate::error::ParseError;
use crate::line::record_lines;
use crate::record::SectionRecord;

/// The name of the log file inside the module's debugfs directory.
pub const LOG_FILE: &str = "log";

/// Parses the whole contents of the `log` file: one [`SectionRecord`] per
/// line, in file order.
///
/// # Errors
///
/// [`ParseError::Malformed`] naming the line of the first problem.
///
/// ```
/// use preemptstat_core::{parse_log, Kind};
///
/// let log = parse_log("irq hardirq 1500 0 0 - 99 a+0x1/0x9 ?\n").unwrap();
/// assert_eq!(log[0].kind, Kind::Irq);
/// assert!(log[0].comm.is_empty());
/// ```
pub fn parse_log(text: &str) -> Result<Vec<SectionRecord>, ParseError> {
    record_lines(text)?
        .into_iter()
        .map(|line| {
            let mut f = line.fields();
            let record = SectionRecord::parse_fields(&mut f)?;
            f.finish()?;
            Ok(record)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kind::{Context, Kind};
    use crate::symbol::Symbol;

    const LINE: &str = "irq task 2021985 1 84 ps_inject/1 7495616957 _RNvCs57rNj5LhXbl_18preemptstat_inject10inject_irq+0x56/0xc0 [preemptstat_inject] _RNvCs57rNj5LhXbl_18preemptstat_inject10inject_irq+0x96/0xc0 [preemptstat_inject]";

    #[test]
    fn one_record() {
        let log = parse_log(&format!("# kind context ...\n{LINE}\n")).unwrap();
        assert_eq!(log.len(), 1);
        let r = &log[0];
        assert_eq!(r.kind, Kind::Irq);
        assert_eq!(r.context, Context::Task);
        assert_eq!(r.duration_ns, 2021985);
        assert_eq!((r.cpu, r.pid), (1, 84));
        assert_eq!(r.comm.as_bytes(), b"ps_inject/1");
        assert_eq!(r.end_ns, 7495616957);
        assert_eq!(
            r.start.to_string(),
            "preemptstat_inject::inject_irq+0x56/0xc0 [preemptstat_inject]"
        );
        assert_eq!(r.end.module(), Some("preemptstat_inject"));
    }

    #[test]
    fn symbols_with_and_without_modules() {
        for (tail, start_mod, end) in [
            ("a+0x1/0x2 b+0x3/0x4", None, "b+0x3/0x4"),
            ("a+0x1/0x2 [m] b+0x3/0x4", Some("m"), "b+0x3/0x4"),
            ("a+0x1/0x2 b+0x3/0x4 [n]", None, "b+0x3/0x4 [n]"),
            ("? ?", None, "?"),
            ("? b+0x3/0x4 [n]", None, "b+0x3/0x4 [n]"),
        ] {
            let log = parse_log(&format!("any nmi 1 0 0 - 5 {tail}\n")).unwrap();
            assert_eq!(log[0].start.module(), start_mod, "{tail}");
            assert_eq!(log[0].end.to_string(), end, "{tail}");
        }
        assert_eq!(
            parse_log("any nmi 1 0 0 - 5 ? ?\n").unwrap()[0].start,
            Symbol::Unknown
        );
    }

    #[test]
    fn malformed_records() {
        for (tail, needle) in [
            ("", "empty line"),
            ("any", "missing field `context`"),
            ("any irq 1 0 0 - 5 ? ?", "field `context`: unknown context"),
            ("none task 1 0 0 - 5 ? ?", "field `kind`: unknown kind"),
            ("any task x 0 0 - 5 ? ?", "field `duration_ns`"),
            ("any task 1 4294967296 0 - 5 ? ?", "field `cpu`: number"),
            ("any task 1 0 -1 - 5 ? ?", "field `pid`"),
            ("any task 1 0 0 a\\q 5 ? ?", "field `comm`: bad escape"),
            ("any task 1 0 0 - 5 ?", "missing field `end`"),
            ("any task 1 0 0 - 5 [m] ?", "field `start`"),
            ("any task 1 0 0 - 5 ? ? ?", "unexpected extra field"),
            (
                "any task 1 0 0 - 5 ? ? [m]",
                "field `end`: an unresolved address",
            ),
            ("any task 1 0 0 - 5 a+0x1/0x2 [m] [n] ?", "field `end`"),
            (
                "any task 1 0 0 - 5 ? a+0x1/0x2 [m] [n]",
                "unexpected extra field \"[n]\"",
            ),
        ] {
            let text = format!("{LINE}\n{tail}\n");
            match parse_log(&text) {
                Err(ParseError::Malformed { line: 2, reason }) => {
                    assert!(reason.contains(needle), "{tail:?}: {reason}")
                }
                other => panic!("{tail:?}: {other:?}"),
            }
        }
    }

    #[test]
    fn truncated_mid_line() {
        let cut = &LINE[..LINE.len() - 5];
        let err = parse_log(&format!("{LINE}\n{cut}")).unwrap_err();
        assert!(
            matches!(&err, ParseError::Malformed { line: 2, reason } if reason.starts_with("truncated")),
            "{err:?}"
        );
    }
}
