// SPDX-License-Identifier: GPL-2.0

//! Every raw binding and `extern "C"` declaration preemptstat uses, behind safe wrappers.
//!
//! Together with `debugfs_raw.rs` (the debugfs file operations), `params.rs` (the module
//! parameters), `compat` (what differs between kernel series) and the tracepoint probes'
//! entry points in `probes.rs`, this is where the `unsafe` code is; everything else is safe
//! Rust on top of these functions. Everything here is the same on every kernel series.

use crate::compat;
use core::ffi::{c_int, c_uint, c_void, CStr};
use core::ptr::NonNull;
use kernel::ffi::c_ulong;
use kernel::{bindings, error::to_result, prelude::*};

// The C shim (preemptstat_shim.c): static inlines and macros as functions.
extern "C" {
    fn preemptstat_context() -> c_uint;
    fn preemptstat_cpu_id() -> c_uint;
    fn preemptstat_raw_irq_save() -> c_ulong;
    fn preemptstat_raw_irq_restore(flags: c_ulong);
    fn preemptstat_stack_trace_save(store: *mut c_ulong, size: c_uint) -> c_uint;
    fn preemptstat_tracepoint_sync();
    /// The tracepoints are `struct tracepoint *`, declared as `void *` (not FFI-safe).
    fn preemptstat_for_each_tracepoint(
        f: Option<unsafe extern "C" fn(*mut c_void, *mut c_void)>,
        data: *mut c_void,
    );
    fn preemptstat_tracepoint_register(
        tp: *mut c_void,
        probe: *mut c_void,
        data: *mut c_void,
    ) -> c_int;
    fn preemptstat_tracepoint_unregister(
        tp: *mut c_void,
        probe: *mut c_void,
        data: *mut c_void,
    ) -> c_int;
    fn preemptstat_set_current_interruptible();
    fn preemptstat_set_current_running();
    /// Takes a `struct task_struct *` (declared as `void *`: the struct is not FFI-safe).
    fn preemptstat_set_fifo(p: *mut c_void, prio: c_int) -> c_int;
    /// Takes a `struct irqaction *` (not FFI-safe), writes 16 bytes.
    fn preemptstat_irqaction_name(action: *const c_void, out: *mut u8);
    /// Takes a `struct hrtimer *`.
    fn preemptstat_hrtimer_function(timer: *const c_void) -> c_ulong;
    /// Takes a `struct task_struct *`, writes 16 bytes to `comm`.
    fn preemptstat_task_info(
        p: *const c_void,
        comm: *mut u8,
        policy: *mut c_uint,
        prio: *mut c_int,
    ) -> c_int;
}

// ---------------------------------------------------------------------------------------------
// Hot path: context, clock, current task. All of these are NMI-safe and fire no tracepoint.

/// The context code [`context`] returns for NMI.
pub(crate) const CONTEXT_NMI: u32 = 4;

/// What the CPU is doing, from `preempt_count()`: 0 task, 1 task with bottom halves disabled,
/// 2 softirq, 3 hardirq, [`CONTEXT_NMI`] NMI.
#[inline]
pub(crate) fn context() -> u32 {
    // SAFETY: Reads this CPU's preempt count; callable in any context.
    unsafe { preemptstat_context() }
}

/// Nanoseconds on the CLOCK_MONOTONIC timeline (the one hrtimer expiries use); NMI-safe.
#[inline]
pub(crate) fn now_ns() -> u64 {
    // SAFETY: `ktime_get_mono_fast_ns` may be called from any context, including NMI.
    unsafe { bindings::ktime_get_mono_fast_ns() }
}

/// The current CPU's id. Stable in the probes, which run with preemption or irqs disabled.
#[inline]
pub(crate) fn cpu_id() -> usize {
    // SAFETY: `raw_smp_processor_id()`, callable in any context.
    unsafe { preemptstat_cpu_id() as usize }
}

/// Interrupts disabled without tracing, restored on drop. Probes use it so that their body
/// never runs nested in another probe on the same CPU (only NMIs can interrupt, and NMIs are
/// filtered out before).
pub(crate) struct RawIrqGuard(c_ulong);

impl RawIrqGuard {
    /// Disables interrupts on this CPU.
    #[inline]
    pub(crate) fn new() -> Self {
        // SAFETY: `raw_local_irq_save` is always safe; restored in `drop`.
        Self(unsafe { preemptstat_raw_irq_save() })
    }
}

impl Drop for RawIrqGuard {
    #[inline]
    fn drop(&mut self) {
        // SAFETY: Restores the flags saved by `new` on the same CPU (irqs are off meanwhile,
        // so the task cannot migrate).
        unsafe { preemptstat_raw_irq_restore(self.0) };
    }
}

/// What the probes record about the task running now.
pub(crate) struct CurrentTask {
    /// Its pid (thread id).
    pub(crate) pid: i32,
    /// Its name, NUL-padded, as two native-endian words.
    pub(crate) comm: [u64; 2],
}

/// Reads the current task's pid and name.
#[inline]
pub(crate) fn current_task() -> CurrentTask {
    // SAFETY: `get_current()` only reads this CPU's current-task pointer.
    let t = unsafe { bindings::get_current() };
    // SAFETY: `current` is valid for the duration of this call in task and irq context; the
    // probes do not call this in NMI. `comm` is 16 bytes and may change under us (prctl), so it
    // is read as two plain words, which at worst gives a mix of the old and the new name.
    unsafe {
        let comm = core::ptr::addr_of!((*t).comm)
            .cast::<[u64; 2]>()
            .read_unaligned();
        CurrentTask {
            pid: (*t).pid,
            comm,
        }
    }
}

/// A task as a breakdown labels it.
pub(crate) struct TaskInfo {
    /// Its pid (0: the idle task).
    pub(crate) pid: i32,
    /// Its name, NUL-padded, as two native-endian words.
    pub(crate) comm: [u64; 2],
    /// Its scheduling policy (`SCHED_*`).
    pub(crate) policy: u32,
    /// Its rt priority (FIFO, RR) or nice value (others).
    pub(crate) prio: i32,
}

/// Reads the current task's pid, name, policy and priority (task or hard IRQ context).
#[inline]
pub(crate) fn current_task_info() -> TaskInfo {
    // SAFETY: `current` is a live task for as long as it runs on this CPU, which includes this
    // call (not in NMI: the callers are the probe's timer callback and probes that skip NMIs).
    unsafe { task_info(bindings::get_current().cast()) }
}

/// Reads a task's pid, name, policy and priority.
///
/// # Safety
///
/// `p` must be a live `struct task_struct` for the duration of the call.
#[inline]
pub(crate) unsafe fn task_info(p: *const c_void) -> TaskInfo {
    let mut comm = [0u8; 16];
    let (mut policy, mut prio) = (0, 0);
    // SAFETY: `p` is live (caller's guarantee); `comm` has the 16 bytes the shim writes, and
    // the shim only reads the task.
    let pid = unsafe { preemptstat_task_info(p, comm.as_mut_ptr(), &mut policy, &mut prio) };
    let (lo, hi) = comm.split_at(8);
    let word = |b: &[u8]| u64::from_ne_bytes(b.try_into().unwrap_or([0; 8]));
    TaskInfo {
        pid,
        comm: [word(lo), word(hi)],
        policy,
        prio,
    }
}

/// The first 16 bytes of an IRQ action's name, NUL-padded, as two native-endian words.
///
/// # Safety
///
/// `action` must be NULL or a live `struct irqaction` (the one whose handler is running).
#[inline]
pub(crate) unsafe fn irqaction_name(action: *const c_void) -> [u64; 2] {
    let mut name = [0u8; 16];
    // SAFETY: `action` is NULL or live (caller's guarantee); the shim writes 16 bytes.
    unsafe { preemptstat_irqaction_name(action, name.as_mut_ptr()) };
    let (lo, hi) = name.split_at(8);
    let word = |b: &[u8]| u64::from_ne_bytes(b.try_into().unwrap_or([0; 8]));
    [word(lo), word(hi)]
}

/// The callback address of an hrtimer.
///
/// # Safety
///
/// `timer` must be a live `struct hrtimer` (one whose callback is about to run).
#[inline]
pub(crate) unsafe fn hrtimer_function(timer: *const c_void) -> usize {
    // SAFETY: `timer` is live (caller's guarantee); the shim reads one field.
    unsafe { preemptstat_hrtimer_function(timer) as usize }
}

/// Whether `addr` is inside the kernel's spinlock/rwlock functions (`__lock_text`).
pub(crate) fn in_lock_functions(addr: usize) -> bool {
    // SAFETY: A pure address range check.
    unsafe { bindings::in_lock_functions(addr as c_ulong) != 0 }
}

/// Saves the current call stack (return addresses) into `frames`; returns how many.
#[inline]
pub(crate) fn stack_trace_save(frames: &mut [usize]) -> usize {
    let len = frames.len().min(u32::MAX as usize) as c_uint;
    // SAFETY: `frames` is valid for `len` entries. The unwinder is safe in any context; the
    // shim keeps lockdep's interrupt state in step with the hardware's for the walk.
    let n = unsafe { preemptstat_stack_trace_save(frames.as_mut_ptr().cast(), len) };
    (n as usize).min(frames.len())
}

// ---------------------------------------------------------------------------------------------
// Tracepoints.

/// A kernel tracepoint, found by name.
#[derive(Clone, Copy)]
pub(crate) struct Tracepoint(NonNull<bindings::tracepoint>);

// SAFETY: A `struct tracepoint` of vmlinux lives forever and is used through thread-safe calls.
unsafe impl Send for Tracepoint {}
// SAFETY: See above.
unsafe impl Sync for Tracepoint {}

/// What [`find_tracepoints`] looks for and where it puts what it finds.
struct Lookup<'a, T> {
    /// The wanted tracepoints, named by `name_of`.
    wanted: &'a [T],
    /// The name of a wanted tracepoint.
    name_of: fn(&T) -> &CStr,
    /// `found[i]` is set when `wanted[i]` turns up.
    found: &'a mut [Option<Tracepoint>],
}

/// Called by `for_each_kernel_tracepoint` for each tracepoint.
///
/// # Safety
///
/// `tp` is a valid tracepoint and `data` the `Lookup<T>` of [`find_tracepoints`].
unsafe extern "C" fn lookup_one<T>(tp: *mut c_void, data: *mut c_void) {
    let Some(tp) = NonNull::new(tp.cast::<bindings::tracepoint>()) else {
        return;
    };
    // SAFETY: `data` is the `Lookup<T>` passed by `find_tracepoints`, alive during the
    // iteration.
    let lookup = unsafe { &mut *data.cast::<Lookup<'_, T>>() };
    // SAFETY: `tp` is a valid vmlinux tracepoint whose name is a NUL-terminated string.
    let name = unsafe { compat::cstr_from_ptr((*tp.as_ptr()).name) };
    for (want, slot) in lookup.wanted.iter().zip(lookup.found.iter_mut()) {
        if name.to_bytes() == (lookup.name_of)(want).to_bytes() {
            *slot = Some(Tracepoint(tp));
        }
    }
}

/// Finds vmlinux tracepoints by name; `found[i]` is `None` where the tracepoint named
/// `name_of(&wanted[i])` does not exist. The names are read in place (a table of hooks need
/// not be copied into a table of names first).
pub(crate) fn find_tracepoints<T>(
    wanted: &[T],
    name_of: fn(&T) -> &CStr,
    found: &mut [Option<Tracepoint>],
) {
    let mut lookup = Lookup {
        wanted,
        name_of,
        found,
    };
    // SAFETY: `lookup_one::<T>` matches the callback type and takes `data` as the
    // `Lookup<T>` it is, which outlives the iteration.
    unsafe {
        preemptstat_for_each_tracepoint(Some(lookup_one::<T>), (&raw mut lookup).cast());
    }
}

/// Attaches `probe` with `data` to `tp`.
///
/// # Safety
///
/// `probe` must be an `unsafe extern "C" fn` whose prototype is the tracepoint's (with the
/// leading `void *data`), and `data` must stay valid until [`tracepoint_unregister`] and then
/// [`tracepoint_sync`] have returned.
pub(crate) unsafe fn tracepoint_register(
    tp: Tracepoint,
    probe: *mut c_void,
    data: *mut c_void,
) -> Result {
    // SAFETY: Guaranteed by the caller.
    to_result(unsafe { preemptstat_tracepoint_register(tp.0.as_ptr().cast(), probe, data) })
}

/// Detaches a probe attached by [`tracepoint_register`].
///
/// # Safety
///
/// `probe` and `data` must be a pair registered on `tp`.
pub(crate) unsafe fn tracepoint_unregister(tp: Tracepoint, probe: *mut c_void, data: *mut c_void) {
    // SAFETY: Guaranteed by the caller. Unregistering can only fail for a pair that was not
    // registered, or with ENOMEM (then the kernel keeps the probe and we must not free its
    // data: `tracepoint_sync` below does not help; this is reported loudly).
    let ret = unsafe { preemptstat_tracepoint_unregister(tp.0.as_ptr().cast(), probe, data) };
    if ret != 0 {
        pr_err!("tracepoint_probe_unregister failed: {}\n", ret);
    }
}

/// Waits until no probe can still be running: `tracepoint_synchronize_unregister()`, which
/// waits for `synchronize_rcu_tasks_trace()` and `synchronize_srcu(&tracepoint_srcu)` on 7.3,
/// and for `synchronize_srcu(&tracepoint_srcu)` and `synchronize_rcu()` on 6.12.
pub(crate) fn tracepoint_sync() {
    // SAFETY: Process context, no locks held.
    unsafe { preemptstat_tracepoint_sync() };
}

/// Probes attached to tracepoints, all with one `data`; detached on drop, which then waits
/// until none of them can still run.
///
/// # Invariants
///
/// Every `(tp, probe)` in `registered` is registered on `tp` with `data`; `data` and the
/// probes' code stay valid until this object has been dropped.
pub(crate) struct ProbeSet<const N: usize> {
    registered: [Option<(Tracepoint, *mut c_void)>; N],
    data: *mut c_void,
}

// SAFETY: The pointers are only used to unregister, which is thread-safe.
unsafe impl<const N: usize> Send for ProbeSet<N> {}
// SAFETY: See above; `ProbeSet` offers no shared-reference operations.
unsafe impl<const N: usize> Sync for ProbeSet<N> {}

impl<const N: usize> ProbeSet<N> {
    /// Attaches each `(tp, probe)` of `pairs` (the first `N` of them) with `data`. If one
    /// fails, the ones before it are detached again (and waited for) before the error returns.
    ///
    /// # Safety
    ///
    /// Each `probe` must be an `unsafe extern "C" fn` whose prototype is its tracepoint's (with
    /// the leading `void *data`), and `data` and the probes' code must stay valid until the
    /// returned set has been dropped.
    ///
    /// The set lives on the heap: with one slot per hook it is over half a KiB, and moving it
    /// through the callers' `Result`s by value put several copies on the module-init stack.
    pub(crate) unsafe fn register(
        pairs: impl IntoIterator<Item = (Tracepoint, *mut c_void)>,
        data: *mut c_void,
    ) -> Result<KBox<Self>> {
        // INVARIANT: Filled below with registered pairs only; the caller guarantees `data`
        // and the probes outlive `this`.
        let mut this = KBox::new(
            Self {
                registered: [None; N],
                data,
            },
            GFP_KERNEL,
        )?;
        for ((tp, probe), slot) in pairs.into_iter().zip(this.registered.iter_mut()) {
            // SAFETY: Guaranteed by the caller; on failure, dropping `this` detaches the pairs
            // registered so far.
            unsafe { tracepoint_register(tp, probe, data)? };
            *slot = Some((tp, probe));
        }
        Ok(this)
    }
}

impl<const N: usize> Drop for ProbeSet<N> {
    fn drop(&mut self) {
        for (tp, probe) in self.registered.iter().flatten() {
            // SAFETY: Registered with `self.data` (type invariant).
            unsafe { tracepoint_unregister(*tp, *probe, self.data) };
        }
        // Wait for probes still running on other CPUs before their data or code can go.
        tracepoint_sync();
    }
}

/// Waits for a grace period: every probe body (they run with irqs or preemption disabled) that
/// started before this call has finished when it returns.
pub(crate) fn synchronize_rcu() {
    // SAFETY: Process context, no locks held.
    unsafe { bindings::synchronize_rcu() };
}

// ---------------------------------------------------------------------------------------------
// Symbols.

/// The longest `sprint_symbol` result (`KSYM_SYMBOL_LEN` is 666 on x86_64 with the usual
/// `KSYM_NAME_LEN` of 512).
pub(crate) const SYMBOL_BUF_LEN: usize = 1024;

/// Formats `addr` as `function+0xoff/0xsize [module]` into `buf`; returns the text. An address
/// kallsyms does not know comes back as a hexadecimal number, which callers treat as unknown.
/// Process context only (it walks the module list under RCU).
pub(crate) fn sprint_symbol(buf: &mut [u8; SYMBOL_BUF_LEN], addr: usize) -> &[u8] {
    // SAFETY: `buf` is larger than KSYM_SYMBOL_LEN, as `sprint_symbol` requires.
    let n = unsafe { bindings::sprint_symbol(buf.as_mut_ptr().cast(), addr as c_ulong) };
    let n = (n.max(0) as usize).min(buf.len());
    buf.get(..n).unwrap_or(&[])
}

/// The address of a lock function (`_raw_spin_lock`), to find where they are.
pub(crate) fn a_lock_function() -> usize {
    bindings::_raw_spin_lock as *const () as usize
}

/// The address of a Rust helper (`rust_helper_get_current`), to find where the helpers are.
pub(crate) fn a_rust_helper() -> usize {
    bindings::get_current as *const () as usize
}

// ---------------------------------------------------------------------------------------------
// CPUs and CPU hotplug.

/// The number of possible CPU ids.
pub(crate) fn nr_cpu_ids() -> usize {
    // SAFETY: `nr_cpu_ids` is set during boot, before any module loads, and never changes.
    unsafe { bindings::nr_cpu_ids as usize }
}

/// A CPU hotplug callback: runs on the CPU going online (startup) or offline (teardown).
pub(crate) type CpuhpFn = unsafe extern "C" fn(cpu: c_uint) -> c_int;

/// A dynamic CPU hotplug state, removed on drop.
pub(crate) struct CpuhpState(bindings::cpuhp_state);

impl CpuhpState {
    /// Registers `startup`/`teardown` in the dynamic AP online range; with `invoke`, calls
    /// `startup` on every CPU online now (on that CPU) before returning.
    ///
    /// # Safety
    ///
    /// The callbacks must be safe to call until this object is dropped.
    pub(crate) unsafe fn new(
        name: &'static CStr,
        startup: CpuhpFn,
        teardown: CpuhpFn,
        invoke: bool,
    ) -> Result<Self> {
        // SAFETY: `name` is static; the caller guarantees the callbacks.
        let ret = unsafe {
            bindings::__cpuhp_setup_state(
                bindings::cpuhp_state_CPUHP_AP_ONLINE_DYN,
                compat::cstr_ptr(name),
                invoke,
                Some(startup),
                Some(teardown),
                false,
            )
        };
        if ret < 0 {
            return Err(Error::from_errno(ret));
        }
        Ok(Self(ret as bindings::cpuhp_state))
    }
}

impl Drop for CpuhpState {
    fn drop(&mut self) {
        // SAFETY: `self.0` is the state `__cpuhp_setup_state` returned; removed only here.
        unsafe { bindings::__cpuhp_remove_state(self.0, false) };
    }
}

// ---------------------------------------------------------------------------------------------
// Module notifier.

/// A module's text (and init text) address ranges, as `[start, end)` pairs.
pub(crate) struct ModuleText {
    /// Core text.
    pub(crate) text: (usize, usize),
    /// Init text (freed once the module is live).
    pub(crate) init_text: (usize, usize),
}

/// What happened to a module.
#[derive(PartialEq, Eq, Clone, Copy)]
pub(crate) enum ModuleEvent {
    /// Its init function returned; its init text is about to be freed.
    Live,
    /// It is being unloaded; its memory is about to be freed.
    Going,
}

/// Called for every module event, in process context.
pub(crate) type ModuleFn = fn(ModuleEvent, &ModuleText);

/// A registered module notifier, unregistered on drop.
///
/// # Invariants
///
/// `nb` is registered with `register_module_notifier` and pinned in its box.
pub(crate) struct ModuleNotifier {
    nb: Pin<KBox<NotifierBlock>>,
}

#[repr(C)]
struct NotifierBlock {
    nb: bindings::notifier_block,
    f: ModuleFn,
}

/// Called by the module notifier chain.
///
/// # Safety
///
/// `nb` is the block of a live [`ModuleNotifier`] and `data` a valid `struct module`.
unsafe extern "C" fn module_notify(
    nb: *mut bindings::notifier_block,
    action: c_ulong,
    data: *mut c_void,
) -> c_int {
    // SAFETY: `nb` is the first field of a `#[repr(C)] NotifierBlock` registered below.
    let f = unsafe { (*nb.cast::<NotifierBlock>()).f };
    let event = match action as u32 {
        bindings::module_state_MODULE_STATE_LIVE => ModuleEvent::Live,
        bindings::module_state_MODULE_STATE_GOING => ModuleEvent::Going,
        _ => return 0,
    };
    let m = data.cast::<bindings::module>();
    let range = |i: bindings::mod_mem_type| {
        // SAFETY: The notifier chain passes a valid `struct module`, alive during the call.
        let mem = unsafe { &(*m).mem[i as usize] };
        let base = mem.base as usize;
        (base, base.saturating_add(mem.size as usize))
    };
    let text = ModuleText {
        text: range(bindings::mod_mem_type_MOD_TEXT),
        init_text: range(bindings::mod_mem_type_MOD_INIT_TEXT),
    };
    f(event, &text);
    0
}

// SAFETY: The notifier block is only touched by the notifier chain (which locks) and by
// `drop`; the callback is a plain function.
unsafe impl Send for ModuleNotifier {}
// SAFETY: See above; `ModuleNotifier` offers no operations through a shared reference.
unsafe impl Sync for ModuleNotifier {}

impl ModuleNotifier {
    /// Calls `f` for every module that goes live or away from now on.
    pub(crate) fn new(f: ModuleFn) -> Result<Self> {
        // SAFETY: All-zero is a valid, unregistered `notifier_block`.
        let mut nb: bindings::notifier_block = unsafe { core::mem::zeroed() };
        nb.notifier_call = Some(module_notify);
        let nb = KBox::pin(NotifierBlock { nb, f }, GFP_KERNEL)?;
        // SAFETY: The block is pinned and stays registered until `drop` unregisters it.
        to_result(unsafe {
            bindings::register_module_notifier(core::ptr::from_ref(&nb.nb).cast_mut())
        })?;
        // INVARIANT: Registered and pinned.
        Ok(Self { nb })
    }
}

impl Drop for ModuleNotifier {
    fn drop(&mut self) {
        // SAFETY: Registered in `new` (type invariant); unregistering waits for callers.
        unsafe {
            bindings::unregister_module_notifier(core::ptr::from_ref(&self.nb.nb).cast_mut());
        }
    }
}

// ---------------------------------------------------------------------------------------------
// hrtimers.

/// The callback of an [`HrTimer`]: returns whether to restart.
pub(crate) type HrTimerFn =
    unsafe extern "C" fn(*mut bindings::hrtimer) -> bindings::hrtimer_restart;

/// A CLOCK_MONOTONIC hrtimer in absolute, pinned, hard-irq mode (it expires in hardirq context
/// even on PREEMPT_RT, on the CPU that started it).
///
/// # Invariants
///
/// `timer` was set up by `hrtimer_setup()` (`hrtimer_init()` on 6.12: [`compat::hrtimer_setup`])
/// before any other use and is not moved afterwards (the owner keeps it in place, see
/// [`HrTimer::init`]).
#[repr(transparent)]
pub(crate) struct HrTimer {
    timer: kernel::types::Opaque<bindings::hrtimer>,
}

// SAFETY: hrtimer operations lock on the C side; a timer can be used from any thread.
unsafe impl Send for HrTimer {}
// SAFETY: See above.
unsafe impl Sync for HrTimer {}

impl HrTimer {
    /// An hrtimer that still needs [`HrTimer::init`].
    pub(crate) const fn new() -> Self {
        Self {
            timer: kernel::types::Opaque::uninit(),
        }
    }

    /// Sets the timer up with `f` as callback.
    ///
    /// # Safety
    ///
    /// Called once, before any other method, with `self` at its final address; `f` must be safe
    /// to call with this timer until it is cancelled for good.
    pub(crate) unsafe fn init(&self, f: HrTimerFn) {
        // SAFETY: The caller guarantees `self` is in place, unused so far, and `f`.
        unsafe {
            compat::hrtimer_setup(
                self.timer.get(),
                f,
                bindings::CLOCK_MONOTONIC as bindings::clockid_t,
                bindings::hrtimer_mode_HRTIMER_MODE_ABS_PINNED_HARD,
            )
        };
    }

    /// Starts the timer to expire at `expires_ns` (CLOCK_MONOTONIC) on the calling CPU.
    pub(crate) fn start(&self, expires_ns: u64) {
        // SAFETY: Initialised (type invariant); a pinned timer is queued on this CPU.
        unsafe {
            bindings::hrtimer_start_range_ns(
                self.timer.get(),
                expires_ns as i64,
                0,
                bindings::hrtimer_mode_HRTIMER_MODE_ABS_PINNED_HARD,
            )
        };
    }

    /// Cancels the timer and waits for a running callback. Process context.
    pub(crate) fn cancel(&self) {
        // SAFETY: Initialised (type invariant).
        unsafe { bindings::hrtimer_cancel(self.timer.get()) };
    }

    /// The programmed expiry, in CLOCK_MONOTONIC ns. Meaningful in the callback.
    pub(crate) fn expires_ns(&self) -> u64 {
        // SAFETY: Initialised; `node.expires` is what `hrtimer_get_expires()` reads.
        let e = unsafe { core::ptr::read_volatile(&raw const (*self.timer.get()).node.expires) };
        e.max(0) as u64
    }

    /// Moves the expiry forward by whole `period_ns` until it is after `now_ns`; returns the
    /// number of periods it moved (1 when the callback was on time). Only from the callback.
    pub(crate) fn forward(&self, now_ns: u64, period_ns: u64) -> u64 {
        // SAFETY: Initialised; called from the timer's own callback, as required.
        unsafe { bindings::hrtimer_forward(self.timer.get(), now_ns as i64, period_ns as i64) }
    }
}

// ---------------------------------------------------------------------------------------------
// Kernel threads.

/// A kernel thread bound to one CPU, created by [`KThread::create_on_cpu`].
///
/// # Invariants
///
/// `task` is a kernel thread that has not been stopped and holds no extra reference; it
/// runs `threadfn` until it sees `kthread_should_stop()`.
pub(crate) struct KThread {
    task: *mut bindings::task_struct,
}

// SAFETY: The kthread API may be used from any thread.
unsafe impl Send for KThread {}
// SAFETY: See above.
unsafe impl Sync for KThread {}

impl KThread {
    /// Creates (but does not start) a thread bound to `cpu`, named from `name` (which must hold
    /// one `%u`, the CPU), running `threadfn(data)`.
    ///
    /// # Safety
    ///
    /// `data` must stay valid until the thread has been stopped with [`KThread::stop`], and
    /// `threadfn` must only return after `kthread_should_stop()` is true.
    pub(crate) unsafe fn create_on_cpu(
        threadfn: unsafe extern "C" fn(*mut c_void) -> c_int,
        data: *mut c_void,
        cpu: u32,
        name: &'static CStr,
    ) -> Result<Self> {
        // SAFETY: Guaranteed by the caller; `name` is static and has `%u`.
        let t = unsafe {
            bindings::kthread_create_on_cpu(Some(threadfn), data, cpu, compat::cstr_ptr(name))
        };
        let t = kernel::error::from_err_ptr(t)?;
        // INVARIANT: A new kernel thread that has not been stopped.
        Ok(Self { task: t })
    }

    /// Makes the thread SCHED_FIFO at `prio` (1..99).
    pub(crate) fn set_fifo(&self, prio: u32) -> Result {
        // SAFETY: `task` is a live kernel thread (type invariant).
        to_result(unsafe { preemptstat_set_fifo(self.task.cast(), prio as c_int) })
    }

    /// Wakes the thread (starts it the first time). Callable from hardirq context.
    pub(crate) fn wake(&self) {
        // SAFETY: `task` is live (type invariant).
        unsafe { bindings::wake_up_process(self.task) };
    }

    /// The raw task, for the hrtimer callback to wake without a `&KThread`.
    pub(crate) fn as_ptr(&self) -> *mut bindings::task_struct {
        self.task
    }

    /// Parks the thread (it calls `kthread_parkme()`) and waits until it is parked.
    pub(crate) fn park(&self) {
        // SAFETY: `task` is live (type invariant); only fails for a thread that exited.
        unsafe { bindings::kthread_park(self.task) };
    }

    /// Unparks a parked thread, back on its CPU.
    pub(crate) fn unpark(&self) {
        // SAFETY: `task` is live (type invariant).
        unsafe { bindings::kthread_unpark(self.task) };
    }

    /// Stops the thread and waits for it to exit.
    pub(crate) fn stop(self) {
        // SAFETY: `task` is live and stopped only here (`self` is consumed).
        unsafe { bindings::kthread_stop(self.task) };
    }
}

/// Wakes a task from any context.
///
/// # Safety
///
/// `task` must be a live task.
pub(crate) unsafe fn wake_up_process(task: *mut bindings::task_struct) {
    // SAFETY: Guaranteed by the caller.
    unsafe { bindings::wake_up_process(task) };
}

/// `kthread_should_stop()` for the calling kernel thread.
pub(crate) fn kthread_should_stop() -> bool {
    // SAFETY: Called from a kernel thread (the wakeup threads only).
    unsafe { bindings::kthread_should_stop() }
}

/// `kthread_should_park()` for the calling kernel thread.
pub(crate) fn kthread_should_park() -> bool {
    // SAFETY: Called from a kernel thread (the wakeup threads only).
    unsafe { bindings::kthread_should_park() }
}

/// Parks the calling kernel thread until it is unparked.
pub(crate) fn kthread_parkme() {
    // SAFETY: Called from a kernel thread.
    unsafe { bindings::kthread_parkme() };
}

/// `set_current_state(TASK_INTERRUPTIBLE)`, then `schedule()` unless `wake_pending()` says a
/// wakeup already happened; returns in TASK_RUNNING.
pub(crate) fn sleep_unless(wake_pending: impl Fn() -> bool) {
    // SAFETY: Plain state changes of the current task, and `schedule()` from process context.
    unsafe {
        preemptstat_set_current_interruptible();
        if !wake_pending() {
            bindings::schedule();
        }
        preemptstat_set_current_running();
    }
}
