// SPDX-License-Identifier: GPL-2.0

//! The report files: `summary`, `sites`, `worst`, `log`, `hist` (format version 1).
//!
//! Every file is text with one record per line; lines starting with `#` describe the columns.
//! Durations and times are in nanoseconds (`*_ns`), histogram bounds in microseconds. Sites are
//! `function+0xoff/0xsize`, followed by ` [module]` for module code; `?` is an address nothing
//! could resolve. Task names are escaped: a byte outside `!`..`~`, or a backslash, is `\xHH`;
//! the empty name is `-`, and a name that is just `-` is `\x2d`.
//! `Documentation/preemptstat.rst` describes every field.

use crate::{
    compat,
    control::threshold_us,
    cpu::CountersSnapshot,
    model::{hist_hi_us, hist_lo_us, write_context_mask, Kind, HIST_BUCKETS, KINDS},
    sites::SiteSnapshot,
    sort::sort_by_key,
    symbols::write_symbol,
    text::TextBuf,
    tlog::LogSnapshot,
    tracer::Tracer,
    wakeup::{whist_hi_us, whist_lo_us, WakeupStats},
    worst::WorstSnapshot,
    FORMAT_VERSION,
};
use core::{
    fmt::{self, Write},
    sync::atomic::Ordering::Relaxed,
};
use kernel::prelude::*;

pub(crate) fn kind_name(k: u32) -> &'static str {
    Kind::from_idx(k as usize).map_or("?", Kind::name)
}

/// Writes a task name (`comm`, NUL-padded) with the escaping described above.
pub(crate) fn write_comm(out: &mut TextBuf, comm: &[u64; 2]) -> fmt::Result {
    let mut bytes = [0u8; 16];
    bytes[..8].copy_from_slice(&comm[0].to_ne_bytes());
    bytes[8..].copy_from_slice(&comm[1].to_ne_bytes());
    let len = bytes.iter().position(|&b| b == 0).unwrap_or(bytes.len());
    if len == 0 {
        return out.write_char('-');
    }
    // `-` alone means the empty name: a task really named `-` is escaped.
    if bytes.get(..len) == Some(b"-") {
        return out.write_str("\\x2d");
    }
    for &b in bytes.get(..len).unwrap_or(&[]) {
        if (b'!'..=b'~').contains(&b) && b != b'\\' {
            out.write_char(b as char)?;
        } else {
            write!(out, "\\x{b:02x}")?;
        }
    }
    Ok(())
}

/// Pushes onto a vector inside a `fmt` callback; out of memory fails the report.
pub(crate) fn push<T>(v: &mut KVVec<T>, x: T, failed: &mut bool) {
    if v.push(x, GFP_KERNEL).is_err() {
        *failed = true;
    }
}

/// The sites of all CPUs, merged per site and sorted by longest section first, and the number
/// of table slots in use.
fn merged_sites(t: &Tracer, gen: u64) -> Result<(KVVec<SiteSnapshot>, usize), fmt::Error> {
    let mut all = KVVec::new();
    let mut failed = false;
    for (cpu, st) in t.cpus.iter() {
        st.sites
            .for_each(gen, cpu as u32, |s| push(&mut all, s.clone(), &mut failed));
    }
    if failed {
        return Err(fmt::Error);
    }
    let slots = all.len();
    sort_by_key(&mut all, |s| (s.kind, s.start, s.end, s.retired_id));
    let mut merged: KVVec<SiteSnapshot> = KVVec::new();
    for s in all.iter() {
        match merged.last_mut() {
            Some(last) if last.same_key(s) => last.merge(s),
            _ => push(&mut merged, s.clone(), &mut failed),
        }
    }
    if failed {
        return Err(fmt::Error);
    }
    sort_by_key(&mut merged, |s| core::cmp::Reverse(s.max_ns));
    Ok((merged, slots))
}

/// The counters of every CPU added up, on the heap: two [`CountersSnapshot`]s would take 2 KiB
/// of a 16 KiB kernel stack.
fn all_counters(t: &Tracer, gen: u64) -> Result<KBox<CountersSnapshot>, fmt::Error> {
    let mut sum =
        KBox::<CountersSnapshot>::init(compat::zeroed(), GFP_KERNEL).map_err(|_| fmt::Error)?;
    let mut one =
        KBox::<CountersSnapshot>::init(compat::zeroed(), GFP_KERNEL).map_err(|_| fmt::Error)?;
    for (_, cpu) in t.cpus.iter() {
        cpu.counters_into(gen, &mut one);
        sum.add(&one);
    }
    Ok(sum)
}

/// `summary`: `key value` lines.
pub(crate) fn show_summary(t: &Tracer, out: &mut TextBuf) -> fmt::Result {
    let names = t.names.lock();
    let gen = t.gen();
    let c = all_counters(t, gen)?;
    let (sites, slots) = merged_sites(t, gen)?;
    let mut recorded = [0u64; 3];
    for s in sites.iter() {
        if let Some(r) = recorded.get_mut(s.kind as usize) {
            *r = r.saturating_add(s.count);
        }
    }
    let nmi: u64 = t.cpus.iter().map(|(_, cpu)| cpu.nmi_events()).sum();
    writeln!(out, "version {FORMAT_VERSION}")?;
    writeln!(out, "enabled {}", u8::from(t.enabled()))?;
    writeln!(
        out,
        "threshold_us {}",
        t.g.threshold_ns.load(core::sync::atomic::Ordering::Relaxed) / 1000
    )?;
    writeln!(out, "cpus {}", t.cpus.len())?;
    writeln!(out, "site_slots_per_cpu {}", t.sizes.sites)?;
    writeln!(out, "site_slots_used {slots}")?;
    writeln!(out, "sites {}", sites.len())?;
    writeln!(out, "worst_per_cpu {}", t.sizes.worst)?;
    writeln!(out, "log_per_cpu {}", t.sizes.log)?;
    writeln!(out, "memory_bytes {}", t.bytes(&names))?;
    let rows: [(&str, &[u64; 3]); 8] = [
        ("seen", &c.seen),
        ("recorded", &recorded),
        ("dropped", &c.dropped),
        ("unpaired_end", &c.unpaired_end),
        ("restarted", &c.restarted),
        ("discarded_idle", &c.discarded_idle),
        ("discarded_hotplug", &c.discarded_hotplug),
        ("discarded_epoch", &c.discarded_epoch),
    ];
    for (name, values) in rows.iter() {
        for k in KINDS {
            writeln!(
                out,
                "{name}_{} {}",
                k.name(),
                values.get(k.idx()).copied().unwrap_or(0)
            )?;
        }
    }
    for k in KINDS {
        let max = sites
            .iter()
            .filter(|s| s.kind as usize == k.idx())
            .map(|s| s.max_ns)
            .max()
            .unwrap_or(0);
        writeln!(out, "max_ns_{} {max}", k.name())?;
    }
    writeln!(out, "gated_events {}", c.gated)?;
    writeln!(out, "nmi_events {nmi}")?;
    writeln!(out, "recursion {}", c.recursion)?;
    writeln!(out, "log_written {}", c.log_written)?;
    writeln!(out, "log_overwritten {}", c.log_overwritten)?;
    let w = &t.wakeup;
    let gen = t.gen();
    let (spikes, overwritten, merged) =
        w.cpus.iter().fold((0u64, 0u64, 0u64), |(a, b, m), (_, c)| {
            let (x, y, z) = c.spike_counts(gen);
            (
                a.saturating_add(x),
                b.saturating_add(y),
                m.saturating_add(z),
            )
        });
    writeln!(
        out,
        "wakeup_enabled {}",
        u8::from(w.cfg.enabled.load(Relaxed))
    )?;
    writeln!(out, "period_us {}", w.cfg.period_ns.load(Relaxed) / 1000)?;
    writeln!(
        out,
        "wakeup_threshold_us {}",
        threshold_us(w.cfg.threshold_ns.load(Relaxed))
    )?;
    writeln!(out, "wakeup_prio {}", w.cfg.prio)?;
    writeln!(out, "spikes {spikes}")?;
    writeln!(out, "spikes_overwritten {overwritten}")?;
    writeln!(out, "spikes_merged {merged}")?;
    let dropped = w.cpus.iter().fold(0u64, |a, (_, c)| {
        a.saturating_add(c.cause_totals(gen).dropped)
    });
    writeln!(out, "breakdown_dropped {dropped}")
}

/// Writes a sparse histogram token: `bucket:count` pairs joined by `,`, or `-`.
fn write_hist(out: &mut TextBuf, hist: &[u64; HIST_BUCKETS]) -> fmt::Result {
    let mut first = true;
    for (i, &n) in hist.iter().enumerate() {
        if n != 0 {
            if !first {
                out.write_char(',')?;
            }
            write!(out, "{i}:{n}")?;
            first = false;
        }
    }
    if first {
        out.write_char('-')?;
    }
    Ok(())
}

/// `sites`: one line per (kind, start site, end site), longest section first.
pub(crate) fn show_sites(t: &Tracer, out: &mut TextBuf) -> fmt::Result {
    let names = t.names.lock();
    let (sites, _) = merged_sites(t, t.gen())?;
    writeln!(
        out,
        "# kind count total_ns min_ns max_ns contexts max_cpu max_pid max_comm max_end_ns hist spikes spike_max_ns start end"
    )?;
    for s in sites.iter() {
        write!(
            out,
            "{} {} {} {} {} ",
            kind_name(s.kind),
            s.count,
            s.total_ns,
            s.min_ns,
            s.max_ns
        )?;
        write_context_mask(out, s.ctx_mask)?;
        write!(out, " {} {} ", s.max_cpu, s.max_pid)?;
        write_comm(out, &s.max_comm)?;
        write!(out, " {} ", s.max_end_ns)?;
        write_hist(out, &s.hist)?;
        write!(out, " {} {} ", s.spikes, s.spike_max_ns)?;
        write_symbol(out, &names, s.retired_id, s.start)?;
        out.write_char(' ')?;
        write_symbol(out, &names, s.retired_id, s.end)?;
        out.write_char('\n')?;
    }
    Ok(())
}

/// `worst`: the N longest sections, each a `section` line followed by its `frame` lines.
pub(crate) fn show_worst(t: &Tracer, out: &mut TextBuf) -> fmt::Result {
    let names = t.names.lock();
    let gen = t.gen();
    let mut all: KVVec<WorstSnapshot> = KVVec::new();
    let mut failed = false;
    for (cpu, st) in t.cpus.iter() {
        st.worst
            .for_each(gen, cpu as u32, |w| push(&mut all, w.clone(), &mut failed));
    }
    if failed {
        return Err(fmt::Error);
    }
    sort_by_key(&mut all, |w| core::cmp::Reverse(w.section.ns));
    writeln!(
        out,
        "# section rank kind context duration_ns cpu pid comm end_ns start end"
    )?;
    writeln!(out, "# frame rank depth address")?;
    for (i, w) in all.iter().take(t.sizes.worst).enumerate() {
        let rank = i + 1;
        let frames = w.frames.iter().take(w.nr_frames);
        let w = &w.section;
        write!(
            out,
            "section {rank} {} {} {} {} {} ",
            kind_name(w.kind),
            crate::model::context_name(w.ctx),
            w.ns,
            w.cpu,
            w.pid
        )?;
        write_comm(out, &w.comm)?;
        write!(out, " {} ", w.end_ns)?;
        write_symbol(out, &names, 0, w.start)?;
        out.write_char(' ')?;
        write_symbol(out, &names, 0, w.end)?;
        out.write_char('\n')?;
        for (depth, &f) in frames.enumerate() {
            write!(out, "frame {rank} {depth} ")?;
            write_symbol(out, &names, 0, f)?;
            out.write_char('\n')?;
        }
    }
    Ok(())
}

/// `log`: every section at or above `threshold_us` still in the rings, oldest first.
pub(crate) fn show_log(t: &Tracer, out: &mut TextBuf) -> fmt::Result {
    let names = t.names.lock();
    let gen = t.gen();
    let mut all: KVVec<LogSnapshot> = KVVec::new();
    let mut failed = false;
    for (cpu, st) in t.cpus.iter() {
        st.log
            .for_each(gen, cpu as u32, |r| push(&mut all, *r, &mut failed));
    }
    if failed {
        return Err(fmt::Error);
    }
    sort_by_key(&mut all, |r| r.end_ns);
    writeln!(
        out,
        "# kind context duration_ns cpu pid comm end_ns start end"
    )?;
    for r in all.iter() {
        write!(
            out,
            "{} {} {} {} {} ",
            kind_name(r.kind),
            crate::model::context_name(r.ctx),
            r.ns,
            r.cpu,
            r.pid
        )?;
        write_comm(out, &r.comm)?;
        write!(out, " {} ", r.end_ns)?;
        write_symbol(out, &names, 0, r.start)?;
        out.write_char(' ')?;
        write_symbol(out, &names, 0, r.end)?;
        out.write_char('\n')?;
    }
    Ok(())
}

/// `hist`: the per-kind log2 histograms of every section, all buckets.
pub(crate) fn show_hist(t: &Tracer, out: &mut TextBuf) -> fmt::Result {
    let c = all_counters(t, t.gen())?;
    writeln!(out, "# kind bucket lo_us hi_us count")?;
    for k in KINDS {
        let Some(h) = c.hist.get(k.idx()) else {
            continue;
        };
        for (i, n) in h.iter().enumerate() {
            write!(out, "{} {i} {} ", k.name(), hist_lo_us(i))?;
            match hist_hi_us(i) {
                Some(hi) => write!(out, "{hi}")?,
                None => out.write_str("inf")?,
            }
            writeln!(out, " {n}")?;
        }
    }
    Ok(())
}

/// `wakeup`: per-CPU wakeup latency statistics.
pub(crate) fn show_wakeup(t: &Tracer, out: &mut TextBuf) -> fmt::Result {
    let gen = t.gen();
    writeln!(
        out,
        "# cpu irq_count irq_min_ns irq_avg_ns irq_max_ns thread_count thread_min_ns thread_avg_ns thread_max_ns missed spikes"
    )?;
    let mut st = KBox::<WakeupStats>::init(compat::zeroed(), GFP_KERNEL).map_err(|_| fmt::Error)?;
    for (cpu, w) in t.wakeup.cpus.iter() {
        w.stats_into(gen, &mut st);
        let (irq, thread) = (&st.irq, &st.thread);
        writeln!(
            out,
            "{cpu} {} {} {} {} {} {} {} {} {} {}",
            irq.count,
            irq.min_or_zero(),
            irq.avg_ns(),
            irq.max_ns,
            thread.count,
            thread.min_or_zero(),
            thread.avg_ns(),
            thread.max_ns,
            st.missed,
            st.spikes
        )?;
    }
    Ok(())
}

/// `wakeup_hist`: the non-empty buckets of every CPU's IRQ and thread latency histograms.
pub(crate) fn show_wakeup_hist(t: &Tracer, out: &mut TextBuf) -> fmt::Result {
    let gen = t.gen();
    writeln!(out, "# cpu latency bucket lo_us hi_us count")?;
    let mut st = KBox::<WakeupStats>::init(compat::zeroed(), GFP_KERNEL).map_err(|_| fmt::Error)?;
    for (cpu, w) in t.wakeup.cpus.iter() {
        w.stats_into(gen, &mut st);
        for (name, h) in [("irq", &st.irq.hist), ("thread", &st.thread.hist)] {
            for (b, &n) in h.iter().enumerate() {
                if n == 0 {
                    continue;
                }
                write!(out, "{cpu} {name} {b} {} ", whist_lo_us(b))?;
                match whist_hi_us(b) {
                    Some(hi) => write!(out, "{hi}")?,
                    None => out.write_str("inf")?,
                }
                writeln!(out, " {n}")?;
            }
        }
    }
    Ok(())
}
