// SPDX-License-Identifier: GPL-2.0

//! The wakeup probe: per-CPU SCHED_FIFO threads woken by a periodic hrtimer, measuring the
//! kernel latency L = t' - t of each wakeup, and blaming late ones on the section that was
//! non-preemptible on that CPU.
//!
//! ```text
//!              programmed expiry (t)
//!                     |
//!   CPU n  ..[ section open, irqs off or preemption off ]......................
//!                     |<--- IRQ latency --->|                  |
//!                                   hrtimer handler runs:   thread runs (t'):
//!                                   wakes the thread        thread latency = t' - t
//!                     |<------------------ thread latency ---->|
//! ```
//!
//! IRQ latency is the hrtimer handler's start minus the programmed expiry; thread latency is
//! the moment the thread runs minus the programmed expiry, like the kernel's timerlat tracer.
//! A thread that is still waiting when more periods expire does not lose its first expiry:
//! its latency is measured from the oldest expiry it has not handled, and every period it
//! missed is counted in `missed`.

use crate::{
    breakdown::{self, Breakdown, Scratch, BD_WORDS},
    cause::{Class, CpuCause, Event, Label, LABEL_SECTION, NR_CLASSES},
    compat,
    cpu::{Blame, CpuState, Globals},
    model::Kind,
    percpu::PerCpu,
    seqcount::SeqCount,
    sys::{self, HrTimer, KThread},
    trace_events,
};
use core::sync::atomic::{
    AtomicBool, AtomicPtr, AtomicU32, AtomicU64, AtomicUsize, Ordering::Relaxed,
};
use kernel::{bindings, new_mutex, prelude::*, sync::Mutex};

/// Buckets of the wakeup latency histograms.
pub(crate) const WHIST_BUCKETS: usize = 8 + 22 * 8;

/// The log-linear histogram bucket of a latency: 1 µs buckets below 8 µs, then 8 buckets per
/// power of two (12.5 % wide) up to 2^25 µs (about 33 s); the last bucket is open-ended.
pub(crate) fn whist_bucket(ns: u64) -> usize {
    let us = ns / 1000;
    if us < 8 {
        return us as usize;
    }
    let e = (u64::BITS - 1 - us.leading_zeros()) as usize;
    let sub = ((us >> (e - 3)) & 7) as usize;
    (8 + (e - 3) * 8 + sub).min(WHIST_BUCKETS - 1)
}

/// The lower bound of wakeup histogram bucket `b`, in µs.
pub(crate) fn whist_lo_us(b: usize) -> u64 {
    if b < 8 {
        return b as u64;
    }
    let e = 3 + (b - 8) / 8;
    let sub = ((b - 8) % 8) as u64;
    (8 + sub) << (e - 3)
}

/// The upper bound (exclusive) of bucket `b` in µs; `None` for the last, open-ended one.
pub(crate) fn whist_hi_us(b: usize) -> Option<u64> {
    if b + 1 >= WHIST_BUCKETS {
        None
    } else {
        Some(whist_lo_us(b + 1))
    }
}

/// Latency statistics of one kind (IRQ or thread) on one CPU.
struct LatStats {
    count: AtomicU64,
    min_ns: AtomicU64,
    max_ns: AtomicU64,
    sum_ns: AtomicU64,
    hist: [AtomicU64; WHIST_BUCKETS],
}

impl LatStats {
    const fn new() -> Self {
        Self {
            count: AtomicU64::new(0),
            min_ns: AtomicU64::new(u64::MAX),
            max_ns: AtomicU64::new(0),
            sum_ns: AtomicU64::new(0),
            hist: [const { AtomicU64::new(0) }; WHIST_BUCKETS],
        }
    }

    fn clear(&self) {
        self.count.store(0, Relaxed);
        self.min_ns.store(u64::MAX, Relaxed);
        self.max_ns.store(0, Relaxed);
        self.sum_ns.store(0, Relaxed);
        for h in self.hist.iter() {
            h.store(0, Relaxed);
        }
    }

    fn add(&self, ns: u64) {
        self.count
            .store(self.count.load(Relaxed).wrapping_add(1), Relaxed);
        self.sum_ns
            .store(self.sum_ns.load(Relaxed).saturating_add(ns), Relaxed);
        if ns < self.min_ns.load(Relaxed) {
            self.min_ns.store(ns, Relaxed);
        }
        if ns > self.max_ns.load(Relaxed) {
            self.max_ns.store(ns, Relaxed);
        }
        if let Some(h) = self.hist.get(whist_bucket(ns)) {
            h.store(h.load(Relaxed).wrapping_add(1), Relaxed);
        }
    }

    /// Copies the statistics into `out`, in place: a snapshot is 1.5 KiB, too much to move
    /// around on a kernel stack.
    fn snapshot_into(&self, out: &mut LatSnapshot) {
        for (d, h) in out.hist.iter_mut().zip(self.hist.iter()) {
            *d = h.load(Relaxed);
        }
        out.count = self.count.load(Relaxed);
        out.min_ns = self.min_ns.load(Relaxed);
        out.max_ns = self.max_ns.load(Relaxed);
        out.sum_ns = self.sum_ns.load(Relaxed);
    }
}

/// A copy of [`LatStats`].
pub(crate) struct LatSnapshot {
    /// Wakeups measured.
    pub(crate) count: u64,
    /// Shortest (`u64::MAX` if none).
    pub(crate) min_ns: u64,
    /// Longest.
    pub(crate) max_ns: u64,
    /// Sum.
    pub(crate) sum_ns: u64,
    /// Log-linear histogram.
    pub(crate) hist: [u64; WHIST_BUCKETS],
}

// SAFETY: Every field is an integer or an array of integers, for which zero is valid.
unsafe impl compat::Zeroable for LatSnapshot {}

impl LatSnapshot {
    /// No samples, in place.
    fn clear(&mut self) {
        self.count = 0;
        self.min_ns = u64::MAX;
        self.max_ns = 0;
        self.sum_ns = 0;
        self.hist.fill(0);
    }

    /// The smallest sample, 0 without samples.
    pub(crate) fn min_or_zero(&self) -> u64 {
        if self.count == 0 {
            0
        } else {
            self.min_ns
        }
    }

    /// The mean, 0 without samples.
    pub(crate) fn avg_ns(&self) -> u64 {
        self.sum_ns.checked_div(self.count).unwrap_or(0)
    }
}

/// One spike: a wakeup whose thread latency reached `wakeup_threshold_us`.
#[derive(Clone, Copy)]
pub(crate) struct Spike {
    /// CPU.
    pub(crate) cpu: u32,
    /// The programmed expiry.
    pub(crate) expiry_ns: u64,
    /// IRQ latency.
    pub(crate) irq_ns: u64,
    /// Thread latency.
    pub(crate) thread_ns: u64,
    /// The task that held the CPU (pid 0 and empty name if unknown).
    pub(crate) pid: u32,
    /// Its name.
    pub(crate) comm: [u64; 2],
    /// The blamed section: kind that opened it, context, start and end site (end 0 if still
    /// open when the thread ran), how long it had been open at the expiry (0 if it opened
    /// after).
    pub(crate) blame: Option<(u32, u32, usize, usize, u64)>,
    /// The largest other section in the latency window: start, end, length.
    pub(crate) after: Option<(usize, usize, u64)>,
    /// What the window was made of.
    pub(crate) bd: Breakdown,
}

struct SpikeSlot {
    seq: SeqCount,
    gen: AtomicU64,
    expiry_ns: AtomicU64,
    irq_ns: AtomicU64,
    thread_ns: AtomicU64,
    pid: AtomicU32,
    comm: [AtomicU64; 2],
    has_blame: AtomicBool,
    kind: AtomicU32,
    ctx: AtomicU32,
    start: AtomicUsize,
    end: AtomicUsize,
    open_ns: AtomicU64,
    has_after: AtomicBool,
    after_start: AtomicUsize,
    after_end: AtomicUsize,
    after_ns: AtomicU64,
    bd: [AtomicU64; BD_WORDS],
}

impl SpikeSlot {
    fn new() -> Self {
        Self {
            seq: SeqCount::new(),
            gen: AtomicU64::new(0),
            expiry_ns: AtomicU64::new(0),
            irq_ns: AtomicU64::new(0),
            thread_ns: AtomicU64::new(0),
            pid: AtomicU32::new(0),
            comm: [const { AtomicU64::new(0) }; 2],
            has_blame: AtomicBool::new(false),
            kind: AtomicU32::new(0),
            ctx: AtomicU32::new(0),
            start: AtomicUsize::new(0),
            end: AtomicUsize::new(0),
            open_ns: AtomicU64::new(0),
            has_after: AtomicBool::new(false),
            after_start: AtomicUsize::new(0),
            after_end: AtomicUsize::new(0),
            after_ns: AtomicU64::new(0),
            bd: [const { AtomicU64::new(0) }; BD_WORDS],
        }
    }

    /// The spike in this slot, if it is of generation `gen` and was read whole.
    fn get(&self, cpu: u32, gen: u64) -> Option<Spike> {
        if self.gen.load(Relaxed) != gen {
            return None;
        }
        let spike = self.seq.read(|| {
            let mut words = [0u64; BD_WORDS];
            for (d, w) in words.iter_mut().zip(self.bd.iter()) {
                *d = w.load(Relaxed);
            }
            Spike {
                cpu,
                expiry_ns: self.expiry_ns.load(Relaxed),
                irq_ns: self.irq_ns.load(Relaxed),
                thread_ns: self.thread_ns.load(Relaxed),
                pid: self.pid.load(Relaxed),
                comm: [self.comm[0].load(Relaxed), self.comm[1].load(Relaxed)],
                blame: self.has_blame.load(Relaxed).then(|| {
                    (
                        self.kind.load(Relaxed),
                        self.ctx.load(Relaxed),
                        self.start.load(Relaxed),
                        self.end.load(Relaxed),
                        self.open_ns.load(Relaxed),
                    )
                }),
                after: self.has_after.load(Relaxed).then(|| {
                    (
                        self.after_start.load(Relaxed),
                        self.after_end.load(Relaxed),
                        self.after_ns.load(Relaxed),
                    )
                }),
                bd: Breakdown::load_words(&words),
            }
        })?;
        (self.gen.load(Relaxed) == gen).then_some(spike)
    }
}

/// Worst spikes kept per CPU, by thread latency.
pub(crate) const WORST_SPIKES: usize = 16;

/// Per-cause totals of one CPU over the spikes of a generation.
pub(crate) struct CauseTotals {
    /// Spikes in which the class had time.
    pub(crate) spikes: [u64; NR_CLASSES],
    /// Spikes whose cause it was.
    pub(crate) dominant: [u64; NR_CLASSES],
    /// Its time.
    pub(crate) ns: [u64; NR_CLASSES],
    /// Events a breakdown could not keep.
    pub(crate) dropped: u64,
}

/// The wakeup probe's state for one CPU.
///
/// The hrtimer callback (hardirq, on this CPU) writes the IRQ block and the pending expiry;
/// the thread (bound to this CPU, with interrupts disabled while it records) writes the
/// thread block and the spikes. Neither nests in itself, so each block has one writer.
#[repr(C)]
pub(crate) struct CpuWakeup {
    /// First field: the callback finds this struct from the timer's address.
    timer: HrTimer,
    cpu: u32,
    task: AtomicPtr<bindings::task_struct>,
    armed: AtomicBool,
    /// The oldest expiry the thread has not handled yet (0: none), and its IRQ latency.
    pending_expiry: AtomicU64,
    pending_irq_ns: AtomicU64,
    irq_seq: SeqCount,
    irq_gen: AtomicU64,
    irq: LatStats,
    missed: AtomicU64,
    thread_seq: SeqCount,
    thread_gen: AtomicU64,
    thread: LatStats,
    spikes_total: AtomicU64,
    /// Later wakeups delayed by a section that already has a spike (thread only).
    spikes_merged: AtomicU64,
    /// Start time and site of the last blamed section (thread only).
    last_blamed: (AtomicU64, AtomicUsize),
    spikes: KVVec<SpikeSlot>,
    /// The worst spikes of the generation (thread only).
    worst: KVVec<SpikeSlot>,
    /// Per-cause totals (thread only, under `thread_seq`).
    cause_spikes: [AtomicU64; NR_CLASSES],
    cause_dominant: [AtomicU64; NR_CLASSES],
    cause_ns: [AtomicU64; NR_CLASSES],
    breakdown_dropped: AtomicU64,
    /// What ran on this CPU in the current latency window (2.5 KiB: boxed, so that it is never
    /// built on a stack).
    pub(crate) cause: KBox<CpuCause>,
}

impl CpuWakeup {
    fn new(cpu: usize, spikes: usize) -> Result<Self> {
        let mut ring = KVVec::with_capacity(spikes, GFP_KERNEL)?;
        for _ in 0..spikes {
            ring.push(SpikeSlot::new(), GFP_KERNEL)?;
        }
        let cause = KBox::<CpuCause>::init(compat::zeroed(), GFP_KERNEL)?;
        cause.close();
        let mut worst = KVVec::with_capacity(WORST_SPIKES, GFP_KERNEL)?;
        for _ in 0..WORST_SPIKES {
            worst.push(SpikeSlot::new(), GFP_KERNEL)?;
        }
        Ok(Self {
            timer: HrTimer::new(),
            cpu: cpu as u32,
            task: AtomicPtr::new(core::ptr::null_mut()),
            armed: AtomicBool::new(false),
            pending_expiry: AtomicU64::new(0),
            pending_irq_ns: AtomicU64::new(0),
            irq_seq: SeqCount::new(),
            irq_gen: AtomicU64::new(0),
            irq: LatStats::new(),
            missed: AtomicU64::new(0),
            thread_seq: SeqCount::new(),
            thread_gen: AtomicU64::new(0),
            thread: LatStats::new(),
            spikes_total: AtomicU64::new(0),
            spikes_merged: AtomicU64::new(0),
            last_blamed: (AtomicU64::new(0), AtomicUsize::new(0)),
            spikes: ring,
            worst,
            cause_spikes: [const { AtomicU64::new(0) }; NR_CLASSES],
            cause_dominant: [const { AtomicU64::new(0) }; NR_CLASSES],
            cause_ns: [const { AtomicU64::new(0) }; NR_CLASSES],
            breakdown_dropped: AtomicU64::new(0),
            cause,
        })
    }

    /// Bytes of memory this CPU's wakeup state uses.
    fn bytes(&self) -> usize {
        core::mem::size_of::<Self>()
            + core::mem::size_of::<CpuCause>()
            + (self.spikes.len() + self.worst.len()) * core::mem::size_of::<SpikeSlot>()
    }

    /// Starts the timer (the thread, on its CPU).
    fn arm(&self, period_ns: u64) {
        self.armed.store(true, Relaxed);
        let expiry = sys::now_ns().saturating_add(period_ns);
        self.cause.open(expiry);
        self.timer.start(expiry);
    }

    fn disarm(&self) {
        self.cause.close();
        self.timer.cancel();
        self.armed.store(false, Relaxed);
        self.pending_expiry.store(0, Relaxed);
    }

    /// The IRQ and thread statistics of generation `gen`, copied into `out` (which the caller
    /// allocates: [`WakeupStats`] is 3 KiB). A copy that raced the writer on every retry reads as
    /// no samples.
    pub(crate) fn stats_into(&self, gen: u64, out: &mut WakeupStats) {
        let irq = self.irq_seq.read(|| {
            if self.irq_gen.load(Relaxed) != gen {
                return false;
            }
            self.irq.snapshot_into(&mut out.irq);
            out.missed = self.missed.load(Relaxed);
            true
        });
        if irq != Some(true) {
            out.irq.clear();
            out.missed = 0;
        }
        let thread = self.thread_seq.read(|| {
            if self.thread_gen.load(Relaxed) != gen {
                return false;
            }
            self.thread.snapshot_into(&mut out.thread);
            true
        });
        if thread != Some(true) {
            out.thread.clear();
        }
        let (spikes, _, _) = self.spike_counts(gen);
        out.spikes = spikes;
    }

    /// Calls `f` with each spike of generation `gen` still in the ring.
    pub(crate) fn for_each_spike(&self, gen: u64, mut f: impl FnMut(&Spike)) {
        for s in self.spikes.iter() {
            if let Some(spike) = s.get(self.cpu, gen) {
                f(&spike);
            }
        }
    }

    /// Calls `f` with each of the worst spikes of generation `gen`.
    pub(crate) fn for_each_worst_spike(&self, gen: u64, mut f: impl FnMut(&Spike)) {
        for s in self.worst.iter() {
            if let Some(spike) = s.get(self.cpu, gen) {
                f(&spike);
            }
        }
    }

    /// The per-cause totals of generation `gen` (zero if a copy raced the writer every time).
    pub(crate) fn cause_totals(&self, gen: u64) -> CauseTotals {
        let load = |a: &[AtomicU64; NR_CLASSES]| a.each_ref().map(|x| x.load(Relaxed));
        self.thread_seq
            .read(|| {
                if self.thread_gen.load(Relaxed) != gen {
                    return None;
                }
                Some(CauseTotals {
                    spikes: load(&self.cause_spikes),
                    dominant: load(&self.cause_dominant),
                    ns: load(&self.cause_ns),
                    dropped: self.breakdown_dropped.load(Relaxed),
                })
            })
            .flatten()
            .unwrap_or(CauseTotals {
                spikes: [0; NR_CLASSES],
                dominant: [0; NR_CLASSES],
                ns: [0; NR_CLASSES],
                dropped: 0,
            })
    }

    /// Spikes written, overwritten and merged in this generation.
    pub(crate) fn spike_counts(&self, gen: u64) -> (u64, u64, u64) {
        let (total, merged) = self
            .thread_seq
            .read(|| {
                if self.thread_gen.load(Relaxed) != gen {
                    return (0, 0);
                }
                (
                    self.spikes_total.load(Relaxed),
                    self.spikes_merged.load(Relaxed),
                )
            })
            .unwrap_or((0, 0));
        (
            total,
            total.saturating_sub(self.spikes.len() as u64),
            merged,
        )
    }
}

/// One CPU's wakeup statistics as the reports show them.
pub(crate) struct WakeupStats {
    /// Timer expiry to hrtimer handler.
    pub(crate) irq: LatSnapshot,
    /// Timer expiry to the thread running.
    pub(crate) thread: LatSnapshot,
    /// Periods the timer missed.
    pub(crate) missed: u64,
    /// Spikes recorded.
    pub(crate) spikes: u64,
}

// SAFETY: Every field is an integer or an array of integers, for which zero is valid.
unsafe impl compat::Zeroable for WakeupStats {}

/// Settings of the wakeup probe, shared by all CPUs.
pub(crate) struct WakeupConfig {
    /// Whether the timers run (`wakeup_enable`).
    pub(crate) enabled: AtomicBool,
    /// Timer period (`period_us`).
    pub(crate) period_ns: AtomicU64,
    /// Spikes are wakeups whose thread latency is at least this (`wakeup_threshold_us`).
    pub(crate) threshold_ns: AtomicU64,
    /// SCHED_FIFO priority of the threads.
    pub(crate) prio: u32,
}

/// The wakeup probe on all CPUs.
#[pin_data]
pub(crate) struct Wakeup {
    /// Settings.
    pub(crate) cfg: WakeupConfig,
    /// Per-CPU state; the timers inside never move (the vector never grows).
    pub(crate) cpus: PerCpu<CpuWakeup>,
    /// The threads, per CPU id (process context only).
    #[pin]
    threads: Mutex<KVec<Option<KThread>>>,
}

impl Wakeup {
    /// The wakeup probe's state, threads not created yet.
    pub(crate) fn new(cfg: WakeupConfig, spikes: usize) -> Result<impl PinInit<Self, Error>> {
        let cpus = PerCpu::new(|cpu| CpuWakeup::new(cpu, spikes))?;
        for (_, w) in cpus.iter() {
            // SAFETY: Once, before any use; `w` lives in the `PerCpu` vector, which never
            // moves its elements, and is cancelled in `stop_all` before it is freed.
            unsafe { w.timer.init(timer_fired) };
        }
        let mut threads = KVec::with_capacity(cpus.len(), GFP_KERNEL)?;
        for _ in 0..cpus.len() {
            threads.push(None, GFP_KERNEL)?;
        }
        Ok(try_pin_init!(Self {
            cfg,
            cpus,
            threads <- new_mutex!(threads),
        }? Error))
    }

    /// Bytes of memory the wakeup probe uses.
    pub(crate) fn bytes(&self) -> usize {
        self.cpus.iter().map(|(_, w)| w.bytes()).sum()
    }

    /// CPU hotplug startup (and registration) on `cpu`: creates or unparks its thread.
    pub(crate) fn cpu_up(&self, cpu: usize) -> Result {
        let w = self.cpus.get(cpu).ok_or(EINVAL)?;
        let mut threads = self.threads.lock();
        let slot = threads.get_mut(cpu).ok_or(EINVAL)?;
        match slot {
            Some(t) => t.unpark(),
            None => {
                let data = core::ptr::from_ref(w).cast_mut().cast();
                // SAFETY: `w` outlives the thread, which `stop_all` stops before the state is
                // freed; `wakeup_thread` returns only once told to stop.
                let t = unsafe {
                    KThread::create_on_cpu(wakeup_thread, data, cpu as u32, c"preemptstat/%u")?
                };
                if let Err(e) = t.set_fifo(self.cfg.prio) {
                    pr_warn!(
                        "CPU {}: SCHED_FIFO {} failed: {:?}\n",
                        cpu,
                        self.cfg.prio,
                        e
                    );
                }
                w.task.store(t.as_ptr(), Relaxed);
                t.wake();
                *slot = Some(t);
            }
        }
        Ok(())
    }

    /// CPU hotplug teardown on `cpu`: parks its thread, then stops its timer, so that the
    /// statistics of an offline CPU stay frozen.
    pub(crate) fn cpu_down(&self, cpu: usize) {
        let Some(w) = self.cpus.get(cpu) else { return };
        let threads = self.threads.lock();
        if let Some(Some(t)) = threads.get(cpu) {
            t.park();
        }
        w.disarm();
    }

    /// Stops every timer and thread (module unload).
    pub(crate) fn stop_all(&self) {
        self.cfg.enabled.store(false, Relaxed);
        let mut threads = self.threads.lock();
        for (cpu, slot) in threads.iter_mut().enumerate() {
            if let Some(w) = self.cpus.get(cpu) {
                w.disarm();
                w.task.store(core::ptr::null_mut(), Relaxed);
            }
            if let Some(t) = slot.take() {
                t.stop();
            }
            if let Some(w) = self.cpus.get(cpu) {
                w.disarm();
            }
        }
    }

    /// `wakeup_enable`.
    pub(crate) fn set_enabled(&self, on: bool) {
        let threads = self.threads.lock();
        self.cfg.enabled.store(on, Relaxed);
        for (cpu, slot) in threads.iter().enumerate() {
            let (Some(t), Some(w)) = (slot, self.cpus.get(cpu)) else {
                continue;
            };
            if on {
                // Timers are pinned: the thread arms its own, on its CPU.
                t.wake();
            } else {
                w.disarm();
            }
        }
    }
}

/// The address of the timer callback, which the breakdown's hrtimer probe skips (it is the
/// probe's own, not interference).
pub(crate) fn timer_fn() -> usize {
    timer_fired as *const () as usize
}

/// The hrtimer callback (hardirq context, on the timer's CPU).
///
/// # Safety
///
/// `timer` is the `timer` field, at offset 0, of a live [`CpuWakeup`].
unsafe extern "C" fn timer_fired(timer: *mut bindings::hrtimer) -> bindings::hrtimer_restart {
    // SAFETY: `CpuWakeup` is `#[repr(C)]` with the timer first (caller's guarantee).
    let w = unsafe { &*timer.cast::<CpuWakeup>() };
    let mut restart = false;
    crate::tracer::with_tracer(|t| restart = t.wakeup_fired(w));
    if restart {
        compat::HRTIMER_RESTART
    } else {
        w.armed.store(false, Relaxed);
        compat::HRTIMER_NORESTART
    }
}

/// What the callback does, with the tracer at hand. Returns whether to restart.
pub(crate) fn fired(wk: &Wakeup, g: &Globals, w: &CpuWakeup) -> bool {
    if !wk.cfg.enabled.load(Relaxed) {
        return false;
    }
    let now = sys::now_ns();
    let expiry = w.timer.expires_ns();
    let irq_ns = now.saturating_sub(expiry);
    let gen = g.gen.load(Relaxed);
    w.irq_seq.write(|| {
        if w.irq_gen.load(Relaxed) != gen {
            w.irq.clear();
            w.missed.store(0, Relaxed);
            w.irq_gen.store(gen, Relaxed);
        }
        w.irq.add(irq_ns);
        if w.pending_expiry.load(Relaxed) == 0 {
            w.pending_expiry.store(expiry.max(1), Relaxed);
            w.pending_irq_ns.store(irq_ns, Relaxed);
            w.cause.timer_fired();
        } else {
            // The thread has not run since an earlier expiry: this period is missed.
            w.missed
                .store(w.missed.load(Relaxed).wrapping_add(1), Relaxed);
        }
        let periods = w.timer.forward(now, wk.cfg.period_ns.load(Relaxed));
        // Periods the timer itself skipped because this interrupt came late.
        w.missed.store(
            w.missed
                .load(Relaxed)
                .wrapping_add(periods.saturating_sub(1)),
            Relaxed,
        );
    });
    let task = w.task.load(Relaxed);
    if !task.is_null() {
        // SAFETY: `task` is the CPU's thread, cleared before it is stopped (`stop_all`), and
        // the timer is cancelled before that too.
        unsafe { sys::wake_up_process(task) };
    }
    true
}

/// The breakdown of the window `[expiry, run_ns)` of `w`: the events its probes listed, the
/// sections of `cpu` in it, and the callback's time `expiry + irq_ns` when the timer
/// interrupt's entry was not seen. Also starts the next window; `None` for `sc` only does that.
fn take_breakdown<'a>(
    w: &CpuWakeup,
    cpu: Option<&CpuState>,
    expiry: u64,
    irq_ns: u64,
    run_ns: u64,
    sc: Option<&'a mut Scratch>,
) -> Option<(&'a Breakdown, u64)> {
    let next = w.timer.expires_ns();
    let Some(sc) = sc else {
        w.cause.take_none(next);
        return None;
    };
    let taken = w.cause.take(next, sc);
    let mut dropped = taken.dropped;
    let entry = if taken.timer_entry_ns != 0 {
        taken.timer_entry_ns
    } else {
        expiry.saturating_add(irq_ns)
    };
    // The timer interrupt's own way out (irqs off from its entry, preemption off on its exit,
    // until the switch to the thread) is the wakeup's path, not a section that delayed it.
    let own_exit = sc
        .events
        .iter()
        .take(sc.nr)
        .filter(|e| e.class == Class::Timer)
        .map(|e| e.end_ns)
        .max()
        .unwrap_or(entry);
    if let Some(cpu) = cpu {
        cpu.sections_in(expiry, run_ns, breakdown::MAX_SECTIONS, |sec| {
            if sec.start_ns >= entry && sec.start_ns <= own_exit {
                return;
            }
            let class = if sec.opener == Kind::Irq.idx() as u32 {
                Class::IrqsOff
            } else {
                Class::PreemptOff
            };
            let e = Event {
                start_ns: sec.start_ns,
                end_ns: if sec.end_ns == 0 { run_ns } else { sec.end_ns },
                class,
                label: Label {
                    kind: LABEL_SECTION,
                    id: sec.start as u64,
                    id2: sec.end as u64,
                    name: [0; 2],
                },
            };
            if !sc.push(e) {
                dropped = dropped.wrapping_add(1);
            }
        });
    }
    let bd = breakdown::compute(expiry, run_ns, entry, sc);
    if bd.class_ns[Class::Task.idx()] != 0 {
        bd.frames = taken.frames;
        bd.nr_frames = taken.nr_frames;
    }
    Some((bd, dropped))
}

/// The thread ran at `run_ns`: records its latency, and a spike if it is over the threshold,
/// with its breakdown (computed in `sc`, the thread's working memory).
/// On the thread's CPU, in process context.
pub(crate) fn thread_ran(
    wk: &Wakeup,
    g: &Globals,
    cpus: &PerCpu<CpuState>,
    w: &CpuWakeup,
    run_ns: u64,
    sc: Option<&mut Scratch>,
) {
    let _irqs_off = sys::RawIrqGuard::new();
    let expiry = w.pending_expiry.load(Relaxed);
    if expiry == 0 {
        return;
    }
    w.pending_expiry.store(0, Relaxed);
    let irq_ns = w.pending_irq_ns.load(Relaxed);
    let thread_ns = run_ns.saturating_sub(expiry);
    let gen = g.gen.load(Relaxed);
    let spike = thread_ns >= wk.cfg.threshold_ns.load(Relaxed);
    let cpu = cpus.get(w.cpu as usize);
    let blame = if spike {
        cpu.map(|c| c.blame(expiry, run_ns))
    } else {
        None
    };
    // Without working memory the whole window is unexplained.
    let fallback;
    let taken = take_breakdown(w, cpu, expiry, irq_ns, run_ns, sc.filter(|_| spike));
    let bd = match (spike, taken) {
        (true, Some(bd)) => Some(bd),
        (true, None) => {
            fallback = Breakdown::unaccounted(thread_ns);
            Some((&fallback, 0))
        }
        (false, _) => None,
    };
    let merged_before = w.spikes_merged.load(Relaxed);
    w.thread_seq.write(|| {
        if w.thread_gen.load(Relaxed) != gen {
            w.thread.clear();
            w.spikes_total.store(0, Relaxed);
            w.spikes_merged.store(0, Relaxed);
            w.last_blamed.0.store(0, Relaxed);
            for a in [&w.cause_spikes, &w.cause_dominant, &w.cause_ns] {
                for x in a.iter() {
                    x.store(0, Relaxed);
                }
            }
            w.breakdown_dropped.store(0, Relaxed);
            w.thread_gen.store(gen, Relaxed);
        }
        w.thread.add(thread_ns);
        let (Some(b), Some((bd, dropped))) = (&blame, &bd) else {
            return;
        };
        add_totals(w, bd, *dropped);
        // One spike per section: a later wakeup delayed by the same section (its timer
        // interrupt came late too, or several periods passed inside it) is merged.
        if let Some(sec) = &b.section {
            if w.last_blamed.0.load(Relaxed) == sec.start_ns
                && w.last_blamed.1.load(Relaxed) == sec.start
            {
                w.spikes_merged
                    .store(w.spikes_merged.load(Relaxed).wrapping_add(1), Relaxed);
                return;
            }
            w.last_blamed.0.store(sec.start_ns, Relaxed);
            w.last_blamed.1.store(sec.start, Relaxed);
        }
        let n = w.spikes_total.load(Relaxed);
        w.spikes_total.store(n.wrapping_add(1), Relaxed);
        let len = w.spikes.len() as u64;
        if let Some(slot) = w.spikes.get(n.checked_rem(len).unwrap_or(0) as usize) {
            write_spike(slot, gen, expiry, irq_ns, thread_ns, b, bd);
        }
        if let Some(slot) = worst_slot(w, gen, thread_ns) {
            write_spike(slot, gen, expiry, irq_ns, thread_ns, b, bd);
        }
    });
    // A spike merged into an earlier one is already counted on its site.
    let merged = w.spikes_merged.load(Relaxed) != merged_before;
    if let (Some(b), Some((bd, _))) = (&blame, &bd) {
        trace_events::wakeup_spike(&trace_events::Spike {
            cpu: w.cpu,
            expiry_ns: expiry,
            irq_ns,
            thread_ns,
            site: b.section.as_ref().map_or((0, 0), |s| (s.start, s.end)),
            cause: bd
                .cause()
                .map_or((trace_events::NO_CAUSE, 0), |p| (p.class as u32, p.ns)),
            merged,
        });
    }
    if let (false, Some(b), Some(cpu)) = (merged, &blame, cpu) {
        if let Some(o) = b.section.as_ref().filter(|o| o.end != 0) {
            cpu.sites
                .add_spike(gen, Kind::Any, o.start, o.end, thread_ns);
        }
    }
}

/// Adds a spike's breakdown to the per-cause totals (inside `thread_seq`).
fn add_totals(w: &CpuWakeup, bd: &Breakdown, dropped: u64) {
    let add = |x: &AtomicU64, v: u64| x.store(x.load(Relaxed).wrapping_add(v), Relaxed);
    for (i, &ns) in bd.class_ns.iter().enumerate() {
        if ns == 0 {
            continue;
        }
        if let (Some(s), Some(t)) = (w.cause_spikes.get(i), w.cause_ns.get(i)) {
            add(s, 1);
            add(t, ns);
        }
    }
    if let Some(d) = bd.cause().and_then(|p| w.cause_dominant.get(p.class.idx())) {
        add(d, 1);
    }
    add(&w.breakdown_dropped, dropped);
}

/// The worst-spike slot a spike of `thread_ns` replaces: an empty one, else the smallest if it
/// is smaller (inside `thread_seq`, so that no other writer moves them).
fn worst_slot(w: &CpuWakeup, gen: u64, thread_ns: u64) -> Option<&SpikeSlot> {
    let mut best: Option<(&SpikeSlot, u64)> = None;
    for s in w.worst.iter() {
        if s.gen.load(Relaxed) != gen {
            return Some(s);
        }
        let ns = s.thread_ns.load(Relaxed);
        let smaller = match best {
            Some((_, b)) => ns < b,
            None => true,
        };
        if smaller {
            best = Some((s, ns));
        }
    }
    best.filter(|&(_, ns)| ns < thread_ns).map(|(s, _)| s)
}

#[inline(never)]
fn write_spike(
    slot: &SpikeSlot,
    gen: u64,
    expiry: u64,
    irq_ns: u64,
    thread_ns: u64,
    b: &Blame,
    bd: &Breakdown,
) {
    let mut words = [0u64; BD_WORDS];
    bd.store_words(&mut words);
    slot.seq.write(|| {
        for (d, w) in slot.bd.iter().zip(words.iter()) {
            d.store(*w, Relaxed);
        }
        slot.expiry_ns.store(expiry, Relaxed);
        slot.irq_ns.store(irq_ns, Relaxed);
        slot.thread_ns.store(thread_ns, Relaxed);
        let (pid, comm) = b.holder.unwrap_or((0, [0, 0]));
        slot.pid.store(pid, Relaxed);
        slot.comm[0].store(comm[0], Relaxed);
        slot.comm[1].store(comm[1], Relaxed);
        slot.has_blame.store(b.section.is_some(), Relaxed);
        if let Some(o) = &b.section {
            slot.kind.store(o.opener, Relaxed);
            slot.ctx.store(o.ctx, Relaxed);
            slot.start.store(o.start, Relaxed);
            slot.end.store(o.end, Relaxed);
            slot.open_ns
                .store(expiry.saturating_sub(o.start_ns), Relaxed);
        }
        slot.has_after.store(b.other.is_some(), Relaxed);
        if let Some(a) = &b.other {
            slot.after_start.store(a.start, Relaxed);
            slot.after_end.store(a.end, Relaxed);
            let end = if a.end_ns == 0 {
                expiry.saturating_add(thread_ns)
            } else {
                a.end_ns
            };
            slot.after_ns.store(end.saturating_sub(a.start_ns), Relaxed);
        }
        slot.gen.store(gen, Relaxed);
    });
}

/// The wakeup thread of one CPU.
///
/// # Safety
///
/// `data` is a [`CpuWakeup`] that outlives the thread (stopped by [`Wakeup::stop_all`]).
unsafe extern "C" fn wakeup_thread(data: *mut core::ffi::c_void) -> core::ffi::c_int {
    // SAFETY: Guaranteed by the caller.
    let w = unsafe { &*data.cast::<CpuWakeup>() };
    // The breakdown's working memory, this thread's own; without it spikes are not broken down.
    let mut scratch = KBox::<Scratch>::init(compat::zeroed(), GFP_KERNEL).ok();
    loop {
        if sys::kthread_should_stop() {
            break;
        }
        if sys::kthread_should_park() {
            sys::kthread_parkme();
            continue;
        }
        let mut found = false;
        crate::tracer::with_tracer(|t| {
            found = true;
            let wk = &t.wakeup;
            if wk.cfg.enabled.load(Relaxed) && !w.armed.load(Relaxed) {
                w.arm(wk.cfg.period_ns.load(Relaxed));
            }
            sys::sleep_unless(|| {
                w.pending_expiry.load(Relaxed) != 0
                    || sys::kthread_should_stop()
                    || sys::kthread_should_park()
                    || (wk.cfg.enabled.load(Relaxed) && !w.armed.load(Relaxed))
            });
            let run_ns = sys::now_ns();
            thread_ran(wk, &t.g, &t.cpus, w, run_ns, scratch.as_deref_mut());
        });
        if !found {
            sys::sleep_unless(|| sys::kthread_should_stop() || sys::kthread_should_park());
        }
    }
    0
}
