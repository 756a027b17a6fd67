// SPDX-License-Identifier: GPL-2.0
//! The `causes` file: per CPU, each cause class's totals over all spikes of this generation, merged ones included.
//!
//! Ten lines per CPU of the wakeup probe, in [`Cause::ALL`] order:
//!
//! ```text
//! # cpu cause spikes dominant total_ns
//! 0 nmi 0 0 0
//! 0 irq 3 1 4500000
//! ...
//! ```
//!
//! `spikes` counts the spikes in which the class had time, `dominant`
//! those whose cause it was, and `total_ns` is the sum of its time; so a
//! class is dominant in no more spikes than it has time in, and has time
//! exactly when it is in a spike.

use std::collections::BTreeMap;

use crate::cause::{Cause, CAUSES};
use crate::error::ParseError;
use crate::line::{end_line, record_lines};

/// The name of the causes file inside the module's debugfs directory.
pub const CAUSES_FILE: &str = "causes";

/// The totals of one class on one CPU (a line of `causes`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct CauseTotals {
    /// Spikes in which the class had time.
    pub spikes: u64,
    /// Spikes whose cause (largest part) was of this class.
    pub dominant: u64,
    /// The class's time over all spikes, in nanoseconds.
    pub total_ns: u64,
}

/// The ten class totals of one CPU.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct CpuCauses {
    /// The CPU.
    pub cpu: u32,
    classes: [CauseTotals; CAUSES],
}

impl CpuCauses {
    /// A CPU's totals, in [`Cause::ALL`] order.
    pub fn new(cpu: u32, classes: [CauseTotals; CAUSES]) -> Self {
        CpuCauses { cpu, classes }
    }

    /// The totals of `cause`.
    pub fn get(&self, cause: Cause) -> &CauseTotals {
        &self.classes[cause.index()]
    }

    /// Every class with its totals, in [`Cause::ALL`] order.
    pub fn iter(&self) -> impl Iterator<Item = (Cause, &CauseTotals)> {
        Cause::ALL.into_iter().map(|c| (c, self.get(c)))
    }

    /// The time of every class, which is the thread latency of all the
    /// CPU's spikes (cannot overflow).
    pub fn total_ns(&self) -> u128 {
        self.classes.iter().map(|t| u128::from(t.total_ns)).sum()
    }
}

/// Parses the whole contents of the `causes` file, CPUs in file order.
///
/// # Errors
///
/// [`ParseError::Malformed`] naming the line of the first problem: a bad
/// field, a class out of its place, a CPU that comes again or whose ten
/// lines are cut short, a `dominant` above `spikes`, or time without spikes
/// (or spikes without time).
///
/// ```
/// use preemptstat_core::{parse_causes, Cause};
///
/// let text: String = ["nmi 0 0 0", "irq 3 1 4500000", "timer 3 0 90000", "softirq 0 0 0",
///     "irqsoff 1 1 5000000", "preemptoff 0 0 0", "task 0 0 0", "idle 1 1 3000000",
///     "switch 3 0 120000", "unaccounted 2 0 300000"]
///     .iter()
///     .map(|l| format!("0 {l}\n"))
///     .collect();
/// let cpus = parse_causes(&text).unwrap();
/// assert_eq!(cpus[0].get(Cause::Irq).total_ns, 4_500_000);
/// assert_eq!(cpus[0].get(Cause::Irqsoff).dominant, 1);
/// ```
pub fn parse_causes(text: &str) -> Result<Vec<CpuCauses>, ParseError> {
    let mut cpus: Vec<CpuCauses> = Vec::new();
    let mut first_line: BTreeMap<u32, usize> = BTreeMap::new();
    // The CPU being read and how many of its classes came.
    let mut open: Option<(u32, usize)> = None;
    for line in record_lines(text)? {
        let mut f = line.fields();
        let cpu: u32 = f.number("cpu")?;
        let cause: Cause = f.parse("cause")?;
        let spikes: u64 = f.number("spikes")?;
        let dominant: u64 = f.number("dominant")?;
        let total_ns: u64 = f.number("total_ns")?;
        f.finish()?;
        let next = match open {
            Some((c, n)) if c == cpu && n < CAUSES => n,
            Some((c, n)) if n < CAUSES => {
                return Err(line.error(format!(
                    "CPU {cpu} after {n} of the ten classes of CPU {c} (expected {})",
                    Cause::ALL[n]
                )))
            }
            _ => {
                if let Some(first) = first_line.insert(cpu, line.number) {
                    return Err(
                        line.error(format!("CPU {cpu} appears again (first on line {first})"))
                    );
                }
                cpus.push(CpuCauses::new(cpu, [CauseTotals::default(); CAUSES]));
                0
            }
        };
        if cause != Cause::ALL[next] {
            return Err(line.error(format!(
                "field `cause`: expected {} (the classes of a CPU come in the order nmi irq \
                 timer softirq irqsoff preemptoff task idle switch unaccounted), found {cause}",
                Cause::ALL[next]
            )));
        }
        if dominant > spikes {
            return Err(line.error(format!(
                "field `dominant`: {dominant} is more than the {spikes} spikes {cause} has time in"
            )));
        }
        if (spikes == 0) != (total_ns == 0) {
            return Err(line.error(format!(
                "{cause} has {spikes} spikes and {total_ns} ns: time comes with spikes"
            )));
        }
        if let Some(last) = cpus.last_mut() {
            last.classes[next] = CauseTotals {
                spikes,
                dominant,
                total_ns,
            };
        }
        open = Some((cpu, next + 1));
    }
    if let Some((cpu, n)) = open.filter(|&(_, n)| n < CAUSES) {
        return Err(ParseError::malformed(
            end_line(text),
            format!(
                "the file ends after {n} of the ten classes of CPU {cpu} (expected {})",
                Cause::ALL[n]
            ),
        ));
    }
    Ok(cpus)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The ten lines of `cpu`, with class `i` having `i` spikes, 1 of them
    /// dominant (0 for nmi) and `i * 1000` ns.
    fn cpu_lines(cpu: u32) -> String {
        Cause::ALL
            .iter()
            .enumerate()
            .map(|(i, c)| format!("{cpu} {c} {i} {} {}\n", u64::from(i > 0), i * 1000))
            .collect()
    }

    #[track_caller]
    fn assert_malformed(text: &str, line: usize, needle: &str) {
        match parse_causes(text) {
            Err(ParseError::Malformed { line: l, reason }) => {
                assert_eq!(l, line, "{reason}");
                assert!(reason.contains(needle), "{reason}");
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn ten_lines_per_cpu() {
        let text = format!(
            "# cpu cause spikes dominant total_ns\n{}{}",
            cpu_lines(1),
            cpu_lines(0)
        );
        let cpus = parse_causes(&text).unwrap();
        assert_eq!(cpus.iter().map(|c| c.cpu).collect::<Vec<_>>(), [1, 0]);
        assert_eq!(
            *cpus[0].get(Cause::Switch),
            CauseTotals {
                spikes: 8,
                dominant: 1,
                total_ns: 8000
            }
        );
        assert_eq!(*cpus[1].get(Cause::Nmi), CauseTotals::default());
        assert_eq!(cpus[1].total_ns(), 45_000);
        assert_eq!(cpus[1].iter().count(), 10);
        assert_eq!(parse_causes(""), Ok(vec![]));
    }

    #[test]
    fn malformed() {
        let good = cpu_lines(0);
        let lines: Vec<&str> = good.lines().collect();
        let with = |i: usize, l: &str| -> String {
            lines
                .iter()
                .enumerate()
                .map(|(j, x)| format!("{}\n", if i == j { l } else { x }))
                .collect()
        };
        for (i, line, needle) in [
            (
                2,
                "0 softirq 2 1 2000",
                "field `cause`: expected timer (the classes of a CPU",
            ),
            (0, "0 irq 0 0 0", "expected nmi"),
            (
                3,
                "0 hardirq 3 1 3000",
                "field `cause`: unknown cause class \"hardirq\"",
            ),
            (
                3,
                "0 softirq 3 4 3000",
                "field `dominant`: 4 is more than the 3 spikes softirq",
            ),
            (3, "0 softirq 0 0 3000", "softirq has 0 spikes and 3000 ns"),
            (3, "0 softirq 3 0 0", "softirq has 3 spikes and 0 ns"),
            (3, "0 softirq 3 1", "missing field `total_ns`"),
            (3, "0 softirq 3 1 3000 0", "unexpected extra field"),
            (
                3,
                "0 softirq 3 1 -3",
                "field `total_ns`: expected an unsigned",
            ),
            (
                3,
                "1 softirq 3 1 3000",
                "CPU 1 after 3 of the ten classes of CPU 0 (expected softirq)",
            ),
        ] {
            assert_malformed(&with(i, line), i + 1, needle);
        }
        assert_malformed(
            &format!("{good}{good}"),
            11,
            "CPU 0 appears again (first on line 1)",
        );
        let cut: String = lines[..4].iter().map(|l| format!("{l}\n")).collect();
        assert_malformed(
            &cut,
            5,
            "the file ends after 4 of the ten classes of CPU 0 (expected irqsoff)",
        );
        assert_malformed(&good[..good.len() - 1], 10, "truncated");
    }
}
