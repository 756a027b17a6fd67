// SPDX-License-Identifier: GPL-2.0
//! `export --output FILE [--interval SECS]`: the exposition written atomically to a file, for node_exporter's textfile collector, once or until SIGTERM.
//!
//! Every write replaces `FILE` through a hidden temporary file beside it
//! whose name does not end in `.prom` ([`crate::atomic`]), so the collector
//! reads either the previous exposition or the new one. When the module's
//! files cannot be read (the module is not loaded, is being unloaded, or its
//! files are unreadable), `FILE` gets [`crate::prom::render_down`]
//! (`preemptstat_up 0` alone) instead, so no stale figure outlives the
//! module.
//!
//! With `--interval` the write repeats every `SECS` seconds (on a fixed
//! cadence: a slow read does not shift the later ones) until SIGTERM,
//! SIGINT or SIGHUP, which end it with exit status 0 after the write in
//! progress. A read failure does not end it: the line saying why goes to
//! standard error once, when it first happens or changes, and one more line
//! when the files can be read again. A failure to write `FILE` ends it with
//! exit status 2.

use std::io::Write;
use std::path::Path;
use std::time::{Duration, Instant};

use preemptstat_core::Snapshot;

use crate::atomic::write_atomic;
use crate::error::Error;
use crate::source::DebugfsSource;

/// What one export did.
#[derive(Debug)]
pub enum Outcome {
    /// The snapshot was read and written with `preemptstat_up 1`.
    Up(Box<Snapshot>),
    /// The snapshot could not be read, for this reason; `preemptstat_up 0`
    /// was written.
    Down(Error),
}

/// Reads the snapshot and writes its exposition (with the top `top`
/// functions per kind) to `path`, or `preemptstat_up 0` if it cannot be
/// read.
///
/// # Errors
///
/// [`Error::WriteFile`] if `path` cannot be written; a read failure is
/// [`Outcome::Down`], not an error.
pub fn export_once(source: &DebugfsSource, top: usize, path: &Path) -> Result<Outcome, Error> {
    match source.read_snapshot() {
        Ok(snapshot) => {
            write_atomic(path, crate::prom::render(&snapshot, top).as_bytes())?;
            Ok(Outcome::Up(Box::new(snapshot)))
        }
        Err(err) => {
            write_atomic(path, crate::prom::render_down().as_bytes())?;
            Ok(Outcome::Down(err))
        }
    }
}

/// Exports to `path` every `interval` until a termination signal, or
/// `iterations` times if given (for tests). State changes go to `diag`:
/// the reason when the files become unreadable (or the reason changes),
/// and one line when they can be read again.
///
/// # Errors
///
/// [`Error::WriteFile`] if `path` cannot be written.
pub fn export_every(
    source: &DebugfsSource,
    top: usize,
    path: &Path,
    interval: Duration,
    iterations: Option<u64>,
    diag: &mut dyn Write,
) -> Result<(), Error> {
    // Install the signal handler before the first read, so that a SIGTERM
    // at any point ends the loop cleanly.
    if crate::watch::was_interrupted() {
        return Ok(());
    }
    let start = Instant::now();
    let mut down: Option<String> = None;
    let mut done = 0u64;
    loop {
        match export_once(source, top, path)? {
            Outcome::Up(_) => {
                if down.take().is_some() {
                    let _ = writeln!(
                        diag,
                        "preemptstat: {} can be read again: writing preemptstat_up 1 to {}",
                        source.root().display(),
                        path.display()
                    );
                }
            }
            Outcome::Down(err) => {
                let reason = err.to_string();
                if down.as_deref() != Some(reason.as_str()) {
                    let _ = writeln!(
                        diag,
                        "preemptstat: {reason}: writing preemptstat_up 0 to {}",
                        path.display()
                    );
                }
                down = Some(reason);
            }
        }
        let _ = diag.flush();
        done += 1;
        if iterations.is_some_and(|n| done >= n) || crate::watch::was_interrupted() {
            return Ok(());
        }
        if crate::watch::sleep_interruptibly(until_next(start.elapsed(), interval)) {
            return Ok(());
        }
    }
}

/// How long to sleep, `elapsed` after the start, until the next multiple of
/// `interval` (the next tick of a fixed cadence; a tick already missed is
/// skipped).
fn until_next(elapsed: Duration, interval: Duration) -> Duration {
    let interval_ns = interval.as_nanos().max(1);
    let into_tick = elapsed.as_nanos() % interval_ns;
    Duration::from_nanos((interval_ns - into_tick) as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cadence_is_fixed() {
        let s = Duration::from_secs;
        let ms = Duration::from_millis;
        assert_eq!(until_next(ms(0), s(5)), s(5));
        assert_eq!(until_next(ms(300), s(5)), ms(4700));
        // A read that took longer than the interval skips to the next tick.
        assert_eq!(until_next(ms(5200), s(5)), ms(4800));
        assert_eq!(until_next(ms(10_000), s(5)), s(5));
    }

    #[test]
    fn a_missing_module_writes_up_zero_and_a_write_failure_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let source = DebugfsSource::with_root(dir.path().join("gone"));
        let out = dir.path().join("preemptstat.prom");
        let outcome = export_once(&source, 10, &out).unwrap();
        assert!(
            matches!(outcome, Outcome::Down(Error::RootNotFound { .. })),
            "{outcome:?}"
        );
        assert_eq!(
            std::fs::read_to_string(&out).unwrap(),
            crate::prom::render_down()
        );
        let err = export_once(&source, 10, &dir.path().join("no/such.prom")).unwrap_err();
        assert!(matches!(err, Error::WriteFile { .. }), "{err:?}");
    }
}
