// SPDX-License-Identifier: GPL-2.0
//! The `spike_parts` file: the labelled parts of every spike of `spikes` and `spikes_worst` (which IRQ, softirq, section or task took the time), with the stack of the longest task part.
//!
//! Two record types, told apart by the first field:
//!
//! ```text
//! # part cpu expiry_ns rank class id name extra ns
//! # frame cpu expiry_ns depth address
//! part 1 123456789 1 irq 11 virtio0 - 2100000
//! part 1 123456789 2 task 345 stress FIFO:96 300000
//! frame 1 123456789 0 schedule+0x10/0x80
//! ```
//!
//! A spike is known by its CPU and expiry ([`SpikeKey`]); its lines come
//! together, once. Its parts have ranks 1, 2, ... up to
//! [`MAX_PART_RANK`], largest first, and rank 1 is the spike's `cause`.
//! Parts of the same class and label are merged, so no two are alike. What
//! `id`, `name` and `extra` hold depends on the class ([`Label`]); `-` is
//! none. Frame lines are the kernel stack of the spike's longest task part's
//! task when it was switched out, innermost (depth 0) first, up to
//! [`MAX_FRAMES`], after the spike's parts, and only for a spike with task
//! time (whose task part may be below the 4 largest, so not listed).
//!
//! Which spikes the file may name is only known with `spikes` and
//! `spikes_worst`: [`SpikeParts::check_against`] checks that.

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use crate::cause::{Cause, CAUSES};
use crate::comm::Comm;
use crate::error::{FieldError, ParseError};
use crate::line::{excerpt, record_lines, Fields};
use crate::spikes::{Spike, SpikeKey};
use crate::symbol::Symbol;

/// The name of the spike parts file inside the module's debugfs directory.
pub const SPIKE_PARTS_FILE: &str = "spike_parts";

/// The largest rank of a part: the module keeps a spike's 4 largest.
pub const MAX_PART_RANK: u32 = 4;

/// The most frames of a spike's stack.
pub const MAX_FRAMES: usize = 12;

/// The x86 system vectors an `irq` part may name.
pub const SYSTEM_VECTORS: [&str; 11] = [
    "local_timer",
    "irq_work",
    "reschedule",
    "call_function",
    "call_function_single",
    "x86_platform_ipi",
    "error_apic",
    "spurious_apic",
    "thermal_apic",
    "threshold_apic",
    "deferred_error_apic",
];

/// The softirq vectors a `softirq` part may name.
pub const SOFTIRQ_VECTORS: [&str; 10] = [
    "HI", "TIMER", "NET_TX", "NET_RX", "BLOCK", "IRQ_POLL", "TASKLET", "SCHED", "HRTIMER", "RCU",
];

/// The scheduling policy of a task part.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Policy {
    /// `OTHER`: `SCHED_OTHER` (`SCHED_NORMAL`).
    Other,
    /// `FIFO`: `SCHED_FIFO`.
    Fifo,
    /// `RR`: `SCHED_RR`.
    Rr,
    /// `BATCH`: `SCHED_BATCH`.
    Batch,
    /// `IDLE`: `SCHED_IDLE`.
    Idle,
    /// `DEADLINE`: `SCHED_DEADLINE`.
    Deadline,
    /// `EXT`: `SCHED_EXT`.
    Ext,
    /// `?`: a policy the module does not name.
    Unknown,
}

impl Policy {
    /// Every policy, in the order of the format.
    pub const ALL: [Policy; 8] = [
        Policy::Other,
        Policy::Fifo,
        Policy::Rr,
        Policy::Batch,
        Policy::Idle,
        Policy::Deadline,
        Policy::Ext,
        Policy::Unknown,
    ];

    /// The name used in the file.
    pub fn name(self) -> &'static str {
        match self {
            Policy::Other => "OTHER",
            Policy::Fifo => "FIFO",
            Policy::Rr => "RR",
            Policy::Batch => "BATCH",
            Policy::Idle => "IDLE",
            Policy::Deadline => "DEADLINE",
            Policy::Ext => "EXT",
            Policy::Unknown => "?",
        }
    }

    /// Whether the priority is a real-time priority (1 to 99) rather than a
    /// nice value (-20 to 19).
    pub fn is_rt(self) -> bool {
        matches!(self, Policy::Fifo | Policy::Rr)
    }
}

impl fmt::Display for Policy {
    /// Writes [`Policy::name`].
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Policy {
    type Err = FieldError;

    /// Parses a policy name.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Policy::ALL
            .into_iter()
            .find(|p| p.name() == s)
            .ok_or_else(|| {
                FieldError::new(format!(
                    "unknown policy {} (expected OTHER, FIFO, RR, BATCH, IDLE, DEADLINE, EXT or ?)",
                    excerpt(s)
                ))
            })
    }
}

/// What a part is, beyond its class: the `id`, `name` and `extra` fields.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Label {
    /// `timer`, `idle`, `switch` and `unaccounted`: all three fields `-`.
    None,
    /// `nmi`: the handler (`name`).
    Nmi {
        /// The NMI handler.
        handler: Symbol,
    },
    /// `irq` with a number: a device IRQ and its irqaction's name.
    Device {
        /// The IRQ number.
        irq: u32,
        /// The irqaction's name (escaped like a task name).
        name: Comm,
    },
    /// `irq` with a system vector name (see [`SYSTEM_VECTORS`]).
    Vector(&'static str),
    /// `irq` with `hrtimer`: another hrtimer's callback.
    Hrtimer {
        /// The callback.
        callback: Symbol,
    },
    /// `softirq`: the vector (see [`SOFTIRQ_VECTORS`]).
    Softirq(&'static str),
    /// `irqsoff` and `preemptoff`: where the section started and ended.
    Section {
        /// The start site.
        start: Symbol,
        /// The end site; `None` if still open when the thread ran.
        end: Option<Symbol>,
    },
    /// `task`: another task that ran before the probe's thread.
    Task {
        /// Its PID.
        pid: u32,
        /// Its name.
        comm: Comm,
        /// Its scheduling policy.
        policy: Policy,
        /// Its real-time priority (FIFO, RR) or nice value (the others).
        prio: i32,
    },
}

impl Label {
    /// The `id`, `name` and `extra` fields as text for a person: symbols
    /// demangled, names unescaped for a terminal (see [`Comm`]'s
    /// `Display`); `None` for `-`.
    pub fn fields(&self) -> [Option<String>; 3] {
        match self {
            Label::None => [None, None, None],
            Label::Nmi { handler } => [None, Some(handler.to_string()), None],
            Label::Device { irq, name } => [Some(irq.to_string()), Some(name.to_string()), None],
            Label::Vector(v) => [Some(v.to_string()), None, None],
            Label::Hrtimer { callback } => {
                [Some("hrtimer".into()), Some(callback.to_string()), None]
            }
            Label::Softirq(v) => [Some(v.to_string()), None, None],
            Label::Section { start, end } => [
                Some(start.to_string()),
                end.as_ref().map(|e| e.to_string()),
                None,
            ],
            Label::Task {
                pid,
                comm,
                policy,
                prio,
            } => [
                Some(pid.to_string()),
                Some(comm.to_string()),
                Some(format!("{policy}:{prio}")),
            ],
        }
    }

    /// The fields that are not `-`, joined by spaces; empty for
    /// [`Label::None`]. A section reads `START -> END`, with `(still open)`
    /// for a missing end.
    pub fn text(&self) -> String {
        if let Label::Section { start, end } = self {
            let end = end
                .as_ref()
                .map_or_else(|| "(still open)".to_string(), |e| e.to_string());
            return format!("{start} -> {end}");
        }
        self.fields()
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// Parses the `id name extra` fields of a part of class `cause`.
    fn parse_fields(f: &mut Fields<'_>, cause: Cause) -> Result<Label, ParseError> {
        let none = |what: &str| format!("parts of class {cause} have no {what}");
        let label = match cause {
            Cause::Timer | Cause::Idle | Cause::Switch | Cause::Unaccounted => {
                f.dash("id", &none("id"))?;
                f.dash("name", &none("name"))?;
                Label::None
            }
            Cause::Nmi => {
                f.dash("id", &none("id"))?;
                Label::Nmi {
                    handler: f.symbol("name")?,
                }
            }
            Cause::Irq => {
                let id = f.next("id")?;
                if id == "hrtimer" {
                    Label::Hrtimer {
                        callback: f.symbol("name")?,
                    }
                } else if let Some(v) = SYSTEM_VECTORS.iter().find(|v| **v == id) {
                    f.dash("name", "a system vector has no name")?;
                    Label::Vector(v)
                } else if id.bytes().all(|b| b.is_ascii_digit()) {
                    let irq = crate::line::parse_number(id).map_err(|e| f.field_error("id", e))?;
                    Label::Device {
                        irq,
                        name: f.parse("name")?,
                    }
                } else {
                    return Err(f.error(format!(
                        "field `id`: {} is not an IRQ number, a system vector ({}) or `hrtimer`",
                        excerpt(id),
                        SYSTEM_VECTORS.join(", ")
                    )));
                }
            }
            Cause::Softirq => {
                let id = f.next("id")?;
                let Some(v) = SOFTIRQ_VECTORS.iter().find(|v| **v == id) else {
                    return Err(f.error(format!(
                        "field `id`: unknown softirq vector {} (expected {})",
                        excerpt(id),
                        SOFTIRQ_VECTORS.join(", ")
                    )));
                };
                f.dash("name", &none("name"))?;
                Label::Softirq(v)
            }
            Cause::Irqsoff | Cause::Preemptoff => {
                let start = f.symbol("id")?;
                let end = if f.take_dash() {
                    None
                } else {
                    Some(f.symbol("name")?)
                };
                Label::Section { start, end }
            }
            Cause::Task => {
                let pid = f.number("id")?;
                let comm = f.parse("name")?;
                let extra = f.next("extra")?;
                let (policy, prio) =
                    parse_policy_prio(extra).map_err(|e| f.field_error("extra", e))?;
                return Ok(Label::Task {
                    pid,
                    comm,
                    policy,
                    prio,
                });
            }
        };
        f.dash("extra", "only task parts have an extra field")?;
        Ok(label)
    }
}

/// Parses `POLICY:PRIO`: a real-time priority 1 to 99 for FIFO and RR, a
/// nice value -20 to 19 otherwise, as a canonical decimal.
fn parse_policy_prio(token: &str) -> Result<(Policy, i32), FieldError> {
    let Some((policy, prio)) = token.split_once(':') else {
        return Err(FieldError::new(format!(
            "expected POLICY:PRIO, found {}",
            excerpt(token)
        )));
    };
    let policy: Policy = policy.parse()?;
    let value = prio
        .parse::<i32>()
        .ok()
        .filter(|v| v.to_string() == prio)
        .ok_or_else(|| {
            FieldError::new(format!(
                "priority {} is not a decimal integer",
                excerpt(prio)
            ))
        })?;
    let (range, what) = if policy.is_rt() {
        (1..=99, "a real-time priority from 1 to 99")
    } else {
        (-20..=19, "a nice value from -20 to 19")
    };
    if !range.contains(&value) {
        return Err(FieldError::new(format!(
            "priority {value} of a {policy} task: expected {what}"
        )));
    }
    Ok((policy, value))
}

/// One labelled part of a spike (a `part` line).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Part {
    /// Its place among the spike's parts, 1 for the largest.
    pub rank: u32,
    /// Its class.
    pub cause: Cause,
    /// What it is.
    pub label: Label,
    /// Its time, in nanoseconds.
    pub ns: u64,
}

/// The parts and stack of one spike.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpikeBreakdown {
    /// Which spike.
    pub key: SpikeKey,
    /// Its parts, largest (rank 1) first.
    pub parts: Vec<Part>,
    /// The stack of the longest task part's task when it was switched out,
    /// innermost first; empty without a task part.
    pub stack: Vec<Symbol>,
    /// The line of each part.
    lines: Vec<usize>,
    /// The line of the first frame, 0 without frames.
    frame_line: usize,
}

impl SpikeBreakdown {
    /// The longest task part (the one the stack belongs to), if it is
    /// among the listed parts.
    pub fn longest_task(&self) -> Option<&Part> {
        self.parts.iter().find(|p| p.cause == Cause::Task)
    }

    /// The line of the spike's first part.
    pub fn line(&self) -> usize {
        self.lines.first().copied().unwrap_or(0)
    }
}

/// The contents of `spike_parts`: the parts of each spike it lists.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SpikeParts {
    spikes: Vec<SpikeBreakdown>,
    index: BTreeMap<SpikeKey, usize>,
}

impl SpikeParts {
    /// The parts of the spike `key`, if the file lists it.
    pub fn get(&self, key: SpikeKey) -> Option<&SpikeBreakdown> {
        self.index.get(&key).map(|&i| &self.spikes[i])
    }

    /// Every spike the file lists, in file order.
    pub fn iter(&self) -> impl Iterator<Item = &SpikeBreakdown> {
        self.spikes.iter()
    }

    /// How many spikes the file lists.
    pub fn len(&self) -> usize {
        self.spikes.len()
    }

    /// Whether the file lists no spike.
    pub fn is_empty(&self) -> bool {
        self.spikes.is_empty()
    }

    /// Checks the file against the spikes it describes, those of `spikes`
    /// and `spikes_worst` (a spike may be in both, or in only one).
    ///
    /// The files are read one after the other from a module that may be
    /// recording, so they need not agree on which spikes exist: a spike of
    /// either file may have no parts here, and parts here may belong to a
    /// spike that came after `spikes` was read or left both rings before.
    /// Such parts are not checked (nothing shows them: the reader shows
    /// the spikes of `spikes` and `spikes_worst`).
    ///
    /// # Errors
    ///
    /// [`ParseError::Malformed`] naming the line of `spike_parts` of the
    /// first problem with a spike both know: a rank 1 part that is not the
    /// spike's `cause` and `cause_ns`, parts of a class that add up to more
    /// than the spike's time in that class, or frames of a spike without
    /// task time.
    pub fn check_against(&self, spikes: &[Spike], worst: &[Spike]) -> Result<(), ParseError> {
        let known: BTreeMap<SpikeKey, &Spike> =
            spikes.iter().chain(worst).map(|s| (s.key(), s)).collect();
        for b in &self.spikes {
            let Some(spike) = known.get(&b.key) else {
                continue;
            };
            if let Some(first) = b.parts.first() {
                if (first.cause, first.ns) != (spike.cause, spike.cause_ns) {
                    return Err(ParseError::malformed(
                        b.line(),
                        format!(
                            "the rank 1 part ({} {} ns) is not the cause of the spike of {} \
                             ({} {} ns)",
                            first.cause, first.ns, b.key, spike.cause, spike.cause_ns
                        ),
                    ));
                }
            }
            if !b.stack.is_empty() && spike.breakdown.get(Cause::Task) == 0 {
                return Err(ParseError::malformed(
                    b.frame_line,
                    format!(
                        "frames of the spike of {}, which has no task time (frames are the \
                         stack of its longest task part)",
                        b.key
                    ),
                ));
            }
            let mut sums = [0u128; CAUSES];
            for (part, &line) in b.parts.iter().zip(&b.lines) {
                let sum = &mut sums[part.cause.index()];
                *sum += u128::from(part.ns);
                let class_ns = spike.breakdown.get(part.cause);
                if *sum > u128::from(class_ns) {
                    return Err(ParseError::malformed(
                        line,
                        format!(
                            "the {} parts of the spike of {} add up to {sum} ns, more than its \
                             {} of {class_ns}",
                            part.cause,
                            b.key,
                            part.cause.column()
                        ),
                    ));
                }
            }
        }
        Ok(())
    }
}

/// Parses the CPU and expiry fields of a line.
fn key_fields(f: &mut Fields<'_>) -> Result<SpikeKey, ParseError> {
    Ok(SpikeKey {
        cpu: f.number("cpu")?,
        expiry_ns: f.number("expiry_ns")?,
    })
}

/// Parses the whole contents of the `spike_parts` file, in file order.
///
/// # Errors
///
/// [`ParseError::Malformed`] naming the line of the first problem: an
/// unknown record type or class, a bad field, `id`, `name` or `extra`
/// fields that do not fit the class, a rank out of range or not the next
/// one, parts not largest first, two parts with the same class and label,
/// a spike whose lines do not come together, a frame before the parts of
/// its spike or a part after its frames, a frame depth that is not the next
/// one, or too many frames. Use [`SpikeParts::check_against`] for the
/// spikes the file names (and whether those with frames have task time).
///
/// ```
/// use preemptstat_core::{parse_spike_parts, Cause, Label, SpikeKey};
///
/// let parts = parse_spike_parts(
///     "part 1 123456789 1 irq 11 virtio0 - 2100000\n\
///      part 1 123456789 2 task 345 stress FIFO:96 300000\n\
///      frame 1 123456789 0 schedule+0x10/0x80\n",
/// )
/// .unwrap();
/// let b = parts.get(SpikeKey { cpu: 1, expiry_ns: 123456789 }).unwrap();
/// assert_eq!(b.parts[0].cause, Cause::Irq);
/// assert_eq!(b.parts[0].label.text(), "11 virtio0");
/// assert_eq!(b.parts[1].label.text(), "345 stress FIFO:96");
/// assert_eq!(b.stack[0].to_string(), "schedule+0x10/0x80");
/// ```
pub fn parse_spike_parts(text: &str) -> Result<SpikeParts, ParseError> {
    let mut out = SpikeParts::default();
    for line in record_lines(text)? {
        let mut f = line.fields();
        let kind = f.next("record type")?;
        if kind != "part" && kind != "frame" {
            return Err(line.error(format!(
                "unknown record type {} (expected `part` or `frame`)",
                excerpt(kind)
            )));
        }
        let key = key_fields(&mut f)?;
        // The spike's lines come together: a new key starts a new spike.
        let current = match out.spikes.last() {
            Some(last) if last.key == key => out.spikes.len() - 1,
            _ => {
                if let Some(&i) = out.index.get(&key) {
                    return Err(line.error(format!(
                        "the spike of {key} is listed again (first on line {}): each spike's \
                         lines come together, once",
                        out.spikes[i].line()
                    )));
                }
                if kind == "frame" {
                    return Err(line.error(format!(
                        "frame of the spike of {key} before any of its parts"
                    )));
                }
                out.index.insert(key, out.spikes.len());
                out.spikes.push(SpikeBreakdown {
                    key,
                    parts: Vec::new(),
                    stack: Vec::new(),
                    lines: Vec::new(),
                    frame_line: 0,
                });
                out.spikes.len() - 1
            }
        };
        let spike = &mut out.spikes[current];
        if kind == "frame" {
            let depth: usize = f.number("depth")?;
            let address = f.symbol("address")?;
            f.finish()?;
            if depth != spike.stack.len() {
                return Err(line.error(format!(
                    "frame depth {depth} of the spike of {key}, expected {}",
                    spike.stack.len()
                )));
            }
            if depth >= MAX_FRAMES {
                return Err(line.error(format!(
                    "frame depth {depth} of the spike of {key}: at most {MAX_FRAMES} frames \
                     (depths 0 to {})",
                    MAX_FRAMES - 1
                )));
            }
            if spike.stack.is_empty() {
                spike.frame_line = line.number;
            }
            spike.stack.push(address);
            continue;
        }
        if !spike.stack.is_empty() {
            return Err(line.error(format!(
                "part of the spike of {key} after its frames (the parts come first)"
            )));
        }
        let rank: u32 = f.number("rank")?;
        if !(1..=MAX_PART_RANK).contains(&rank) {
            return Err(line.error(format!(
                "field `rank`: {rank} is out of range (1 to {MAX_PART_RANK})"
            )));
        }
        let cause: Cause = f.parse("class")?;
        let label = Label::parse_fields(&mut f, cause)?;
        let ns: u64 = f.number("ns")?;
        f.finish()?;
        let expected = spike.parts.len() + 1;
        if rank as usize != expected {
            return Err(line.error(format!(
                "part of rank {rank} of the spike of {key}, expected rank {expected}"
            )));
        }
        if let Some(prev) = spike.parts.last() {
            if ns > prev.ns {
                return Err(line.error(format!(
                    "part of rank {rank} ({ns} ns) is larger than rank {} ({} ns): parts are \
                     largest first",
                    prev.rank, prev.ns
                )));
            }
        }
        if let Some(same) = spike
            .parts
            .iter()
            .find(|p| p.cause == cause && p.label == label)
        {
            return Err(line.error(format!(
                "part of rank {rank} has the class and label of rank {} ({cause}): such parts \
                 are merged",
                same.rank
            )));
        }
        spike.parts.push(Part {
            rank,
            cause,
            label,
            ns,
        });
        spike.lines.push(line.number);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse_spikes;

    const TEXT: &str = "\
# part cpu expiry_ns rank class id name extra ns
# frame cpu expiry_ns depth address
part 1 100 1 irq 11 virtio0 - 2100000
part 1 100 2 task 345 stress FIFO:96 300000
part 1 100 3 irqsoff f+0x1/0x9 [m] - - 200000
part 1 100 4 irq hrtimer tick_nohz_handler+0x0/0x90 - 100000
frame 1 100 0 schedule+0x10/0x80
frame 1 100 1 k+0x2/0x9 [m]
part 0 200 1 softirq NET_RX - - 50
part 0 200 2 nmi - ? - 40
part 0 200 3 preemptoff a+0x1/0x2 b+0x3/0x4 [n] - 30
part 0 200 4 irq reschedule - - 20
part 0 300 1 unaccounted - - - 9
part 0 300 2 task 7 my\\x20task OTHER:-20 8
part 0 300 3 task 8 - ?:19 7
part 0 300 4 irq 1 - - 6
";

    /// The spikes `TEXT` describes, as a `spikes` file.
    const SPIKES: &str = "\
1 100 10 2800000 0 - - - - - - - - - irq 2100000 0 2300000 0 0 200000 0 300000 0 0 0
0 200 10 150 0 - - - - - - - - - softirq 50 40 20 0 50 0 30 0 0 10 0
0 300 10 40 0 - - - - - - - - - unaccounted 9 0 6 0 0 0 0 15 0 0 19
";

    #[track_caller]
    fn assert_malformed(text: &str, line: usize, needle: &str) {
        match parse_spike_parts(text) {
            Err(ParseError::Malformed { line: l, reason }) => {
                assert_eq!(l, line, "{text:?}: {reason}");
                assert!(reason.contains(needle), "{text:?}: {reason}");
            }
            other => panic!("{text:?}: {other:?}"),
        }
    }

    fn key(cpu: u32, expiry_ns: u64) -> SpikeKey {
        SpikeKey { cpu, expiry_ns }
    }

    #[test]
    fn every_class_and_label() {
        let p = parse_spike_parts(TEXT).unwrap();
        assert_eq!(p.len(), 3);
        let a = p.get(key(1, 100)).unwrap();
        assert_eq!(a.line(), 3);
        assert_eq!(
            a.parts
                .iter()
                .map(|x| (x.rank, x.cause, x.label.text(), x.ns))
                .collect::<Vec<_>>(),
            [
                (1, Cause::Irq, "11 virtio0".to_string(), 2_100_000),
                (2, Cause::Task, "345 stress FIFO:96".to_string(), 300_000),
                (
                    3,
                    Cause::Irqsoff,
                    "f+0x1/0x9 [m] -> (still open)".to_string(),
                    200_000
                ),
                (
                    4,
                    Cause::Irq,
                    "hrtimer tick_nohz_handler+0x0/0x90".to_string(),
                    100_000
                ),
            ]
        );
        assert_eq!(
            a.stack.iter().map(|s| s.to_string()).collect::<Vec<_>>(),
            ["schedule+0x10/0x80", "k+0x2/0x9 [m]"]
        );
        assert_eq!(a.longest_task().map(|t| t.rank), Some(2));
        assert_eq!(
            a.parts[1].label,
            Label::Task {
                pid: 345,
                comm: Comm::from_bytes(*b"stress"),
                policy: Policy::Fifo,
                prio: 96
            }
        );
        let b = p.get(key(0, 200)).unwrap();
        assert_eq!(b.parts[0].label, Label::Softirq("NET_RX"));
        assert_eq!(
            b.parts[1].label,
            Label::Nmi {
                handler: Symbol::Unknown
            }
        );
        assert_eq!(b.parts[1].label.fields(), [None, Some("?".into()), None]);
        assert_eq!(b.parts[2].label.text(), "a+0x1/0x2 -> b+0x3/0x4 [n]");
        assert_eq!(b.parts[3].label, Label::Vector("reschedule"));
        assert!(b.stack.is_empty() && b.longest_task().is_none());
        let c = p.get(key(0, 300)).unwrap();
        assert_eq!(c.parts[0].label, Label::None);
        assert_eq!(c.parts[0].label.text(), "");
        assert_eq!(c.parts[1].label.text(), "7 my task OTHER:-20");
        assert_eq!(
            c.parts[2].label.fields(),
            [Some("8".into()), Some("-".into()), Some("?:19".into())]
        );
        assert_eq!(
            c.parts[3].label,
            Label::Device {
                irq: 1,
                name: Comm::default()
            }
        );
        assert!(p.get(key(1, 200)).is_none());
        assert_eq!(parse_spike_parts(""), Ok(SpikeParts::default()));
        assert!(parse_spike_parts("# only a header\n").unwrap().is_empty());
    }

    #[test]
    fn wrong_field_count() {
        for (line, needle) in [
            ("part 2 5 1 irq 11 virtio0 -", "missing field `ns`"),
            (
                "part 2 5 1 irq 11 virtio0 - 5 6",
                "unexpected extra field \"6\"",
            ),
            ("part 2 5 1 timer - - 5", "field `extra`: expected `-`"),
            ("part 2 5 1 timer - 5", "field `name`: expected `-`"),
            (
                "part 2 5 1 task 3 x 5",
                "field `extra`: expected POLICY:PRIO",
            ),
            ("part 2 5", "missing field `rank`"),
            ("frame 0 300 0", "missing field `address`"),
            ("frame 0 300 0 ? ?", "unexpected extra field \"?\""),
            ("part 2 5 1 irq 11 virtio0 -  5", "field `ns` is empty"),
        ] {
            assert_malformed(&format!("{TEXT}{line}\n"), 17, needle);
        }
    }

    #[test]
    fn unknown_class_and_bad_labels() {
        for (line, needle) in [
            (
                "part 2 5 1 hardirq - - - 5",
                "field `class`: unknown cause class \"hardirq\"",
            ),
            ("part 2 5 1 - - - - 5", "unknown cause class \"-\""),
            (
                "part 2 5 1 irq eleven x - 5",
                "field `id`: \"eleven\" is not an IRQ number, a system vector",
            ),
            ("part 2 5 1 irq 99999999999 x - 5", "field `id`: number"),
            (
                "part 2 5 1 irq local_timer x - 5",
                "field `name`: expected `-` (a system vector has no name)",
            ),
            ("part 2 5 1 irq hrtimer - - 5", "field `name`: expected"),
            ("part 2 5 1 irq 11 a\\q - 5", "field `name`: bad escape"),
            (
                "part 2 5 1 softirq NET - - 5",
                "field `id`: unknown softirq vector \"NET\"",
            ),
            ("part 2 5 1 softirq RCU x - 5", "field `name`: expected `-`"),
            ("part 2 5 1 nmi 3 ? - 5", "field `id`: expected `-`"),
            ("part 2 5 1 nmi - - - 5", "field `name`: expected"),
            ("part 2 5 1 irqsoff - - - 5", "field `id`: expected"),
            ("part 2 5 1 preemptoff ? ? [m] - 5", "an unresolved address"),
            (
                "part 2 5 1 task x y OTHER:0 5",
                "field `id`: expected an unsigned",
            ),
            ("part 2 5 1 task 3 y FIFO:0 5", "priority 0 of a FIFO task"),
            (
                "part 2 5 1 task 3 y RR:100 5",
                "expected a real-time priority from 1 to 99",
            ),
            (
                "part 2 5 1 task 3 y OTHER:20 5",
                "expected a nice value from -20 to 19",
            ),
            ("part 2 5 1 task 3 y BATCH:-21 5", "a nice value"),
            (
                "part 2 5 1 task 3 y OTHER:+1 5",
                "priority \"+1\" is not a decimal",
            ),
            (
                "part 2 5 1 task 3 y OTHER:-0 5",
                "priority \"-0\" is not a decimal",
            ),
            ("part 2 5 1 task 3 y OTHER:01 5", "priority \"01\""),
            (
                "part 2 5 1 task 3 y NORMAL:0 5",
                "unknown policy \"NORMAL\"",
            ),
            ("part 2 5 1 task 3 y OTHER 5", "expected POLICY:PRIO"),
            (
                "part 2 5 1 timer - - x 5",
                "field `extra`: expected `-` (only task parts have an extra field)",
            ),
            ("stack 2 5 0 ?", "unknown record type \"stack\""),
        ] {
            assert_malformed(&format!("{TEXT}{line}\n"), 17, needle);
        }
        // Every policy, with its range.
        for (extra, ok) in [
            ("FIFO:1", true),
            ("RR:99", true),
            ("DEADLINE:0", true),
            ("EXT:-20", true),
            ("IDLE:19", true),
            ("?:-5", true),
            ("FIFO:-1", false),
            ("DEADLINE:50", false),
        ] {
            let text = format!("part 2 5 1 task 3 y {extra} 5\n");
            assert_eq!(parse_spike_parts(&text).is_ok(), ok, "{extra}");
        }
    }

    #[test]
    fn rank_out_of_range_or_out_of_turn() {
        for (line, needle) in [
            (
                "part 2 5 0 timer - - - 5",
                "field `rank`: 0 is out of range (1 to 4)",
            ),
            (
                "part 2 5 5 timer - - - 5",
                "field `rank`: 5 is out of range (1 to 4)",
            ),
            (
                "part 2 5 2 timer - - - 5",
                "part of rank 2 of the spike of CPU 2 at 5 ns, expected rank 1",
            ),
        ] {
            assert_malformed(&format!("{TEXT}{line}\n"), 17, needle);
        }
        // A fifth part of a spike that has four.
        assert_malformed(
            &TEXT.replace(
                "part 0 300 4 irq 1 - - 6\n",
                "part 0 300 4 irq 1 - - 6\npart 0 300 5 idle - - - 1\n",
            ),
            17,
            "field `rank`: 5 is out of range",
        );
        // A rank repeated.
        assert_malformed(
            &TEXT.replace("part 0 200 2 nmi", "part 0 200 1 nmi"),
            10,
            "part of rank 1 of the spike of CPU 0 at 200 ns, expected rank 2",
        );
    }

    #[test]
    fn largest_first_and_merged() {
        assert_malformed(
            &TEXT.replace("part 0 200 2 nmi - ? - 40", "part 0 200 2 nmi - ? - 51"),
            10,
            "part of rank 2 (51 ns) is larger than rank 1 (50 ns): parts are largest first",
        );
        // Equal times are fine.
        assert!(parse_spike_parts(&TEXT.replace("nmi - ? - 40", "nmi - ? - 50")).is_ok());
        assert_malformed(
            &TEXT.replace(
                "part 0 200 4 irq reschedule - - 20",
                "part 0 200 4 softirq NET_RX - - 20",
            ),
            12,
            "part of rank 4 has the class and label of rank 1 (softirq): such parts are merged",
        );
        // The same id in another class is another part.
        assert!(parse_spike_parts(
            "part 0 1 1 irqsoff a+0x1/0x2 - - 5\npart 0 1 2 preemptoff a+0x1/0x2 - - 4\n"
        )
        .is_ok());
    }

    #[test]
    fn spikes_come_together_and_frames_follow_a_task() {
        assert_malformed(
            &format!("{TEXT}part 1 100 1 timer - - - 5\n"),
            17,
            "the spike of CPU 1 at 100 ns is listed again (first on line 3)",
        );
        assert_malformed(
            &format!("{TEXT}frame 3 3 0 ?\n"),
            17,
            "frame of the spike of CPU 3 at 3 ns before any of its parts",
        );
        assert_malformed(
            &format!("{TEXT}frame 0 300 0 ?\nframe 0 300 2 ?\n"),
            18,
            "frame depth 2 of the spike of CPU 0 at 300 ns, expected 1",
        );
        assert_malformed(
            &TEXT.replace("frame 1 100 1", "frame 1 100 0"),
            8,
            "frame depth 0 of the spike of CPU 1 at 100 ns, expected 1",
        );
        assert_malformed(
            &format!("{TEXT}part 0 300 5 timer - - - 5\n").replace(
                "part 0 300 4 irq 1 - - 6\n",
                "part 0 300 4 irq 1 - - 6\nframe 0 300 0 ?\n",
            ),
            18,
            "part of the spike of CPU 0 at 300 ns after its frames (the parts come first)",
        );
        // Frames without a listed task part parse: the task part may be
        // below the 4 largest. Whether the spike has task time is checked
        // against the spikes.
        let p =
            parse_spike_parts(&format!("{TEXT}part 5 5 1 timer - - - 5\nframe 5 5 0 ?\n")).unwrap();
        let b = p.get(key(5, 5)).unwrap();
        assert_eq!((b.stack.len(), b.longest_task()), (1, None));
        let twelve: String = (0..12).map(|d| format!("frame 0 300 {d} ?\n")).collect();
        let ok = parse_spike_parts(&format!("{TEXT}{twelve}")).unwrap();
        assert_eq!(ok.get(key(0, 300)).unwrap().stack.len(), 12);
        assert_malformed(
            &format!("{TEXT}{twelve}frame 0 300 12 ?\n"),
            29,
            "frame depth 12 of the spike of CPU 0 at 300 ns: at most 12 frames (depths 0 to 11)",
        );
    }

    #[test]
    fn checked_against_the_spikes() {
        let parts = parse_spike_parts(TEXT).unwrap();
        let spikes = parse_spikes(SPIKES).unwrap();
        assert_eq!(parts.check_against(&spikes, &[]), Ok(()));
        // Listed in spikes_worst only, or in both.
        assert_eq!(parts.check_against(&[], &spikes), Ok(()));
        assert_eq!(parts.check_against(&spikes[..1], &spikes), Ok(()));
        // Parts of a spike in neither file (it came or went between the
        // reads) are not checked: a wrong cause there is not an error.
        assert_eq!(parts.check_against(&spikes[..2], &spikes[..1]), Ok(()));
        // A spike of the files without parts is fine.
        let more = format!("{SPIKES}1 7 1 3 0 - - - - - - - - - switch 3 0 0 0 0 0 0 0 0 3 0\n");
        assert_eq!(
            parts.check_against(&parse_spikes(&more).unwrap(), &[]),
            Ok(())
        );
        // The rank 1 part must be the spike's cause.
        let other_cause = SPIKES.replace("softirq 50 40", "nmi 40 40");
        assert_eq!(
            parts.check_against(&parse_spikes(&other_cause).unwrap(), &[]),
            Err(ParseError::malformed(
                9,
                "the rank 1 part (softirq 50 ns) is not the cause of the spike of CPU 0 at 200 ns \
                 (nmi 40 ns)"
            ))
        );
        // Frames need task time: not so for the second spike.
        let frames = TEXT.replace(
            "part 0 200 4 irq reschedule - - 20\n",
            "part 0 200 4 irq reschedule - - 20\nframe 0 200 0 ?\n",
        );
        assert_eq!(
            parse_spike_parts(&frames)
                .unwrap()
                .check_against(&spikes, &[]),
            Err(ParseError::malformed(
                13,
                "frames of the spike of CPU 0 at 200 ns, which has no task time (frames are the \
                 stack of its longest task part)"
            ))
        );
        // The two irq parts of the first spike (2.1 ms + 100 us) must fit
        // in its irq_ns.
        let less_irq = SPIKES.replace(
            " 0 2300000 0 0 200000 0 300000 0 0 0",
            " 0 2199999 0 0 200000 0 300000 0 0 100001",
        );
        assert_eq!(
            parts.check_against(&parse_spikes(&less_irq).unwrap(), &[]),
            Err(ParseError::malformed(
                6,
                "the irq parts of the spike of CPU 1 at 100 ns add up to 2200000 ns, more than \
                 its irq_ns of 2199999"
            ))
        );
    }
}
