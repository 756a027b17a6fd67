// SPDX-License-Identifier: GPL-2.0

//! What every copy of a report file must satisfy on its own, while the tracer runs: it parses
//! strictly (the reader's parsers: every line whole, every field in range), and each record is
//! consistent in itself. A line torn between two reads, or a record read half before and half
//! after a reset, breaks one of these.
//!
//! Two files are not a snapshot of the same instant, so nothing here compares files.

use preemptstat_core::{
    parse_causes, parse_enable, parse_hist, parse_log, parse_period_us, parse_sites,
    parse_spike_parts, parse_spikes, parse_spikes_worst, parse_summary, parse_threshold_us,
    parse_version, parse_wakeup, parse_wakeup_hist, parse_wakeup_threshold_us, parse_worst,
    SUPPORTED_FORMAT_VERSION,
};

/// Checks one copy of the file `name`; returns how many records it holds.
pub fn check_file(name: &str, text: &str) -> Result<usize, String> {
    let e = |err: preemptstat_core::ParseError| format!("{name}: {err}");
    match name {
        "version" => {
            let v = parse_version(text).map_err(e)?;
            if v.get() != SUPPORTED_FORMAT_VERSION {
                return Err(format!("version: format {}", v.get()));
            }
            Ok(1)
        }
        "summary" => parse_summary(text).map(|_| 1).map_err(e),
        "sites" => {
            let sites = parse_sites(text).map_err(e)?;
            for (i, s) in sites.iter().enumerate() {
                let (n, tot) = (u128::from(s.count), u128::from(s.total_ns));
                let ok = s.count >= 1
                    && s.min_ns <= s.max_ns
                    && s.max_ns <= s.total_ns
                    && n * u128::from(s.min_ns) <= tot
                    && tot <= n * u128::from(s.max_ns)
                    && s.hist.total() == s.count
                    && (s.spikes == 0) == (s.spike_max_ns == 0);
                if !ok {
                    return Err(format!("sites: record {} is inconsistent: {s:?}", i + 1));
                }
            }
            Ok(sites.len())
        }
        "worst" => {
            let worst = parse_worst(text).map_err(e)?;
            for (i, pair) in worst.windows(2).enumerate() {
                if pair[1].rank != pair[0].rank + 1
                    || pair[1].section.duration_ns > pair[0].section.duration_ns
                {
                    return Err(format!(
                        "worst: entries {} and {} out of order",
                        i + 1,
                        i + 2
                    ));
                }
            }
            if worst.first().is_some_and(|w| w.rank != 1) {
                return Err("worst: the first entry is not rank 1".into());
            }
            Ok(worst.len())
        }
        "log" => parse_log(text).map(|l| l.len()).map_err(e),
        "hist" => parse_hist(text).map(|_| 1).map_err(e),
        "wakeup" => {
            let cpus = parse_wakeup(text).map_err(e)?;
            for c in &cpus {
                for l in [&c.irq, &c.thread] {
                    let ok = if l.count == 0 {
                        l.min_ns == 0 && l.avg_ns == 0 && l.max_ns == 0
                    } else {
                        l.min_ns <= l.avg_ns && l.avg_ns <= l.max_ns
                    };
                    if !ok {
                        return Err(format!("wakeup: CPU {} is inconsistent: {c:?}", c.cpu));
                    }
                }
            }
            Ok(cpus.len())
        }
        "wakeup_hist" => parse_wakeup_hist(text).map(|_| 1).map_err(e),
        // Each line's ten class times add up to its thread latency (the parser checks).
        "spikes" => parse_spikes(text).map(|s| s.len()).map_err(e),
        // Worst first, at most 16 per CPU (the parser checks).
        "spikes_worst" => parse_spikes_worst(text).map(|s| s.len()).map_err(e),
        // On its own: whether it matches spikes and spikes_worst is a question of two files.
        "spike_parts" => parse_spike_parts(text).map(|p| p.len()).map_err(e),
        "causes" => parse_causes(text).map(|c| c.len()).map_err(e),
        "enable" | "wakeup_enable" => parse_enable(text).map(|_| 1).map_err(e),
        "threshold_us" => parse_threshold_us(text).map(|_| 1).map_err(e),
        "period_us" => parse_period_us(text).map(|_| 1).map_err(e),
        "wakeup_threshold_us" => parse_wakeup_threshold_us(text).map(|_| 1).map_err(e),
        _ => Err(format!("{name}: not a file of debugfs format 2")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use preemptstat_core::SNAPSHOT_FILES;
    use std::path::PathBuf;

    fn live(name: &str) -> String {
        let p = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("../preemptstat/tests/fixtures/v2-live")
            .join(name);
        std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
    }

    #[test]
    fn a_real_capture_is_consistent() {
        for name in SNAPSHOT_FILES {
            assert!(check_file(name, &live(name)).is_ok(), "{name}");
        }
        assert!(check_file("sites", &live("sites")).unwrap_or(0) > 10);
    }

    #[test]
    fn a_torn_sites_record_is_caught() {
        let text = live("sites");
        let line = text
            .lines()
            .find(|l| !l.starts_with('#'))
            .unwrap_or_default();
        let f: Vec<&str> = line.split(' ').collect();
        // The count of one read with the total of another: the total is now below count * min.
        let torn = format!("{} {} 1 {}", f[0], f[1], f[3..].join(" "));
        let header: String = text
            .lines()
            .filter(|l| l.starts_with('#'))
            .map(|l| format!("{l}\n"))
            .collect();
        assert!(check_file("sites", &format!("{header}{torn}\n")).is_err());
        // A line cut short.
        assert!(check_file("sites", &text[..text.len() - 3]).is_err());
    }

    #[test]
    fn worst_out_of_order_is_caught() {
        let text = live("worst");
        let swapped = text.replacen("section 1 ", "section 9 ", 1);
        assert!(check_file("worst", &swapped).is_err());
    }
}
