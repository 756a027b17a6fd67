// SPDX-License-Identifier: GPL-2.0
//! The `worst` file: the longest sections the module kept, each with the stack where it ended.
//!
//! Two record types, told apart by the first field:
//!
//! ```text
//! # section rank kind context duration_ns cpu pid comm end_ns start end
//! # frame rank depth address
//! section 1 any task 2377856 1 88 ps_inject/1 7530024195 inject_nested+0x1b/0x150 [inj] inject_nested+0x10b/0x150 [inj]
//! frame 1 0 inject_nested+0x10b/0x150 [inj]
//! frame 1 1 kthread+0x116/0x150
//! ```
//!
//! A `frame` line belongs to the section with the same rank, which must come
//! before it; depth 0 is the innermost frame and depths count up by one.

use std::collections::BTreeMap;

use crate::error::ParseError;
use crate::line::{excerpt, record_lines};
use crate::record::SectionRecord;
use crate::symbol::Symbol;

/// The name of the worst-sections file inside the module's debugfs
/// directory.
pub const WORST_FILE: &str = "worst";

/// One of the longest sections, with its stack.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorstSection {
    /// Its place in the list, 1 for the longest.
    pub rank: u32,
    /// The section.
    pub section: SectionRecord,
    /// The stack where the section ended, innermost frame first.
    pub stack: Vec<Symbol>,
}

/// Parses the whole contents of the `worst` file, in file order.
///
/// # Errors
///
/// [`ParseError::Malformed`] naming the line of the first problem: an
/// unknown record type, a bad field, a rank used by two sections, a frame
/// whose section has not come yet or whose depth is not the next one.
///
/// ```
/// use preemptstat_core::parse_worst;
///
/// let worst = parse_worst(
///     "section 1 irq hardirq 1500 0 0 - 99 a+0x1/0x9 ?\nframe 1 0 a+0x1/0x9\nframe 1 1 ?\n",
/// )
/// .unwrap();
/// assert_eq!(worst[0].stack.len(), 2);
/// ```
pub fn parse_worst(text: &str) -> Result<Vec<WorstSection>, ParseError> {
    let mut sections: Vec<WorstSection> = Vec::new();
    let mut by_rank: BTreeMap<u32, (usize, usize)> = BTreeMap::new();
    for line in record_lines(text)? {
        let mut f = line.fields();
        match f.next("record type")? {
            "section" => {
                let rank: u32 = f.number("rank")?;
                let section = SectionRecord::parse_fields(&mut f)?;
                f.finish()?;
                if let Some((_, first)) = by_rank.insert(rank, (sections.len(), line.number)) {
                    return Err(
                        line.error(format!("rank {rank} appears twice (first on line {first})"))
                    );
                }
                sections.push(WorstSection {
                    rank,
                    section,
                    stack: Vec::new(),
                });
            }
            "frame" => {
                let rank: u32 = f.number("rank")?;
                let depth: usize = f.number("depth")?;
                let address = f.symbol("address")?;
                f.finish()?;
                let Some(section) = by_rank
                    .get(&rank)
                    .and_then(|&(index, _)| sections.get_mut(index))
                else {
                    return Err(line.error(format!(
                        "frame of rank {rank} before any section of that rank"
                    )));
                };
                if depth != section.stack.len() {
                    return Err(line.error(format!(
                        "frame depth {depth} of rank {rank}, expected {}",
                        section.stack.len()
                    )));
                }
                section.stack.push(address);
            }
            other => {
                return Err(line.error(format!(
                    "unknown record type {} (expected `section` or `frame`)",
                    excerpt(other)
                )))
            }
        }
    }
    Ok(sections)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kind::{Context, Kind};

    const TEXT: &str = "\
# section rank kind context duration_ns cpu pid comm end_ns start end
# frame rank depth address
section 1 any softirq 30 1 0 swapper/1 100 a+0x1/0x9 [m] b+0x2/0x9
frame 1 0 b+0x2/0x9
frame 1 1 c+0x3/0x9 [m]
section 2 preempt task 20 0 7 - 90 ? ?
section 3 irq hardirq 10 0 7 x 80 ? ?
frame 3 0 ?
";

    #[test]
    fn sections_and_frames() {
        let w = parse_worst(TEXT).unwrap();
        assert_eq!(w.len(), 3);
        assert_eq!(w[0].rank, 1);
        assert_eq!(w[0].section.kind, Kind::Any);
        assert_eq!(w[0].section.context, Context::Softirq);
        assert_eq!(w[0].section.start.module(), Some("m"));
        assert_eq!(
            w[0].stack.iter().map(|s| s.to_string()).collect::<Vec<_>>(),
            ["b+0x2/0x9", "c+0x3/0x9 [m]"]
        );
        assert!(w[1].stack.is_empty());
        assert!(w[1].section.comm.is_empty());
        assert_eq!(w[2].stack, [Symbol::Unknown]);
    }

    #[test]
    fn empty_file() {
        assert_eq!(parse_worst(""), Ok(Vec::new()));
        assert_eq!(parse_worst("# only a header\n"), Ok(Vec::new()));
    }

    #[test]
    fn malformed() {
        for (extra, needle) in [
            ("frame 9 0 ?", "frame of rank 9 before any section"),
            ("frame 1 3 ?", "frame depth 3 of rank 1, expected 2"),
            ("frame 3 0 ?", "frame depth 0 of rank 3, expected 1"),
            ("frame 1 2", "missing field `address`"),
            ("frame 1 2 ? [m]", "field `address`: an unresolved address"),
            ("frame 1 2 a+0x1/0x2 [m] x", "unexpected extra field"),
            (
                "section 2 any task 1 0 0 - 5 ? ?",
                "rank 2 appears twice (first on line 6)",
            ),
            ("section x any task 1 0 0 - 5 ? ?", "field `rank`"),
            ("section 4 any task 1 0 0 - 5 ?", "missing field `end`"),
            ("stack 1 0 ?", "unknown record type \"stack\""),
        ] {
            match parse_worst(&format!("{TEXT}{extra}\n")) {
                Err(ParseError::Malformed { line: 9, reason }) => {
                    assert!(reason.contains(needle), "{extra:?}: {reason}")
                }
                other => panic!("{extra:?}: {other:?}"),
            }
        }
    }
}
