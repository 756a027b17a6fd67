// SPDX-License-Identifier: GPL-2.0

//! The spike files: `spikes` (the newest), `spikes_worst`, `spike_parts` (their breakdowns'
//! labelled parts and the longest other task's stack) and `causes` (per-cause totals per CPU).
//! Same conventions as the other report files (`report.rs`); `Documentation/preemptstat.rst`
//! describes every field.

use crate::{
    breakdown::Part,
    cause::{
        Class, Label, CLASSES, LABEL_DEVICE_IRQ, LABEL_HRTIMER, LABEL_NMI, LABEL_SECTION,
        LABEL_SOFTIRQ, LABEL_TASK, LABEL_VECTOR, SOFTIRQS, VECTORS,
    },
    report::{kind_name, push, write_comm},
    sort::sort_by_key,
    symbols::{write_symbol, RetiredNames},
    text::TextBuf,
    tracer::Tracer,
    wakeup::Spike,
};
use core::fmt::{self, Write};
use kernel::prelude::*;

/// The spikes of every CPU, from the newest rings (`worst` false) or the worst lists.
fn all_spikes(t: &Tracer, worst: bool) -> Result<KVVec<Spike>, fmt::Error> {
    let gen = t.gen();
    let mut all: KVVec<Spike> = KVVec::new();
    let mut failed = false;
    for (_, w) in t.wakeup.cpus.iter() {
        let f = |s: &Spike| push(&mut all, *s, &mut failed);
        if worst {
            w.for_each_worst_spike(gen, f);
        } else {
            w.for_each_spike(gen, f);
        }
    }
    if failed {
        return Err(fmt::Error);
    }
    Ok(all)
}

/// The header of `spikes` and `spikes_worst`.
const SPIKES_HEADER: &str = "# cpu expiry_ns irq_latency_ns thread_latency_ns pid comm blame_kind blame_context open_ns start end other_ns other_start other_end cause cause_ns nmi_ns irq_ns timer_ns softirq_ns irqsoff_ns preemptoff_ns task_ns idle_ns switch_ns unaccounted_ns";

/// One line of `spikes` or `spikes_worst`.
fn write_spike(out: &mut TextBuf, names: &RetiredNames, s: &Spike) -> fmt::Result {
    write!(
        out,
        "{} {} {} {} {} ",
        s.cpu, s.expiry_ns, s.irq_ns, s.thread_ns, s.pid
    )?;
    write_comm(out, &s.comm)?;
    match s.blame {
        Some((kind, ctx, start, end, open_ns)) => {
            write!(
                out,
                " {} {} {open_ns} ",
                kind_name(kind),
                crate::model::context_name(ctx)
            )?;
            write_symbol(out, names, 0, start)?;
            out.write_char(' ')?;
            if end == 0 {
                out.write_char('-')?;
            } else {
                write_symbol(out, names, 0, end)?;
            }
        }
        None => out.write_str(" - - - - -")?,
    }
    match s.after {
        Some((start, end, ns)) => {
            write!(out, " {ns} ")?;
            write_symbol(out, names, 0, start)?;
            out.write_char(' ')?;
            write_symbol(out, names, 0, end)?;
        }
        None => out.write_str(" - - -")?,
    }
    match s.bd.cause() {
        Some(p) => write!(out, " {} {}", p.class.name(), p.ns)?,
        None => out.write_str(" - 0")?,
    }
    for ns in s.bd.class_ns.iter() {
        write!(out, " {ns}")?;
    }
    out.write_char('\n')
}

/// `spikes`: late wakeups with what delayed them, oldest first.
pub(crate) fn show_spikes(t: &Tracer, out: &mut TextBuf) -> fmt::Result {
    let names = t.names.lock();
    let mut all = all_spikes(t, false)?;
    sort_by_key(&mut all, |s| s.expiry_ns);
    writeln!(out, "{SPIKES_HEADER}")?;
    for s in all.iter() {
        write_spike(out, &names, s)?;
    }
    Ok(())
}

/// `spikes_worst`: the worst spikes kept per CPU, all CPUs, worst first (ties: older first).
pub(crate) fn show_spikes_worst(t: &Tracer, out: &mut TextBuf) -> fmt::Result {
    let names = t.names.lock();
    let mut all = all_spikes(t, true)?;
    sort_by_key(&mut all, |s| (core::cmp::Reverse(s.thread_ns), s.expiry_ns));
    writeln!(out, "{SPIKES_HEADER}")?;
    for s in all.iter() {
        write_spike(out, &names, s)?;
    }
    Ok(())
}

/// A part's `id name extra` columns.
fn write_label(out: &mut TextBuf, names: &RetiredNames, l: &Label) -> fmt::Result {
    let sym = |out: &mut TextBuf, a: u64| write_symbol(out, names, 0, a as usize);
    match l.kind {
        LABEL_DEVICE_IRQ => {
            write!(out, "{} ", l.id)?;
            write_comm(out, &l.name)?;
            out.write_str(" -")
        }
        LABEL_VECTOR => {
            let v = VECTORS.get(l.id as usize).copied().unwrap_or("?");
            write!(out, "{v} - -")
        }
        LABEL_HRTIMER => {
            out.write_str("hrtimer ")?;
            sym(out, l.id)?;
            out.write_str(" -")
        }
        LABEL_NMI => {
            out.write_str("- ")?;
            sym(out, l.id)?;
            out.write_str(" -")
        }
        LABEL_SOFTIRQ => {
            let v = SOFTIRQS.get(l.id as usize).copied().unwrap_or("?");
            write!(out, "{v} - -")
        }
        LABEL_SECTION => {
            sym(out, l.id)?;
            out.write_char(' ')?;
            if l.id2 == 0 {
                out.write_char('-')?;
            } else {
                sym(out, l.id2)?;
            }
            out.write_str(" -")
        }
        LABEL_TASK => {
            write!(out, "{} ", l.id)?;
            write_comm(out, &l.name)?;
            let policy = match l.id2 >> 32 {
                0 => "OTHER",
                1 => "FIFO",
                2 => "RR",
                3 => "BATCH",
                5 => "IDLE",
                6 => "DEADLINE",
                7 => "EXT",
                _ => "?",
            };
            write!(out, " {policy}:{}", l.id2 as u32 as i32)
        }
        _ => out.write_str("- - -"),
    }
}

/// `spike_parts`: the labelled parts of every spike in `spikes` or `spikes_worst`, and the
/// longest other task's stack.
pub(crate) fn show_spike_parts(t: &Tracer, out: &mut TextBuf) -> fmt::Result {
    let names = t.names.lock();
    let mut all = all_spikes(t, false)?;
    let worst = all_spikes(t, true)?;
    let mut failed = false;
    for s in worst.iter() {
        push(&mut all, *s, &mut failed);
    }
    if failed {
        return Err(fmt::Error);
    }
    sort_by_key(&mut all, |s| (s.expiry_ns, s.cpu));
    writeln!(out, "# part cpu expiry_ns rank class id name extra ns")?;
    writeln!(out, "# frame cpu expiry_ns depth address")?;
    let mut last = None;
    for s in all.iter() {
        // A spike in both the ring and the worst list is listed once.
        if last == Some((s.cpu, s.expiry_ns)) {
            continue;
        }
        last = Some((s.cpu, s.expiry_ns));
        for (rank, p) in s.bd.parts.iter().flatten().enumerate() {
            let Part { class, label, ns } = p;
            write!(
                out,
                "part {} {} {} {} ",
                s.cpu,
                s.expiry_ns,
                rank + 1,
                class.name()
            )?;
            write_label(out, &names, label)?;
            writeln!(out, " {ns}")?;
        }
        for (depth, &f) in s.bd.frames.iter().take(s.bd.nr_frames).enumerate() {
            write!(out, "frame {} {} {depth} ", s.cpu, s.expiry_ns)?;
            write_symbol(out, &names, 0, f)?;
            out.write_char('\n')?;
        }
    }
    Ok(())
}

/// `causes`: per CPU and class, the spikes it had time in, the spikes it caused, its time.
pub(crate) fn show_causes(t: &Tracer, out: &mut TextBuf) -> fmt::Result {
    let gen = t.gen();
    writeln!(out, "# cpu cause spikes dominant total_ns")?;
    for (cpu, w) in t.wakeup.cpus.iter() {
        let tot = w.cause_totals(gen);
        for c in CLASSES {
            let i = Class::idx(c);
            let get = |a: &[u64]| a.get(i).copied().unwrap_or(0);
            writeln!(
                out,
                "{cpu} {} {} {} {}",
                c.name(),
                get(&tot.spikes),
                get(&tot.dominant),
                get(&tot.ns)
            )?;
        }
    }
    Ok(())
}
