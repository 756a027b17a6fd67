// SPDX-License-Identifier: GPL-2.0

//! What ran on a CPU while a wakeup was late: the per-CPU record of recent events that the
//! breakdown of a spike (`breakdown.rs`) is computed from.
//!
//! A latency window opens at the timer's programmed expiry and closes when the probe thread
//! runs; the CPU only learns that it was open when the timer callback runs, so the probes keep
//! what they see in a small per-CPU record:
//!
//! - an *entry* probe (IRQ handler, system vector, hrtimer callback, softirq, `sched_switch`,
//!   idle entry) stores its start time in a per-CPU slot, nothing else;
//! - an *exit* probe compares the time with the window's start ([`CpuCause::window_start`],
//!   the pending expiry, or the next one) and returns unless the event overlapped a window:
//!   only then does it append the event to the window's list (bounded; what does not fit is
//!   counted in `dropped`).
//!
//! The thread, on its CPU with interrupts disabled, takes the list, computes the breakdown
//! and clears it. Every field is written on its own CPU only: by probes that run with
//! interrupts disabled (or disable them to append), or by the thread with interrupts disabled;
//! NMIs write only their own list.

use crate::{breakdown::Scratch, compat, hooks::NR_VECTORS, sys};
use core::sync::atomic::{
    AtomicU32, AtomicU64, AtomicUsize,
    Ordering::{Acquire, Relaxed, Release},
};

/// Cause classes, in priority order: where events overlap, the time goes to the first.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
#[repr(u8)]
pub(crate) enum Class {
    /// NMI handlers.
    Nmi = 0,
    /// Hard IRQs other than the probe's own timer interrupt: device IRQs, system vectors,
    /// other hrtimer callbacks.
    Irq = 1,
    /// The probe's own timer interrupt, minus what else ran in it.
    Timer = 2,
    /// Softirqs.
    Softirq = 3,
    /// Sections opened by disabling interrupts.
    IrqsOff = 4,
    /// Sections opened by disabling preemption.
    PreemptOff = 5,
    /// Other tasks that ran before the probe thread.
    Task = 6,
    /// The CPU was idle.
    Idle = 7,
    /// After the timer interrupt entered, explained by nothing above: wakeup to switch.
    Switch = 8,
    /// Before the timer interrupt entered, explained by nothing above.
    Unaccounted = 9,
}

/// The number of classes.
pub(crate) const NR_CLASSES: usize = 10;

/// Every class, in priority order.
pub(crate) const CLASSES: [Class; NR_CLASSES] = [
    Class::Nmi,
    Class::Irq,
    Class::Timer,
    Class::Softirq,
    Class::IrqsOff,
    Class::PreemptOff,
    Class::Task,
    Class::Idle,
    Class::Switch,
    Class::Unaccounted,
];

impl Class {
    /// Its name in the debugfs files.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Class::Nmi => "nmi",
            Class::Irq => "irq",
            Class::Timer => "timer",
            Class::Softirq => "softirq",
            Class::IrqsOff => "irqsoff",
            Class::PreemptOff => "preemptoff",
            Class::Task => "task",
            Class::Idle => "idle",
            Class::Switch => "switch",
            Class::Unaccounted => "unaccounted",
        }
    }

    /// The class of index `i`.
    pub(crate) fn from_idx(i: usize) -> Option<Class> {
        CLASSES.get(i).copied()
    }

    /// Its index.
    pub(crate) fn idx(self) -> usize {
        self as usize
    }
}

/// The x86 system vectors with `irq_vectors:<name>_entry` / `_exit` events, by index.
pub(crate) const VECTORS: [&str; NR_VECTORS] = [
    "local_timer",
    "irq_work",
    "reschedule",
    "call_function",
    "call_function_single",
    "x86_platform_ipi",
    "error_apic",
    "spurious_apic",
    "thermal_apic",
    "threshold_apic",
    "deferred_error_apic",
];

/// The index of `local_timer` in [`VECTORS`].
pub(crate) const VECTOR_LOCAL_TIMER: u32 = 0;

/// The kernel's softirq names (`softirq_to_name`), by vector.
pub(crate) const SOFTIRQS: [&str; 10] = [
    "HI", "TIMER", "NET_TX", "NET_RX", "BLOCK", "IRQ_POLL", "TASKLET", "SCHED", "HRTIMER", "RCU",
];

/// What a part of a breakdown is labelled with.
#[derive(Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct Label {
    /// [`LABEL_NONE`], [`LABEL_DEVICE_IRQ`], ...
    pub(crate) kind: u32,
    /// IRQ number, vector index, callback or handler address, softirq vector, start site, pid.
    pub(crate) id: u64,
    /// End site of a section; policy (high half) and priority (low half) of a task.
    pub(crate) id2: u64,
    /// IRQ action name or task name, NUL-padded.
    pub(crate) name: [u64; 2],
}

/// No label (timer, idle, switch, unaccounted).
pub(crate) const LABEL_NONE: u32 = 0;
/// A device IRQ: `id` its number, `name` its action's name.
pub(crate) const LABEL_DEVICE_IRQ: u32 = 1;
/// A system vector: `id` its index in [`VECTORS`].
pub(crate) const LABEL_VECTOR: u32 = 2;
/// An hrtimer callback: `id` its address.
pub(crate) const LABEL_HRTIMER: u32 = 3;
/// An NMI handler: `id` its address.
pub(crate) const LABEL_NMI: u32 = 4;
/// A softirq: `id` its vector.
pub(crate) const LABEL_SOFTIRQ: u32 = 5;
/// A section: `id` its start site, `id2` its end site (0 while open).
pub(crate) const LABEL_SECTION: u32 = 6;
/// A task: `id` its pid, `id2` policy << 32 | priority (as u32), `name` its comm.
pub(crate) const LABEL_TASK: u32 = 7;

/// One event of a window: what ran from `start_ns` to `end_ns`.
#[derive(Clone, Copy)]
pub(crate) struct Event {
    /// Start (CLOCK_MONOTONIC ns); may be before the window.
    pub(crate) start_ns: u64,
    /// End.
    pub(crate) end_ns: u64,
    /// Its class.
    pub(crate) class: Class,
    /// Its label.
    pub(crate) label: Label,
}

/// A stored [`Event`].
struct EventSlot {
    start_ns: AtomicU64,
    end_ns: AtomicU64,
    class: AtomicU32,
    kind: AtomicU32,
    id: AtomicU64,
    id2: AtomicU64,
    name: [AtomicU64; 2],
}

impl EventSlot {
    fn set(&self, e: &Event) {
        self.start_ns.store(e.start_ns, Relaxed);
        self.end_ns.store(e.end_ns, Relaxed);
        self.class.store(e.class as u32, Relaxed);
        self.kind.store(e.label.kind, Relaxed);
        self.id.store(e.label.id, Relaxed);
        self.id2.store(e.label.id2, Relaxed);
        self.name[0].store(e.label.name[0], Relaxed);
        self.name[1].store(e.label.name[1], Relaxed);
    }

    fn get(&self) -> Event {
        Event {
            start_ns: self.start_ns.load(Relaxed),
            end_ns: self.end_ns.load(Relaxed),
            class: Class::from_idx(self.class.load(Relaxed) as usize).unwrap_or(Class::Irq),
            label: Label {
                kind: self.kind.load(Relaxed),
                id: self.id.load(Relaxed),
                id2: self.id2.load(Relaxed),
                name: [self.name[0].load(Relaxed), self.name[1].load(Relaxed)],
            },
        }
    }
}

/// A task's policy and priority as a task label's `id2`: `policy << 32 | prio`.
fn sched_word(t: &sys::TaskInfo) -> u64 {
    (u64::from(t.policy) << 32) | u64::from(t.prio as u32)
}

/// Events kept per window (NMIs apart).
pub(crate) const WINDOW_EVENTS: usize = 32;
/// NMI events kept per window.
pub(crate) const WINDOW_NMIS: usize = 4;
/// Frames kept of the longest other task's stack.
pub(crate) const TASK_FRAMES: usize = 12;

/// What the thread takes of a window besides its events.
pub(crate) struct Taken {
    /// Events that did not fit.
    pub(crate) dropped: u64,
    /// Start of the probe's own timer interrupt (0 if unknown).
    pub(crate) timer_entry_ns: u64,
    /// The longest other task's stack when it was switched out, and its frame count.
    pub(crate) frames: [usize; TASK_FRAMES],
    /// How many of `frames` are valid.
    pub(crate) nr_frames: usize,
}

/// The breakdown record of one CPU.
pub(crate) struct CpuCause {
    /// The window's start: the pending expiry, else the next one; `u64::MAX` while the probe
    /// is off. An exit probe records nothing before it.
    window_start: AtomicU64,
    /// When the device IRQ handler now running started.
    irq_start: AtomicU64,
    /// When the system vector now running started, and its index.
    vec_start: AtomicU64,
    vec_id: AtomicU32,
    /// When the hrtimer callback now running started, and its address.
    hrt_start: AtomicU64,
    hrt_fn: AtomicUsize,
    /// When the softirq now running started.
    sirq_start: AtomicU64,
    /// When the current task got the CPU.
    task_since: AtomicU64,
    /// When the CPU went idle.
    idle_since: AtomicU64,
    /// Start of the probe's own timer interrupt in this window (0: not seen).
    timer_entry: AtomicU64,
    /// The task the timer interrupted (pid, 0: none seen) and its policy and priority then
    /// (`policy << 32 | prio`): what its part is labelled with. A task may change them before
    /// it is switched out (the injector's worker drops to SCHED_NORMAL to sleep, and that is
    /// what lets the thread in); the label says what it was while it held the CPU.
    timer_task: AtomicU32,
    timer_task_sched: AtomicU64,
    /// The longest other task part so far in this window, and its stack.
    longest_task_ns: AtomicU64,
    frames: [AtomicUsize; TASK_FRAMES],
    nr_frames: AtomicUsize,
    events: [EventSlot; WINDOW_EVENTS],
    nr_events: AtomicUsize,
    nmis: [EventSlot; WINDOW_NMIS],
    nr_nmis: AtomicUsize,
    dropped: AtomicU64,
}

// SAFETY: Every field is an atomic integer or an array of them, for which zero is valid (a
// zeroed record is empty; `close` then marks no window open).
unsafe impl compat::Zeroable for CpuCause {}

impl CpuCause {
    /// Whether an event ending at `now` overlapped a window: the one compare of an exit probe.
    #[inline]
    fn in_window(&self, now: u64) -> bool {
        now >= self.window_start.load(Relaxed)
    }

    /// Appends an event to the window's list, with interrupts disabled (softirq exits run with
    /// them enabled, and a hard IRQ's exit could append meanwhile).
    ///
    /// A full list keeps the longest events: the new one replaces the shortest if it is longer
    /// (in the window), and either way one event is counted as dropped. A long window fills up
    /// with ticks and other short interrupts before the event that made it long ends (a
    /// softirq, a task switched out), and that one must not be the one lost.
    fn push(&self, e: &Event) {
        let _irqs_off = sys::RawIrqGuard::new();
        let n = self.nr_events.load(Relaxed);
        if let Some(slot) = self.events.get(n) {
            slot.set(e);
            self.nr_events.store(n + 1, Relaxed);
            return;
        }
        self.dropped
            .store(self.dropped.load(Relaxed).wrapping_add(1), Relaxed);
        let ws = self.window_start.load(Relaxed);
        let len = |start: u64, end: u64| end.saturating_sub(start.max(ws));
        let kept = |s: &EventSlot| len(s.start_ns.load(Relaxed), s.end_ns.load(Relaxed));
        if let Some(slot) = self.events.iter().min_by_key(|s| kept(s)) {
            if len(e.start_ns, e.end_ns) > kept(slot) {
                slot.set(e);
            }
        }
    }

    /// A device IRQ handler starts.
    #[inline]
    pub(crate) fn irq_entry(&self) {
        self.irq_start.store(sys::now_ns(), Relaxed);
    }

    /// A device IRQ handler ends: `irq` and `name` its number and action name (read only if the
    /// event overlapped a window).
    #[inline]
    pub(crate) fn irq_exit(&self, irq: u32, name: impl FnOnce() -> [u64; 2]) {
        let now = sys::now_ns();
        if !self.in_window(now) {
            return;
        }
        self.push(&Event {
            start_ns: self.irq_start.load(Relaxed),
            end_ns: now,
            class: Class::Irq,
            label: Label {
                kind: LABEL_DEVICE_IRQ,
                id: u64::from(irq),
                id2: 0,
                name: name(),
            },
        });
    }

    /// System vector `v` (an index in [`VECTORS`]) starts.
    #[inline]
    pub(crate) fn vector_entry(&self, v: u32) {
        self.vec_start.store(sys::now_ns(), Relaxed);
        self.vec_id.store(v, Relaxed);
    }

    /// System vector `v` ends. The local timer interrupt that ran the probe's callback is the
    /// timer's own; any other is interference.
    #[inline]
    pub(crate) fn vector_exit(&self, v: u32) {
        let now = sys::now_ns();
        if !self.in_window(now) {
            return;
        }
        let start = self.vec_start.load(Relaxed);
        let own = v == VECTOR_LOCAL_TIMER && start != 0 && start == self.timer_entry.load(Relaxed);
        self.push(&Event {
            start_ns: start,
            end_ns: now,
            class: if own { Class::Timer } else { Class::Irq },
            label: Label {
                kind: if own { LABEL_NONE } else { LABEL_VECTOR },
                id: if own { 0 } else { u64::from(v) },
                ..Label::default()
            },
        });
    }

    /// An hrtimer callback at address `f` starts.
    #[inline]
    pub(crate) fn hrtimer_entry(&self, f: usize) {
        self.hrt_start.store(sys::now_ns(), Relaxed);
        self.hrt_fn.store(f, Relaxed);
    }

    /// An hrtimer callback ends; the probe's own (`own` is its address) is not interference.
    #[inline]
    pub(crate) fn hrtimer_exit(&self, own: usize) {
        let now = sys::now_ns();
        if !self.in_window(now) {
            return;
        }
        let f = self.hrt_fn.load(Relaxed);
        if f == own {
            return;
        }
        self.push(&Event {
            start_ns: self.hrt_start.load(Relaxed),
            end_ns: now,
            class: Class::Irq,
            label: Label {
                kind: LABEL_HRTIMER,
                id: f as u64,
                ..Label::default()
            },
        });
    }

    /// A softirq starts.
    #[inline]
    pub(crate) fn softirq_entry(&self) {
        self.sirq_start.store(sys::now_ns(), Relaxed);
    }

    /// Softirq `vec` ends.
    #[inline]
    pub(crate) fn softirq_exit(&self, vec: u32) {
        let now = sys::now_ns();
        if !self.in_window(now) {
            return;
        }
        self.push(&Event {
            start_ns: self.sirq_start.load(Relaxed),
            end_ns: now,
            class: Class::Softirq,
            label: Label {
                kind: LABEL_SOFTIRQ,
                id: u64::from(vec),
                ..Label::default()
            },
        });
    }

    /// An NMI handler at `handler` ran for `delta_ns`, ending now. In NMI context: only the NMI
    /// list is written, and its count is published after the slot.
    #[inline]
    pub(crate) fn nmi(&self, handler: usize, delta_ns: u64) {
        let now = sys::now_ns();
        if !self.in_window(now) {
            return;
        }
        let n = self.nr_nmis.load(Relaxed);
        let Some(slot) = self.nmis.get(n) else {
            self.dropped
                .store(self.dropped.load(Relaxed).wrapping_add(1), Relaxed);
            return;
        };
        slot.set(&Event {
            start_ns: now.saturating_sub(delta_ns),
            end_ns: now,
            class: Class::Nmi,
            label: Label {
                kind: LABEL_NMI,
                id: handler as u64,
                ..Label::default()
            },
        });
        self.nr_nmis.store(n + 1, Release);
    }

    /// `sched_switch` (interrupts disabled): the task switched out ran since the last switch.
    /// `prev` tells the pid, name, policy and priority of that task (read only if it overlapped
    /// a window; pid 0 is the idle task, which `cpu_idle` accounts).
    #[inline]
    pub(crate) fn switch(&self, prev: impl FnOnce() -> sys::TaskInfo) {
        let now = sys::now_ns();
        let since = self.task_since.load(Relaxed);
        self.task_since.store(now, Relaxed);
        let ws = self.window_start.load(Relaxed);
        if now < ws {
            return;
        }
        let p = prev();
        if p.pid == 0 {
            return;
        }
        let sched = if p.pid as u32 == self.timer_task.load(Relaxed) {
            self.timer_task_sched.load(Relaxed)
        } else {
            sched_word(&p)
        };
        let e = Event {
            start_ns: since,
            end_ns: now,
            class: Class::Task,
            label: Label {
                kind: LABEL_TASK,
                id: p.pid as u64,
                id2: sched,
                name: p.comm,
            },
        };
        self.push(&e);
        // The longest other task keeps its stack: it is switched out right here.
        let ran = now.saturating_sub(since.max(ws));
        if ran > self.longest_task_ns.load(Relaxed) {
            self.longest_task_ns.store(ran, Relaxed);
            let mut frames = [0usize; TASK_FRAMES];
            let n = sys::stack_trace_save(&mut frames);
            for (d, f) in self.frames.iter().zip(frames.iter()) {
                d.store(*f, Relaxed);
            }
            self.nr_frames.store(n, Relaxed);
        }
    }

    /// `cpu_idle` (interrupts disabled): the CPU enters or leaves idle.
    #[inline]
    pub(crate) fn idle(&self, enter: bool) {
        let now = sys::now_ns();
        if enter {
            self.idle_since.store(now, Relaxed);
            return;
        }
        if !self.in_window(now) {
            return;
        }
        self.push(&Event {
            start_ns: self.idle_since.load(Relaxed),
            end_ns: now,
            class: Class::Idle,
            label: Label::default(),
        });
    }

    /// The timer callback runs (hard IRQ, on this CPU) for a new window: the local timer
    /// interrupt now running is the timer's own.
    /// It also notes the task it interrupted, with the policy and priority it has now.
    pub(crate) fn timer_fired(&self) {
        let own = if self.vec_id.load(Relaxed) == VECTOR_LOCAL_TIMER {
            self.vec_start.load(Relaxed)
        } else {
            0
        };
        self.timer_entry.store(own, Relaxed);
        let t = sys::current_task_info();
        self.timer_task.store(t.pid as u32, Relaxed);
        self.timer_task_sched.store(sched_word(&t), Relaxed);
    }

    /// Opens recording for windows from `start_ns` on, forgetting what is listed (the thread,
    /// on this CPU, when it arms the timer).
    pub(crate) fn open(&self, start_ns: u64) {
        let _irqs_off = sys::RawIrqGuard::new();
        self.clear();
        self.window_start.store(start_ns, Relaxed);
    }

    /// Stops recording (the probe is turned off; from any CPU). What is listed stays until the
    /// next [`CpuCause::open`].
    pub(crate) fn close(&self) {
        self.window_start.store(u64::MAX, Relaxed);
    }

    fn clear(&self) {
        self.nr_events.store(0, Relaxed);
        self.nr_nmis.store(0, Relaxed);
        self.dropped.store(0, Relaxed);
        self.longest_task_ns.store(0, Relaxed);
        self.nr_frames.store(0, Relaxed);
        self.timer_entry.store(0, Relaxed);
        self.timer_task.store(0, Relaxed);
    }

    /// Forgets the window's events and starts the next window at `next_ns` (the thread, on
    /// this CPU, with interrupts disabled, after a wakeup that was not late).
    pub(crate) fn take_none(&self, next_ns: u64) {
        self.clear();
        self.window_start.store(next_ns, Relaxed);
    }

    /// Appends the window's events (NMIs included) to `sc`, and starts the next window at
    /// `next_ns` (the thread, on this CPU, with interrupts disabled).
    pub(crate) fn take(&self, next_ns: u64, sc: &mut Scratch) -> Taken {
        let mut t = Taken {
            dropped: self.dropped.load(Relaxed),
            timer_entry_ns: self.timer_entry.load(Relaxed),
            frames: [0; TASK_FRAMES],
            nr_frames: self.nr_frames.load(Relaxed).min(TASK_FRAMES),
        };
        let n = self.nr_events.load(Relaxed).min(WINDOW_EVENTS);
        let nmis = self.nr_nmis.load(Acquire).min(WINDOW_NMIS);
        let slots = self
            .events
            .iter()
            .take(n)
            .chain(self.nmis.iter().take(nmis));
        for s in slots {
            if !sc.push(s.get()) {
                t.dropped = t.dropped.wrapping_add(1);
            }
        }
        for (d, f) in t.frames.iter_mut().zip(self.frames.iter()) {
            *d = f.load(Relaxed);
        }
        // An NMI that lands between the copy and here is lost to this window, never half-read.
        self.clear();
        self.window_start.store(next_ns, Relaxed);
        t
    }
}
