// SPDX-License-Identifier: GPL-2.0
//! The `--json` output: one stable JSON object per run, the same for every command, restricted to the parts the command shows.
//!
//! The object (one line, followed by a newline) has these members; every
//! command prints `version` and its own parts:
//!
//! | member     | printed by                 | type                                    |
//! |------------|----------------------------|-----------------------------------------|
//! | `version`  | every command              | number: the debugfs format version (1)  |
//! | `summary`  | `report`                   | object: every `summary` key → number    |
//! | `sections` | `report`, `sites`          | array of [`JsonSite`]                   |
//! | `worst`    | `report`, `worst`          | array of [`JsonWorst`]                  |
//! | `log`      | `report`, `log`            | array of [`JsonLogEntry`]               |
//! | `hist`     | `report`, `hist`           | [`JsonHistograms`]                      |
//! | `wakeup`   | `report`, `wakeup`         | [`JsonWakeup`]                          |
//!
//! The `wakeup` member is
//!
//! ```text
//! {"enabled": bool, "period_us": N, "threshold_us": N,
//!  "cpus": [{"cpu": N,
//!            "irq": {"count": N, "min_ns": N, "avg_ns": N, "max_ns": N},
//!            "thread": {"count": N, "min_ns": N, "avg_ns": N, "max_ns": N},
//!            "missed": N, "spikes": N,
//!            "hist": {"irq": [[lo_us, hi_us|null, count], ...], "thread": [...]}}, ...],
//!  "spikes": [{"cpu": N, "expiry_ns": N, "irq_latency_ns": N, "thread_latency_ns": N,
//!              "task": {"comm": "...", "pid": N},
//!              "blame": null | {"kind": "preempt"|"irq", "context": "...",
//!                               "start": "...", "end": "..."|null, "open_ns": N},
//!              "other": null | {"start": "...", "end": "...", "duration_ns": N}}, ...]}
//! ```
//!
//! with the wakeup histograms listing only their non-empty buckets, and the
//! spikes oldest first. `wakeup --cpu N` keeps only CPU N in `cpus` and
//! `spikes`.
//!
//! Symbols (`start`, `end`, `stack`) are strings
//! `function+0xoff/0xsize [module]` with Rust names demangled, or `?`.
//! Task names (`comm`) are the unescaped bytes as UTF-8 (invalid bytes
//! become U+FFFD), `""` for none. Durations and times are integers in
//! nanoseconds, histogram bounds in microseconds. New members may be added
//! in later versions; existing ones keep their meaning.

use std::collections::BTreeMap;

use preemptstat_core::{
    bucket_hi_us, bucket_lo_us, wakeup_bucket_hi_us, wakeup_bucket_lo_us, Blame, CpuWakeup,
    Histogram, Kind, Latency, LatencyStats, OtherSection, SectionRecord, Site, Snapshot, Spike,
    WorstSection, HIST_BUCKETS,
};
use serde::Serialize;

/// The top-level object.
#[derive(Debug, Clone, Serialize)]
pub struct JsonDocument<'a> {
    /// The debugfs format version.
    pub version: u32,
    /// Every key and value of `summary`, sorted by key.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub summary: Option<&'a BTreeMap<String, u64>>,
    /// Sites, in the order the command chose.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sections: Option<Vec<JsonSite>>,
    /// The worst sections, longest first.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub worst: Option<Vec<JsonWorst>>,
    /// The log, oldest first.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub log: Option<Vec<JsonLogEntry>>,
    /// The histograms of all sections.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hist: Option<JsonHistograms>,
    /// The wakeup probe's statistics and spikes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub wakeup: Option<JsonWakeup>,
}

impl<'a> JsonDocument<'a> {
    /// A document with only the version of `snapshot`.
    pub fn new(snapshot: &Snapshot) -> Self {
        JsonDocument {
            version: snapshot.version.get(),
            summary: None,
            sections: None,
            worst: None,
            log: None,
            hist: None,
            wakeup: None,
        }
    }

    /// A document with every part of `snapshot`.
    pub fn full(snapshot: &'a Snapshot) -> Self {
        JsonDocument {
            summary: Some(snapshot.summary.values()),
            sections: Some(snapshot.sites.iter().map(JsonSite::from).collect()),
            worst: Some(snapshot.worst.iter().map(JsonWorst::from).collect()),
            log: Some(snapshot.log.iter().map(JsonLogEntry::from).collect()),
            hist: Some(JsonHistograms::new(snapshot, None)),
            wakeup: Some(JsonWakeup::new(snapshot, None)),
            ..JsonDocument::new(snapshot)
        }
    }
}

/// One site (a line of `sites`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct JsonSite {
    /// `"preempt"`, `"irq"` or `"any"`.
    pub kind: &'static str,
    /// Where the sections started.
    pub start: String,
    /// Where they ended.
    pub end: String,
    /// How many sections there were.
    pub count: u64,
    /// Their total duration.
    pub total_ns: u64,
    /// The shortest.
    pub min_ns: u64,
    /// The longest.
    pub max_ns: u64,
    /// The contexts they ran in, in the order task, bh, softirq, hardirq,
    /// nmi.
    pub contexts: Vec<&'static str>,
    /// The longest section.
    pub max: JsonMax,
    /// The non-empty histogram buckets as `[bucket, count]`, bucket order.
    pub hist: Vec<[u64; 2]>,
    /// The late wakeups of the wakeup probe blamed on the site.
    pub spikes: u64,
    /// The largest thread latency among them (0 without spikes).
    pub spike_max_ns: u64,
}

/// Where and when a site's longest section ran.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct JsonMax {
    /// The CPU.
    pub cpu: u32,
    /// The PID of the current task.
    pub pid: u32,
    /// The name of the current task.
    pub comm: String,
    /// When it ended, in nanoseconds since boot.
    pub end_ns: u64,
}

impl From<&Site> for JsonSite {
    fn from(s: &Site) -> Self {
        JsonSite {
            kind: s.kind.name(),
            start: s.start.to_string(),
            end: s.end.to_string(),
            count: s.count,
            total_ns: s.total_ns,
            min_ns: s.min_ns,
            max_ns: s.max_ns,
            contexts: s.contexts.iter().map(|c| c.name()).collect(),
            max: JsonMax {
                cpu: s.max_cpu,
                pid: s.max_pid,
                comm: s.max_comm.to_string_lossy().into_owned(),
                end_ns: s.max_end_ns,
            },
            hist: sparse(&s.hist),
            spikes: s.spikes,
            spike_max_ns: s.spike_max_ns,
        }
    }
}

/// The non-empty buckets as `[bucket, count]`.
fn sparse(h: &Histogram) -> Vec<[u64; 2]> {
    h.nonzero().map(|(i, n)| [i as u64, n]).collect()
}

/// One of the worst sections (a `section` line of `worst` and its frames): a log entry
/// with its rank and stack.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct JsonWorst {
    /// 1 for the longest.
    pub rank: u32,
    /// The section, with the fields of a log entry.
    #[serde(flatten)]
    pub section: JsonLogEntry,
    /// The stack where it ended, innermost frame first.
    pub stack: Vec<String>,
}

impl From<&WorstSection> for JsonWorst {
    fn from(w: &WorstSection) -> Self {
        JsonWorst {
            rank: w.rank,
            section: JsonLogEntry::from(&w.section),
            stack: w.stack.iter().map(|s| s.to_string()).collect(),
        }
    }
}

/// One section of the log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct JsonLogEntry {
    /// `"preempt"`, `"irq"` or `"any"`.
    pub kind: &'static str,
    /// `"task"`, `"bh"`, `"softirq"`, `"hardirq"` or `"nmi"`.
    pub context: &'static str,
    /// How long it took.
    pub duration_ns: u64,
    /// The CPU.
    pub cpu: u32,
    /// The PID of the current task.
    pub pid: u32,
    /// The name of the current task.
    pub comm: String,
    /// When it ended, in nanoseconds since boot.
    pub end_ns: u64,
    /// Where it started.
    pub start: String,
    /// Where it ended.
    pub end: String,
}

impl From<&SectionRecord> for JsonLogEntry {
    fn from(r: &SectionRecord) -> Self {
        JsonLogEntry {
            kind: r.kind.name(),
            context: r.context.name(),
            duration_ns: r.duration_ns,
            cpu: r.cpu,
            pid: r.pid,
            comm: r.comm.to_string_lossy().into_owned(),
            end_ns: r.end_ns,
            start: r.start.to_string(),
            end: r.end.to_string(),
        }
    }
}

/// One histogram bucket: `[lo_us, hi_us, count]`, `hi_us` `null` for the
/// last bucket.
pub type JsonBucket = (u64, Option<u64>, u64);

/// The histograms of `hist`, each all 32 buckets in order; a kind left out
/// by `hist --kind` is absent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct JsonHistograms {
    /// Preempt-off sections.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub preempt: Option<Vec<JsonBucket>>,
    /// Irqs-off sections.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub irq: Option<Vec<JsonBucket>>,
    /// Sections with either off.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub any: Option<Vec<JsonBucket>>,
}

impl JsonHistograms {
    /// The histograms of `snapshot`, only that of `only` if given.
    pub fn new(snapshot: &Snapshot, only: Option<Kind>) -> Self {
        let get = |kind: Kind| {
            only.is_none_or(|o| o == kind).then(|| {
                let h = snapshot.hist.get(kind);
                (0..HIST_BUCKETS)
                    .map(|i| (bucket_lo_us(i), bucket_hi_us(i), h.get(i)))
                    .collect()
            })
        };
        JsonHistograms {
            preempt: get(Kind::Preempt),
            irq: get(Kind::Irq),
            any: get(Kind::Any),
        }
    }
}

/// The wakeup probe: its settings, per-CPU statistics and spikes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct JsonWakeup {
    /// Whether the probe is running (`wakeup_enabled` of `summary`).
    pub enabled: bool,
    /// The timer period in microseconds.
    pub period_us: u64,
    /// The spike threshold in microseconds (0: no spikes).
    pub threshold_us: u64,
    /// One entry per CPU, in the order of the `wakeup` file.
    pub cpus: Vec<JsonWakeupCpu>,
    /// The spikes, oldest first.
    pub spikes: Vec<JsonSpike>,
}

impl JsonWakeup {
    /// The wakeup part of `snapshot`, only that of CPU `cpu` if given.
    pub fn new(snapshot: &Snapshot, cpu: Option<u32>) -> Self {
        let wanted = |c: u32| cpu.is_none_or(|only| only == c);
        JsonWakeup {
            enabled: snapshot.summary.wakeup_enabled(),
            period_us: snapshot.summary.period_us(),
            threshold_us: snapshot.summary.wakeup_threshold_us(),
            cpus: snapshot
                .wakeup
                .iter()
                .filter(|c| wanted(c.cpu))
                .map(|c| JsonWakeupCpu::new(snapshot, c))
                .collect(),
            spikes: snapshot
                .spikes
                .iter()
                .filter(|s| wanted(s.cpu))
                .map(JsonSpike::from)
                .collect(),
        }
    }
}

/// The wakeup statistics of one CPU.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct JsonWakeupCpu {
    /// The CPU.
    pub cpu: u32,
    /// The timer interrupt latency.
    pub irq: JsonLatency,
    /// The thread latency.
    pub thread: JsonLatency,
    /// Periods missed.
    pub missed: u64,
    /// Spikes on this CPU.
    pub spikes: u64,
    /// The latency histograms.
    pub hist: JsonWakeupHist,
}

impl JsonWakeupCpu {
    /// The entry of `cpu`, with its histograms from `snapshot`.
    fn new(snapshot: &Snapshot, cpu: &CpuWakeup) -> Self {
        let hist = |latency| {
            snapshot
                .wakeup_hist
                .get(cpu.cpu, latency)
                .map(|h| {
                    h.nonzero()
                        .map(|(b, n)| (wakeup_bucket_lo_us(b), wakeup_bucket_hi_us(b), n))
                        .collect()
                })
                .unwrap_or_default()
        };
        JsonWakeupCpu {
            cpu: cpu.cpu,
            irq: JsonLatency::from(&cpu.irq),
            thread: JsonLatency::from(&cpu.thread),
            missed: cpu.missed,
            spikes: cpu.spikes,
            hist: JsonWakeupHist {
                irq: hist(Latency::Irq),
                thread: hist(Latency::Thread),
            },
        }
    }
}

/// The statistics of one latency on one CPU, in nanoseconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct JsonLatency {
    /// How many wakeups were measured.
    pub count: u64,
    /// The smallest latency (0 without wakeups).
    pub min_ns: u64,
    /// The mean latency.
    pub avg_ns: u64,
    /// The largest latency.
    pub max_ns: u64,
}

impl From<&LatencyStats> for JsonLatency {
    fn from(l: &LatencyStats) -> Self {
        JsonLatency {
            count: l.count,
            min_ns: l.min_ns,
            avg_ns: l.avg_ns,
            max_ns: l.max_ns,
        }
    }
}

/// The non-empty buckets of a CPU's wakeup latency histograms, as
/// `[lo_us, hi_us, count]` (`hi_us` `null` for the last bucket).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct JsonWakeupHist {
    /// The timer interrupt latency.
    pub irq: Vec<JsonBucket>,
    /// The thread latency.
    pub thread: Vec<JsonBucket>,
}

/// One late wakeup.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct JsonSpike {
    /// The CPU.
    pub cpu: u32,
    /// The programmed expiry, in nanoseconds since boot.
    pub expiry_ns: u64,
    /// How late the timer interrupt handler ran.
    pub irq_latency_ns: u64,
    /// How late the thread ran.
    pub thread_latency_ns: u64,
    /// The task that held the CPU.
    pub task: JsonTask,
    /// The section blamed, or `null`.
    pub blame: Option<JsonBlame>,
    /// The largest other section in the latency window, or `null`.
    pub other: Option<JsonOther>,
}

impl From<&Spike> for JsonSpike {
    fn from(s: &Spike) -> Self {
        JsonSpike {
            cpu: s.cpu,
            expiry_ns: s.expiry_ns,
            irq_latency_ns: s.irq_latency_ns,
            thread_latency_ns: s.thread_latency_ns,
            task: JsonTask {
                comm: s.comm.to_string_lossy().into_owned(),
                pid: s.pid,
            },
            blame: s.blame.as_ref().map(JsonBlame::from),
            other: s.other.as_ref().map(JsonOther::from),
        }
    }
}

/// A task: its name and PID.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct JsonTask {
    /// The task's name.
    pub comm: String,
    /// Its PID.
    pub pid: u32,
}

/// The section a spike is blamed on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct JsonBlame {
    /// The kind that opened it: `"preempt"` or `"irq"`.
    pub kind: &'static str,
    /// The context it started in.
    pub context: &'static str,
    /// Where it started.
    pub start: String,
    /// Where it ended; `null` if it was still open when the thread ran.
    pub end: Option<String>,
    /// How long it had been open at the expiry (0 if it opened later).
    pub open_ns: u64,
}

impl From<&Blame> for JsonBlame {
    fn from(b: &Blame) -> Self {
        JsonBlame {
            kind: b.kind.name(),
            context: b.context.name(),
            start: b.start.to_string(),
            end: b.end.as_ref().map(|e| e.to_string()),
            open_ns: b.open_ns,
        }
    }
}

/// A section in a spike's window that is not blamed for it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct JsonOther {
    /// Where it started.
    pub start: String,
    /// Where it ended.
    pub end: String,
    /// How long it took.
    pub duration_ns: u64,
}

impl From<&OtherSection> for JsonOther {
    fn from(o: &OtherSection) -> Self {
        JsonOther {
            start: o.start.to_string(),
            end: o.end.to_string(),
            duration_ns: o.duration_ns,
        }
    }
}
