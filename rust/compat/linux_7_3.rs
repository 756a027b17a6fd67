// SPDX-License-Identifier: GPL-2.0

//! Linux 7.3.y: the items of [`crate::compat`].

use core::ffi::CStr;
use kernel::{bindings, ffi::c_char, str::CStrExt};

/// The pointer of a C string literal, for the bindings (the kernel's `char` is unsigned).
pub(crate) fn cstr_ptr(s: &CStr) -> *const c_char {
    s.as_char_ptr()
}

/// The C string at `p`.
///
/// # Safety
///
/// `p` must point at a NUL-terminated string that stays valid and unchanged for `'a`.
pub(crate) unsafe fn cstr_from_ptr<'a>(p: *const c_char) -> &'a CStr {
    // SAFETY: Guaranteed by the caller.
    unsafe { CStr::from_char_ptr(p) }
}

/// Types for which an all-zero bit pattern is a valid value (`pin_init::Zeroable`).
pub(crate) use kernel::prelude::Zeroable;

/// An initializer that zeroes the whole value, for `KBox::init`.
pub(crate) use pin_init::init_zeroed as zeroed;

/// An hrtimer callback's "restart" result (a Rust enum in 7.3's bindings, an integer
/// constant in 6.12's).
pub(crate) const HRTIMER_RESTART: bindings::hrtimer_restart =
    bindings::hrtimer_restart::HRTIMER_RESTART;
/// An hrtimer callback's "do not restart" result.
pub(crate) const HRTIMER_NORESTART: bindings::hrtimer_restart =
    bindings::hrtimer_restart::HRTIMER_NORESTART;

/// Sets up an hrtimer with its callback: `hrtimer_setup()`.
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
    // SAFETY: Guaranteed by the caller.
    unsafe { bindings::hrtimer_setup(timer, Some(f), clock, mode) };
}
