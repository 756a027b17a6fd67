// SPDX-License-Identifier: GPL-2.0

//! preemptstat_bench: times irq-off/on and preempt-off/on pairs, for `make bench`.
//!
//! A TEST TOOL ONLY. Writing `N` to `/sys/kernel/debug/preemptstat_bench/run` runs, on the
//! writer's CPU with migration disabled, N `local_irq_save()`/`local_irq_restore()` pairs and
//! N `preempt_disable()`/`preempt_enable()` pairs at one call site, then the same spread over
//! 64 call sites (so a tracer keeping per-site statistics looks up 64 entries), and times each
//! series with `ktime_get_mono_fast_ns()`. Reading the file gives the last result:
//!
//! Then it runs N / 100 hard IRQs (an irq_work on the writer's CPU, a self-IPI) and N / 100
//! softirqs (a tasklet run by `local_bh_enable()`), each waited for before the next: what a
//! tracer hooking the IRQ and softirq events adds to each.
//!
//! ```text
//! # echo 200000 > /sys/kernel/debug/preemptstat_bench/run
//! # cat /sys/kernel/debug/preemptstat_bench/run
//! pairs 200000 irq_ns 812 preempt_ns 655 irq_spread_ns 830 preempt_spread_ns 671 hardirqs 2000 hardirq_ns 9120 softirq_ns 2310
//! ```
//!
//! Figures are nanoseconds per pair, per IRQ and per softirq. N is 1000 to 10000000.

// Samples use a part of it only.
#[allow(dead_code, unused_imports)]
#[path = "../rust/compat.rs"]
mod compat;
#[allow(dead_code)]
#[path = "../rust/debugfs.rs"]
mod debugfs;
#[allow(dead_code)]
#[path = "../rust/debugfs_raw.rs"]
mod debugfs_raw;
mod irqflags;
#[allow(dead_code)]
#[path = "../rust/text.rs"]
mod text;

use core::fmt::Write;
use debugfs::{Debugfs, FileSpec};
use kernel::{bindings, new_mutex, prelude::*, sync::Mutex};
use text::TextBuf;

// The same invocation on every kernel series; the author is in bench_shim.c.
module! {
    type: Bench,
    name: "preemptstat_bench",
    description: "TEST ONLY: times irq-off/on and preempt-off/on pairs",
    license: "GPL",
}

// bench_shim.c: one waited-for hard IRQ or softirq on this CPU (0 or a negative errno), and the
// wait before unload.
extern "C" {
    fn preemptstat_bench_hardirq() -> core::ffi::c_int;
    fn preemptstat_bench_softirq() -> core::ffi::c_int;
    fn preemptstat_bench_sync();
}

/// The number of distinct call sites of the spread series.
const SITES: usize = 64;

/// `local_irq_save()` then `local_irq_restore()`, tracing included, at the call site of the
/// function this is inlined into.
#[inline(always)]
fn irq_pair() {
    irqflags::irq_restore(irqflags::irq_save());
}

/// `preempt_disable()` then `preempt_enable_no_resched()`.
#[inline(always)]
fn preempt_pair() {
    // SAFETY: Balanced preempt count changes.
    unsafe {
        bindings::preempt_count_add(1);
        bindings::preempt_count_sub(1);
    }
}

macro_rules! sites {
    ($($irq:ident $pre:ident),* $(,)?) => {
        $(
            #[inline(never)]
            fn $irq() {
                irq_pair();
                core::sync::atomic::compiler_fence(core::sync::atomic::Ordering::SeqCst);
            }
            #[inline(never)]
            fn $pre() {
                preempt_pair();
                core::sync::atomic::compiler_fence(core::sync::atomic::Ordering::SeqCst);
            }
        )*
        const IRQ_SITES: [fn(); SITES] = [$($irq),*];
        const PREEMPT_SITES: [fn(); SITES] = [$($pre),*];
    };
}

sites!(
    i00 p00, i01 p01, i02 p02, i03 p03, i04 p04, i05 p05, i06 p06, i07 p07,
    i08 p08, i09 p09, i10 p10, i11 p11, i12 p12, i13 p13, i14 p14, i15 p15,
    i16 p16, i17 p17, i18 p18, i19 p19, i20 p20, i21 p21, i22 p22, i23 p23,
    i24 p24, i25 p25, i26 p26, i27 p27, i28 p28, i29 p29, i30 p30, i31 p31,
    i32 p32, i33 p33, i34 p34, i35 p35, i36 p36, i37 p37, i38 p38, i39 p39,
    i40 p40, i41 p41, i42 p42, i43 p43, i44 p44, i45 p45, i46 p46, i47 p47,
    i48 p48, i49 p49, i50 p50, i51 p51, i52 p52, i53 p53, i54 p54, i55 p55,
    i56 p56, i57 p57, i58 p58, i59 p59, i60 p60, i61 p61, i62 p62, i63 p63,
);

fn now() -> u64 {
    // SAFETY: Callable from any context.
    unsafe { bindings::ktime_get_mono_fast_ns() }
}

/// Nanoseconds per call of `f` over `n` calls.
fn per_call(n: u64, mut f: impl FnMut(u64)) -> u64 {
    let t0 = now();
    for i in 0..n {
        f(i);
    }
    now().saturating_sub(t0).checked_div(n).unwrap_or(0)
}

#[inline(never)]
fn bench_irq_one_site(n: u64) -> u64 {
    per_call(n, |_| i00())
}

#[inline(never)]
fn bench_preempt_one_site(n: u64) -> u64 {
    per_call(n, |_| p00())
}

/// Nanoseconds per waited-for hard IRQ (`soft` false) or softirq, over `n` of them; an error
/// if one did not run.
#[inline(never)]
fn bench_interrupts(n: u64, soft: bool) -> Result<u64> {
    let mut ret = 0;
    let ns = per_call(n, |_| {
        if ret == 0 {
            // SAFETY: Process context, migration disabled (the caller), interrupts on.
            ret = unsafe {
                if soft {
                    preemptstat_bench_softirq()
                } else {
                    preemptstat_bench_hardirq()
                }
            };
        }
    });
    kernel::error::to_result(ret).map(|()| ns)
}

fn bench_spread(n: u64, sites: &[fn(); SITES]) -> u64 {
    per_call(n, |i| {
        if let Some(f) = sites.get(i as usize % SITES) {
            f();
        }
    })
}

/// One result.
#[derive(Clone, Copy)]
struct Result4 {
    pairs: u64,
    irq: u64,
    preempt: u64,
    irq_spread: u64,
    preempt_spread: u64,
    interrupts: u64,
    hardirq: u64,
    softirq: u64,
}

#[pin_data]
struct State {
    #[pin]
    last: Mutex<Option<Result4>>,
}

fn show_run(s: &State, out: &mut TextBuf) -> core::fmt::Result {
    match *s.last.lock() {
        Some(r) => writeln!(
            out,
            "pairs {} irq_ns {} preempt_ns {} irq_spread_ns {} preempt_spread_ns {} hardirqs {} \
             hardirq_ns {} softirq_ns {}",
            r.pairs,
            r.irq,
            r.preempt,
            r.irq_spread,
            r.preempt_spread,
            r.interrupts,
            r.hardirq,
            r.softirq
        ),
        None => writeln!(out, "pairs 0"),
    }
}

fn store_run(s: &State, value: &str) -> Result {
    if !value.bytes().all(|b| b.is_ascii_digit()) {
        return Err(EINVAL);
    }
    let n: u64 = value.parse().map_err(|_| EINVAL)?;
    if !(1000..=10_000_000).contains(&n) {
        return Err(EINVAL);
    }
    let mut last = s.last.lock();
    // Stay on one CPU for the whole run (migration only; preemption stays on, as for any
    // task), so that every pair hits the same CPU's tables.
    // SAFETY: Balanced with `migrate_enable` below, in process context.
    unsafe { bindings::migrate_disable() };
    let interrupts = n / 100;
    let pairs = (
        bench_irq_one_site(n),
        bench_preempt_one_site(n),
        bench_spread(n, &IRQ_SITES),
        bench_spread(n, &PREEMPT_SITES),
    );
    let irqs = bench_interrupts(interrupts, false)
        .and_then(|h| Ok((h, bench_interrupts(interrupts, true)?)));
    // SAFETY: See above.
    unsafe { bindings::migrate_enable() };
    let (hardirq, softirq) = irqs?;
    *last = Some(Result4 {
        pairs: n,
        irq: pairs.0,
        preempt: pairs.1,
        irq_spread: pairs.2,
        preempt_spread: pairs.3,
        interrupts,
        hardirq,
        softirq,
    });
    Ok(())
}

static FILES: [FileSpec<State>; 1] = [FileSpec {
    name: c"run",
    show: Some(show_run),
    store: Some(store_run),
}];

struct Bench {
    // Dropped first: the files point at the state.
    _debugfs: Debugfs<State>,
    _sync: InterruptsSync,
    _fops: KBox<debugfs_raw::FileOperations>,
    _state: Pin<KBox<State>>,
}

/// On drop (after the files are gone, so no run can start), waits until the irq_work and
/// the tasklet of the series can no longer be pending or running.
struct InterruptsSync;

impl Drop for InterruptsSync {
    fn drop(&mut self) {
        // SAFETY: Process context (module exit).
        unsafe { preemptstat_bench_sync() };
    }
}

impl kernel::Module for Bench {
    fn init(module: &'static ThisModule) -> Result<Self> {
        let state = KBox::pin_init(pin_init!(State { last <- new_mutex!(None) }), GFP_KERNEL)?;
        let fops = KBox::new(debugfs::file_operations::<State>(module), GFP_KERNEL)?;
        // SAFETY: `state` and `fops` are dropped after `_debugfs` (field order).
        let dir = unsafe { Debugfs::new(c"preemptstat_bench", &*state, &fops, &FILES)? };
        Ok(Self {
            _debugfs: dir,
            _sync: InterruptsSync,
            _fops: fops,
            _state: state,
        })
    }
}
