// SPDX-License-Identifier: GPL-2.0

//! Linux 6.12.y: the items of [`crate::compat`].

use core::ffi::CStr;
use kernel::{bindings, ffi::c_char};

/// The pointer of a C string literal, for the bindings (the kernel's `char` is unsigned; 6.12
/// has no `CStrExt::as_char_ptr` for `core::ffi::CStr`).
pub(crate) fn cstr_ptr(s: &CStr) -> *const c_char {
    s.as_ptr().cast()
}

/// The C string at `p`.
///
/// # Safety
///
/// `p` must point at a NUL-terminated string that stays valid and unchanged for `'a`.
pub(crate) unsafe fn cstr_from_ptr<'a>(p: *const c_char) -> &'a CStr {
    // SAFETY: Guaranteed by the caller.
    unsafe { CStr::from_ptr(p.cast()) }
}

/// Types for which an all-zero bit pattern is a valid value (`kernel::init::Zeroable`: 6.12
/// has no separate `pin_init` crate).
pub(crate) use kernel::init::Zeroable;

/// An initializer that zeroes the whole value, for `KBox::init`.
pub(crate) use kernel::init::zeroed;

/// An hrtimer callback's "restart" result (a Rust enum in 7.3's bindings, an integer
/// constant in 6.12's).
pub(crate) const HRTIMER_RESTART: bindings::hrtimer_restart =
    bindings::hrtimer_restart_HRTIMER_RESTART;
/// An hrtimer callback's "do not restart" result.
pub(crate) const HRTIMER_NORESTART: bindings::hrtimer_restart =
    bindings::hrtimer_restart_HRTIMER_NORESTART;

/// Sets up an hrtimer with its callback: 6.12 has no `hrtimer_setup()`; `hrtimer_init()` and
/// then the callback, which is what `hrtimer_setup()` does on later kernels.
///
/// # Safety
///
/// `timer` must point at an hrtimer that is not in use and stays in place until it has been
/// cancelled for good; `f` must be safe to call with it until then.
pub(crate) unsafe fn hrtimer_setup(
    timer: *mut bindings::hrtimer,
    f: unsafe extern "C" fn(*mut bindings::hrtimer) -> bindings::hrtimer_restart,
    clock: bindings::clockid_t,
    mode: bindings::hrtimer_mode,
) {
    // SAFETY: Guaranteed by the caller: the timer is in place and unused, so it may be
    // initialised, and its callback set before it is ever started.
    unsafe {
        bindings::hrtimer_init(timer, clock, mode);
        (*timer).function = Some(f);
    }
}
