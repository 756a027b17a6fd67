// SPDX-License-Identifier: GPL-2.0
//! `watch`: the report refreshed every few seconds, with the sites that grew most since the previous refresh.

use std::collections::HashMap;
use std::io::{self, Write};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use preemptstat_core::{Kind, Site, Snapshot, Symbol};

use crate::table::{Align, Table};
use crate::units::format_ns;

/// How many sites the delta table shows.
pub const WATCH_DELTA_SITES: usize = 10;

/// The smallest `--interval`, in seconds.
pub const MIN_INTERVAL_S: f64 = 0.5;

/// A site's identity across refreshes.
type SiteKey = (Kind, Symbol, Symbol);

/// The count and total of every site at the previous refresh.
#[derive(Debug, Default, Clone)]
pub struct Previous(HashMap<SiteKey, (u64, u64)>);

impl Previous {
    /// Remembers the sites of `snapshot`.
    pub fn of(snapshot: &Snapshot) -> Self {
        Previous(
            snapshot
                .sites
                .iter()
                .map(|s| {
                    (
                        (s.kind, s.start.clone(), s.end.clone()),
                        (s.count, s.total_ns),
                    )
                })
                .collect(),
        )
    }

    /// The sites of `snapshot` whose total grew since, with (delta count,
    /// delta total_ns), largest delta total first, at most `limit`. A reset
    /// in between counts from zero.
    pub fn deltas<'a>(&self, snapshot: &'a Snapshot, limit: usize) -> Vec<(&'a Site, u64, u64)> {
        let mut list: Vec<(&Site, u64, u64)> = snapshot
            .sites
            .iter()
            .filter_map(|s| {
                let key = (s.kind, s.start.clone(), s.end.clone());
                let (count, total) = match self.0.get(&key) {
                    Some(&(c, t)) if c <= s.count && t <= s.total_ns => (c, t),
                    _ => (0, 0),
                };
                let dt = s.total_ns - total;
                (dt > 0).then_some((s, s.count - count, dt))
            })
            .collect();
        list.sort_by(|a, b| b.2.cmp(&a.2).then_with(|| b.1.cmp(&a.1)));
        list.truncate(limit);
        list
    }
}

/// Writes the delta table of one refresh:
///
/// ```text
/// Top 2 sites by total time since the previous refresh:
/// KIND  +COUNT   +TOTAL  START -> END
/// irq      +12  1.20 ms  f+0x1/0x2 -> g+0x3/0x4
/// ```
///
/// or `No site changed since the previous refresh.`
///
/// # Errors
///
/// Any error of `out`.
pub fn write_deltas(out: &mut dyn Write, deltas: &[(&Site, u64, u64)]) -> io::Result<()> {
    if deltas.is_empty() {
        return writeln!(out, "No site changed since the previous refresh.");
    }
    writeln!(
        out,
        "Top {} sites by total time since the previous refresh:",
        deltas.len()
    )?;
    let mut table = Table::new(&[
        ("KIND", Align::Left),
        ("+COUNT", Align::Right),
        ("+TOTAL", Align::Right),
        ("START -> END", Align::Left),
    ]);
    for (site, dc, dt) in deltas {
        table.row(vec![
            crate::color::kind(site.kind),
            format!("+{dc}"),
            format_ns(*dt),
            format!("{} -> {}", site.start, site.end),
        ]);
    }
    for line in table.render() {
        writeln!(out, "{line}")?;
    }
    Ok(())
}

/// Set by the Ctrl-C handler; shared by every `watch` in the process.
fn interrupted() -> Arc<AtomicBool> {
    static FLAG: std::sync::OnceLock<Arc<AtomicBool>> = std::sync::OnceLock::new();
    FLAG.get_or_init(|| {
        let flag = Arc::new(AtomicBool::new(false));
        let handler = Arc::clone(&flag);
        // If another handler is installed already, Ctrl-C keeps its default
        // action (ending the process), which is also fine.
        let _ = ctrlc::set_handler(move || handler.store(true, Ordering::SeqCst));
        flag
    })
    .clone()
}

/// Sleeps for `interval` or until Ctrl-C; returns whether Ctrl-C came.
pub fn sleep_interruptibly(interval: Duration) -> bool {
    let flag = interrupted();
    let until = Instant::now() + interval;
    loop {
        if flag.load(Ordering::SeqCst) {
            return true;
        }
        let now = Instant::now();
        if now >= until {
            return false;
        }
        std::thread::sleep((until - now).min(Duration::from_millis(50)));
    }
}

/// Whether Ctrl-C came (installing the handler if needed).
pub fn was_interrupted() -> bool {
    interrupted().load(Ordering::SeqCst)
}
