// SPDX-License-Identifier: GPL-2.0
//! [`SectionRecord`]: one measured section, as the `log` file and the `section` lines of `worst` describe it.

use crate::comm::Comm;
use crate::error::ParseError;
use crate::kind::{Context, Kind};
use crate::line::Fields;
use crate::symbol::Symbol;

/// One preempt-off or irqs-off section: what it kept off, where it ran, how
/// long it took and where it started and ended.
///
/// In a file it is the fields
///
/// ```text
/// kind context duration_ns cpu pid comm end_ns start end
/// ```
///
/// where `start` and `end` are each a [`Symbol`] field optionally followed
/// by a `[module]` field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SectionRecord {
    /// What the section kept off.
    pub kind: Kind,
    /// The context the section ran in (where it ended).
    pub context: Context,
    /// How long the section took, in nanoseconds.
    pub duration_ns: u64,
    /// The CPU it ran on.
    pub cpu: u32,
    /// The PID of the task that was current.
    pub pid: u32,
    /// The name of that task.
    pub comm: Comm,
    /// When the section ended, in nanoseconds of the local clock since boot.
    pub end_ns: u64,
    /// Where the section started.
    pub start: Symbol,
    /// Where the section ended.
    pub end: Symbol,
}

impl SectionRecord {
    /// Parses the nine section fields from `f`; the caller checks what
    /// follows them.
    pub(crate) fn parse_fields(f: &mut Fields<'_>) -> Result<SectionRecord, ParseError> {
        let kind = f.kind()?;
        let context = f.context()?;
        let duration_ns = f.number("duration_ns")?;
        let cpu = f.number("cpu")?;
        let pid = f.number("pid")?;
        let comm_field = f.next("comm")?;
        let comm = comm_field
            .parse()
            .map_err(|err| f.field_error("comm", err))?;
        let end_ns = f.number("end_ns")?;
        let start = f.symbol("start")?;
        let end = f.symbol("end")?;
        Ok(SectionRecord {
            kind,
            context,
            duration_ns,
            cpu,
            pid,
            comm,
            end_ns,
            start,
            end,
        })
    }
}
