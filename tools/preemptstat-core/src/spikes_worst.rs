// SPDX-License-Identifier: GPL-2.0
//! The `spikes_worst` file: the worst spikes by thread latency, worst first, all CPUs merged.
//!
//! It has the header and the columns of `spikes` (see
//! [`crate::spikes`]). Each CPU keeps its [`SPIKES_WORST_PER_CPU`] worst
//! spikes, so a spike may stay here after the newest-ring `spikes` dropped
//! it. The list is ordered by `thread_latency_ns`, largest first (equal
//! latencies: the older first).

use std::collections::BTreeMap;

use crate::error::ParseError;
use crate::spikes::{spike_lines, Spike};

/// The name of the worst-spikes file inside the module's debugfs directory.
pub const SPIKES_WORST_FILE: &str = "spikes_worst";

/// How many worst spikes each CPU keeps.
pub const SPIKES_WORST_PER_CPU: usize = 16;

/// Parses the whole contents of the `spikes_worst` file, in file order
/// (worst first).
///
/// # Errors
///
/// As [`crate::parse_spikes`] for each line, plus [`ParseError::Malformed`]
/// for a spike with a larger thread latency than the one before it, or a
/// CPU with more than [`SPIKES_WORST_PER_CPU`] spikes.
///
/// ```
/// use preemptstat_core::parse_spikes_worst;
///
/// let worst = parse_spikes_worst(
///     "0 990 10 4000 0 - - - - - - - - - idle 3990 0 0 0 0 0 0 0 3990 0 10\n\
///      1 900 100 3000 7 a - - - - - - - - task 2000 0 0 0 0 0 0 2000 0 900 100\n",
/// )
/// .unwrap();
/// assert_eq!(worst[0].thread_latency_ns, 4000);
/// assert!(parse_spikes_worst(
///     "1 900 100 3000 7 a - - - - - - - - task 2000 0 0 0 0 0 0 2000 0 900 100\n\
///      0 990 10 4000 0 - - - - - - - - - idle 3990 0 0 0 0 0 0 0 3990 0 10\n",
/// )
/// .is_err());
/// ```
pub fn parse_spikes_worst(text: &str) -> Result<Vec<Spike>, ParseError> {
    let lines = spike_lines(text)?;
    let mut per_cpu: BTreeMap<u32, usize> = BTreeMap::new();
    let mut before: Option<(usize, u64)> = None;
    for (line, spike) in &lines {
        if let Some((prev_line, prev_ns)) = before {
            if spike.thread_latency_ns > prev_ns {
                return Err(ParseError::malformed(
                    *line,
                    format!(
                        "thread_latency_ns {} is more than the {prev_ns} of the spike before \
                         it (line {prev_line}): the list is worst first",
                        spike.thread_latency_ns
                    ),
                ));
            }
        }
        before = Some((*line, spike.thread_latency_ns));
        let n = per_cpu.entry(spike.cpu).or_default();
        *n += 1;
        if *n > SPIKES_WORST_PER_CPU {
            return Err(ParseError::malformed(
                *line,
                format!(
                    "spike {n} of CPU {}: each CPU keeps at most {SPIKES_WORST_PER_CPU}",
                    spike.cpu
                ),
            ));
        }
    }
    Ok(lines.into_iter().map(|(_, s)| s).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A spike line of CPU `cpu` at `expiry` with thread latency `ns`.
    fn line(cpu: u32, expiry: u64, ns: u64) -> String {
        format!("{cpu} {expiry} 1 {ns} 0 - - - - - - - - - switch {ns} 0 0 0 0 0 0 0 0 {ns} 0\n")
    }

    #[test]
    fn worst_first_all_cpus() {
        let text = format!(
            "# header\n{}{}{}",
            line(1, 10, 9000),
            line(0, 20, 9000),
            line(1, 5, 3000)
        );
        let w = parse_spikes_worst(&text).unwrap();
        assert_eq!(
            w.iter()
                .map(|s| (s.cpu, s.expiry_ns, s.thread_latency_ns))
                .collect::<Vec<_>>(),
            [(1, 10, 9000), (0, 20, 9000), (1, 5, 3000)]
        );
        assert_eq!(parse_spikes_worst(""), Ok(vec![]));
    }

    #[test]
    fn out_of_order_is_malformed() {
        let text = format!(
            "{}{}{}",
            line(1, 10, 9000),
            line(0, 20, 3000),
            line(0, 30, 3001)
        );
        assert_eq!(
            parse_spikes_worst(&text),
            Err(ParseError::malformed(
                3,
                "thread_latency_ns 3001 is more than the 3000 of the spike before it (line 2): \
                 the list is worst first"
            ))
        );
    }

    #[test]
    fn at_most_16_per_cpu() {
        let sixteen: String = (0..16).map(|i| line(1, 100 + i, 9000 - i)).collect();
        assert_eq!(parse_spikes_worst(&sixteen).unwrap().len(), 16);
        // Another CPU has its own 16.
        let more = format!("{sixteen}{}", line(0, 1, 10));
        assert_eq!(parse_spikes_worst(&more).unwrap().len(), 17);
        let too_many = format!("{sixteen}{}", line(1, 1, 10));
        assert_eq!(
            parse_spikes_worst(&too_many),
            Err(ParseError::malformed(
                17,
                "spike 17 of CPU 1: each CPU keeps at most 16"
            ))
        );
    }

    #[test]
    fn lines_are_checked_as_in_spikes() {
        let text = format!("{}{}", line(1, 10, 9000), line(1, 10, 9000));
        assert_eq!(
            parse_spikes_worst(&text),
            Err(ParseError::malformed(
                2,
                "the spike of CPU 1 at 10 ns appears twice (first on line 1)"
            ))
        );
        let bad_sum = line(1, 10, 9000).replace(" 9000 0\n", " 9000 1\n");
        assert!(matches!(
            parse_spikes_worst(&bad_sum),
            Err(ParseError::Malformed { line: 1, reason }) if reason.contains("add up to 9001 ns")
        ));
    }
}
