// SPDX-License-Identifier: GPL-2.0
//! The text output of the read commands: summary, site tables, worst sections, log, histogram bars and the wakeup probe's statistics and spikes.
//!
//! All output is plain text without color or terminal control, stable for a
//! given snapshot so that tests and scripts can rely on it. Durations use
//! [`format_ns`]; symbols are demangled (see [`preemptstat_core::Symbol`]).

use std::io::{self, Write};

use preemptstat_core::{
    bucket_hi_us, bucket_lo_us, wakeup_bucket_hi_us, wakeup_bucket_lo_us, CpuWakeup, Histogram,
    Kind, Label, Latency, Part, SectionRecord, Site, Snapshot, Spike, SpikeBreakdown, Summary,
    WorstSection, SPIKES_WORST_PER_CPU,
};

use crate::query::SiteQuery;
use crate::table::{Align, Table};
use crate::units::{format_bytes, format_ns, format_pct, format_pct_wide, format_time_s};

/// How many sites per kind `report` shows.
pub const REPORT_SITES_PER_KIND: usize = 10;

/// How many worst sections `report` shows.
pub const REPORT_WORST: usize = 5;

/// How many spikes `report` shows.
pub const REPORT_SPIKES: usize = 5;

/// The widest histogram bar, in `#` characters.
pub const BAR_WIDTH: u64 = 50;

/// Writes the lines of `table`, each followed by a newline.
fn write_table(out: &mut dyn Write, table: &Table) -> io::Result<()> {
    for line in table.render() {
        writeln!(out, "{line}")?;
    }
    Ok(())
}

/// `start -> end`, demangled.
fn span(start: &impl ToString, end: &impl ToString) -> String {
    format!("{} -> {}", start.to_string(), end.to_string())
}

/// Writes `preemptstat report`: the summary, the longest sites of each kind,
/// the worst sections, one line per CPU of wakeup latencies and the spikes
/// with the largest thread latency.
///
/// # Errors
///
/// Any error of `out`.
pub fn write_report(out: &mut dyn Write, snapshot: &Snapshot) -> io::Result<()> {
    write_summary(out, &snapshot.summary)?;
    for kind in Kind::ALL {
        writeln!(out)?;
        let query = SiteQuery {
            kind: Some(kind),
            limit: Some(REPORT_SITES_PER_KIND),
            ..SiteQuery::default()
        };
        let sites = query.select(&snapshot.sites);
        if sites.is_empty() {
            writeln!(out, "No {kind} sites.")?;
        } else {
            writeln!(out, "Top {} {kind} sites by max:", sites.len())?;
            write_sites(out, &sites, false)?;
        }
    }
    writeln!(out)?;
    let worst: Vec<&WorstSection> = snapshot.worst.iter().take(REPORT_WORST).collect();
    if worst.is_empty() {
        writeln!(out, "No worst sections.")?;
    } else {
        writeln!(out, "Top {} worst sections:", worst.len())?;
        write_worst(out, &worst, false)?;
    }
    writeln!(out)?;
    write_wakeup_brief(out, snapshot)
}

/// Writes the wakeup part of `report`: the probe's settings, one line per
/// CPU and the [`REPORT_SPIKES`] spikes with the largest thread latency.
///
/// ```text
/// wakeup probe: off, period: 1000 us, prio: 95, spike threshold: 3000 us, spikes: 23 (0 overwritten, 0 merged)
/// CPU 0: irq max 8.79 ms, thread max 8.91 ms, 7 spikes
///
/// Top 5 spikes by thread latency:
/// CPU      IRQ   THREAD  HOLDER         BLAME
///   1  9.15 ms  9.32 ms  swapper/1/0    no section explains it (largest other: ...)
/// ```
///
/// # Errors
///
/// Any error of `out`.
pub fn write_wakeup_brief(out: &mut dyn Write, snapshot: &Snapshot) -> io::Result<()> {
    write_wakeup_settings(out, &snapshot.summary)?;
    if snapshot.wakeup.is_empty() {
        writeln!(out, "No wakeup statistics.")?;
    }
    for c in &snapshot.wakeup {
        writeln!(
            out,
            "CPU {}: irq max {}, thread max {}, {} spike{}",
            c.cpu,
            format_ns(c.irq.max_ns),
            format_ns(c.thread.max_ns),
            c.spikes,
            if c.spikes == 1 { "" } else { "s" }
        )?;
    }
    writeln!(out)?;
    let mut top: Vec<&Spike> = snapshot.spikes.iter().collect();
    // Stable: equal latencies keep the file order (oldest first).
    top.sort_by_key(|s| std::cmp::Reverse(s.thread_latency_ns));
    top.truncate(REPORT_SPIKES);
    if top.is_empty() {
        writeln!(out, "No spikes.")
    } else {
        writeln!(out, "Top {} spikes by thread latency:", top.len())?;
        write_spikes(out, &top)
    }
}

/// Writes the settings of the wakeup probe and the spike counters.
///
/// ```text
/// wakeup probe: off, period: 1000 us, prio: 95, spike threshold: 3000 us, spikes: 23 (0 overwritten, 0 merged)
/// ```
fn write_wakeup_settings(out: &mut dyn Write, summary: &Summary) -> io::Result<()> {
    let threshold = match summary.wakeup_threshold_us() {
        0 => "off".to_string(),
        us => format!("{us} us"),
    };
    writeln!(
        out,
        "wakeup probe: {}, period: {} us, prio: {}, spike threshold: {threshold}, spikes: {} ({} overwritten, {} merged)",
        if summary.wakeup_enabled() { "on" } else { "off" },
        summary.period_us(),
        summary.wakeup_prio(),
        summary.spikes(),
        summary.spikes_overwritten(),
        summary.spikes_merged(),
    )
}

/// Writes `preemptstat wakeup`: the probe's settings, a table of the
/// latencies of every CPU in `cpus` (in the style of `rtla timerlat top`),
/// the cause totals of those CPUs, their spikes, oldest first, each with
/// its breakdown (see [`write_spike_breakdown`]), their worst spikes (see
/// [`write_worst_spikes`]), and with `hist` the latency histograms of each
/// CPU as bars.
///
/// ```text
/// wakeup probe: off, period: 1000 us, prio: 95, spike threshold: 3000 us, spikes: 23 (0 overwritten, 0 merged)
///
///      |          IRQ latency           |          Thread latency           |
/// CPU  |  COUNT     MIN       AVG      MAX  |  COUNT      MIN       AVG      MAX  |  MISSED  SPIKES
///   0  |   1182  3.8 us  209.8 us  8.79 ms  |   1175  54.4 us  260.6 us  8.91 ms  |      62       7
///
/// Causes per CPU (every spike, merged ones included; 0 breakdown events dropped):
/// CPU  CLASS        SPIKES  DOMINANT     TOTAL  SHARE
///   0  idle              7         7  22.36 ms   70 %
///
/// Spikes (thread latency of 3000 us or more), oldest first:
/// CPU      IRQ   THREAD  HOLDER          BLAME
///   1  5.06 ms  5.19 ms  ps_inject/1/91  blamed: irq task f+0x1c/0x80 [m] (opened after expiry) -> f+0x6d/0x80 [m]
///        cause: irqsoff f+0x1c/0x80 [m] -> f+0x6d/0x80 [m] 5.03 ms (97 %)
///        by class: timer 61.2 us (1 %), irqsoff 5.03 ms (97 %), switch 68.5 us (1 %), unaccounted 35.0 us (1 %)
///        part 2: switch 68.5 us (1 %)
///
/// Worst spikes by thread latency (each CPU keeps its 16 worst):
/// RANK  CPU      IRQ   THREAD  HOLDER       CAUSE
///    1    1  9.15 ms  9.32 ms  swapper/1/0  idle 6.77 ms (73 %)
/// ```
///
/// # Errors
///
/// Any error of `out`.
pub fn write_wakeup(
    out: &mut dyn Write,
    snapshot: &Snapshot,
    cpus: &[&CpuWakeup],
    hist: bool,
) -> io::Result<()> {
    write_wakeup_settings(out, &snapshot.summary)?;
    writeln!(out)?;
    write_wakeup_table(out, cpus)?;
    writeln!(out)?;
    let spikes: Vec<&Spike> = snapshot
        .spikes
        .iter()
        .filter(|s| cpus.iter().any(|c| c.cpu == s.cpu))
        .collect();
    write_causes(out, snapshot, cpus)?;
    writeln!(out)?;
    match (snapshot.summary.wakeup_threshold_us(), spikes.is_empty()) {
        (0, true) => writeln!(out, "No spikes (spike threshold: off).")?,
        (_, true) => writeln!(out, "No spikes.")?,
        (threshold, false) => {
            writeln!(
                out,
                "Spikes (thread latency of {threshold} us or more), oldest first:"
            )?;
            write_spikes_with(out, &spikes, Some(snapshot))?;
        }
    }
    writeln!(out)?;
    let worst: Vec<(usize, &Spike)> = snapshot
        .spikes_worst
        .iter()
        .enumerate()
        .map(|(i, s)| (i + 1, s))
        .filter(|(_, s)| cpus.iter().any(|c| c.cpu == s.cpu))
        .collect();
    write_worst_spikes(out, snapshot, &worst, &spikes)?;
    if hist {
        for c in cpus {
            for latency in Latency::ALL {
                writeln!(out)?;
                let h = snapshot.wakeup_hist.get_or_empty(c.cpu, latency);
                let title = format!("CPU {} {latency} latency", c.cpu);
                write_bars(
                    out,
                    &title,
                    "wakeups",
                    &h,
                    wakeup_bucket_lo_us,
                    wakeup_bucket_hi_us,
                )?;
            }
        }
    }
    Ok(())
}

/// Writes the per-CPU latency table of `preemptstat wakeup`, with a line
/// naming the column groups above the header.
fn write_wakeup_table(out: &mut dyn Write, cpus: &[&CpuWakeup]) -> io::Result<()> {
    if cpus.is_empty() {
        return writeln!(out, "No wakeup statistics.");
    }
    const BAR: (&str, Align) = ("|", Align::Left);
    let mut table = Table::new(&[
        ("CPU", Align::Right),
        BAR,
        ("COUNT", Align::Right),
        ("MIN", Align::Right),
        ("AVG", Align::Right),
        ("MAX", Align::Right),
        BAR,
        ("COUNT", Align::Right),
        ("MIN", Align::Right),
        ("AVG", Align::Right),
        ("MAX", Align::Right),
        BAR,
        ("MISSED", Align::Right),
        ("SPIKES", Align::Right),
    ]);
    for c in cpus {
        let mut row = vec![c.cpu.to_string()];
        for l in [&c.irq, &c.thread] {
            row.extend([
                "|".to_string(),
                l.count.to_string(),
                format_ns(l.min_ns),
                format_ns(l.avg_ns),
                format_ns(l.max_ns),
            ]);
        }
        row.extend(["|".to_string(), c.missed.to_string(), c.spikes.to_string()]);
        table.row(row);
    }
    let lines = table.render();
    if let Some(header) = lines.first() {
        writeln!(
            out,
            "{}",
            group_line(header, &["IRQ latency", "Thread latency"])
        )?;
    }
    for line in lines {
        writeln!(out, "{line}")?;
    }
    Ok(())
}

/// The line above a table `header` with `|` columns: each of `titles`
/// centered between two bars of the header, the bars repeated.
fn group_line(header: &str, titles: &[&str]) -> String {
    let bars: Vec<usize> = header
        .char_indices()
        .filter(|&(_, c)| c == '|')
        .map(|(i, _)| i)
        .collect();
    let mut line = String::new();
    let mut at = 0;
    for (i, &bar) in bars.iter().enumerate() {
        let width = bar.saturating_sub(at);
        match i.checked_sub(1).and_then(|t| titles.get(t)) {
            Some(title) => line += &format!("{title:^width$}"),
            None => line.extend(std::iter::repeat_n(' ', width)),
        }
        line.push('|');
        at = bar + 1;
    }
    line.truncate(line.trim_end().len());
    line
}

/// Writes a table of spikes: the CPU, the latencies, the task that held the
/// CPU and what explains the latency.
///
/// ```text
/// CPU      IRQ   THREAD  HOLDER          BLAME
///   1  5.06 ms  5.19 ms  ps_inject/1/91  blamed: irq task f+0x1c/0x80 [m] (opened after expiry) -> f+0x6d/0x80 [m]
///   0  2.51 ms  3.55 ms  swapper/0/0     no section explains it (largest other: io_schedule+0x4c/0x70 -> schedule_timeout+0xa8/0x120, 73.8 us)
/// ```
///
/// # Errors
///
/// Any error of `out`.
pub fn write_spikes(out: &mut dyn Write, spikes: &[&Spike]) -> io::Result<()> {
    write_spikes_with(out, spikes, None)
}

/// [`write_spikes`], each row followed by the spike's breakdown (see
/// [`write_spike_breakdown`]) when `details` has the snapshot the spikes
/// are from.
fn write_spikes_with(
    out: &mut dyn Write,
    spikes: &[&Spike],
    details: Option<&Snapshot>,
) -> io::Result<()> {
    if spikes.is_empty() {
        return writeln!(out, "No spikes.");
    }
    let mut table = Table::new(&[
        ("CPU", Align::Right),
        ("IRQ", Align::Right),
        ("THREAD", Align::Right),
        ("HOLDER", Align::Left),
        ("BLAME", Align::Left),
    ]);
    for s in spikes {
        table.row(vec![
            s.cpu.to_string(),
            format_ns(s.irq_latency_ns),
            format_ns(s.thread_latency_ns),
            format!("{}/{}", s.comm, s.pid),
            explain(s),
        ]);
    }
    let Some(snapshot) = details else {
        return write_table(out, &table);
    };
    let mut lines = table.render().into_iter();
    if let Some(header) = lines.next() {
        writeln!(out, "{header}")?;
    }
    for (line, s) in lines.zip(spikes) {
        writeln!(out, "{line}")?;
        write_spike_breakdown(out, s, snapshot.parts_of(s))?;
    }
    Ok(())
}

/// The indentation of a spike's breakdown under its row.
const DETAIL: &str = "       ";

/// `CLASS LABEL`, or `CLASS` alone for a part without a label.
fn part_name(p: &Part) -> String {
    match &p.label {
        Label::None => p.cause.to_string(),
        label => format!("{} {}", p.cause, label.text()),
    }
}

/// A spike's cause: `CLASS LABEL TIME (SHARE)`, the share of the thread
/// latency; without the rank 1 part (the spike is not in `spike_parts`),
/// the class alone.
fn cause_text(s: &Spike, parts: Option<&SpikeBreakdown>) -> String {
    let name = match parts.and_then(|b| b.parts.first()) {
        Some(p) => part_name(p),
        None => s.cause.to_string(),
    };
    format!(
        "{name} {} ({})",
        format_ns(s.cause_ns),
        format_pct(s.cause_ns, s.thread_latency_ns)
    )
}

/// Writes the breakdown of spike `s` under its row: the cause (its largest
/// part), the time of every class that has some, in class order, the other
/// parts with their labels, largest first, and the stack of the longest
/// task part's task. Every share is of the thread latency.
///
/// ```text
///        cause: irq 11 virtio0 2.10 ms (64 %)
///        by class: irq 2.40 ms (73 %), task 300.0 us (9 %), switch 580.0 us (18 %)
///        part 2: switch 580.0 us (18 %)
///        part 3: task 345 stress FIFO:96 300.0 us (9 %)
///        part 4: irq 14 ata_piix 300.0 us (9 %)
///        stack of task 345 stress FIFO:96 when it was switched out:
///          #0 schedule+0x10/0x80
/// ```
///
/// # Errors
///
/// Any error of `out`.
pub fn write_spike_breakdown(
    out: &mut dyn Write,
    s: &Spike,
    parts: Option<&SpikeBreakdown>,
) -> io::Result<()> {
    let share = |ns: u64| format_pct(ns, s.thread_latency_ns);
    match parts {
        Some(_) => writeln!(out, "{DETAIL}cause: {}", cause_text(s, parts))?,
        None => writeln!(
            out,
            "{DETAIL}cause: {} (spike_parts has no parts of this spike)",
            cause_text(s, parts)
        )?,
    }
    let classes: Vec<String> = s
        .breakdown
        .nonzero()
        .map(|(c, ns)| format!("{c} {} ({})", format_ns(ns), share(ns)))
        .collect();
    writeln!(out, "{DETAIL}by class: {}", classes.join(", "))?;
    let Some(b) = parts else {
        return Ok(());
    };
    for p in b.parts.iter().skip(1) {
        writeln!(
            out,
            "{DETAIL}part {}: {} {} ({})",
            p.rank,
            part_name(p),
            format_ns(p.ns),
            share(p.ns)
        )?;
    }
    if !b.stack.is_empty() {
        match b.longest_task() {
            Some(task) => writeln!(
                out,
                "{DETAIL}stack of {} when it was switched out:",
                part_name(task)
            )?,
            None => writeln!(
                out,
                "{DETAIL}stack of its longest task (not among the parts) when it was switched out:"
            )?,
        }
        for (depth, frame) in b.stack.iter().enumerate() {
            writeln!(out, "{DETAIL}  #{depth} {frame}")?;
        }
    }
    Ok(())
}

/// Writes the per-CPU cause totals of the CPUs in `cpus`: for each class
/// with time, the spikes it had time in, those it was the cause of, its
/// total time and its share of all the CPU's spike time. Classes without
/// time are left out.
///
/// ```text
/// Causes per CPU (every spike, merged ones included; 0 breakdown events dropped):
/// CPU  CLASS        SPIKES  DOMINANT     TOTAL  SHARE
///   0  irq               4         0  270.0 us   <1 %
///   0  idle              7         7  22.36 ms   70 %
/// ```
///
/// # Errors
///
/// Any error of `out`.
pub fn write_causes(
    out: &mut dyn Write,
    snapshot: &Snapshot,
    cpus: &[&CpuWakeup],
) -> io::Result<()> {
    let mut table = Table::new(&[
        ("CPU", Align::Right),
        ("CLASS", Align::Left),
        ("SPIKES", Align::Right),
        ("DOMINANT", Align::Right),
        ("TOTAL", Align::Right),
        ("SHARE", Align::Right),
    ]);
    for c in snapshot
        .causes
        .iter()
        .filter(|c| cpus.iter().any(|w| w.cpu == c.cpu))
    {
        let all = c.total_ns();
        for (cause, t) in c.iter().filter(|(_, t)| t.spikes > 0) {
            table.row(vec![
                c.cpu.to_string(),
                cause.to_string(),
                t.spikes.to_string(),
                t.dominant.to_string(),
                format_ns(t.total_ns),
                format_pct_wide(u128::from(t.total_ns), all),
            ]);
        }
    }
    if table.is_empty() {
        return writeln!(out, "No spike time by cause.");
    }
    let dropped = snapshot.summary.breakdown_dropped();
    writeln!(
        out,
        "Causes per CPU (every spike, merged ones included; {dropped} breakdown event{} dropped):",
        if dropped == 1 { "" } else { "s" }
    )?;
    write_table(out, &table)
}

/// Writes the worst spikes, `(rank in spikes_worst, spike)`: a table of the
/// CPU, the latencies, the holder and the cause; a spike that is not in
/// `listed` (the spikes shown above) is followed by its breakdown, so that
/// every spike's breakdown is shown once.
///
/// ```text
/// Worst spikes by thread latency (each CPU keeps its 16 worst):
/// RANK  CPU      IRQ   THREAD  HOLDER       CAUSE
///    1    1  9.15 ms  9.32 ms  swapper/1/0  idle 6.77 ms (73 %)
/// ```
///
/// # Errors
///
/// Any error of `out`.
pub fn write_worst_spikes(
    out: &mut dyn Write,
    snapshot: &Snapshot,
    worst: &[(usize, &Spike)],
    listed: &[&Spike],
) -> io::Result<()> {
    if worst.is_empty() {
        return writeln!(out, "No worst spikes.");
    }
    writeln!(
        out,
        "Worst spikes by thread latency (each CPU keeps its {SPIKES_WORST_PER_CPU} worst):"
    )?;
    let mut table = Table::new(&[
        ("RANK", Align::Right),
        ("CPU", Align::Right),
        ("IRQ", Align::Right),
        ("THREAD", Align::Right),
        ("HOLDER", Align::Left),
        ("CAUSE", Align::Left),
    ]);
    for (rank, s) in worst {
        table.row(vec![
            rank.to_string(),
            s.cpu.to_string(),
            format_ns(s.irq_latency_ns),
            format_ns(s.thread_latency_ns),
            format!("{}/{}", s.comm, s.pid),
            cause_text(s, snapshot.parts_of(s)),
        ]);
    }
    let mut lines = table.render().into_iter();
    if let Some(header) = lines.next() {
        writeln!(out, "{header}")?;
    }
    for (line, (_, s)) in lines.zip(worst) {
        writeln!(out, "{line}")?;
        if !listed.iter().any(|l| l.key() == s.key()) {
            write_spike_breakdown(out, s, snapshot.parts_of(s))?;
        }
    }
    Ok(())
}

/// What explains a spike, as one line:
/// `blamed: KIND CONTEXT START (open X before expiry) -> END` or
/// `no section explains it (largest other: START -> END, X)`.
fn explain(s: &Spike) -> String {
    match (&s.blame, &s.other) {
        (Some(b), _) => {
            let open = match b.open_ns {
                0 => "opened after expiry".to_string(),
                ns => format!("open {} before expiry", format_ns(ns)),
            };
            let end = b
                .end
                .as_ref()
                .map_or("(still open)".to_string(), |e| e.to_string());
            format!(
                "{} {} {} {} ({open}) -> {end}",
                crate::color::blamed(),
                b.kind,
                b.context,
                b.start
            )
        }
        (None, Some(o)) => format!(
            "{} (largest other: {}, {})",
            crate::color::unexplained(),
            span(&o.start, &o.end),
            format_ns(o.duration_ns)
        ),
        (None, None) => format!(
            "{} (no other section in the window)",
            crate::color::unexplained()
        ),
    }
}

/// Writes the summary: one line of settings and sizes, then seen, dropped
/// and longest section per kind.
///
/// ```text
/// enabled: no, threshold: 500 us, cpus: 2, sites: 811, memory: 2.07 MiB, log: 38 written, 0 overwritten
/// KIND     SEEN  DROPPED      MAX
/// preempt  4592        0  2.38 ms
/// ```
///
/// # Errors
///
/// Any error of `out`.
pub fn write_summary(out: &mut dyn Write, summary: &Summary) -> io::Result<()> {
    writeln!(
        out,
        "enabled: {}, threshold: {} us, cpus: {}, sites: {}, memory: {}, log: {} written, {} overwritten",
        if summary.enabled() { "yes" } else { "no" },
        summary.threshold_us(),
        summary.cpus(),
        summary.sites(),
        format_bytes(summary.memory_bytes()),
        summary.log_written(),
        summary.log_overwritten(),
    )?;
    let mut table = Table::new(&[
        ("KIND", Align::Left),
        ("SEEN", Align::Right),
        ("DROPPED", Align::Right),
        ("MAX", Align::Right),
    ]);
    for kind in Kind::ALL {
        table.row(vec![
            crate::color::kind(kind),
            summary.seen(kind).to_string(),
            summary.dropped(kind).to_string(),
            format_ns(summary.max_ns(kind)),
        ]);
    }
    write_table(out, &table)
}

/// Writes a table of sites, with a `KIND` column if `show_kind`.
///
/// ```text
/// KIND  COUNT      MAX     MEAN    TOTAL  SPIKES  CONTEXTS  START -> END
/// any       4  5.00 ms  3.52 ms  14.07 ms       2  task      f+0x1c/0x80 [m] -> f+0x6d/0x80 [m]
/// ```
///
/// # Errors
///
/// Any error of `out`.
pub fn write_sites(out: &mut dyn Write, sites: &[&Site], show_kind: bool) -> io::Result<()> {
    if sites.is_empty() {
        return writeln!(out, "No sites.");
    }
    let mut columns = vec![];
    if show_kind {
        columns.push(("KIND", Align::Left));
    }
    columns.extend([
        ("COUNT", Align::Right),
        ("MAX", Align::Right),
        ("MEAN", Align::Right),
        ("TOTAL", Align::Right),
        ("SPIKES", Align::Right),
        ("CONTEXTS", Align::Left),
        ("START -> END", Align::Left),
    ]);
    let mut table = Table::new(&columns);
    for s in sites {
        let mut row = vec![];
        if show_kind {
            row.push(crate::color::kind(s.kind));
        }
        row.extend([
            s.count.to_string(),
            format_ns(s.max_ns),
            format_ns(s.mean_ns()),
            format_ns(s.total_ns),
            s.spikes.to_string(),
            s.contexts.to_string(),
            span(&s.start, &s.end),
        ]);
        table.row(row);
    }
    write_table(out, &table)
}

/// Writes a table of worst sections; with `stacks`, each row is followed by
/// its frames, innermost first.
///
/// ```text
/// RANK  KIND  CONTEXT  DURATION  CPU  PID  COMM         START -> END
///    1  any   task      2.38 ms    1   88  ps_inject/1  f+0x1b/0x150 [m] -> f+0x10b/0x150 [m]
///       #0 f+0x10b/0x150 [m]
///       #1 kthread+0x116/0x150
/// ```
///
/// # Errors
///
/// Any error of `out`.
pub fn write_worst(out: &mut dyn Write, worst: &[&WorstSection], stacks: bool) -> io::Result<()> {
    if worst.is_empty() {
        return writeln!(out, "No worst sections.");
    }
    let mut table = record_table(("RANK", Align::Right));
    for w in worst {
        table.row(record_row(w.rank.to_string(), &w.section));
    }
    let mut lines = table.render().into_iter();
    if let Some(header) = lines.next() {
        writeln!(out, "{header}")?;
    }
    for (line, w) in lines.zip(worst) {
        writeln!(out, "{line}")?;
        if stacks {
            if w.stack.is_empty() {
                writeln!(out, "      (no stack)")?;
            }
            for (depth, frame) in w.stack.iter().enumerate() {
                writeln!(out, "      #{depth} {frame}")?;
            }
        }
    }
    Ok(())
}

/// A table of section records: `first` then the columns of [`record_row`].
fn record_table(first: (&str, Align)) -> Table {
    Table::new(&[
        first,
        ("KIND", Align::Left),
        ("CONTEXT", Align::Left),
        ("DURATION", Align::Right),
        ("CPU", Align::Right),
        ("PID", Align::Right),
        ("COMM", Align::Left),
        ("START -> END", Align::Left),
    ])
}

/// The cells of a section record after the `first` one.
fn record_row(first: String, r: &SectionRecord) -> Vec<String> {
    vec![
        first,
        crate::color::kind(r.kind),
        r.context.to_string(),
        format_ns(r.duration_ns),
        r.cpu.to_string(),
        r.pid.to_string(),
        r.comm.to_string(),
        span(&r.start, &r.end),
    ]
}

/// Writes the log, oldest first; `TIME` is when the section ended, in
/// seconds since boot.
///
/// ```text
/// TIME      KIND  CONTEXT  DURATION  CPU  PID  COMM      START -> END
/// 7.487691  any   task     582.8 us    0   80  guest.sh  irqentry_enter+0x69/0xd0 -> irqentry_exit+0x65/0x6b0
/// ```
///
/// # Errors
///
/// Any error of `out`.
pub fn write_log(out: &mut dyn Write, log: &[SectionRecord]) -> io::Result<()> {
    if log.is_empty() {
        return writeln!(out, "No log entries.");
    }
    let mut table = record_table(("TIME", Align::Right));
    for r in log {
        table.row(record_row(format_time_s(r.end_ns), r));
    }
    write_table(out, &table)
}

/// Writes the histogram of each of `kinds` as bars of `#` (see
/// [`write_bars`]).
///
/// ```text
/// irq: 3207 sections
///   [   0,    1) us   609  ###############################
/// ```
///
/// # Errors
///
/// Any error of `out`.
pub fn write_hist(out: &mut dyn Write, snapshot: &Snapshot, kinds: &[Kind]) -> io::Result<()> {
    for (i, &kind) in kinds.iter().enumerate() {
        if i > 0 {
            writeln!(out)?;
        }
        let h = snapshot.hist.get(kind);
        write_bars(out, kind.name(), "sections", h, bucket_lo_us, bucket_hi_us)?;
    }
    Ok(())
}

/// Writes the histogram of each site as bars, titled `KIND START -> END`; `no site`
/// when the selection is empty.
///
/// # Errors
///
/// Any error of `out`.
pub fn write_site_hists(out: &mut dyn Write, sites: &[&Site]) -> io::Result<()> {
    if sites.is_empty() {
        return writeln!(out, "no site");
    }
    for (i, site) in sites.iter().enumerate() {
        if i > 0 {
            writeln!(out)?;
        }
        let title = format!("{} {} -> {}", site.kind.name(), site.start, site.end);
        write_bars(
            out,
            &title,
            "sections",
            &site.hist,
            bucket_lo_us,
            bucket_hi_us,
        )?;
    }
    Ok(())
}

/// Writes `TITLE: TOTAL WHAT` and the histogram `h` as bars of `#`, one
/// line per bucket from the first to the last non-empty one, with the
/// bucket bounds `lo_us` and `hi_us` (`inf` for `None`). The largest bucket
/// is [`BAR_WIDTH`] wide and every non-empty bucket at least one `#`. An
/// empty histogram is `TITLE: no WHAT`.
///
/// # Errors
///
/// Any error of `out`.
pub fn write_bars<const N: usize>(
    out: &mut dyn Write,
    title: &str,
    what: &str,
    h: &Histogram<N>,
    lo_us: fn(usize) -> u64,
    hi_us: fn(usize) -> Option<u64>,
) -> io::Result<()> {
    let Some((first, last)) = h.nonzero_range() else {
        return writeln!(out, "{title}: no {what}");
    };
    writeln!(out, "{title}: {} {what}", h.total())?;
    let largest = h.counts().iter().copied().max().unwrap_or(0);
    let rows: Vec<(String, String, u64)> = (first..=last)
        .map(|b| {
            let hi = hi_us(b).map_or("inf".to_string(), |hi| hi.to_string());
            (lo_us(b).to_string(), hi, h.get(b))
        })
        .collect();
    let lo_w = rows.iter().map(|r| r.0.len()).max().unwrap_or(0);
    let hi_w = rows.iter().map(|r| r.1.len()).max().unwrap_or(0);
    let n_w = rows
        .iter()
        .map(|r| r.2.to_string().len())
        .max()
        .unwrap_or(0);
    for (lo, hi, n) in rows {
        let bar = bar_len(n, largest);
        let line = format!(
            "  [{lo:>lo_w$}, {hi:>hi_w$}) us  {n:>n_w$}  {}",
            "#".repeat(bar)
        );
        writeln!(out, "{}", line.trim_end())?;
    }
    Ok(())
}

/// The number of `#` for `n` when `largest` gets [`BAR_WIDTH`]: rounded,
/// at least 1 for any `n` above 0.
fn bar_len(n: u64, largest: u64) -> usize {
    if n == 0 || largest == 0 {
        return 0;
    }
    let len =
        (u128::from(n) * u128::from(BAR_WIDTH) + u128::from(largest) / 2) / u128::from(largest);
    len.clamp(1, u128::from(BAR_WIDTH)) as usize
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bars() {
        assert_eq!(bar_len(0, 10), 0);
        assert_eq!(bar_len(10, 10), 50);
        assert_eq!(bar_len(1, 1_000_000), 1);
        assert_eq!(bar_len(5, 10), 25);
        assert_eq!(bar_len(u64::MAX, u64::MAX), 50);
    }

    #[test]
    fn group_lines_center_titles_between_bars() {
        assert_eq!(
            group_line("CPU  |  A  B  |  C  |  D", &["ab", "x"]),
            "     |   ab   |  x  |"
        );
        assert_eq!(group_line("no bars", &["t"]), "");
        assert_eq!(group_line("|  |", &[]), "|  |");
    }
}
