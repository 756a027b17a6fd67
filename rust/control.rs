// SPDX-License-Identifier: GPL-2.0

//! The control files: `enable`, `reset`, `threshold_us`.
//!
//! A control accepts exactly one decimal number (optionally followed by one newline, as `echo`
//! writes it) within its bounds; anything else fails with `-EINVAL` and changes nothing.

use crate::{debugfs::WRITE_MAX_BYTES, text::TextBuf, tracer::Tracer};
use core::{
    fmt::{self, Write},
    sync::atomic::Ordering::Relaxed,
};
use kernel::prelude::*;

/// The largest `threshold_us` and `wakeup_threshold_us`: 10 s.
pub(crate) const THRESHOLD_US_MAX: u64 = 10_000_000;
/// The shortest wakeup period: 100 µs.
pub(crate) const PERIOD_US_MIN: u64 = 100;
/// The longest wakeup period: 1 s.
pub(crate) const PERIOD_US_MAX: u64 = 1_000_000;

/// Parses a control value: decimal digits only (no sign, no spaces, no `0x`), within
/// `[min, max]`.
pub(crate) fn parse_u64(value: &str, min: u64, max: u64) -> Result<u64> {
    if value.is_empty()
        || value.len() > WRITE_MAX_BYTES
        || !value.bytes().all(|b| b.is_ascii_digit())
    {
        return Err(EINVAL);
    }
    let v: u64 = value.parse().map_err(|_| EINVAL)?;
    if v < min || v > max {
        return Err(EINVAL);
    }
    Ok(v)
}

/// `enable` (read): `1` while recording, `0` while not.
pub(crate) fn show_enable(t: &Tracer, out: &mut TextBuf) -> fmt::Result {
    writeln!(out, "{}", u8::from(t.enabled()))
}

/// `enable` (write): `1` records, `0` stops recording; probes stay registered.
pub(crate) fn store_enable(t: &Tracer, value: &str) -> Result {
    let on = parse_u64(value, 0, 1)? == 1;
    t.set_enabled(on);
    Ok(())
}

/// `reset` (write): `1` clears every statistic, list and log.
pub(crate) fn store_reset(t: &Tracer, value: &str) -> Result {
    parse_u64(value, 1, 1)?;
    t.reset();
    Ok(())
}

/// `threshold_us` (read).
pub(crate) fn show_threshold(t: &Tracer, out: &mut TextBuf) -> fmt::Result {
    writeln!(
        out,
        "{}",
        t.g.threshold_ns.load(core::sync::atomic::Ordering::Relaxed) / 1000
    )
}

/// `threshold_us` (write): sections at least this long go to the log; `0` turns it off.
pub(crate) fn store_threshold(t: &Tracer, value: &str) -> Result {
    let us = parse_u64(value, 0, THRESHOLD_US_MAX)?;
    t.set_threshold_ns(us * 1000);
    Ok(())
}

/// `wakeup_enable` (read).
pub(crate) fn show_wakeup_enable(t: &Tracer, out: &mut TextBuf) -> fmt::Result {
    writeln!(out, "{}", u8::from(t.wakeup.cfg.enabled.load(Relaxed)))
}

/// `wakeup_enable` (write): `1` runs the wakeup timers and threads, `0` stops the timers.
pub(crate) fn store_wakeup_enable(t: &Tracer, value: &str) -> Result {
    let on = parse_u64(value, 0, 1)? == 1;
    t.wakeup.set_enabled(on);
    Ok(())
}

/// `period_us` (read).
pub(crate) fn show_period(t: &Tracer, out: &mut TextBuf) -> fmt::Result {
    writeln!(out, "{}", t.wakeup.cfg.period_ns.load(Relaxed) / 1000)
}

/// `period_us` (write): the wakeup timer period, from the next expiry on.
pub(crate) fn store_period(t: &Tracer, value: &str) -> Result {
    let us = parse_u64(value, PERIOD_US_MIN, PERIOD_US_MAX)?;
    t.wakeup.cfg.period_ns.store(us * 1000, Relaxed);
    Ok(())
}

/// `wakeup_threshold_us` (read).
pub(crate) fn show_wakeup_threshold(t: &Tracer, out: &mut TextBuf) -> fmt::Result {
    writeln!(
        out,
        "{}",
        threshold_us(t.wakeup.cfg.threshold_ns.load(Relaxed))
    )
}

/// A threshold in ns as written to the file: `u64::MAX` (none) is `0`.
pub(crate) fn threshold_us(ns: u64) -> u64 {
    if ns == u64::MAX {
        0
    } else {
        ns / 1000
    }
}

/// `wakeup_threshold_us` (write): wakeups with at least this thread latency are spikes; `0`
/// records none.
pub(crate) fn store_wakeup_threshold(t: &Tracer, value: &str) -> Result {
    let us = parse_u64(value, 0, THRESHOLD_US_MAX)?;
    let ns = if us == 0 { u64::MAX } else { us * 1000 };
    t.wakeup.cfg.threshold_ns.store(ns, Relaxed);
    Ok(())
}
