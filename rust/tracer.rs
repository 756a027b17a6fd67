// SPDX-License-Identifier: GPL-2.0

//! The section tracer: global settings, the per-CPU states, and what the controls, CPU hotplug
//! and the module notifier do to them.

use crate::{
    cause::CpuCause,
    cpu::{CpuState, Globals},
    model::Kind,
    percpu::PerCpu,
    symbols::{self, RetiredNames},
    sys,
    wakeup::{self, CpuWakeup, Wakeup, WakeupConfig},
};
use core::sync::atomic::{AtomicBool, AtomicPtr, AtomicU64, Ordering::Relaxed};
use kernel::{new_mutex, prelude::*, sync::Mutex};

/// Table sizes, fixed at load time (module parameters).
#[derive(Clone, Copy)]
pub(crate) struct Sizes {
    /// Site table slots per CPU (a power of two).
    pub(crate) sites: usize,
    /// Worst sections kept per CPU.
    pub(crate) worst: usize,
    /// Threshold log records per CPU.
    pub(crate) log: usize,
}

/// The section tracer.
#[pin_data]
pub(crate) struct Tracer {
    /// Settings and generations the probes read.
    pub(crate) g: Globals,
    /// Per-CPU state.
    pub(crate) cpus: PerCpu<CpuState>,
    /// Table sizes.
    pub(crate) sizes: Sizes,
    /// Names of retired sites. Also serialises the controls and the module notifier, so that
    /// a reset cannot interleave with a retirement.
    #[pin]
    pub(crate) names: Mutex<RetiredNames>,
    /// The wakeup probe.
    #[pin]
    pub(crate) wakeup: Wakeup,
}

impl Tracer {
    /// A tracer with empty tables, not enabled, and a wakeup probe without threads.
    pub(crate) fn new(
        sizes: Sizes,
        threshold_ns: u64,
        wakeup: WakeupConfig,
        spikes: usize,
    ) -> Result<Pin<KBox<Self>>> {
        let cpus = PerCpu::new(|_| CpuState::new(sizes.sites, sizes.worst, sizes.log))?;
        let g = Globals {
            enabled: AtomicBool::new(false),
            gen: AtomicU64::new(1),
            epoch: AtomicU64::new(1),
            threshold_ns: AtomicU64::new(threshold_ns),
            helpers: symbols::rust_helpers_range(),
            lock_text: symbols::lock_text_range(),
        };
        KBox::pin_init(
            try_pin_init!(Self {
                g,
                cpus,
                sizes,
                names <- new_mutex!(RetiredNames::new()),
                wakeup <- Wakeup::new(wakeup, spikes)?,
            }? Error),
            GFP_KERNEL,
        )
    }

    /// A preemptirq event (called by the probes).
    #[inline]
    pub(crate) fn event(&self, kind: Kind, start: bool, ip: usize, parent: usize) {
        // Preemption or interrupts are disabled in every preemptirq probe: the CPU is stable.
        let Some(cpu) = self.cpus.this() else { return };
        let ctx = sys::context();
        if ctx == sys::CONTEXT_NMI {
            cpu.count_nmi();
            return;
        }
        if !self.g.enabled.load(Relaxed) {
            return;
        }
        // The irq events fire with interrupts off (after disabling, before enabling); the
        // preempt events do not: their bodies disable interrupts, untraced, so that no probe
        // body ever nests in another one on this CPU.
        let _irqs_off = (kind == Kind::Preempt).then(sys::RawIrqGuard::new);
        if start {
            cpu.start(&self.g, kind, ctx, ip, parent);
        } else {
            cpu.end(&self.g, kind, ip, parent);
        }
    }

    /// A `cpu_idle` event (called by the probe). Followed whether or not recording is on: a
    /// CPU that went idle while it was on and woke while it was off must not stay gated once it
    /// is back on (a busy CPU may not go idle again for a long time).
    #[inline]
    pub(crate) fn idle(&self, enter: bool) {
        if sys::context() == sys::CONTEXT_NMI {
            return;
        }
        let recording = self.g.enabled.load(Relaxed);
        let _irqs_off = sys::RawIrqGuard::new();
        if let Some(cpu) = self.cpus.this() {
            cpu.idle(&self.g, enter, recording);
        }
        if let Some(c) = self.cause() {
            c.idle(enter);
        }
    }

    /// This CPU's breakdown record (called by the breakdown's probes, which run with
    /// interrupts or preemption disabled).
    #[inline]
    pub(crate) fn cause(&self) -> Option<&CpuCause> {
        self.wakeup.cpus.this().map(|w| &*w.cause)
    }

    /// CPU hotplug: runs on `cpu` itself, in its hotplug thread.
    pub(crate) fn hotplug(&self, cpu: usize, online: bool) {
        let _irqs_off = sys::RawIrqGuard::new();
        if sys::cpu_id() != cpu {
            pr_warn!(
                "hotplug callback for CPU {} ran on CPU {}\n",
                cpu,
                sys::cpu_id()
            );
            return;
        }
        if let Some(state) = self.cpus.get(cpu) {
            state.hotplug(&self.g, online);
        }
    }

    /// Whether the probes record.
    pub(crate) fn enabled(&self) -> bool {
        self.g.enabled.load(Relaxed)
    }

    /// `enable`: turns recording on or off. Probes stay registered either way (no kernel text
    /// is patched). Turning it off waits until no probe is still recording, so what a reader
    /// sees afterwards does not move; turning it on starts a new epoch, so sections that were
    /// open while it was off are discarded instead of recorded with the off time in them.
    pub(crate) fn set_enabled(&self, on: bool) {
        let _guard = self.names.lock();
        if on == self.enabled() {
            return;
        }
        if on {
            self.g.epoch.fetch_add(1, Relaxed);
            self.g.enabled.store(true, Relaxed);
        } else {
            self.g.enabled.store(false, Relaxed);
            // The probe bodies run with preemption or interrupts disabled: one grace period
            // and every probe that saw `enabled` set has finished.
            sys::synchronize_rcu();
        }
    }

    /// `reset`: a new generation (every statistic, list and log starts empty) and a new epoch
    /// (sections open now are discarded). Each CPU clears its own counters at its next event.
    pub(crate) fn reset(&self) {
        let mut names = self.names.lock();
        for (_, cpu) in self.cpus.iter() {
            cpu.reset_nmi();
        }
        self.g.epoch.fetch_add(1, Relaxed);
        self.g.gen.fetch_add(1, Relaxed);
        names.clear();
    }

    /// `threshold_us`.
    pub(crate) fn set_threshold_ns(&self, ns: u64) {
        self.g.threshold_ns.store(ns, Relaxed);
    }

    /// The current generation.
    pub(crate) fn gen(&self) -> u64 {
        self.g.gen.load(Relaxed)
    }

    /// A module's text `[start, end)` is going away: keep the names of its sites and retire
    /// them.
    pub(crate) fn retire(&self, range: (usize, usize)) {
        let (lo, hi) = range;
        if lo >= hi {
            return;
        }
        let inside = |a: usize| a >= lo && a < hi;
        let mut names = self.names.lock();
        let gen = self.gen();
        let id = names.new_id();
        let mut retired = 0;
        for (_, cpu) in self.cpus.iter() {
            retired += cpu.sites.retire(gen, id, |s, e| inside(s) || inside(e));
        }
        if retired == 0 {
            return;
        }
        for (cpu_id, cpu) in self.cpus.iter() {
            cpu.sites.for_each(gen, cpu_id as u32, |s| {
                if s.retired_id == id {
                    // Out of memory loses a name (it prints as `?`), nothing else.
                    let _ = names.keep(id, s.start);
                    let _ = names.keep(id, s.end);
                }
            });
        }
    }

    /// The bytes of memory the tracer uses, with `names` (the locked retired names).
    pub(crate) fn bytes(&self, names: &RetiredNames) -> usize {
        let per_cpu: usize = self.cpus.iter().map(|(_, c)| c.bytes()).sum();
        core::mem::size_of::<Self>() + per_cpu + names.bytes() + self.wakeup.bytes()
    }

    /// The wakeup timer of `w` fired; returns whether it restarts.
    pub(crate) fn wakeup_fired(&self, w: &CpuWakeup) -> bool {
        wakeup::fired(&self.wakeup, &self.g, w)
    }
}

/// The tracer of the loaded module, for callbacks that have no data pointer (CPU hotplug, the
/// module notifier). Set while a [`GlobalTracer`] exists.
static TRACER: AtomicPtr<Tracer> = AtomicPtr::new(core::ptr::null_mut());

/// Publishes a tracer in [`TRACER`] and withdraws it on drop.
pub(crate) struct GlobalTracer(());

impl GlobalTracer {
    /// Publishes `t`.
    ///
    /// # Safety
    ///
    /// `t` must outlive the returned object, and every callback that uses [`with_tracer`] must
    /// be unregistered before that tracer is freed.
    pub(crate) unsafe fn new(t: &Tracer) -> Self {
        TRACER.store(core::ptr::from_ref(t).cast_mut(), Relaxed);
        Self(())
    }
}

impl Drop for GlobalTracer {
    fn drop(&mut self) {
        TRACER.store(core::ptr::null_mut(), Relaxed);
    }
}

/// Runs `f` with the published tracer, if there is one.
pub(crate) fn with_tracer(f: impl FnOnce(&Tracer)) {
    let p = TRACER.load(Relaxed);
    // SAFETY: A non-null `TRACER` points at a tracer that outlives its `GlobalTracer`, and the
    // callers (hotplug and module notifier callbacks) are unregistered before that is dropped.
    if let Some(t) = unsafe { p.as_ref() } {
        f(t);
    }
}

/// CPU hotplug startup, on the CPU coming online.
///
/// # Safety
///
/// Called by the CPU hotplug core with a valid CPU id.
pub(crate) unsafe extern "C" fn cpu_online(cpu: core::ffi::c_uint) -> core::ffi::c_int {
    with_tracer(|t| t.hotplug(cpu as usize, true));
    0
}

/// CPU hotplug teardown, on the CPU going offline.
///
/// # Safety
///
/// Called by the CPU hotplug core with a valid CPU id.
pub(crate) unsafe extern "C" fn cpu_offline(cpu: core::ffi::c_uint) -> core::ffi::c_int {
    with_tracer(|t| t.hotplug(cpu as usize, false));
    0
}

/// The module notifier: a module's init text goes away once it is live, all its text when it
/// is unloaded.
pub(crate) fn module_event(event: sys::ModuleEvent, text: &sys::ModuleText) {
    with_tracer(|t| match event {
        sys::ModuleEvent::Live => t.retire(text.init_text),
        sys::ModuleEvent::Going => {
            t.retire(text.text);
            t.retire(text.init_text);
        }
    });
}

/// Wakeup probe hotplug startup (and registration), on the CPU coming online.
///
/// # Safety
///
/// Called by the CPU hotplug core with a valid CPU id.
pub(crate) unsafe extern "C" fn wakeup_cpu_up(cpu: core::ffi::c_uint) -> core::ffi::c_int {
    let mut ret = 0;
    with_tracer(|t| {
        if let Err(e) = t.wakeup.cpu_up(cpu as usize) {
            ret = e.to_errno();
        }
    });
    ret
}

/// Wakeup probe hotplug teardown, on the CPU going offline.
///
/// # Safety
///
/// Called by the CPU hotplug core with a valid CPU id.
pub(crate) unsafe extern "C" fn wakeup_cpu_down(cpu: core::ffi::c_uint) -> core::ffi::c_int {
    with_tracer(|t| t.wakeup.cpu_down(cpu as usize));
    0
}
