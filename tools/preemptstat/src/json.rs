// SPDX-License-Identifier: GPL-2.0
//! The `--json` output: one stable JSON object per run, the same for every command, restricted to the parts the command shows.
//!
//! The object (one line, followed by a newline) has these members; every
//! command prints `version` and its own parts:
//!
//! | member     | printed by                 | type                                    |
//! |------------|----------------------------|-----------------------------------------|
//! | `version`  | every command              | number: the debugfs format version (2)  |
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
//!            "hist": {"irq": [[lo_us, hi_us|null, count], ...], "thread": [...]},
//!            "causes": null | {"nmi": {"spikes": N, "dominant": N, "total_ns": N},
//!                              "irq": {...}, ... "unaccounted": {...}}}, ...],
//!  "spikes": [SPIKE, ...],
//!  "spikes_worst": [SPIKE, ...]}
//! ```
//!
//! where each SPIKE is
//!
//! ```text
//! {"cpu": N, "expiry_ns": N, "irq_latency_ns": N, "thread_latency_ns": N,
//!  "task": {"comm": "...", "pid": N},
//!  "blame": null | {"kind": "preempt"|"irq", "context": "...",
//!                   "start": "...", "end": "..."|null, "open_ns": N},
//!  "other": null | {"start": "...", "end": "...", "duration_ns": N},
//!  "cause": {"class": "...", "id": "..."|null, "name": "..."|null, "extra": "..."|null,
//!            "ns": N, "pct": X},
//!  "breakdown": {"nmi": N, "irq": N, "timer": N, "softirq": N, "irqsoff": N,
//!                "preemptoff": N, "task": N, "idle": N, "switch": N, "unaccounted": N},
//!  "parts": [{"rank": N, "class": "...", "id": ..., "name": ..., "extra": ..., "ns": N}, ...],
//!  "stack": ["...", ...]}
//! ```
//!
//! with the wakeup histograms listing only their non-empty buckets, the
//! spikes oldest first and the worst spikes worst first. `wakeup --cpu N`
//! keeps only CPU N in `cpus`, `spikes` and `spikes_worst`.
//!
//! A spike's `cause` is its largest part: its class, `id`, `name` and
//! `extra` (from `spike_parts`, `null` where the file has `-` or has no
//! parts of the spike), its time and its share of the thread latency in
//! percent with one decimal. `breakdown` has the time of every class, in
//! class order; they add up to `thread_latency_ns`. `parts` are the labelled
//! parts, largest first (rank 1 is the cause), and `stack` the stack of the
//! longest task part's task when it was switched out, innermost first
//! (both empty when `spike_parts` has none). A CPU's `causes` totals every
//! spike of this generation, merged ones included; it is `null` for a CPU
//! the `causes` file does not list.
//!
//! Symbols (`start`, `end`, `stack`) are strings
//! `function+0xoff/0xsize [module]` with Rust names demangled, or `?`.
//! Task names (`comm`) are the unescaped bytes as UTF-8 (invalid bytes
//! become U+FFFD), `""` for none. Durations and times are integers in
//! nanoseconds, histogram bounds in microseconds. New members may be added
//! in later versions; existing ones keep their meaning.

use std::collections::BTreeMap;

use preemptstat_core::{
    bucket_hi_us, bucket_lo_us, wakeup_bucket_hi_us, wakeup_bucket_lo_us, Blame, Breakdown, Cause,
    CauseTotals, CpuCauses, CpuWakeup, Histogram, Kind, Label, Latency, LatencyStats, OtherSection,
    Part, SectionRecord, Site, Snapshot, Spike, SpikeBreakdown, WorstSection, HIST_BUCKETS,
};

use crate::units::pct_tenths;
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
#[derive(Debug, Clone, PartialEq, Serialize)]
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
    /// The worst spikes by thread latency, worst first.
    pub spikes_worst: Vec<JsonSpike>,
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
                .map(|s| JsonSpike::new(snapshot, s))
                .collect(),
            spikes_worst: snapshot
                .spikes_worst
                .iter()
                .filter(|s| wanted(s.cpu))
                .map(|s| JsonSpike::new(snapshot, s))
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
    /// The totals of each cause class, `null` if the `causes` file does
    /// not list the CPU.
    pub causes: Option<JsonCauses>,
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
            causes: snapshot.causes_cpu(cpu.cpu).map(JsonCauses::from),
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
#[derive(Debug, Clone, PartialEq, Serialize)]
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
    /// The largest part.
    pub cause: JsonCause,
    /// The time of every class.
    pub breakdown: JsonBreakdown,
    /// The labelled parts, largest first.
    pub parts: Vec<JsonPart>,
    /// The stack of the longest task part's task, innermost first.
    pub stack: Vec<String>,
}

impl JsonSpike {
    /// The entry of `s`, with its parts from `snapshot`.
    pub fn new(snapshot: &Snapshot, s: &Spike) -> Self {
        let parts = snapshot.parts_of(s);
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
            cause: JsonCause::new(s, parts),
            breakdown: JsonBreakdown::from(&s.breakdown),
            parts: parts.map_or_else(Vec::new, |b| b.parts.iter().map(JsonPart::from).collect()),
            stack: parts.map_or_else(Vec::new, |b| {
                b.stack.iter().map(|f| f.to_string()).collect()
            }),
        }
    }
}

/// The `id`, `name` and `extra` of a part for JSON: symbols demangled,
/// names as their bytes in UTF-8 (invalid bytes become U+FFFD), `None` for
/// `-`.
fn label_fields(label: &Label) -> [Option<String>; 3] {
    match label {
        Label::Device { irq, name } => [
            Some(irq.to_string()),
            Some(name.to_string_lossy().into_owned()),
            None,
        ],
        Label::Task {
            pid,
            comm,
            policy,
            prio,
        } => [
            Some(pid.to_string()),
            Some(comm.to_string_lossy().into_owned()),
            Some(format!("{policy}:{prio}")),
        ],
        other => other.fields(),
    }
}

/// A spike's cause: its largest part.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct JsonCause {
    /// The class.
    pub class: &'static str,
    /// The part's `id`, `null` for none or without parts.
    pub id: Option<String>,
    /// The part's `name`, `null` for none or without parts.
    pub name: Option<String>,
    /// The part's `extra`, `null` for none or without parts.
    pub extra: Option<String>,
    /// The part's time.
    pub ns: u64,
    /// Its share of the thread latency, in percent with one decimal.
    pub pct: f64,
}

impl JsonCause {
    /// The cause of `s`, labelled from its rank 1 part in `parts`.
    fn new(s: &Spike, parts: Option<&SpikeBreakdown>) -> Self {
        let [id, name, extra] = parts
            .and_then(|b| b.parts.first())
            .map_or([None, None, None], |p| label_fields(&p.label));
        JsonCause {
            class: s.cause.name(),
            id,
            name,
            extra,
            ns: s.cause_ns,
            pct: pct_tenths(s.cause_ns, s.thread_latency_ns),
        }
    }
}

/// The time of each class of a spike, in class order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct JsonBreakdown {
    /// NMI handlers.
    pub nmi: u64,
    /// Other hard interrupts.
    pub irq: u64,
    /// The probe's own timer interrupt.
    pub timer: u64,
    /// Softirqs.
    pub softirq: u64,
    /// Sections opened by disabling interrupts.
    pub irqsoff: u64,
    /// Sections opened by disabling preemption.
    pub preemptoff: u64,
    /// Other tasks.
    pub task: u64,
    /// The CPU idle.
    pub idle: u64,
    /// The wakeup and switch.
    pub switch: u64,
    /// Before the timer interrupt, unexplained.
    pub unaccounted: u64,
}

impl From<&Breakdown> for JsonBreakdown {
    fn from(b: &Breakdown) -> Self {
        JsonBreakdown {
            nmi: b.get(Cause::Nmi),
            irq: b.get(Cause::Irq),
            timer: b.get(Cause::Timer),
            softirq: b.get(Cause::Softirq),
            irqsoff: b.get(Cause::Irqsoff),
            preemptoff: b.get(Cause::Preemptoff),
            task: b.get(Cause::Task),
            idle: b.get(Cause::Idle),
            switch: b.get(Cause::Switch),
            unaccounted: b.get(Cause::Unaccounted),
        }
    }
}

/// One labelled part of a spike.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct JsonPart {
    /// 1 for the largest.
    pub rank: u32,
    /// The class.
    pub class: &'static str,
    /// `id`, `null` for none.
    pub id: Option<String>,
    /// `name`, `null` for none.
    pub name: Option<String>,
    /// `extra`, `null` for none.
    pub extra: Option<String>,
    /// Its time.
    pub ns: u64,
}

impl From<&Part> for JsonPart {
    fn from(p: &Part) -> Self {
        let [id, name, extra] = label_fields(&p.label);
        JsonPart {
            rank: p.rank,
            class: p.cause.name(),
            id,
            name,
            extra,
            ns: p.ns,
        }
    }
}

/// The totals of one class on one CPU.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct JsonCauseTotals {
    /// Spikes in which the class had time.
    pub spikes: u64,
    /// Spikes whose cause was of this class.
    pub dominant: u64,
    /// Its time over all spikes.
    pub total_ns: u64,
}

impl From<&CauseTotals> for JsonCauseTotals {
    fn from(t: &CauseTotals) -> Self {
        JsonCauseTotals {
            spikes: t.spikes,
            dominant: t.dominant,
            total_ns: t.total_ns,
        }
    }
}

/// The totals of every class on one CPU, in class order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct JsonCauses {
    /// NMI handlers.
    pub nmi: JsonCauseTotals,
    /// Other hard interrupts.
    pub irq: JsonCauseTotals,
    /// The probe's own timer interrupt.
    pub timer: JsonCauseTotals,
    /// Softirqs.
    pub softirq: JsonCauseTotals,
    /// Sections opened by disabling interrupts.
    pub irqsoff: JsonCauseTotals,
    /// Sections opened by disabling preemption.
    pub preemptoff: JsonCauseTotals,
    /// Other tasks.
    pub task: JsonCauseTotals,
    /// The CPU idle.
    pub idle: JsonCauseTotals,
    /// The wakeup and switch.
    pub switch: JsonCauseTotals,
    /// Before the timer interrupt, unexplained.
    pub unaccounted: JsonCauseTotals,
}

impl From<&CpuCauses> for JsonCauses {
    fn from(c: &CpuCauses) -> Self {
        let t = |cause| JsonCauseTotals::from(c.get(cause));
        JsonCauses {
            nmi: t(Cause::Nmi),
            irq: t(Cause::Irq),
            timer: t(Cause::Timer),
            softirq: t(Cause::Softirq),
            irqsoff: t(Cause::Irqsoff),
            preemptoff: t(Cause::Preemptoff),
            task: t(Cause::Task),
            idle: t(Cause::Idle),
            switch: t(Cause::Switch),
            unaccounted: t(Cause::Unaccounted),
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
