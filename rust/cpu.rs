// SPDX-License-Identifier: GPL-2.0

//! Per-CPU section tracking: the hot path.
//!
//! Every function here that changes a CPU's state runs on that CPU with interrupts disabled
//! (the probes disable them untraced, see `probes.rs`), and NMIs never get this far. So each
//! CPU's state has exactly one writer at a time, which never nests: plain `Relaxed` loads and
//! stores suffice, and other CPUs read through sequence counts.
//!
//! Why `core::sync::atomic` and not `kernel::sync::atomic::Atomic`: in this kernel build
//! (`CONFIG_RUST_INLINE_HELPERS` unset) every `Atomic<T>` access is an out-of-line call into a
//! C helper; `Relaxed` core atomics compile to plain moves, which on x86 are exactly what
//! `READ_ONCE()`/`WRITE_ONCE()` give the C tracers.
//!
//! Sections, per CPU:
//! - `preempt` opens when a `preempt_disable` event fires (`preempt_count()` 0 → non-zero) and
//!   closes at the matching `preempt_enable`; a context switch keeps it open (disabled in the
//!   old task's `schedule()`, enabled in the new task's).
//! - `irq` opens at `irq_disable` and closes at `irq_enable`.
//! - `any` opens when the first of the two opens and closes when the last one closes.
//!
//! What is not a section:
//! - Idle. The idle task runs with `preempt_count()` 1 and halts with interrupts off. The
//!   `cpu_idle` tracepoint (beside ftrace's `stop_critical_timings()`) discards whatever is open
//!   on the CPU and stops tracking until the CPU leaves idle.
//! - Offline time. A CPU going offline stops tracking in its hotplug teardown; coming back, it
//!   discards its stale state in the hotplug startup before tracking again.
//! - Sections open across `enable 0`/`enable 1` or `reset`: they carry the epoch they started in
//!   and are discarded, counted, if it changed.
//! - An end without a start (after loading, after idle, after an NMI that swallowed a start):
//!   counted as `unpaired_end`, nothing else.

use crate::{
    compat,
    model::{hist_bucket, Kind, HIST_BUCKETS, NR_KINDS},
    seqcount::SeqCount,
    sites::{Sample, SiteTable},
    sys,
    tlog::LogRing,
    trace_events,
    worst::WorstList,
};
use core::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, AtomicUsize, Ordering::Relaxed};
use kernel::prelude::*;

/// Settings and generations shared by all CPUs, read on every event.
pub(crate) struct Globals {
    /// Whether the probes record anything (the `enable` file).
    pub(crate) enabled: AtomicBool,
    /// Reset generation: statistics of an older generation are stale.
    pub(crate) gen: AtomicU64,
    /// Bumped by every reset and every enable: open sections of an older epoch are discarded.
    pub(crate) epoch: AtomicU64,
    /// Sections at least this long go to the log; 0 turns the log off.
    pub(crate) threshold_ns: AtomicU64,
    /// `[start, end)` of the Rust helpers' text, where Rust code's locks go through C.
    pub(crate) helpers: (usize, usize),
    /// `[start, end)` of the kernel's lock functions (`__lock_text`), found at load time so
    /// that the probes compare instead of calling `in_lock_functions()` on every event.
    pub(crate) lock_text: (usize, usize),
}

impl Globals {
    /// Whether `addr` is in a lock function or a Rust helper: not a site, only a way to one.
    #[inline]
    fn is_lock_path(&self, addr: usize) -> bool {
        (addr >= self.lock_text.0 && addr < self.lock_text.1)
            || (addr >= self.helpers.0 && addr < self.helpers.1)
    }

    /// The call site of an event: `ip`, unless that is inside a lock function or a Rust
    /// helper, then the first caller outside them.
    #[inline]
    fn site(&self, ip: usize, parent: usize) -> usize {
        if !self.is_lock_path(ip) {
            return ip;
        }
        if parent != 0 && !self.is_lock_path(parent) {
            return parent;
        }
        self.site_slow(ip, parent)
    }

    /// Rust code locks through a C helper, so the real caller is one frame further than the
    /// event's `parent_ip`: walk the stack past it.
    #[inline(never)]
    fn site_slow(&self, ip: usize, parent: usize) -> usize {
        let mut frames = [0usize; 16];
        let n = sys::stack_trace_save(&mut frames);
        let frames = frames.get(..n).unwrap_or(&[]);
        let from = frames
            .iter()
            .position(|&f| f == parent || f == ip)
            .unwrap_or(0);
        for &f in frames.get(from..).unwrap_or(&[]) {
            if !self.is_lock_path(f) {
                return f;
            }
        }
        if parent != 0 {
            parent
        } else {
            ip
        }
    }
}

/// A section that is open on a CPU.
struct OpenSection {
    open: AtomicBool,
    /// For `any`: the kind whose start opened it.
    opener: AtomicU32,
    start_ns: AtomicU64,
    site: AtomicUsize,
    epoch: AtomicU64,
    ctx: AtomicU32,
    pid: AtomicU32,
    comm: [AtomicU64; 2],
}

impl OpenSection {
    const fn new() -> Self {
        Self {
            open: AtomicBool::new(false),
            opener: AtomicU32::new(0),
            start_ns: AtomicU64::new(0),
            site: AtomicUsize::new(0),
            epoch: AtomicU64::new(0),
            ctx: AtomicU32::new(0),
            pid: AtomicU32::new(0),
            comm: [const { AtomicU64::new(0) }; 2],
        }
    }

    fn set(&self, now: u64, site: usize, epoch: u64, ctx: u32, task: &sys::CurrentTask) {
        self.start_ns.store(now, Relaxed);
        self.site.store(site, Relaxed);
        self.epoch.store(epoch, Relaxed);
        self.ctx.store(ctx, Relaxed);
        self.pid.store(task.pid as u32, Relaxed);
        self.comm[0].store(task.comm[0], Relaxed);
        self.comm[1].store(task.comm[1], Relaxed);
        self.open.store(true, Relaxed);
    }

    fn copy_from(&self, o: &OpenSection, opener: Kind) {
        self.opener.store(opener as u32, Relaxed);
        self.start_ns.store(o.start_ns.load(Relaxed), Relaxed);
        self.site.store(o.site.load(Relaxed), Relaxed);
        self.epoch.store(o.epoch.load(Relaxed), Relaxed);
        self.ctx.store(o.ctx.load(Relaxed), Relaxed);
        self.pid.store(o.pid.load(Relaxed), Relaxed);
        self.comm[0].store(o.comm[0].load(Relaxed), Relaxed);
        self.comm[1].store(o.comm[1].load(Relaxed), Relaxed);
        self.open.store(true, Relaxed);
    }
}

/// Counters of one CPU, reset together with the statistics.
pub(crate) struct Counters {
    /// Sections completed, per kind (recorded in a site or dropped).
    pub(crate) seen: [AtomicU64; NR_KINDS],
    /// Sections that found no free slot in the site table.
    pub(crate) dropped: [AtomicU64; NR_KINDS],
    /// Ends without a start.
    pub(crate) unpaired_end: [AtomicU64; NR_KINDS],
    /// Starts while a section of the kind was already open (the older start is replaced).
    pub(crate) restarted: [AtomicU64; NR_KINDS],
    /// Open sections discarded because the CPU went idle.
    pub(crate) discarded_idle: [AtomicU64; NR_KINDS],
    /// Open sections discarded because the CPU went offline or came back.
    pub(crate) discarded_hotplug: [AtomicU64; NR_KINDS],
    /// Sections discarded because they spanned a reset or an enable.
    pub(crate) discarded_epoch: [AtomicU64; NR_KINDS],
    /// Events ignored while the CPU was idle or offline.
    pub(crate) gated: AtomicU64,
    /// Events that found the probe already running on this CPU (never expected).
    pub(crate) recursion: AtomicU64,
    /// Per-kind log2 histograms of all completed sections.
    pub(crate) hist: [[AtomicU64; HIST_BUCKETS]; NR_KINDS],
}

/// Named copies of the per-kind counters, for reports (1 KiB: the reports keep them on the
/// heap).
pub(crate) struct CountersSnapshot {
    /// See [`Counters`].
    pub(crate) seen: [u64; NR_KINDS],
    /// See [`Counters`].
    pub(crate) dropped: [u64; NR_KINDS],
    /// See [`Counters`].
    pub(crate) unpaired_end: [u64; NR_KINDS],
    /// See [`Counters`].
    pub(crate) restarted: [u64; NR_KINDS],
    /// See [`Counters`].
    pub(crate) discarded_idle: [u64; NR_KINDS],
    /// See [`Counters`].
    pub(crate) discarded_hotplug: [u64; NR_KINDS],
    /// See [`Counters`].
    pub(crate) discarded_epoch: [u64; NR_KINDS],
    /// See [`Counters`].
    pub(crate) gated: u64,
    /// See [`Counters`].
    pub(crate) recursion: u64,
    /// See [`Counters`].
    pub(crate) hist: [[u64; HIST_BUCKETS]; NR_KINDS],
    /// Threshold log records written and overwritten.
    pub(crate) log_written: u64,
    /// See above.
    pub(crate) log_overwritten: u64,
}

// SAFETY: Every field is an integer or an array of integers, for which zero is valid.
unsafe impl compat::Zeroable for CountersSnapshot {}

impl CountersSnapshot {
    /// All zero, in place.
    fn clear(&mut self) {
        for a in [
            &mut self.seen,
            &mut self.dropped,
            &mut self.unpaired_end,
            &mut self.restarted,
            &mut self.discarded_idle,
            &mut self.discarded_hotplug,
            &mut self.discarded_epoch,
        ] {
            a.fill(0);
        }
        for h in self.hist.iter_mut() {
            h.fill(0);
        }
        self.gated = 0;
        self.recursion = 0;
        self.log_written = 0;
        self.log_overwritten = 0;
    }

    /// Adds another CPU's counters.
    pub(crate) fn add(&mut self, o: &CountersSnapshot) {
        fn add3(a: &mut [u64; NR_KINDS], b: &[u64; NR_KINDS]) {
            for (x, y) in a.iter_mut().zip(b.iter()) {
                *x = x.saturating_add(*y);
            }
        }
        add3(&mut self.seen, &o.seen);
        add3(&mut self.dropped, &o.dropped);
        add3(&mut self.unpaired_end, &o.unpaired_end);
        add3(&mut self.restarted, &o.restarted);
        add3(&mut self.discarded_idle, &o.discarded_idle);
        add3(&mut self.discarded_hotplug, &o.discarded_hotplug);
        add3(&mut self.discarded_epoch, &o.discarded_epoch);
        self.gated = self.gated.saturating_add(o.gated);
        self.recursion = self.recursion.saturating_add(o.recursion);
        for (a, b) in self.hist.iter_mut().zip(o.hist.iter()) {
            for (x, y) in a.iter_mut().zip(b.iter()) {
                *x = x.saturating_add(*y);
            }
        }
        self.log_written = self.log_written.saturating_add(o.log_written);
        self.log_overwritten = self.log_overwritten.saturating_add(o.log_overwritten);
    }
}

fn bump(c: &AtomicU64) {
    c.store(c.load(Relaxed).wrapping_add(1), Relaxed);
}

fn load3(a: &[AtomicU64; NR_KINDS]) -> [u64; NR_KINDS] {
    [a[0].load(Relaxed), a[1].load(Relaxed), a[2].load(Relaxed)]
}

/// Closed `any` sections kept per CPU for blaming late wakeups.
pub(crate) const RECENT: usize = 32;

/// A closed (or, in a [`Blame`], possibly still open) `any` section.
#[derive(Clone, Copy, Default)]
pub(crate) struct Section {
    /// The kind that opened it (preempt or irq).
    pub(crate) opener: u32,
    /// Context code it started in.
    pub(crate) ctx: u32,
    /// Task that opened it.
    pub(crate) pid: u32,
    /// Its name.
    pub(crate) comm: [u64; 2],
    /// Start site.
    pub(crate) start: usize,
    /// End site; 0 while open.
    pub(crate) end: usize,
    /// Start time (CLOCK_MONOTONIC ns).
    pub(crate) start_ns: u64,
    /// End time; 0 while open.
    pub(crate) end_ns: u64,
}

struct RecentSlot {
    opener: AtomicU32,
    ctx: AtomicU32,
    pid: AtomicU32,
    comm: [AtomicU64; 2],
    start: AtomicUsize,
    end: AtomicUsize,
    start_ns: AtomicU64,
    end_ns: AtomicU64,
}

impl RecentSlot {
    const fn new() -> Self {
        Self {
            opener: AtomicU32::new(0),
            ctx: AtomicU32::new(0),
            pid: AtomicU32::new(0),
            comm: [const { AtomicU64::new(0) }; 2],
            start: AtomicUsize::new(0),
            end: AtomicUsize::new(0),
            start_ns: AtomicU64::new(0),
            end_ns: AtomicU64::new(0),
        }
    }

    fn get(&self) -> Section {
        Section {
            opener: self.opener.load(Relaxed),
            ctx: self.ctx.load(Relaxed),
            pid: self.pid.load(Relaxed),
            comm: [self.comm[0].load(Relaxed), self.comm[1].load(Relaxed)],
            start: self.start.load(Relaxed),
            end: self.end.load(Relaxed),
            start_ns: self.start_ns.load(Relaxed),
            end_ns: self.end_ns.load(Relaxed),
        }
    }
}

/// What made a wakeup late, as far as the sections of its CPU tell.
pub(crate) struct Blame {
    /// The blamed section: of the `any` sections that overlap the latency window (from the
    /// programmed expiry to the thread running), the one with the largest overlap, if that
    /// overlap covers at least half the window. Usually the section open at the expiry.
    pub(crate) section: Option<Section>,
    /// The largest other overlapping section (the candidate when none is blamed).
    pub(crate) other: Option<Section>,
    /// The task that had the CPU: the opener of the blamed section, else the task the CPU
    /// switched away from to run the thread.
    pub(crate) holder: Option<(u32, [u64; 2])>,
}

/// How much of `[from, to]` the section covers (an open section up to `to`).
fn overlap(s: &Section, from: u64, to: u64) -> u64 {
    let end = if s.end_ns == 0 { to } else { s.end_ns.min(to) };
    end.saturating_sub(s.start_ns.max(from))
}

/// Gate bit: the CPU is idle.
const GATE_IDLE: u32 = 1;
/// Gate bit: the CPU is going offline or not yet back.
const GATE_OFFLINE: u32 = 2;

/// Everything preemptstat keeps for one CPU.
#[repr(C, align(64))]
pub(crate) struct CpuState {
    /// The generation `counters`, `log` (and the site and worst entries it writes) belong to.
    gen: AtomicU64,
    counters_seq: SeqCount,
    counters: Counters,
    open: [OpenSection; NR_KINDS],
    gate: AtomicU32,
    busy: AtomicBool,
    /// NMI events dropped. NMIs can interrupt a probe, so this is the one counter updated
    /// with an atomic read-modify-write; it is never reset, readers subtract `nmi_base`.
    nmi_events: AtomicU64,
    /// The value of `nmi_events` at the last reset.
    nmi_base: AtomicU64,
    /// The site table.
    pub(crate) sites: SiteTable,
    /// The worst sections.
    pub(crate) worst: WorstList,
    /// The threshold log.
    pub(crate) log: LogRing,
    /// The last [`RECENT`] closed `any` sections, a ring.
    recent: [RecentSlot; RECENT],
    recent_head: AtomicUsize,
}

impl CpuState {
    /// A CPU's state with the given table sizes.
    pub(crate) fn new(sites: usize, worst: usize, log: usize) -> Result<Self> {
        Ok(Self {
            gen: AtomicU64::new(0),
            counters_seq: SeqCount::new(),
            counters: Counters {
                seen: [const { AtomicU64::new(0) }; NR_KINDS],
                dropped: [const { AtomicU64::new(0) }; NR_KINDS],
                unpaired_end: [const { AtomicU64::new(0) }; NR_KINDS],
                restarted: [const { AtomicU64::new(0) }; NR_KINDS],
                discarded_idle: [const { AtomicU64::new(0) }; NR_KINDS],
                discarded_hotplug: [const { AtomicU64::new(0) }; NR_KINDS],
                discarded_epoch: [const { AtomicU64::new(0) }; NR_KINDS],
                gated: AtomicU64::new(0),
                recursion: AtomicU64::new(0),
                hist: [const { [const { AtomicU64::new(0) }; HIST_BUCKETS] }; NR_KINDS],
            },
            open: [const { OpenSection::new() }; NR_KINDS],
            gate: AtomicU32::new(0),
            busy: AtomicBool::new(false),
            nmi_events: AtomicU64::new(0),
            nmi_base: AtomicU64::new(0),
            sites: SiteTable::new(sites)?,
            worst: WorstList::new(worst)?,
            log: LogRing::new(log)?,
            recent: [const { RecentSlot::new() }; RECENT],
            recent_head: AtomicUsize::new(0),
        })
    }

    /// The bytes of memory this CPU's state uses.
    pub(crate) fn bytes(&self) -> usize {
        core::mem::size_of::<Self>() + self.sites.bytes() + self.worst.bytes() + self.log.bytes()
    }

    /// Counts an NMI event (callable in NMI).
    #[inline]
    pub(crate) fn count_nmi(&self) {
        self.nmi_events.fetch_add(1, Relaxed);
    }

    /// Starts counting NMI events from zero (on reset).
    pub(crate) fn reset_nmi(&self) {
        self.nmi_base.store(self.nmi_events.load(Relaxed), Relaxed);
    }

    /// NMI events dropped since the last reset.
    pub(crate) fn nmi_events(&self) -> u64 {
        self.nmi_events
            .load(Relaxed)
            .wrapping_sub(self.nmi_base.load(Relaxed))
    }

    /// Brings this CPU's counters to generation `gen`, clearing them if it is new.
    #[inline]
    fn sync_gen(&self, gen: u64) {
        if self.gen.load(Relaxed) == gen {
            return;
        }
        self.clear(gen);
    }

    #[inline(never)]
    fn clear(&self, gen: u64) {
        let c = &self.counters;
        self.counters_seq.write(|| {
            let all = [
                &c.seen,
                &c.dropped,
                &c.unpaired_end,
                &c.restarted,
                &c.discarded_idle,
                &c.discarded_hotplug,
                &c.discarded_epoch,
            ];
            for a in all {
                for x in a.iter() {
                    x.store(0, Relaxed);
                }
            }
            c.gated.store(0, Relaxed);
            c.recursion.store(0, Relaxed);
            for h in c.hist.iter() {
                for x in h.iter() {
                    x.store(0, Relaxed);
                }
            }
            self.log.clear();
            self.gen.store(gen, Relaxed);
        });
    }

    /// Copies the counters into `out`, or zeros if they belong to another generation than `gen`.
    pub(crate) fn counters_into(&self, gen: u64, out: &mut CountersSnapshot) {
        let c = &self.counters;
        let copied = self.counters_seq.read(|| {
            if self.gen.load(Relaxed) != gen {
                return false;
            }
            (out.log_written, out.log_overwritten) = self.log.counts();
            for (d, s) in out.hist.iter_mut().zip(c.hist.iter()) {
                for (x, y) in d.iter_mut().zip(s.iter()) {
                    *x = y.load(Relaxed);
                }
            }
            out.seen = load3(&c.seen);
            out.dropped = load3(&c.dropped);
            out.unpaired_end = load3(&c.unpaired_end);
            out.restarted = load3(&c.restarted);
            out.discarded_idle = load3(&c.discarded_idle);
            out.discarded_hotplug = load3(&c.discarded_hotplug);
            out.discarded_epoch = load3(&c.discarded_epoch);
            out.gated = c.gated.load(Relaxed);
            out.recursion = c.recursion.load(Relaxed);
            true
        });
        if copied != Some(true) {
            out.clear();
        }
    }

    /// Runs `f` as this CPU's single writer: enters, or counts a recursion and returns.
    #[inline]
    fn exclusive(&self, g: &Globals, f: impl FnOnce(u64)) {
        if self.busy.load(Relaxed) {
            bump(&self.counters.recursion);
            return;
        }
        self.busy.store(true, Relaxed);
        let gen = g.gen.load(Relaxed);
        self.sync_gen(gen);
        f(gen);
        self.busy.store(false, Relaxed);
    }

    /// A `preempt_disable` or `irq_disable` event. Interrupts are disabled.
    #[inline]
    pub(crate) fn start(&self, g: &Globals, kind: Kind, ctx: u32, ip: usize, parent: usize) {
        self.exclusive(g, |_gen| {
            if self.gate.load(Relaxed) != 0 {
                bump(&self.counters.gated);
                return;
            }
            let now = sys::now_ns();
            let site = g.site(ip, parent);
            let task = sys::current_task();
            let epoch = g.epoch.load(Relaxed);
            let Some(slot) = self.open.get(kind.idx()) else {
                return;
            };
            if slot.open.load(Relaxed) {
                if let Some(c) = self.counters.restarted.get(kind.idx()) {
                    bump(c);
                }
            }
            let was_any = self.open[Kind::Preempt.idx()].open.load(Relaxed)
                || self.open[Kind::Irq.idx()].open.load(Relaxed);
            slot.set(now, site, epoch, ctx, &task);
            if !was_any {
                self.open[Kind::Any.idx()].copy_from(slot, kind);
            }
        });
    }

    /// A `preempt_enable` or `irq_enable` event. Interrupts are disabled.
    #[inline]
    pub(crate) fn end(&self, g: &Globals, kind: Kind, ip: usize, parent: usize) {
        self.exclusive(g, |gen| {
            let Some(slot) = self.open.get(kind.idx()) else {
                return;
            };
            if !slot.open.load(Relaxed) {
                if let Some(c) = self.counters.unpaired_end.get(kind.idx()) {
                    bump(c);
                }
                return;
            }
            let now = sys::now_ns();
            slot.open.store(false, Relaxed);
            let site = g.site(ip, parent);
            self.finish(g, gen, kind, slot, site, now, ip);
            let any = &self.open[Kind::Any.idx()];
            let still = self.open[Kind::Preempt.idx()].open.load(Relaxed)
                || self.open[Kind::Irq.idx()].open.load(Relaxed);
            if !still && any.open.load(Relaxed) {
                any.open.store(false, Relaxed);
                self.finish(g, gen, Kind::Any, any, site, now, ip);
            }
        });
    }

    /// Records a completed section.
    #[allow(clippy::too_many_arguments)]
    #[inline]
    fn finish(
        &self,
        g: &Globals,
        gen: u64,
        kind: Kind,
        open: &OpenSection,
        end: usize,
        now: u64,
        raw_ip: usize,
    ) {
        let k = kind.idx();
        let c = &self.counters;
        if open.epoch.load(Relaxed) != g.epoch.load(Relaxed) {
            if let Some(x) = c.discarded_epoch.get(k) {
                bump(x);
            }
            return;
        }
        let s = Sample {
            kind,
            start: open.site.load(Relaxed),
            end,
            ctx: open.ctx.load(Relaxed),
            ns: now.saturating_sub(open.start_ns.load(Relaxed)),
            end_ns: now,
            pid: open.pid.load(Relaxed) as i32,
            comm: [open.comm[0].load(Relaxed), open.comm[1].load(Relaxed)],
        };
        let threshold = g.threshold_ns.load(Relaxed);
        let logged = threshold != 0 && s.ns >= threshold;
        self.counters_seq.write(|| {
            if let Some(x) = c.seen.get(k) {
                bump(x);
            }
            if let Some(x) = c.hist.get(k).and_then(|h| h.get(hist_bucket(s.ns))) {
                bump(x);
            }
            if !self.sites.record(gen, &s) {
                if let Some(x) = c.dropped.get(k) {
                    bump(x);
                }
            }
            if logged {
                self.log.push(gen, &s);
            }
        });
        if logged {
            trace_events::section(&s, sys::cpu_id() as u32);
        }
        self.worst.record(gen, &s, raw_ip);
        if kind == Kind::Any {
            let head = self.recent_head.load(Relaxed);
            if let Some(r) = self.recent.get(head % RECENT) {
                r.opener.store(open.opener.load(Relaxed), Relaxed);
                r.ctx.store(s.ctx, Relaxed);
                r.pid.store(s.pid as u32, Relaxed);
                r.comm[0].store(s.comm[0], Relaxed);
                r.comm[1].store(s.comm[1], Relaxed);
                r.start.store(s.start, Relaxed);
                r.end.store(end, Relaxed);
                r.start_ns.store(open.start_ns.load(Relaxed), Relaxed);
                r.end_ns.store(now, Relaxed);
            }
            self.recent_head.store(head.wrapping_add(1), Relaxed);
        }
    }

    /// Finds what delayed a wakeup programmed for `expiry_ns` whose thread ran at `run_ns`.
    /// Only on this CPU, with interrupts disabled, so that no probe changes the state meanwhile.
    pub(crate) fn blame(&self, expiry_ns: u64, run_ns: u64) -> Blame {
        let mut best: Option<Section> = None;
        let mut second: Option<Section> = None;
        let mut holder = None;
        let mut consider = |sec: Section| {
            if overlap(&sec, expiry_ns, run_ns) == 0 {
                return;
            }
            let o = overlap(&sec, expiry_ns, run_ns);
            match &best {
                Some(b) if overlap(b, expiry_ns, run_ns) >= o => {
                    // Not `is_none_or`: 6.12's MSRV is Rust 1.78, and 7.3's clippy flags
                    // `map_or(true, ..)`.
                    let longer = match &second {
                        Some(x) => overlap(x, expiry_ns, run_ns) < o,
                        None => true,
                    };
                    if longer {
                        second = Some(sec);
                    }
                }
                _ => {
                    second = best.take();
                    best = Some(sec);
                }
            }
        };
        if let Some(sec) = self.open_any() {
            consider(sec);
        }
        self.for_each_recent(expiry_ns, run_ns, |sec| {
            if holder.is_none() {
                // The newest section before the thread ran is the switch to it, opened by the
                // task the CPU switched away from.
                holder = Some((sec.pid, sec.comm));
            }
            consider(sec);
            true
        });
        let window = run_ns.saturating_sub(expiry_ns);
        let blamed = best.filter(|b| overlap(b, expiry_ns, run_ns).saturating_mul(2) >= window);
        let other = if blamed.is_some() { second } else { best };
        if let Some(b) = &blamed {
            holder = Some((b.pid, b.comm));
        }
        Blame {
            section: blamed,
            other,
            holder,
        }
    }

    /// The open `any` section, if there is one (end 0).
    fn open_any(&self) -> Option<Section> {
        let any = &self.open[Kind::Any.idx()];
        any.open.load(Relaxed).then(|| Section {
            opener: any.opener.load(Relaxed),
            ctx: any.ctx.load(Relaxed),
            pid: any.pid.load(Relaxed),
            comm: [any.comm[0].load(Relaxed), any.comm[1].load(Relaxed)],
            start: any.site.load(Relaxed),
            end: 0,
            start_ns: any.start_ns.load(Relaxed),
            end_ns: 0,
        })
    }

    /// Calls `f` with the recent closed `any` sections that ended in `[from, to]`, newest
    /// first, until it returns false.
    fn for_each_recent(&self, from: u64, to: u64, mut f: impl FnMut(Section) -> bool) {
        let head = self.recent_head.load(Relaxed);
        for i in 1..=RECENT.min(head) {
            let Some(slot) = self.recent.get(head.wrapping_sub(i) % RECENT) else {
                break;
            };
            let sec = slot.get();
            if sec.end_ns > to {
                continue;
            }
            if sec.end_ns < from || !f(sec) {
                break;
            }
        }
    }

    /// Calls `f` with the `any` sections that overlap `[from, to]`, the open one first, then
    /// the closed ones newest first, at most `max` of them. Only on this CPU, with interrupts
    /// disabled, like [`CpuState::blame`].
    pub(crate) fn sections_in(&self, from: u64, to: u64, max: usize, mut f: impl FnMut(Section)) {
        let mut n = 0;
        if let Some(sec) = self.open_any().filter(|s| s.start_ns < to && max > 0) {
            f(sec);
            n += 1;
        }
        self.for_each_recent(from, to, |sec| {
            if n >= max {
                return false;
            }
            if overlap(&sec, from, to) != 0 {
                f(sec);
                n += 1;
            }
            true
        });
    }

    /// Discards every open section, counting each in `counter`.
    fn discard_open(&self, counter: &[AtomicU64; NR_KINDS]) {
        for (slot, c) in self.open.iter().zip(counter.iter()) {
            if slot.open.load(Relaxed) {
                slot.open.store(false, Relaxed);
                bump(c);
            }
        }
    }

    /// The `cpu_idle` tracepoint: entering idle discards what is open and stops tracking;
    /// leaving idle resumes it. Interrupts are disabled. While not `recording` only the gate
    /// moves: no counter changes, and a section left open from before `enable 0` is discarded
    /// by its epoch when it ends.
    #[inline]
    pub(crate) fn idle(&self, g: &Globals, enter: bool, recording: bool) {
        self.exclusive(g, |_gen| {
            if enter {
                if recording {
                    self.discard_open(&self.counters.discarded_idle);
                }
                self.gate
                    .store(self.gate.load(Relaxed) | GATE_IDLE, Relaxed);
            } else {
                self.gate
                    .store(self.gate.load(Relaxed) & !GATE_IDLE, Relaxed);
            }
        });
    }

    /// CPU hotplug, on the CPU itself with interrupts disabled: going offline discards what is
    /// open and stops tracking; coming online discards stale state and resumes.
    pub(crate) fn hotplug(&self, g: &Globals, online: bool) {
        self.exclusive(g, |_gen| {
            self.discard_open(&self.counters.discarded_hotplug);
            let gate = self.gate.load(Relaxed);
            if online {
                self.gate.store(gate & !(GATE_OFFLINE | GATE_IDLE), Relaxed);
            } else {
                self.gate.store(gate | GATE_OFFLINE, Relaxed);
            }
        });
    }
}
