// SPDX-License-Identifier: GPL-2.0

//! The breakdown of one late wakeup: its window, from the programmed expiry to the thread
//! running, split into disjoint parts that sum exactly to the thread latency.
//!
//! Where events overlap (a hard IRQ is also an irqs-off section; a softirq on IRQ exit is also
//! a preempt-off one), the time goes to the first class in [`Class`]'s priority order; inside
//! one class, to the event that started last (the innermost of nested ones). What no event
//! covers is `unaccounted` before the timer interrupt entered (the interrupt should have come
//! at the expiry) and `switch` after it (the wakeup's own way to the thread). Other tasks count
//! only after that entry: a task that runs with interrupts on cannot delay an interrupt. Safe leaf logic:
//! the thread calls [`compute`] with interrupts disabled, on a bounded number of events.

use crate::{
    cause::{Class, Event, Label, NR_CLASSES, TASK_FRAMES},
    compat,
};

/// Parts kept per spike.
pub(crate) const PARTS: usize = 4;

/// The most events a window can have (listed events, NMIs, sections).
pub(crate) const MAX_EVENTS: usize =
    crate::cause::WINDOW_EVENTS + crate::cause::WINDOW_NMIS + MAX_SECTIONS;

/// The most sections of a window a breakdown looks at (the newest of the CPU's recent ones).
pub(crate) const MAX_SECTIONS: usize = 16;

/// One labelled part of a breakdown.
#[derive(Clone, Copy)]
pub(crate) struct Part {
    /// Its class.
    pub(crate) class: Class,
    /// Its label.
    pub(crate) label: Label,
    /// Its time.
    pub(crate) ns: u64,
}

/// What one spike's window was made of.
#[derive(Clone, Copy)]
pub(crate) struct Breakdown {
    /// Time per class; the sum is the window's length.
    pub(crate) class_ns: [u64; NR_CLASSES],
    /// The largest parts, largest first; the first is the cause.
    pub(crate) parts: [Option<Part>; PARTS],
    /// The longest other task's stack when it was switched out (if a task part exists).
    pub(crate) frames: [usize; TASK_FRAMES],
    /// How many of `frames` are valid.
    pub(crate) nr_frames: usize,
}

impl Breakdown {
    /// No time anywhere.
    pub(crate) const fn empty() -> Self {
        Self {
            class_ns: [0; NR_CLASSES],
            parts: [None; PARTS],
            frames: [0; TASK_FRAMES],
            nr_frames: 0,
        }
    }

    /// All of `ns` unaccounted: the breakdown of a window nothing was recorded for.
    pub(crate) fn unaccounted(ns: u64) -> Self {
        let mut b = Self::empty();
        if let Some(c) = b.class_ns.get_mut(Class::Unaccounted.idx()) {
            *c = ns;
        }
        b.parts[0] = Some(Part {
            class: Class::Unaccounted,
            label: Label::default(),
            ns,
        });
        b
    }

    /// The cause: the largest part.
    pub(crate) fn cause(&self) -> Option<&Part> {
        self.parts.first().and_then(|p| p.as_ref())
    }
}

/// A set of disjoint intervals, sorted, bounded.
struct Covered {
    iv: [(u64, u64); MAX_EVENTS],
    n: usize,
    /// Room to merge into.
    tmp: [(u64, u64); MAX_EVENTS],
}

impl Covered {
    /// How much of `[a, b)` is covered.
    fn covered(&self, a: u64, b: u64) -> u64 {
        self.iv
            .iter()
            .take(self.n)
            .map(|&(s, e)| e.min(b).saturating_sub(s.max(a)))
            .sum()
    }

    /// Adds `[a, b)`, merging what it touches. The set never holds more intervals than were
    /// added, so it cannot overflow with at most [`MAX_EVENTS`] additions.
    fn add(&mut self, a: u64, b: u64) {
        let (mut lo, mut hi) = (a, b);
        let mut m = 0;
        let mut placed = false;
        let mut put = |tmp: &mut [(u64, u64)], iv: (u64, u64)| {
            if let Some(o) = tmp.get_mut(m) {
                *o = iv;
                m += 1;
            }
        };
        for &(s, e) in self.iv.iter().take(self.n) {
            if e < lo {
                put(&mut self.tmp, (s, e));
            } else if s > hi {
                if !placed {
                    put(&mut self.tmp, (lo, hi));
                    placed = true;
                }
                put(&mut self.tmp, (s, e));
            } else {
                lo = lo.min(s);
                hi = hi.max(e);
            }
        }
        if !placed {
            put(&mut self.tmp, (lo, hi));
        }
        core::mem::swap(&mut self.iv, &mut self.tmp);
        self.n = m;
    }
}

/// The working memory of [`compute`]: a few KiB, owned by the CPU's wakeup thread (allocated
/// when it starts), so that no kernel stack carries it.
pub(crate) struct Scratch {
    /// The window's events, filled by the caller; `nr` of them are valid.
    pub(crate) events: [Event; MAX_EVENTS],
    /// How many of `events` are valid.
    pub(crate) nr: usize,
    covered: Covered,
    parts: [Part; MAX_EVENTS + 2],
    /// What [`compute`] made of the events; there, and not on the thread's stack, because the
    /// breakdown is several hundred bytes and the callers would each hold a copy.
    result: Breakdown,
}

// SAFETY: Every field is an integer, an array of integers, or made of `Event`, `Part` and
// `Option<Part>` (in `result`), whose fields are integers and a `Class`, a `repr(u8)` enum whose
// discriminant 0 (`Nmi`) is valid: all zeros is a valid value of each (`Some` of an all-zero
// part for an `Option<Part>`, which `compute` overwrites before anyone reads it), and with
// `nr == 0` the scratch is empty.
unsafe impl compat::Zeroable for Scratch {}

impl Scratch {
    /// Appends an event; returns false if full.
    pub(crate) fn push(&mut self, e: Event) -> bool {
        match self.events.get_mut(self.nr) {
            Some(d) => {
                *d = e;
                self.nr += 1;
                true
            }
            None => false,
        }
    }
}

/// Adds `ns` to the part labelled `(class, label)` in `parts`, or to a new one.
fn add_part(parts: &mut [Part], n: &mut usize, class: Class, label: Label, ns: u64) {
    if ns == 0 {
        return;
    }
    for p in parts.iter_mut().take(*n) {
        if p.class == class && p.label == label {
            p.ns = p.ns.saturating_add(ns);
            return;
        }
    }
    if let Some(slot) = parts.get_mut(*n) {
        *slot = Part { class, label, ns };
        *n += 1;
    }
}

/// The breakdown of the window `[expiry_ns, run_ns)` from the events in `sc` (clipped to the
/// window here), with the timer interrupt's entry at `timer_entry_ns` (the end of what is
/// `unaccounted`; the callback's time if the entry was not seen). Empties `sc`; the result is
/// in it, until the next call.
pub(crate) fn compute(
    expiry_ns: u64,
    run_ns: u64,
    timer_entry_ns: u64,
    sc: &mut Scratch,
) -> &mut Breakdown {
    let bd = &mut sc.result;
    *bd = Breakdown::empty();
    let (a, b) = (expiry_ns, run_ns.max(expiry_ns));
    let nr = sc.nr.min(MAX_EVENTS);
    sc.nr = 0;
    let events = sc.events.get_mut(..nr).unwrap_or(&mut []);
    // Priority order; inside a class, the one that started last (innermost) first.
    crate::sort::sort_by_key(events, |e| (e.class, core::cmp::Reverse(e.start_ns)));
    let covered = &mut sc.covered;
    covered.n = 0;
    let parts = &mut sc.parts;
    let mut n = 0;
    for e in events.iter() {
        // A task that ran before the timer interrupt entered did not delay it (interrupts were
        // on): only its time after the entry counts.
        let from = if e.class == Class::Task {
            timer_entry_ns.clamp(a, b)
        } else {
            a
        };
        let (s, t) = (e.start_ns.max(from), e.end_ns.min(b));
        if t <= s {
            continue;
        }
        let net = (t - s).saturating_sub(covered.covered(s, t));
        covered.add(s, t);
        if let Some(c) = bd.class_ns.get_mut(e.class.idx()) {
            *c = c.saturating_add(net);
        }
        add_part(parts, &mut n, e.class, e.label, net);
    }
    let entry = timer_entry_ns.clamp(a, b);
    let before = (entry - a).saturating_sub(covered.covered(a, entry));
    let after = (b - entry).saturating_sub(covered.covered(entry, b));
    for (class, ns) in [(Class::Unaccounted, before), (Class::Switch, after)] {
        if let Some(c) = bd.class_ns.get_mut(class.idx()) {
            *c = c.saturating_add(ns);
        }
        add_part(parts, &mut n, class, Label::default(), ns);
    }
    let all = parts.get_mut(..n).unwrap_or(&mut []);
    // Largest first; ties in priority order.
    crate::sort::sort_by_key(all, |p| (core::cmp::Reverse(p.ns), p.class));
    for (d, p) in bd.parts.iter_mut().zip(all.iter()) {
        *d = Some(*p);
    }
    bd
}

/// Words a stored [`Breakdown`] takes (see [`Breakdown::store_words`]).
pub(crate) const BD_WORDS: usize = NR_CLASSES + PARTS * PART_WORDS + TASK_FRAMES + 1;

/// Words a stored [`Part`] takes: class, label kind and presence; id; id2; name (2); time.
const PART_WORDS: usize = 6;

impl Breakdown {
    /// The breakdown as plain words, for a seqcount-protected slot of atomics.
    pub(crate) fn store_words(&self, out: &mut [u64; BD_WORDS]) {
        let (classes, rest) = out.split_at_mut(NR_CLASSES);
        classes.copy_from_slice(&self.class_ns);
        let (parts, rest) = rest.split_at_mut(PARTS * PART_WORDS);
        for (w, p) in parts.chunks_exact_mut(PART_WORDS).zip(self.parts.iter()) {
            w.fill(0);
            if let (Some(p), [meta, id, id2, n0, n1, ns]) = (p, w) {
                *meta = 1 | (u64::from(p.class as u8) << 8) | (u64::from(p.label.kind) << 16);
                *id = p.label.id;
                *id2 = p.label.id2;
                *n0 = p.label.name[0];
                *n1 = p.label.name[1];
                *ns = p.ns;
            }
        }
        let (frames, rest) = rest.split_at_mut(TASK_FRAMES);
        for (w, f) in frames.iter_mut().zip(self.frames.iter()) {
            *w = *f as u64;
        }
        if let Some(n) = rest.first_mut() {
            *n = self.nr_frames as u64;
        }
    }

    /// The breakdown stored by [`Breakdown::store_words`].
    pub(crate) fn load_words(w: &[u64; BD_WORDS]) -> Self {
        let mut bd = Self::empty();
        let (classes, rest) = w.split_at(NR_CLASSES);
        bd.class_ns.copy_from_slice(classes);
        let (parts, rest) = rest.split_at(PARTS * PART_WORDS);
        for (p, w) in bd.parts.iter_mut().zip(parts.chunks_exact(PART_WORDS)) {
            if let [meta, id, id2, n0, n1, ns] = *w {
                let class = Class::from_idx(((meta >> 8) & 0xff) as usize);
                *p = class.filter(|_| meta & 1 != 0).map(|class| Part {
                    class,
                    label: Label {
                        kind: ((meta >> 16) & 0xff) as u32,
                        id,
                        id2,
                        name: [n0, n1],
                    },
                    ns,
                });
            }
        }
        let (frames, rest) = rest.split_at(TASK_FRAMES);
        for (d, f) in bd.frames.iter_mut().zip(frames.iter()) {
            *d = *f as usize;
        }
        bd.nr_frames = rest.first().map_or(0, |&n| (n as usize).min(TASK_FRAMES));
        bd
    }
}
