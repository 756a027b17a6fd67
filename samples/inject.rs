// SPDX-License-Identifier: GPL-2.0

//! preemptstat_inject: makes non-preemptible sections of known length at known sites.
//!
//! A TEST TOOL ONLY: it disables interrupts or preemption on purpose, and busy-waits in
//! interrupt context or at a high real-time priority. It exists so that preemptstat's tests can
//! compare what preemptstat (and ftrace) measure with what was done.
//!
//! ```text
//! # insmod preemptstat_inject.ko
//! # echo "irq 1 1000 5" > /sys/kernel/debug/preemptstat_inject/inject
//! ```
//!
//! makes five 1000 µs irqs-off sections on CPU 1, 1 ms apart, and returns when they are done.
//! The command is `MODE CPU US [COUNT [GAP_US [traceoff]]]`:
//!
//! - `MODE` (the function that opens and closes each section):
//!   - `irq`: `local_irq_save()` in `inject_irq`;
//!   - `preempt`: `preempt_disable()` in `inject_preempt`;
//!   - `raw_spin_lock_irqsave`: in `inject_raw_spin_lock_irqsave` (non-preemptible on every
//!     kernel);
//!   - `spin_lock_irqsave`, `spin_lock`: in `inject_spin_lock_irqsave`, `inject_spin_lock`
//!     (sleeping locks on PREEMPT_RT: no section there);
//!   - `nested`: `preempt_disable()` around a `local_irq_save()` section half as long, in
//!     `inject_nested`.
//!
//!   The next four busy-wait where something other than a section delays a task on `CPU`: a
//!   late wakeup's cause. The worker waits until each has finished before the gap.
//!
//!   - `hardirq`: in hard IRQ context, in `inject_hardirq_work`, an irq_work the worker
//!     queues on its CPU with `IRQ_WORK_HARD_IRQ`: run from the irq_work interrupt (on x86 a
//!     self-IPI, `irq_vectors:irq_work_entry`/`exit`) on every kernel, PREEMPT_RT included.
//!   - `devirq`: in a device-style interrupt's handler, `inject_devirq_handler`: the
//!     injector's own Linux IRQ (a descriptor with `dummy_irq_chip` and `handle_simple_irq`,
//!     allocated at load, its number in the file as `devirq N`), one `IRQF_NO_THREAD` action
//!     named `ps_inject` (`irq:irq_handler_entry`/`exit`, `/proc/interrupts`; short enough for
//!     the 15 characters of preemptstat's part labels, like the worker `ps_inject/CPU`). A
//!     hard irq_work on `CPU` raises it with `generic_handle_irq_safe()`, so it runs in hard
//!     IRQ context there, PREEMPT_RT included.
//!   - `softirq`: in softirq context, in the tasklet callback `inject_tasklet`
//!     (`TASKLET_SOFTIRQ`, `irq:softirq_entry` `vec=6`), scheduled by the worker on its CPU
//!     and run there by `ksoftirqd` or on an interrupt's exit. On PREEMPT_RT softirqs run in
//!     a preemptible thread: nothing waits for them there.
//!   - `fifo`: in the worker itself, in `inject_fifo`, at SCHED_FIFO priority 96 (one above
//!     preemptstat's wakeup threads' default 95) with preemption enabled; back to SCHED_NORMAL
//!     for the gap.
//! - `CPU`: an online CPU; a kernel thread bound to it does the work, in process context. The
//!   thread is made on the first command for that CPU and kept until the module is unloaded,
//!   so no thread is created or exits on that CPU around the sections.
//! - `US`: the length of each section, 1 to the `max_us` parameter (default 100 ms).
//! - `COUNT`: 1 to 1000 sections (default 1), `GAP_US` apart (default 1000, up to 1 s).
//! - `traceoff`: `tracing_off()` right after the last section closes, so that ftrace's
//!   irqsoff and preemptoff tracers keep that section as their latest one even on a kernel
//!   whose own sections are longer than the injected one (the debug kernel under TCG: another
//!   one ends before a shell can turn tracing off).
//!
//! Any other command fails with `-EINVAL`. Reading the file shows the modes, the `devirq`
//! mode's IRQ number (`devirq N`) and the last command done.

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

use core::{
    ffi::{c_int, c_uint, c_ulong, c_void, CStr},
    fmt::Write,
    sync::atomic::{AtomicU32, AtomicU64, Ordering},
};
use debugfs::{Debugfs, FileSpec};
use irqflags::{irq_restore, irq_save};
use kernel::{
    bindings,
    error::{from_err_ptr, to_result},
    new_condvar, new_mutex,
    prelude::*,
    sync::{CondVar, Mutex},
};
use text::TextBuf;

// The same invocation on every kernel series; the author and the `max_us` parameter are in
// inject_shim.c (6.12's `module!` has neither `authors` nor `params`).
module! {
    type: Injector,
    name: "preemptstat_inject",
    description: "TEST ONLY: makes preempt-off and irqs-off sections of known length",
    license: "GPL",
}

// inject_shim.c: the parameter, the locks, the interrupt modes' kernel objects, static inlines
// and what 6.12's bindings lack.
extern "C" {
    fn preemptstat_inject_max_us() -> u64;
    fn preemptstat_inject_raw_lock() -> *mut bindings::raw_spinlock_t;
    fn preemptstat_inject_spin_lock() -> *mut bindings::spinlock_t;
    fn preemptstat_inject_cpu_id() -> c_uint;
    fn preemptstat_inject_cpu_online(cpu: c_uint) -> bool;
    fn preemptstat_inject_fsleep(us: c_ulong);
    // A `struct irq_work *` is declared as `void *`: 6.12's bindings do not have the struct.
    fn preemptstat_inject_hardirq_work() -> *mut c_void;
    fn preemptstat_inject_devirq_work() -> *mut c_void;
    fn preemptstat_inject_irq_work_init_hard(work: *mut c_void, func: extern "C" fn(*mut c_void));
    fn preemptstat_inject_irq_work_queue(work: *mut c_void) -> bool;
    fn preemptstat_inject_irq_work_sync(work: *mut c_void);
    fn preemptstat_inject_devirq_alloc() -> c_int;
    fn preemptstat_inject_devirq_free(irq: c_uint);
    fn preemptstat_inject_devirq_fire(irq: c_uint) -> c_int;
    fn preemptstat_inject_irq_handled() -> bindings::irqreturn_t;
    fn preemptstat_inject_tasklet() -> *mut bindings::tasklet_struct;
    fn preemptstat_inject_tasklet_done() -> *mut bindings::completion;
    fn preemptstat_inject_tasklet_schedule(t: *mut bindings::tasklet_struct);
    fn preemptstat_inject_set_fifo(prio: c_int);
}

/// The CPU this runs on (`raw_smp_processor_id()`).
fn cpu_id() -> u32 {
    // SAFETY: Callable in any context.
    unsafe { preemptstat_inject_cpu_id() }
}

/// The number of possible CPU ids.
fn nr_cpu_ids() -> u32 {
    // SAFETY: `nr_cpu_ids` is set during boot and never changes afterwards.
    unsafe { bindings::nr_cpu_ids }
}

/// What kind of section to make (see the crate documentation).
#[derive(Clone, Copy)]
enum Mode {
    /// `irq`: interrupts off.
    Irq,
    /// `preempt`: preemption off.
    Preempt,
    /// `raw_spin_lock_irqsave`: a raw spinlock with interrupts off.
    RawSpinLockIrqsave,
    /// `spin_lock_irqsave`: a `spinlock_t` with interrupts off (sleeping on PREEMPT_RT).
    SpinLockIrqsave,
    /// `spin_lock`: a `spinlock_t` (sleeping on PREEMPT_RT).
    SpinLock,
    /// `nested`: interrupts off inside preemption off.
    Nested,
    /// `hardirq`: a busy-wait in a hard irq_work.
    Hardirq,
    /// `devirq`: a busy-wait in the handler of the injector's own IRQ.
    Devirq,
    /// `softirq`: a busy-wait in a tasklet.
    Softirq,
    /// `fifo`: a busy-wait of the worker at SCHED_FIFO [`FIFO_PRIO`], preemptible.
    Fifo,
}

impl Mode {
    /// Every mode with its name in commands.
    const ALL: [(&'static str, Mode); 10] = [
        ("irq", Mode::Irq),
        ("preempt", Mode::Preempt),
        ("raw_spin_lock_irqsave", Mode::RawSpinLockIrqsave),
        ("spin_lock_irqsave", Mode::SpinLockIrqsave),
        ("spin_lock", Mode::SpinLock),
        ("nested", Mode::Nested),
        ("hardirq", Mode::Hardirq),
        ("devirq", Mode::Devirq),
        ("softirq", Mode::Softirq),
        ("fifo", Mode::Fifo),
    ];

    /// The mode named `s`.
    fn parse(s: &str) -> Option<Mode> {
        Self::ALL.iter().find(|(n, _)| *n == s).map(|(_, m)| *m)
    }

    /// The mode's name in commands.
    fn name(self) -> &'static str {
        Self::ALL
            .iter()
            .find(|(_, m)| *m as u8 == self as u8)
            .map_or("?", |(n, _)| n)
    }
}

/// One command.
#[derive(Clone, Copy)]
struct Command {
    /// What to do.
    mode: Mode,
    /// The CPU to do it on.
    cpu: u32,
    /// How long each section or busy-wait lasts, in µs.
    us: u64,
    /// How many of them.
    count: u32,
    /// The sleep between two of them, in µs.
    gap_us: u64,
    /// Whether to call `tracing_off()` after the last one.
    traceoff: bool,
}

/// Parses the decimal number `s` (digits only), which must be in `min..=max`.
fn parse_num(s: Option<&str>, min: u64, max: u64) -> Result<u64> {
    let s = s.ok_or(EINVAL)?;
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return Err(EINVAL);
    }
    let v: u64 = s.parse().map_err(|_| EINVAL)?;
    if v < min || v > max {
        return Err(EINVAL);
    }
    Ok(v)
}

impl Command {
    /// Parses `MODE CPU US [COUNT [GAP_US [traceoff]]]`, fields separated by single spaces.
    fn parse(s: &str, max_us: u64) -> Result<Command> {
        let mut f = s.split(' ');
        let mode = Mode::parse(f.next().ok_or(EINVAL)?).ok_or(EINVAL)?;
        let cpu = parse_num(f.next(), 0, u64::from(nr_cpu_ids()) - 1)? as u32;
        let us = parse_num(f.next(), 1, max_us)?;
        let count = match f.next() {
            None => 1,
            some => parse_num(some, 1, 1000)? as u32,
        };
        let gap_us = match f.next() {
            None => 1000,
            some => parse_num(some, 0, 1_000_000)?,
        };
        let traceoff = match f.next() {
            None => false,
            Some("traceoff") => true,
            Some(_) => return Err(EINVAL),
        };
        if f.next().is_some() {
            return Err(EINVAL);
        }
        Ok(Command {
            mode,
            cpu,
            us,
            count,
            gap_us,
            traceoff,
        })
    }
}

/// The locks the lock modes take: `DEFINE_RAW_SPINLOCK` and `DEFINE_SPINLOCK` in
/// inject_shim.c, so that they are initialised (and known to lockdep) as C's are, on every
/// kernel series.
struct Locks {
    /// The `raw_spin_lock_irqsave` mode's lock.
    raw: *mut bindings::raw_spinlock_t,
    /// The `spin_lock_irqsave` and `spin_lock` modes' lock.
    spin: *mut bindings::spinlock_t,
}

// SAFETY: The C locks are made for concurrent use; they are only used through the lock and
// unlock functions.
unsafe impl Sync for Locks {}
// SAFETY: See above; nothing ties them to a thread.
unsafe impl Send for Locks {}

impl Locks {
    /// The shim's locks.
    fn new() -> Self {
        // SAFETY: The accessors return the addresses of the shim's static locks.
        unsafe {
            Self {
                raw: preemptstat_inject_raw_lock(),
                spin: preemptstat_inject_spin_lock(),
            }
        }
    }
}

/// Busy-waits for `us` microseconds on CLOCK_MONOTONIC.
#[inline(always)]
fn spin_us(us: u64) {
    // SAFETY: `ktime_get_mono_fast_ns` may be called in any context.
    let end = unsafe { bindings::ktime_get_mono_fast_ns() }.saturating_add(us.saturating_mul(1000));
    // SAFETY: As above.
    while unsafe { bindings::ktime_get_mono_fast_ns() } < end {
        core::hint::spin_loop();
    }
}

/// Keeps the call before it from becoming a tail call. The C kernel is built with
/// `-fno-optimize-sibling-calls` when it has frame pointers; rustc has no such switch, and a
/// tail call to the unlock would report the section's end in this function's caller.
#[inline(always)]
fn no_tail_call() {
    core::sync::atomic::compiler_fence(core::sync::atomic::Ordering::SeqCst);
}

/// `irq`: one irqs-off section of `us` µs.
#[inline(never)]
fn inject_irq(us: u64) {
    let flags = irq_save();
    spin_us(us);
    irq_restore(flags);
    no_tail_call();
}

/// `preempt`: one preempt-off section of `us` µs.
#[inline(never)]
fn inject_preempt(us: u64) {
    // SAFETY: `preempt_disable()`/`preempt_enable_no_resched()`, balanced.
    unsafe { bindings::preempt_count_add(1) };
    spin_us(us);
    // SAFETY: See above.
    unsafe { bindings::preempt_count_sub(1) };
    no_tail_call();
}

/// `raw_spin_lock_irqsave`: `us` µs holding the raw lock with interrupts off.
#[inline(never)]
fn inject_raw_spin_lock_irqsave(l: &Locks, us: u64) {
    // SAFETY: `l.raw` is an initialised raw spinlock, locked and unlocked here only.
    let flags = unsafe { bindings::_raw_spin_lock_irqsave(l.raw) };
    spin_us(us);
    // SAFETY: Locked above with these flags.
    unsafe { bindings::_raw_spin_unlock_irqrestore(l.raw, flags) };
    no_tail_call();
}

/// `spin_lock_irqsave`: `us` µs holding the `spinlock_t` with `spin_lock_irqsave()`.
#[inline(never)]
fn inject_spin_lock_irqsave(l: &Locks, us: u64) {
    #[cfg(not(CONFIG_PREEMPT_RT))]
    {
        // `spin_lock_irqsave()` without PREEMPT_RT: the raw lock inside the `spinlock_t`.
        let raw = l.spin.cast::<bindings::raw_spinlock_t>();
        // SAFETY: Without PREEMPT_RT a `spinlock_t` is a union whose first member is its
        // `raw_spinlock_t`; it is initialised and only used here.
        let flags = unsafe { bindings::_raw_spin_lock_irqsave(raw) };
        spin_us(us);
        // SAFETY: Locked above with these flags.
        unsafe { bindings::_raw_spin_unlock_irqrestore(raw, flags) };
        no_tail_call();
    }
    #[cfg(CONFIG_PREEMPT_RT)]
    {
        // `spin_lock_irqsave()` on PREEMPT_RT: a sleeping lock; interrupts stay on.
        // SAFETY: `l.spin` is an initialised `spinlock_t`.
        unsafe { bindings::rt_spin_lock(l.spin) };
        spin_us(us);
        // SAFETY: Locked above.
        unsafe { bindings::rt_spin_unlock(l.spin) };
        no_tail_call();
    }
}

/// `spin_lock`: `us` µs holding the `spinlock_t` with `spin_lock()`.
#[inline(never)]
fn inject_spin_lock(l: &Locks, us: u64) {
    #[cfg(not(CONFIG_PREEMPT_RT))]
    {
        let raw = l.spin.cast::<bindings::raw_spinlock_t>();
        // SAFETY: As in `inject_spin_lock_irqsave`.
        unsafe { bindings::_raw_spin_lock(raw) };
        spin_us(us);
        // SAFETY: Locked above.
        unsafe { bindings::_raw_spin_unlock(raw) };
        no_tail_call();
    }
    #[cfg(CONFIG_PREEMPT_RT)]
    {
        // SAFETY: `l.spin` is an initialised `spinlock_t`.
        unsafe { bindings::rt_spin_lock(l.spin) };
        spin_us(us);
        // SAFETY: Locked above.
        unsafe { bindings::rt_spin_unlock(l.spin) };
        no_tail_call();
    }
}

/// `nested`: `us` µs with preemption off, the middle half of it with interrupts off too.
#[inline(never)]
fn inject_nested(us: u64) {
    // SAFETY: Balanced `preempt_disable()`/`preempt_enable_no_resched()`.
    unsafe { bindings::preempt_count_add(1) };
    spin_us(us / 4);
    let flags = irq_save();
    spin_us(us / 2);
    irq_restore(flags);
    spin_us(us - us / 4 - us / 2);
    // SAFETY: See above.
    unsafe { bindings::preempt_count_sub(1) };
    no_tail_call();
}

/// What the callbacks of the `hardirq`, `devirq` and `softirq` modes read. The kernel calls
/// them with no pointer of the injector's (their irq_works and tasklet are the shim's statics),
/// and commands are serialised, so one copy serves every CPU.
struct Deferred {
    /// The length of the next busy-wait, in µs. The worker stores it before it queues the
    /// callback; queueing (a fully ordered atomic in `irq_work_queue()` and
    /// `tasklet_schedule()`) orders the store before the callback runs.
    us: AtomicU64,
    /// The `devirq` mode's Linux IRQ number, stored at module init before any command.
    irq: AtomicU32,
}

/// The one [`Deferred`].
static DEFERRED: Deferred = Deferred {
    us: AtomicU64::new(0),
    irq: AtomicU32::new(0),
};

/// The `fifo` mode's SCHED_FIFO priority: one above preemptstat's wakeup threads (its
/// `wakeup_prio` parameter, 95 by default), which therefore wait for it.
const FIFO_PRIO: c_int = 96;

/// The action name of the `devirq` mode's interrupt, in `irq:irq_handler_entry` and
/// `/proc/interrupts` (preemptstat keeps 15 characters of it, as of a task's name).
const DEVIRQ_NAME: &CStr = c"ps_inject";

/// The busy-wait the interrupt modes' callbacks do, as [`DEFERRED`] asks.
#[inline(always)]
fn spin_deferred() {
    spin_us(DEFERRED.us.load(Ordering::Acquire));
}

/// `hardirq`: the irq_work function (`IRQ_WORK_HARD_IRQ`). It runs in hard IRQ context, from
/// the irq_work interrupt of the CPU the worker queued it on, and busy-waits there.
#[inline(never)]
extern "C" fn inject_hardirq_work(_work: *mut c_void) {
    spin_deferred();
}

/// `devirq`: the irq_work function (`IRQ_WORK_HARD_IRQ`) that raises the injector's IRQ in
/// hard IRQ context on the CPU the worker queued it on, through the genirq flow
/// (`handle_simple_irq()`, which runs [`inject_devirq_handler`]).
extern "C" fn devirq_raise(_work: *mut c_void) {
    let irq = DEFERRED.irq.load(Ordering::Acquire);
    // SAFETY: The descriptor of `irq` lives until `Interrupts` is dropped, which first waits
    // for this irq_work; `generic_handle_irq_safe()` may be called in any context. It fails
    // only for an IRQ without a descriptor.
    let _ = unsafe { preemptstat_inject_devirq_fire(irq) };
}

/// `devirq`: the handler of the injector's IRQ (action `preemptstat_inject`,
/// `IRQF_NO_THREAD`: never threaded, PREEMPT_RT included). It runs in hard IRQ context and
/// busy-waits there.
#[inline(never)]
extern "C" fn inject_devirq_handler(_irq: c_int, _dev: *mut c_void) -> bindings::irqreturn_t {
    spin_deferred();
    // SAFETY: Returns a constant.
    unsafe { preemptstat_inject_irq_handled() }
}

/// `softirq`: the tasklet's callback. It runs in softirq context (`TASKLET_SOFTIRQ`) on the
/// CPU the worker scheduled it on, busy-waits there, then lets the worker go on.
#[inline(never)]
extern "C" fn inject_tasklet(_t: *mut bindings::tasklet_struct) {
    spin_deferred();
    // SAFETY: The shim's static completion, initialised; `complete()` may be called from any
    // context but NMI.
    unsafe { bindings::complete(preemptstat_inject_tasklet_done()) };
}

/// `hardirq`, `devirq`: queues `work` (one of the shim's hard irq_works) on this CPU for a
/// busy-wait of `us` µs and waits until it has finished.
fn run_irq_work(work: *mut c_void, us: u64) {
    DEFERRED.us.store(us, Ordering::Release);
    // SAFETY: `work` is one of the shim's irq_works, initialised at module init. It is never
    // pending here (every command waits for its work), so this queues it on the local CPU,
    // the worker's; `irq_work_sync()` is called from process context with interrupts on, as it
    // must be.
    unsafe {
        preemptstat_inject_irq_work_queue(work);
        preemptstat_inject_irq_work_sync(work);
    }
}

/// `softirq`: schedules the tasklet on this CPU for a busy-wait of `us` µs and waits until it
/// has run.
fn run_tasklet(us: u64) {
    DEFERRED.us.store(us, Ordering::Release);
    // SAFETY: The shim's static tasklet and completion, set up at module init. Scheduled from
    // process context, the tasklet runs on this CPU and completes once per run;
    // `wait_for_completion()` sleeps, which the worker may.
    unsafe {
        preemptstat_inject_tasklet_schedule(preemptstat_inject_tasklet());
        bindings::wait_for_completion(preemptstat_inject_tasklet_done());
    }
}

/// `fifo`: busy-waits `us` µs in the worker at SCHED_FIFO [`FIFO_PRIO`], preemptible (the
/// clock read in a plain loop: nothing disables preemption), then returns the worker to
/// SCHED_NORMAL, nice 0 (a kernel thread's policy).
#[inline(never)]
fn inject_fifo(us: u64) {
    // SAFETY: Changes the calling kernel thread's own policy, from process context.
    unsafe { preemptstat_inject_set_fifo(FIFO_PRIO) };
    spin_us(us);
    // SAFETY: `get_current()` is this thread, alive while it runs; `sched_set_normal()` from
    // process context.
    unsafe { bindings::sched_set_normal(bindings::get_current(), 0) };
    no_tail_call();
}

/// The kernel objects of the interrupt modes: the shim's two irq_works and its tasklet get
/// their Rust functions, and the `devirq` mode its IRQ. Dropping it waits until none of those
/// functions can run any more and frees the IRQ.
struct Interrupts {
    /// The `devirq` mode's Linux IRQ number.
    irq: u32,
}

/// The `dev_id` of the `devirq` mode's action: any unique non-null cookie; `free_irq()` finds
/// the action by it.
fn devirq_cookie() -> *mut c_void {
    core::ptr::from_ref(&DEFERRED).cast_mut().cast()
}

impl Interrupts {
    /// Sets up the irq_works and the tasklet, allocates the IRQ descriptor and requests the
    /// IRQ. Called once, at module init, before any command.
    fn new() -> Result<Self> {
        // SAFETY: The shim's static irq_works and tasklet, never queued before this: nothing
        // else uses them until module init has returned.
        unsafe {
            preemptstat_inject_irq_work_init_hard(
                preemptstat_inject_hardirq_work(),
                inject_hardirq_work,
            );
            preemptstat_inject_irq_work_init_hard(preemptstat_inject_devirq_work(), devirq_raise);
            bindings::tasklet_setup(preemptstat_inject_tasklet(), Some(inject_tasklet));
        }
        // SAFETY: Allocates and sets up a new descriptor, from process context.
        let irq = unsafe { preemptstat_inject_devirq_alloc() };
        to_result(irq)?;
        let irq = u32::try_from(irq).map_err(|_| EINVAL)?;
        DEFERRED.irq.store(irq, Ordering::Release);
        // SAFETY: `irq` has a descriptor with a chip and a flow handler; the handler has the
        // type of `irq_handler_t`; the name is a static C string and the cookie a static's
        // address, both given to `free_irq()` in `drop`.
        let ret = unsafe {
            bindings::request_threaded_irq(
                irq,
                Some(inject_devirq_handler),
                None,
                bindings::IRQF_NO_THREAD as kernel::ffi::c_ulong,
                compat::cstr_ptr(DEVIRQ_NAME),
                devirq_cookie(),
            )
        };
        if let Err(e) = to_result(ret) {
            // SAFETY: Allocated above, never requested.
            unsafe { preemptstat_inject_devirq_free(irq) };
            return Err(e);
        }
        Ok(Self { irq })
    }
}

impl Drop for Interrupts {
    fn drop(&mut self) {
        // SAFETY: Called after the last command (the workers are stopped) from process
        // context: nothing queues the irq_works or the tasklet any more, and these wait for a
        // run in progress. Then the action requested in `new`, with its cookie, and the
        // descriptor; `free_irq()` waits for a handler in progress.
        unsafe {
            preemptstat_inject_irq_work_sync(preemptstat_inject_hardirq_work());
            preemptstat_inject_irq_work_sync(preemptstat_inject_devirq_work());
            bindings::tasklet_kill(preemptstat_inject_tasklet());
            bindings::free_irq(self.irq, devirq_cookie());
            preemptstat_inject_devirq_free(self.irq);
        }
    }
}

/// The job slot of one CPU's worker, protected by `Worker::mailbox`.
struct Slot {
    /// The command to run next.
    job: Option<Command>,
    /// Commands completed so far.
    done: u64,
    /// Whether the last command found the worker on the wrong CPU (CPU hotplug migrated
    /// it): the caller replaces the worker.
    misplaced: bool,
}

/// A kernel thread bound to one CPU that runs the commands for it. It is kept between
/// commands, so that no thread is created or exits on that CPU around the sections.
#[pin_data]
struct Worker {
    /// The CPU the thread is bound to.
    cpu: u32,
    /// The injector's locks.
    locks: *const Locks,
    /// The job slot.
    #[pin]
    mailbox: Mutex<Slot>,
    /// Signalled when a job is posted or done.
    #[pin]
    cv: CondVar,
}

// SAFETY: `locks` points at the injector's locks, which outlive every worker.
unsafe impl Send for Worker {}
// SAFETY: See above; everything else is behind the mutex.
unsafe impl Sync for Worker {}

/// The worker thread: waits for a command, runs it on its CPU, signals it done.
///
/// # Safety
///
/// `data` is a `Worker` that stays alive until `kthread_stop` on this thread has returned.
unsafe extern "C" fn worker_thread(data: *mut c_void) -> c_int {
    // SAFETY: Guaranteed by the caller (`WorkerThread::start`).
    let w = unsafe { &*data.cast::<Worker>() };
    // SAFETY: `w.locks` points at the injector's locks, which outlive every worker.
    let locks = unsafe { &*w.locks };
    loop {
        let mut slot = w.mailbox.lock();
        // SAFETY: Plain kthread calls from the thread itself.
        while slot.job.is_none() && !unsafe { bindings::kthread_should_stop() } {
            // Woken by a command or by `kthread_stop`; both are checked again.
            let _ = w.cv.wait_interruptible(&mut slot);
        }
        // SAFETY: As above.
        if unsafe { bindings::kthread_should_stop() } {
            return 0;
        }
        let Some(c) = slot.job.take() else { continue };
        drop(slot);
        let here = cpu_id() == w.cpu;
        if here {
            run_sections(locks, c);
        }
        let mut slot = w.mailbox.lock();
        slot.misplaced = !here;
        slot.done = slot.done.wrapping_add(1);
        w.cv.notify_all();
    }
}

/// Runs command `c` on the worker's CPU (the worker thread calls this once it knows it is
/// there).
fn run_sections(locks: &Locks, c: Command) {
    // SAFETY: The accessors return the addresses of the shim's static irq_works.
    let (hardirq, devirq) = unsafe {
        (
            preemptstat_inject_hardirq_work(),
            preemptstat_inject_devirq_work(),
        )
    };
    for i in 0..c.count {
        match c.mode {
            Mode::Irq => inject_irq(c.us),
            Mode::Preempt => inject_preempt(c.us),
            Mode::RawSpinLockIrqsave => inject_raw_spin_lock_irqsave(locks, c.us),
            Mode::SpinLockIrqsave => inject_spin_lock_irqsave(locks, c.us),
            Mode::SpinLock => inject_spin_lock(locks, c.us),
            Mode::Nested => inject_nested(c.us),
            Mode::Hardirq => run_irq_work(hardirq, c.us),
            Mode::Devirq => run_irq_work(devirq, c.us),
            Mode::Softirq => run_tasklet(c.us),
            Mode::Fifo => inject_fifo(c.us),
        }
        if i + 1 < c.count && c.gap_us > 0 {
            // SAFETY: `fsleep()` from process context (the worker thread).
            unsafe { preemptstat_inject_fsleep(c.gap_us as c_ulong) };
        }
    }
    if c.traceoff {
        // SAFETY: `tracing_off()` only clears the ring buffer's record flag; it may be called
        // from any context.
        unsafe { bindings::tracing_off() };
    }
}

/// A worker and its thread; dropping it stops the thread.
struct WorkerThread {
    /// What the thread reads and writes.
    worker: Pin<KBox<Worker>>,
    /// The thread.
    task: *mut bindings::task_struct,
}

// SAFETY: `task` is a kernel thread handle, usable from any thread.
unsafe impl Send for WorkerThread {}

impl WorkerThread {
    /// Makes the worker thread of `cpu`, bound to it.
    fn start(cpu: u32, locks: &Locks) -> Result<Self> {
        let empty = Slot {
            job: None,
            done: 0,
            misplaced: false,
        };
        let worker = KBox::pin_init(
            pin_init!(Worker {
                cpu,
                locks,
                mailbox <- new_mutex!(empty),
                cv <- new_condvar!(),
            }),
            GFP_KERNEL,
        )?;
        let data = core::ptr::from_ref::<Worker>(&worker).cast_mut().cast();
        // SAFETY: `worker_thread` matches `threadfn`; `worker` outlives the thread (`drop`
        // stops it first); the name contains `%u`.
        let task = unsafe {
            bindings::kthread_create_on_cpu(
                Some(worker_thread),
                data,
                cpu,
                compat::cstr_ptr(c"ps_inject/%u"),
            )
        };
        let task = from_err_ptr(task)?;
        // SAFETY: `task` is a new kernel thread.
        unsafe { bindings::wake_up_process(task) };
        Ok(Self { worker, task })
    }

    /// Runs `cmd` on the worker's CPU and waits for it; `EAGAIN` if the worker is no longer
    /// on its CPU.
    fn run(&self, cmd: Command) -> Result {
        let w = &self.worker;
        let mut slot = w.mailbox.lock();
        let done = slot.done;
        slot.job = Some(cmd);
        w.cv.notify_all();
        while slot.done == done {
            w.cv.wait(&mut slot);
        }
        if slot.misplaced {
            return Err(EAGAIN);
        }
        Ok(())
    }
}

impl Drop for WorkerThread {
    fn drop(&mut self) {
        // SAFETY: `task` is alive: the worker only returns once told to stop, here.
        unsafe { bindings::kthread_stop(self.task) };
    }
}

/// What the command mutex protects.
struct Commands {
    /// The last command done.
    last: Option<Command>,
    /// The worker of each CPU id, made on first use.
    workers: KVec<Option<WorkerThread>>,
}

/// The injector's state.
#[pin_data]
struct State {
    /// The lock modes' locks.
    locks: Locks,
    /// Serialises commands.
    #[pin]
    cmds: Mutex<Commands>,
    /// The `max_us` parameter.
    max_us: u64,
    /// The interrupt modes' kernel objects. Dropped after `cmds`, whose workers it outlives.
    intr: Interrupts,
}

impl State {
    /// Runs `cmd` on its CPU's worker (made on first use) and waits for it.
    fn run(&self, cmd: Command) -> Result {
        let mut cmds = self.cmds.lock();
        if cmd.cpu >= nr_cpu_ids() {
            return Err(EINVAL);
        }
        // SAFETY: `cpu_online()` of a possible CPU id.
        if !unsafe { preemptstat_inject_cpu_online(cmd.cpu) } {
            return Err(EINVAL);
        }
        for _ in 0..2 {
            let slot = cmds.workers.get_mut(cmd.cpu as usize).ok_or(EINVAL)?;
            if slot.is_none() {
                *slot = Some(WorkerThread::start(cmd.cpu, &self.locks)?);
            }
            match slot.as_ref().map(|w| w.run(cmd)) {
                // CPU hotplug moved the worker off its CPU: replace it (a new thread is bound
                // to the CPU when it is made).
                Some(Err(e)) if e == EAGAIN => *slot = None,
                Some(Err(e)) => return Err(e),
                Some(Ok(())) => {
                    cmds.last = Some(cmd);
                    return Ok(());
                }
                None => return Err(EINVAL),
            }
        }
        Err(EAGAIN)
    }
}

/// Reading `inject`: the syntax, the modes, the `devirq` mode's IRQ number and the last
/// command done.
fn show_inject(s: &State, out: &mut TextBuf) -> core::fmt::Result {
    writeln!(
        out,
        "# MODE CPU US [COUNT [GAP_US [traceoff]]]; max_us {}",
        s.max_us
    )?;
    out.write_str("# modes:")?;
    for (name, _) in Mode::ALL {
        write!(out, " {name}")?;
    }
    out.write_char('\n')?;
    writeln!(out, "devirq {}", s.intr.irq)?;
    match s.cmds.lock().last {
        Some(c) => writeln!(
            out,
            "last {} {} {} {} {}{}",
            c.mode.name(),
            c.cpu,
            c.us,
            c.count,
            c.gap_us,
            if c.traceoff { " traceoff" } else { "" }
        ),
        None => writeln!(out, "last -"),
    }
}

/// Writing `inject`: parses the command and runs it.
fn store_inject(s: &State, value: &str) -> Result {
    let cmd = Command::parse(value, s.max_us)?;
    s.run(cmd)
}

/// The injector's one debugfs file.
static FILES: [FileSpec<State>; 1] = [FileSpec {
    name: c"inject",
    show: Some(show_inject),
    store: Some(store_inject),
}];

/// The module.
struct Injector {
    // Dropped first: no command can start once the files are gone (an open file pins the
    // module, and a command in progress holds its file open).
    _debugfs: Debugfs<State>,
    _fops: KBox<debugfs_raw::FileOperations>,
    _state: Pin<KBox<State>>,
}

impl kernel::Module for Injector {
    fn init(module: &'static ThisModule) -> Result<Self> {
        // SAFETY: Reads the parameter the kernel set before `init`.
        let max_us = unsafe { preemptstat_inject_max_us() };
        if !(1..=1_000_000).contains(&max_us) {
            pr_err!("max_us={} is not in 1..1000000\n", max_us);
            return Err(EINVAL);
        }
        let mut workers = KVec::with_capacity(nr_cpu_ids() as usize, GFP_KERNEL)?;
        for _ in 0..nr_cpu_ids() {
            workers.push(None, GFP_KERNEL)?;
        }
        let commands = Commands {
            last: None,
            workers,
        };
        let intr = Interrupts::new()?;
        let state = KBox::pin_init(
            pin_init!(State {
                locks: Locks::new(),
                cmds <- new_mutex!(commands),
                max_us,
                intr,
            }),
            GFP_KERNEL,
        )?;
        let fops = KBox::new(debugfs::file_operations::<State>(module), GFP_KERNEL)?;
        // SAFETY: `state` and `fops` are dropped after `_debugfs` (field order).
        let dir = unsafe { Debugfs::new(c"preemptstat_inject", &*state, &fops, &FILES)? };
        Ok(Self {
            _debugfs: dir,
            _fops: fops,
            _state: state,
        })
    }
}
