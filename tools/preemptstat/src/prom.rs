// SPDX-License-Identifier: GPL-2.0
//! `export --format prometheus`: the snapshot in the Prometheus text exposition format, for node_exporter's textfile collector.
//!
//! Every metric has the `preemptstat_` prefix, counters end in `_total`
//! and durations are in seconds:
//!
//! | metric                                   | type      | labels                     |
//! |------------------------------------------|-----------|----------------------------|
//! | `preemptstat_up`                         | gauge     | (none)                     |
//! | `preemptstat_sections_seen_total`        | counter   | `kind`                     |
//! | `preemptstat_sections_dropped_total`     | counter   | `kind`                     |
//! | `preemptstat_section_max_seconds`        | gauge     | `kind`                     |
//! | `preemptstat_section_duration_seconds`   | histogram | `kind` (+ `le`)            |
//! | `preemptstat_wakeups_total`              | counter   | `cpu`, `latency`           |
//! | `preemptstat_wakeup_latency_max_seconds` | gauge     | `cpu`, `latency`           |
//! | `preemptstat_wakeup_latency_avg_seconds` | gauge     | `cpu`, `latency`           |
//! | `preemptstat_wakeup_latency_seconds`     | histogram | `latency` (+ `le`)         |
//! | `preemptstat_wakeup_missed_total`        | counter   | `cpu`                      |
//! | `preemptstat_wakeup_spikes_total`        | counter   | `cpu`                      |
//! | `preemptstat_wakeup_cause_seconds_total` | counter   | `cpu`, `cause`             |
//! | `preemptstat_wakeup_cause_spikes_total`  | counter   | `cpu`, `cause`             |
//! | `preemptstat_wakeup_cause_dominant_total` | counter  | `cpu`, `cause`             |
//! | `preemptstat_wakeup_breakdown_dropped_total` | counter | (none)                   |
//! | `preemptstat_site_max_seconds`           | gauge     | `kind`, `function`, `module` |
//! | `preemptstat_site_sections`              | gauge     | `kind`, `function`, `module` |
//!
//! `preemptstat_up` is 1; [`render_down`] is the exposition when the
//! module's files cannot be read, `preemptstat_up 0` alone. Values are
//! exact decimals of the module's nanoseconds ([`seconds`]).
//!
//! The section histogram is the sum of the site histograms of that kind
//! (the module's log2 buckets), so its buckets, `_sum` (the sites'
//! `total_ns`) and `_count` cover the same sections; the wakeup histogram
//! adds up every CPU's, at the power-of-two bounds of the module's
//! log-linear buckets. A bucket `[lo, hi)` µs has `le` = `hi` µs − 1 ns,
//! the last nanosecond it holds ([`le`]), and the buckets end in `+Inf`.
//! The site gauges cover the top N start
//! functions per kind by max, sites of the same function (demangled,
//! without offset and size) aggregated: the max of their maxima and the
//! sum of their counts; `module` is empty for the kernel image.
//!
//! The cause families have one series per CPU of the `causes` file and
//! cause class (all ten, in class order, zeros included, so that a series
//! never disappears): the class's time in all spikes, the spikes it had
//! time in, and the spikes it was the cause (largest part) of.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use preemptstat_core::{CauseTotals, Kind, Latency, Snapshot};

mod hist;
mod seconds;

pub use seconds::{le, seconds};

/// The default number of functions per kind in the site gauges.
pub const DEFAULT_TOP: usize = 10;

/// Escapes a label value: backslash, double quote and newline.
pub fn escape_label(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            c => out.push(c),
        }
    }
    out
}

/// Collects the lines of one metric family.
struct Family<'a> {
    out: &'a mut String,
}

impl<'a> Family<'a> {
    /// Starts the family `name` with its `# HELP` and `# TYPE` lines.
    fn new(out: &'a mut String, name: &str, kind: &str, help: &str) -> Self {
        let _ = writeln!(out, "# HELP {name} {help}");
        let _ = writeln!(out, "# TYPE {name} {kind}");
        Family { out }
    }

    /// Adds a sample `name{labels} value`.
    fn sample(&mut self, name: &str, labels: &[(&str, &str)], value: impl std::fmt::Display) {
        let _ = write!(self.out, "{name}");
        if !labels.is_empty() {
            let list: Vec<String> = labels
                .iter()
                .map(|(k, v)| format!("{k}=\"{}\"", escape_label(v)))
                .collect();
            let _ = write!(self.out, "{{{}}}", list.join(","));
        }
        let _ = writeln!(self.out, " {value}");
    }
}

/// The aggregated site gauges of one function.
#[derive(Debug, Default, Clone, Copy)]
struct FunctionStats {
    max_ns: u64,
    count: u64,
}

/// The top `top` start functions of `kind` by max, largest first, as
/// `((function, module), stats)`.
fn top_functions(
    snapshot: &Snapshot,
    kind: Kind,
    top: usize,
) -> Vec<((String, String), FunctionStats)> {
    let mut by_function: BTreeMap<(String, String), FunctionStats> = BTreeMap::new();
    for site in snapshot.sites.iter().filter(|s| s.kind == kind) {
        let function = site
            .start
            .demangled_name()
            .map_or_else(|| "?".to_string(), |n| n.into_owned());
        let module = site.start.module().unwrap_or("").to_string();
        let entry = by_function.entry((function, module)).or_default();
        entry.max_ns = entry.max_ns.max(site.max_ns);
        entry.count = entry.count.saturating_add(site.count);
    }
    let mut list: Vec<_> = by_function.into_iter().collect();
    list.sort_by(|a, b| b.1.max_ns.cmp(&a.1.max_ns).then_with(|| a.0.cmp(&b.0)));
    list.truncate(top);
    list
}

/// The `preemptstat_up` family with the value `up`: 1 when the module's
/// files were read, 0 when they could not be.
fn write_up(up: u8) -> String {
    let mut out = String::new();
    let name = "preemptstat_up";
    let mut f = Family::new(
        &mut out,
        name,
        "gauge",
        "Whether the module's debugfs files could be read (1) or not (0: module not loaded, or unreadable).",
    );
    f.sample(name, &[], up);
    out
}

/// The exposition when the module's files cannot be read: only
/// `preemptstat_up 0`, so that no series keeps a value the module no
/// longer has.
pub fn render_down() -> String {
    write_up(0)
}

/// The whole exposition of `snapshot`, with the top `top` functions per
/// kind in the site gauges.
pub fn render(snapshot: &Snapshot, top: usize) -> String {
    let mut out = write_up(1);
    let s = &snapshot.summary;

    let name = "preemptstat_sections_seen_total";
    let mut f = Family::new(&mut out, name, "counter", "Sections seen, per kind.");
    for kind in Kind::ALL {
        f.sample(name, &[("kind", kind.name())], s.seen(kind));
    }
    let name = "preemptstat_sections_dropped_total";
    let mut f = Family::new(
        &mut out,
        name,
        "counter",
        "Sections not recorded because the site table was full, per kind.",
    );
    for kind in Kind::ALL {
        f.sample(name, &[("kind", kind.name())], s.dropped(kind));
    }
    let name = "preemptstat_section_max_seconds";
    let mut f = Family::new(&mut out, name, "gauge", "The longest section, per kind.");
    for kind in Kind::ALL {
        f.sample(name, &[("kind", kind.name())], seconds(s.max_ns(kind)));
    }

    hist::write_sections(&mut out, snapshot);

    type Get = fn(&preemptstat_core::LatencyStats) -> String;
    let per_latency: [(&str, &str, &str, Get); 3] = [
        (
            "preemptstat_wakeups_total",
            "counter",
            "Wakeups of the probe measured, per CPU and latency (irq: timer interrupt, thread: probe thread).",
            |l| l.count.to_string(),
        ),
        (
            "preemptstat_wakeup_latency_max_seconds",
            "gauge",
            "The largest wakeup latency, per CPU and latency.",
            |l| seconds(l.max_ns),
        ),
        (
            "preemptstat_wakeup_latency_avg_seconds",
            "gauge",
            "The mean wakeup latency, per CPU and latency.",
            |l| seconds(l.avg_ns),
        ),
    ];
    for (name, kind, help, get) in per_latency {
        let mut f = Family::new(&mut out, name, kind, help);
        for cpu in &snapshot.wakeup {
            let c = cpu.cpu.to_string();
            for latency in Latency::ALL {
                f.sample(
                    name,
                    &[("cpu", &c), ("latency", latency.name())],
                    get(cpu.latency(latency)),
                );
            }
        }
    }
    let name = "preemptstat_wakeup_missed_total";
    let mut f = Family::new(&mut out, name, "counter", "Probe periods missed, per CPU.");
    for cpu in &snapshot.wakeup {
        f.sample(name, &[("cpu", &cpu.cpu.to_string())], cpu.missed);
    }
    let name = "preemptstat_wakeup_spikes_total";
    let mut f = Family::new(
        &mut out,
        name,
        "counter",
        "Wakeups at least wakeup_threshold_us late, per CPU.",
    );
    for cpu in &snapshot.wakeup {
        f.sample(name, &[("cpu", &cpu.cpu.to_string())], cpu.spikes);
    }

    hist::write_wakeup(&mut out, snapshot);

    type GetCause = fn(&CauseTotals) -> String;
    let per_cause: [(&str, &str, GetCause); 3] = [
        (
            "preemptstat_wakeup_cause_seconds_total",
            "Spike time by cause class, per CPU (every spike of the generation, merged ones included).",
            |t| seconds(t.total_ns),
        ),
        (
            "preemptstat_wakeup_cause_spikes_total",
            "Spikes in which the cause class had time, per CPU.",
            |t| t.spikes.to_string(),
        ),
        (
            "preemptstat_wakeup_cause_dominant_total",
            "Spikes whose largest part was of the cause class, per CPU.",
            |t| t.dominant.to_string(),
        ),
    ];
    for (name, help, get) in per_cause {
        let mut f = Family::new(&mut out, name, "counter", help);
        for cpu in &snapshot.causes {
            let c = cpu.cpu.to_string();
            for (cause, totals) in cpu.iter() {
                f.sample(name, &[("cpu", &c), ("cause", cause.name())], get(totals));
            }
        }
    }
    let name = "preemptstat_wakeup_breakdown_dropped_total";
    let mut f = Family::new(
        &mut out,
        name,
        "counter",
        "Events left out of a spike's breakdown because its window's event list was full (their time went to a lower class).",
    );
    f.sample(name, &[], s.breakdown_dropped());

    let tops: Vec<(Kind, Vec<_>)> = Kind::ALL
        .iter()
        .map(|&kind| (kind, top_functions(snapshot, kind, top)))
        .collect();
    let name = "preemptstat_site_max_seconds";
    let mut f = Family::new(
        &mut out,
        name,
        "gauge",
        "The longest section of the top functions by max, per kind (sites aggregated by start function).",
    );
    for (kind, list) in &tops {
        for ((function, module), stats) in list {
            let labels = [
                ("kind", kind.name()),
                ("function", function),
                ("module", module),
            ];
            f.sample(name, &labels, seconds(stats.max_ns));
        }
    }
    let name = "preemptstat_site_sections";
    let mut f = Family::new(
        &mut out,
        name,
        "gauge",
        "Sections of the top functions by max, per kind (sites aggregated by start function).",
    );
    for (kind, list) in &tops {
        for ((function, module), stats) in list {
            let labels = [
                ("kind", kind.name()),
                ("function", function),
                ("module", module),
            ];
            f.sample(name, &labels, stats.count);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn label_values_are_escaped() {
        assert_eq!(escape_label("a\\b\"c\nd"), "a\\\\b\\\"c\\nd");
        assert_eq!(escape_label("plain::name<T>"), "plain::name<T>");
    }

    #[test]
    fn down_is_only_up_zero() {
        assert_eq!(
            render_down(),
            "# HELP preemptstat_up Whether the module's debugfs files could be read (1) or not (0: module not loaded, or unreadable).\n\
             # TYPE preemptstat_up gauge\n\
             preemptstat_up 0\n"
        );
    }
}
