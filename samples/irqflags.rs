// SPDX-License-Identifier: GPL-2.0

//! `local_irq_save()` and `local_irq_restore()` for the sample modules, as the C macros do
//! them: the raw instructions plus the `irq_disable`/`irq_enable` tracepoints, called from the
//! function these are inlined into (so that function is the section's site).

use kernel::bindings;

/// `X86_EFLAGS_IF`: interrupts enabled.
const EFLAGS_IF: usize = 1 << 9;

/// `local_irq_save()`: interrupts off, then the `irq_disable` event.
#[inline(always)]
pub(crate) fn irq_save() -> usize {
    let flags: usize;
    // SAFETY: Reads the flags and disables interrupts, exactly as `raw_local_irq_save()`.
    unsafe { core::arch::asm!("pushfq", "pop {}", "cli", out(reg) flags) };
    if flags & EFLAGS_IF != 0 {
        // SAFETY: Interrupts were on and are now off: what `trace_hardirqs_off()` expects.
        unsafe { bindings::trace_hardirqs_off() };
    }
    flags
}

/// `local_irq_restore()`: the `irq_enable` event, then interrupts back on if they were.
#[inline(always)]
pub(crate) fn irq_restore(flags: usize) {
    if flags & EFLAGS_IF != 0 {
        // SAFETY: About to turn interrupts back on, as `local_irq_restore()` does.
        unsafe {
            bindings::trace_hardirqs_on();
            core::arch::asm!("sti");
        }
    }
}
