// SPDX-License-Identifier: GPL-2.0
//! The `summary` file: the module's counters, one `key value` line each.
//!
//! ```text
//! version 2
//! enabled 0
//! threshold_us 500
//! cpus 2
//! ...
//! seen_preempt 4592
//! ...
//! log_overwritten 0
//! wakeup_enabled 0
//! ...
//! spikes_merged 0
//! breakdown_dropped 0
//! ```
//!
//! Every value is an unsigned decimal integer. Format 2 always has the keys
//! in [`summary_keys`]; a module may add more, which are kept.

use std::collections::BTreeMap;

use crate::error::ParseError;
use crate::kind::Kind;
use crate::line::{end_line, excerpt, record_lines};

/// The name of the summary file inside the module's debugfs directory.
pub const SUMMARY_FILE: &str = "summary";

/// The keys that are not per kind, in the order the module writes them
/// before the per-kind keys.
pub const SUMMARY_GLOBAL_KEYS: [&str; 10] = [
    "version",
    "enabled",
    "threshold_us",
    "cpus",
    "site_slots_per_cpu",
    "site_slots_used",
    "sites",
    "worst_per_cpu",
    "log_per_cpu",
    "memory_bytes",
];

/// The per-kind counters: the module writes `<prefix>_<kind>` for each
/// [`Kind`].
pub const SUMMARY_KIND_PREFIXES: [&str; 9] = [
    "seen",
    "recorded",
    "dropped",
    "unpaired_end",
    "restarted",
    "discarded_idle",
    "discarded_hotplug",
    "discarded_epoch",
    "max_ns",
];

/// The keys the module writes after the per-kind keys.
pub const SUMMARY_TRAILING_KEYS: [&str; 5] = [
    "gated_events",
    "nmi_events",
    "recursion",
    "log_written",
    "log_overwritten",
];

/// The keys of the wakeup probe, which the module writes last.
pub const SUMMARY_WAKEUP_KEYS: [&str; 8] = [
    "wakeup_enabled",
    "period_us",
    "wakeup_threshold_us",
    "wakeup_prio",
    "spikes",
    "spikes_overwritten",
    "spikes_merged",
    "breakdown_dropped",
];

/// Every key a format 2 `summary` must have, in the module's order:
/// [`SUMMARY_GLOBAL_KEYS`], then `<prefix>_<kind>` for every prefix of
/// [`SUMMARY_KIND_PREFIXES`] and every [`Kind`], then
/// [`SUMMARY_TRAILING_KEYS`], then [`SUMMARY_WAKEUP_KEYS`].
pub fn summary_keys() -> Vec<String> {
    let mut keys: Vec<String> = SUMMARY_GLOBAL_KEYS.iter().map(|k| k.to_string()).collect();
    for prefix in SUMMARY_KIND_PREFIXES {
        for kind in Kind::ALL {
            keys.push(format!("{prefix}_{kind}"));
        }
    }
    keys.extend(SUMMARY_TRAILING_KEYS.iter().map(|k| k.to_string()));
    keys.extend(SUMMARY_WAKEUP_KEYS.iter().map(|k| k.to_string()));
    keys
}

/// The contents of the `summary` file.
///
/// Every key of [`summary_keys`] is present (the parser checks), so the
/// typed accessors need no `Option`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Summary {
    values: BTreeMap<String, u64>,
}

impl Summary {
    /// Every key and value, known or not, sorted by key.
    pub fn values(&self) -> &BTreeMap<String, u64> {
        &self.values
    }

    /// The value of `key`, if the file had it.
    pub fn get(&self, key: &str) -> Option<u64> {
        self.values.get(key).copied()
    }

    /// The value of a key the parser made sure of.
    fn known(&self, key: &str) -> u64 {
        self.get(key).unwrap_or(0)
    }

    /// The value of the per-kind key `<prefix>_<kind>`.
    fn per_kind(&self, prefix: &str, kind: Kind) -> u64 {
        self.known(&format!("{prefix}_{kind}"))
    }

    /// `version`: the debugfs format version.
    pub fn version(&self) -> u64 {
        self.known("version")
    }

    /// `enabled`: whether the module is recording.
    pub fn enabled(&self) -> bool {
        self.known("enabled") != 0
    }

    /// `threshold_us`: sections at least this long go to the log (0: none).
    pub fn threshold_us(&self) -> u64 {
        self.known("threshold_us")
    }

    /// `cpus`: the number of possible CPUs.
    pub fn cpus(&self) -> u64 {
        self.known("cpus")
    }

    /// `site_slots_per_cpu`: the size of each CPU's site table.
    pub fn site_slots_per_cpu(&self) -> u64 {
        self.known("site_slots_per_cpu")
    }

    /// `site_slots_used`: site table slots in use over all CPUs.
    pub fn site_slots_used(&self) -> u64 {
        self.known("site_slots_used")
    }

    /// `sites`: the number of distinct sites (lines of `sites`).
    pub fn sites(&self) -> u64 {
        self.known("sites")
    }

    /// `worst_per_cpu`: how many worst sections each CPU keeps.
    pub fn worst_per_cpu(&self) -> u64 {
        self.known("worst_per_cpu")
    }

    /// `log_per_cpu`: the size of each CPU's log ring.
    pub fn log_per_cpu(&self) -> u64 {
        self.known("log_per_cpu")
    }

    /// `memory_bytes`: the memory the module uses for its tables.
    pub fn memory_bytes(&self) -> u64 {
        self.known("memory_bytes")
    }

    /// `seen_<kind>`: sections that ended.
    pub fn seen(&self, kind: Kind) -> u64 {
        self.per_kind("seen", kind)
    }

    /// `recorded_<kind>`: sections counted in a site.
    pub fn recorded(&self, kind: Kind) -> u64 {
        self.per_kind("recorded", kind)
    }

    /// `dropped_<kind>`: sections lost because a site table was full.
    pub fn dropped(&self, kind: Kind) -> u64 {
        self.per_kind("dropped", kind)
    }

    /// `unpaired_end_<kind>`: ends without a start.
    pub fn unpaired_end(&self, kind: Kind) -> u64 {
        self.per_kind("unpaired_end", kind)
    }

    /// `restarted_<kind>`: starts while a section was already open.
    pub fn restarted(&self, kind: Kind) -> u64 {
        self.per_kind("restarted", kind)
    }

    /// `discarded_idle_<kind>`: sections discarded because the CPU idled.
    pub fn discarded_idle(&self, kind: Kind) -> u64 {
        self.per_kind("discarded_idle", kind)
    }

    /// `discarded_hotplug_<kind>`: sections discarded by CPU hotplug.
    pub fn discarded_hotplug(&self, kind: Kind) -> u64 {
        self.per_kind("discarded_hotplug", kind)
    }

    /// `discarded_epoch_<kind>`: sections discarded by a reset or
    /// enable/disable while they were open.
    pub fn discarded_epoch(&self, kind: Kind) -> u64 {
        self.per_kind("discarded_epoch", kind)
    }

    /// `max_ns_<kind>`: the longest section of any site.
    pub fn max_ns(&self, kind: Kind) -> u64 {
        self.per_kind("max_ns", kind)
    }

    /// `gated_events`: events ignored while recording was off.
    pub fn gated_events(&self) -> u64 {
        self.known("gated_events")
    }

    /// `nmi_events`: events seen in NMI context.
    pub fn nmi_events(&self) -> u64 {
        self.known("nmi_events")
    }

    /// `recursion`: events ignored because the probe re-entered itself.
    pub fn recursion(&self) -> u64 {
        self.known("recursion")
    }

    /// `log_written`: sections written to the log.
    pub fn log_written(&self) -> u64 {
        self.known("log_written")
    }

    /// `log_overwritten`: log entries overwritten before being read.
    pub fn log_overwritten(&self) -> u64 {
        self.known("log_overwritten")
    }

    /// `wakeup_enabled`: whether the wakeup probe is running.
    pub fn wakeup_enabled(&self) -> bool {
        self.known("wakeup_enabled") != 0
    }

    /// `period_us`: the wakeup probe's timer period, in microseconds.
    pub fn period_us(&self) -> u64 {
        self.known("period_us")
    }

    /// `wakeup_threshold_us`: wakeups with a thread latency at least this
    /// long are spikes (0: no spikes).
    pub fn wakeup_threshold_us(&self) -> u64 {
        self.known("wakeup_threshold_us")
    }

    /// `wakeup_prio`: the `SCHED_FIFO` priority of the probe's threads.
    pub fn wakeup_prio(&self) -> u64 {
        self.known("wakeup_prio")
    }

    /// `spikes`: spikes recorded over all CPUs.
    pub fn spikes(&self) -> u64 {
        self.known("spikes")
    }

    /// `spikes_overwritten`: spikes overwritten in a full per-CPU ring.
    pub fn spikes_overwritten(&self) -> u64 {
        self.known("spikes_overwritten")
    }

    /// `spikes_merged`: late wakeups not reported again because an earlier
    /// spike already blamed the same section.
    pub fn spikes_merged(&self) -> u64 {
        self.known("spikes_merged")
    }

    /// `breakdown_dropped`: events not kept for a spike's breakdown because
    /// the event list of its window was full (their time went to a lower
    /// class).
    pub fn breakdown_dropped(&self) -> u64 {
        self.known("breakdown_dropped")
    }
}

/// Parses the whole contents of the `summary` file.
///
/// Each record is `key value`: a key of ASCII letters, digits and `_`, and
/// an unsigned decimal `u64`. Keys may come in any order but only once;
/// every key of [`summary_keys`] must be there; `enabled` and
/// `wakeup_enabled` must be 0 or 1.
///
/// # Errors
///
/// [`ParseError::Malformed`] naming the line of the first problem, or the
/// line after the last one when a key is missing.
pub fn parse_summary(text: &str) -> Result<Summary, ParseError> {
    let mut values = BTreeMap::new();
    let mut lines_of: BTreeMap<&str, usize> = BTreeMap::new();
    for line in record_lines(text)? {
        let mut f = line.fields();
        let key = f.next("key")?;
        if !key.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
            return Err(line.error(format!(
                "field `key`: invalid key {} (letters, digits and _ only)",
                excerpt(key)
            )));
        }
        let value: u64 = f.number("value")?;
        f.finish()?;
        if (key == "enabled" || key == "wakeup_enabled") && value > 1 {
            return Err(line.error(format!("{key} must be 0 or 1, not {value}")));
        }
        if let Some(first) = lines_of.insert(key, line.number) {
            // Keys are ASCII (checked above), but not short: quote 40 at most.
            let shown = match key.get(..40) {
                Some(head) if head.len() < key.len() => format!("{head}..."),
                _ => key.to_string(),
            };
            return Err(line.error(format!(
                "key `{shown}` appears twice (first on line {first})"
            )));
        }
        values.insert(key.to_string(), value);
    }
    if let Some(missing) = summary_keys().into_iter().find(|k| !values.contains_key(k)) {
        return Err(ParseError::malformed(
            end_line(text),
            format!("the file ends without key `{missing}`"),
        ));
    }
    Ok(Summary { values })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A complete summary where every value is its key's index.
    fn complete() -> String {
        summary_keys()
            .iter()
            .enumerate()
            .map(|(i, k)| {
                let value = if k.ends_with("enabled") { 1 } else { i };
                format!("{k} {value}\n")
            })
            .collect()
    }

    #[test]
    fn has_every_key() {
        assert_eq!(summary_keys().len(), 10 + 27 + 5 + 8);
        let s = parse_summary(&complete()).unwrap();
        assert_eq!(s.values().len(), summary_keys().len());
        assert!(s.enabled());
        assert_eq!(s.threshold_us(), 2);
        assert_eq!(s.memory_bytes(), 9);
        assert_eq!(s.seen(Kind::Preempt), 10);
        assert_eq!(s.seen(Kind::Any), 12);
        assert_eq!(s.max_ns(Kind::Irq), 35);
        assert_eq!(s.log_overwritten(), 41);
        assert!(s.wakeup_enabled());
        assert_eq!(s.period_us(), 43);
        assert_eq!(s.wakeup_threshold_us(), 44);
        assert_eq!(s.wakeup_prio(), 45);
        assert_eq!(s.spikes(), 46);
        assert_eq!(s.spikes_overwritten(), 47);
        assert_eq!(s.spikes_merged(), 48);
        assert_eq!(s.breakdown_dropped(), 49);
    }

    #[test]
    fn unknown_keys_are_kept() {
        let s = parse_summary(&(complete() + "new_counter 18446744073709551615\n")).unwrap();
        assert_eq!(s.get("new_counter"), Some(u64::MAX));
        assert_eq!(s.get("nope"), None);
    }

    #[test]
    fn missing_key_points_past_the_end() {
        let text: String = complete()
            .lines()
            .take(20)
            .map(|l| l.to_string() + "\n")
            .collect();
        assert_eq!(
            parse_summary(&text).unwrap_err(),
            ParseError::malformed(21, "the file ends without key `unpaired_end_irq`")
        );
        assert!(parse_summary("").is_err());
    }

    #[test]
    fn wakeup_keys_are_required() {
        // A summary written before the wakeup probe existed.
        let text: String = complete()
            .lines()
            .take(42)
            .map(|l| l.to_string() + "\n")
            .collect();
        assert_eq!(
            parse_summary(&text).unwrap_err(),
            ParseError::malformed(43, "the file ends without key `wakeup_enabled`")
        );
        let text: String = complete()
            .lines()
            .filter(|l| !l.starts_with("spikes_merged "))
            .map(|l| l.to_string() + "\n")
            .collect();
        assert_eq!(
            parse_summary(&text).unwrap_err(),
            ParseError::malformed(50, "the file ends without key `spikes_merged`")
        );
        // A format 1 summary: everything but the breakdown's key.
        let text: String = complete()
            .lines()
            .filter(|l| !l.starts_with("breakdown_dropped "))
            .map(|l| l.to_string() + "\n")
            .collect();
        assert_eq!(
            parse_summary(&text).unwrap_err(),
            ParseError::malformed(50, "the file ends without key `breakdown_dropped`")
        );
    }

    #[test]
    fn malformed_lines() {
        for (line, needle) in [
            ("cpus\n", "missing field `value`"),
            (
                "cpus x\n",
                "field `value`: expected an unsigned decimal integer",
            ),
            ("cpus -1\n", "expected an unsigned"),
            ("cpus 1 2\n", "unexpected extra field"),
            ("cpus  1\n", "field `value` is empty"),
            (" cpus 1\n", "field `key` is empty"),
            ("cp-us 1\n", "invalid key"),
            ("enabled 2\n", "enabled must be 0 or 1"),
            ("wakeup_enabled 2\n", "wakeup_enabled must be 0 or 1, not 2"),
            ("cpus 99999999999999999999\n", "out of range"),
        ] {
            let err = parse_summary(&format!("# comment\n{line}")).unwrap_err();
            match err {
                ParseError::Malformed { line: 2, reason } => {
                    assert!(reason.contains(needle), "{line:?}: {reason}")
                }
                other => panic!("{line:?}: {other:?}"),
            }
        }
    }

    #[test]
    fn duplicate_key() {
        let err = parse_summary(&(complete() + "cpus 3\n")).unwrap_err();
        assert_eq!(
            err,
            ParseError::malformed(51, "key `cpus` appears twice (first on line 4)")
        );
        // An unknown key is kept, but a long one is not quoted in full.
        let long = "k".repeat(1 << 20);
        let err = parse_summary(&format!("{long} 1\n{long} 2\n")).unwrap_err();
        assert_eq!(
            err,
            ParseError::malformed(
                2,
                format!("key `{}...` appears twice (first on line 1)", &long[..40])
            )
        );
    }
}
