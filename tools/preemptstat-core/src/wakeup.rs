// SPDX-License-Identifier: GPL-2.0
//! The wakeup probe's statistics: the `wakeup` file (per-CPU IRQ and thread latency) and the `wakeup_hist` file (their log-linear histograms).
//!
//! The probe wakes a `SCHED_FIFO` thread on every CPU with a periodic
//! hrtimer. The *IRQ latency* of a wakeup is how late the timer handler ran
//! after the programmed expiry; the *thread latency* how late the thread
//! ran. `wakeup` has one line per CPU:
//!
//! ```text
//! # cpu irq_count irq_min_ns irq_avg_ns irq_max_ns thread_count thread_min_ns thread_avg_ns thread_max_ns missed spikes
//! 0 1182 3808 209844 8793756 1175 54422 260561 8911872 62 7
//! ```
//!
//! `wakeup_hist` lists the non-empty buckets of every CPU's two
//! histograms, with the bucket's bounds in microseconds:
//!
//! ```text
//! # cpu latency bucket lo_us hi_us count
//! 0 irq 3 3 4 1
//! 0 thread 88 8192 9216 1
//! ```
//!
//! The [`WAKEUP_HIST_BUCKETS`] buckets are log-linear: bucket `b < 8` holds
//! `[b, b+1)` µs; from bucket 8 on there are 8 buckets per power of two
//! (12.5 % wide), up to the last bucket, which has no upper bound
//! ([`wakeup_bucket_lo_us`], [`wakeup_bucket_hi_us`]).

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use crate::error::{FieldError, ParseError};
use crate::hist::{check_bounds, Histogram};
use crate::line::{excerpt, record_lines, Fields};

/// The name of the per-CPU wakeup statistics file inside the module's
/// debugfs directory.
pub const WAKEUP_FILE: &str = "wakeup";

/// The name of the wakeup latency histogram file inside the module's
/// debugfs directory.
pub const WAKEUP_HIST_FILE: &str = "wakeup_hist";

/// The number of buckets of every wakeup latency histogram: 8 buckets of
/// 1 µs, then 8 buckets for each of the 22 powers of two from 2^3 to 2^24 µs.
pub const WAKEUP_HIST_BUCKETS: usize = 8 + 22 * 8;

/// A wakeup latency histogram: [`WAKEUP_HIST_BUCKETS`] log-linear buckets.
pub type LatencyHistogram = Histogram<WAKEUP_HIST_BUCKETS>;

/// The lower bound of wakeup histogram bucket `bucket`, in µs (inclusive).
/// A bucket past the last has the last bucket's bound.
///
/// ```
/// use preemptstat_core::wakeup_bucket_lo_us;
///
/// assert_eq!(wakeup_bucket_lo_us(3), 3);
/// assert_eq!(wakeup_bucket_lo_us(8), 8);
/// assert_eq!(wakeup_bucket_lo_us(17), 18);
/// assert_eq!(wakeup_bucket_lo_us(88), 8192);
/// ```
pub fn wakeup_bucket_lo_us(bucket: usize) -> u64 {
    let b = bucket.min(WAKEUP_HIST_BUCKETS - 1);
    if b < 8 {
        return b as u64;
    }
    let shift = (b - 8) / 8;
    let sub = ((b - 8) % 8) as u64;
    (8 + sub) << shift
}

/// The upper bound of wakeup histogram bucket `bucket`, in µs (exclusive):
/// the lower bound of the next bucket; `None` for the last bucket, which
/// has none.
///
/// ```
/// use preemptstat_core::{wakeup_bucket_hi_us, WAKEUP_HIST_BUCKETS};
///
/// assert_eq!(wakeup_bucket_hi_us(7), Some(8));
/// assert_eq!(wakeup_bucket_hi_us(24), Some(36));
/// assert_eq!(wakeup_bucket_hi_us(WAKEUP_HIST_BUCKETS - 1), None);
/// ```
pub fn wakeup_bucket_hi_us(bucket: usize) -> Option<u64> {
    if bucket >= WAKEUP_HIST_BUCKETS - 1 {
        None
    } else {
        Some(wakeup_bucket_lo_us(bucket + 1))
    }
}

/// Which latency of a wakeup: of the timer interrupt or of the thread.
///
/// Written as `irq` or `thread`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Latency {
    /// `irq`: from the programmed expiry to the timer handler.
    Irq,
    /// `thread`: from the programmed expiry to the woken thread running.
    Thread,
}

impl Latency {
    /// Both latencies, in the order the module writes them.
    pub const ALL: [Latency; 2] = [Latency::Irq, Latency::Thread];

    /// The name used in the files: `irq` or `thread`.
    pub fn name(self) -> &'static str {
        match self {
            Latency::Irq => "irq",
            Latency::Thread => "thread",
        }
    }
}

impl fmt::Display for Latency {
    /// Writes [`Latency::name`].
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Latency {
    type Err = FieldError;

    /// Parses `irq` or `thread`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Latency::ALL
            .into_iter()
            .find(|l| l.name() == s)
            .ok_or_else(|| {
                FieldError::new(format!(
                    "unknown latency {} (expected irq or thread)",
                    excerpt(s)
                ))
            })
    }
}

/// The statistics of one latency on one CPU. Without wakeups every field
/// is 0.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct LatencyStats {
    /// How many wakeups were measured.
    pub count: u64,
    /// The smallest latency, in nanoseconds.
    pub min_ns: u64,
    /// The mean latency, in nanoseconds (rounded down).
    pub avg_ns: u64,
    /// The largest latency, in nanoseconds.
    pub max_ns: u64,
}

impl LatencyStats {
    /// Parses the four fields `<name>_count <name>_min_ns <name>_avg_ns
    /// <name>_max_ns`.
    fn parse_fields(f: &mut Fields<'_>, name: &str) -> Result<Self, ParseError> {
        let count = f.number(&format!("{name}_count"))?;
        let min_ns = f.number(&format!("{name}_min_ns"))?;
        if count == 0 && min_ns != 0 {
            return Err(f.error(format!(
                "field `{name}_min_ns`: must be 0 when {name}_count is 0, not {min_ns}"
            )));
        }
        let avg_ns = f.number(&format!("{name}_avg_ns"))?;
        let max_ns = f.number(&format!("{name}_max_ns"))?;
        Ok(LatencyStats {
            count,
            min_ns,
            avg_ns,
            max_ns,
        })
    }
}

/// The wakeup statistics of one CPU (a line of `wakeup`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct CpuWakeup {
    /// The CPU.
    pub cpu: u32,
    /// Its timer interrupt latency.
    pub irq: LatencyStats,
    /// Its thread latency.
    pub thread: LatencyStats,
    /// Periods whose expiry the thread never handled, or that the timer
    /// skipped because its interrupt came late.
    pub missed: u64,
    /// Wakeups whose thread latency reached `wakeup_threshold_us`.
    pub spikes: u64,
}

impl CpuWakeup {
    /// The statistics of `latency`.
    pub fn latency(&self, latency: Latency) -> &LatencyStats {
        match latency {
            Latency::Irq => &self.irq,
            Latency::Thread => &self.thread,
        }
    }
}

/// Parses the whole contents of the `wakeup` file, in file order.
///
/// Each record is `cpu`, then `count min_ns avg_ns max_ns` of the IRQ and
/// of the thread latency, then `missed` and `spikes`, all unsigned decimal
/// integers. A CPU appears at most once; `min_ns` is 0 when `count` is.
///
/// # Errors
///
/// [`ParseError::Malformed`] naming the line of the first problem.
///
/// ```
/// use preemptstat_core::parse_wakeup;
///
/// let cpus = parse_wakeup("0 3 10 20 40 2 30 45 60 1 0\n1 0 0 0 0 0 0 0 0 0 0\n").unwrap();
/// assert_eq!(cpus[0].irq.max_ns, 40);
/// assert_eq!(cpus[0].thread.count, 2);
/// assert_eq!(cpus[1].cpu, 1);
/// ```
pub fn parse_wakeup(text: &str) -> Result<Vec<CpuWakeup>, ParseError> {
    let mut seen: BTreeMap<u32, usize> = BTreeMap::new();
    record_lines(text)?
        .into_iter()
        .map(|line| {
            let mut f = line.fields();
            let cpu = f.number("cpu")?;
            let irq = LatencyStats::parse_fields(&mut f, "irq")?;
            let thread = LatencyStats::parse_fields(&mut f, "thread")?;
            let missed = f.number("missed")?;
            let spikes = f.number("spikes")?;
            f.finish()?;
            if let Some(first) = seen.insert(cpu, line.number) {
                return Err(line.error(format!("CPU {cpu} appears twice (first on line {first})")));
            }
            Ok(CpuWakeup {
                cpu,
                irq,
                thread,
                missed,
                spikes,
            })
        })
        .collect()
}

/// The contents of `wakeup_hist`: the IRQ and thread latency histograms of
/// every CPU that has a line in it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WakeupHistograms {
    cpus: BTreeMap<u32, [LatencyHistogram; 2]>,
}

impl WakeupHistograms {
    /// The histogram of `latency` on `cpu`; `None` if the file has no
    /// bucket of either latency of that CPU.
    pub fn get(&self, cpu: u32, latency: Latency) -> Option<&LatencyHistogram> {
        self.cpus.get(&cpu).map(|h| &h[latency as usize])
    }

    /// The histogram of `latency` on `cpu`, empty if the file has none.
    pub fn get_or_empty(&self, cpu: u32, latency: Latency) -> LatencyHistogram {
        self.get(cpu, latency).cloned().unwrap_or_default()
    }

    /// The CPUs the file has buckets of, in increasing order.
    pub fn cpus(&self) -> impl Iterator<Item = u32> + '_ {
        self.cpus.keys().copied()
    }

    /// The histogram of `latency` on `cpu`, to change (created empty).
    pub fn get_mut(&mut self, cpu: u32, latency: Latency) -> &mut LatencyHistogram {
        &mut self.cpus.entry(cpu).or_default()[latency as usize]
    }
}

/// Parses the whole contents of the `wakeup_hist` file.
///
/// Each record is `cpu latency bucket lo_us hi_us count`, where `latency`
/// is `irq` or `thread`, `bucket` is below [`WAKEUP_HIST_BUCKETS`], and
/// `lo_us` and `hi_us` must be the bucket's bounds
/// ([`wakeup_bucket_lo_us`], [`wakeup_bucket_hi_us`], `inf` for the last
/// bucket). The module lists only non-empty buckets; each (CPU, latency,
/// bucket) appears at most once, in any order.
///
/// # Errors
///
/// [`ParseError::Malformed`] naming the line of the first problem.
///
/// ```
/// use preemptstat_core::{parse_wakeup_hist, Latency};
///
/// let h = parse_wakeup_hist("0 irq 3 3 4 1\n0 thread 24 32 36 7\n1 irq 183 31457280 inf 2\n").unwrap();
/// assert_eq!(h.get(0, Latency::Thread).unwrap().get(24), 7);
/// assert_eq!(h.get(1, Latency::Irq).unwrap().get(183), 2);
/// assert_eq!(h.get(1, Latency::Thread).unwrap().total(), 0);
/// assert!(h.get(2, Latency::Irq).is_none());
/// ```
pub fn parse_wakeup_hist(text: &str) -> Result<WakeupHistograms, ParseError> {
    let mut hists = WakeupHistograms::default();
    let mut seen: BTreeMap<(u32, Latency, usize), usize> = BTreeMap::new();
    for line in record_lines(text)? {
        let mut f = line.fields();
        let cpu: u32 = f.number("cpu")?;
        let latency: Latency = f.parse("latency")?;
        let bucket: usize = f.number("bucket")?;
        if bucket >= WAKEUP_HIST_BUCKETS {
            return Err(line.error(format!(
                "field `bucket`: {bucket} out of range (0 to {})",
                WAKEUP_HIST_BUCKETS - 1
            )));
        }
        check_bounds(
            &mut f,
            bucket,
            wakeup_bucket_lo_us(bucket),
            wakeup_bucket_hi_us(bucket),
        )?;
        let count = f.number("count")?;
        f.finish()?;
        if let Some(first) = seen.insert((cpu, latency, bucket), line.number) {
            return Err(line.error(format!(
                "bucket {bucket} of CPU {cpu} {latency} appears twice (first on line {first})"
            )));
        }
        hists.get_mut(cpu, latency).set(bucket, count);
    }
    Ok(hists)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bucket_bounds() {
        assert_eq!(WAKEUP_HIST_BUCKETS, 184);
        for b in 0..8 {
            assert_eq!(wakeup_bucket_lo_us(b), b as u64);
        }
        for (b, lo, hi) in [
            (8, 8, Some(9)),
            (15, 15, Some(16)),
            (16, 16, Some(18)),
            (23, 30, Some(32)),
            (24, 32, Some(36)),
            (40, 128, Some(144)),
            (88, 8192, Some(9216)),
            (182, 14 << 21, Some(15 << 21)),
            (183, 15 << 21, None),
        ] {
            assert_eq!(wakeup_bucket_lo_us(b), lo, "{b}");
            assert_eq!(wakeup_bucket_hi_us(b), hi, "{b}");
        }
        for b in 1..WAKEUP_HIST_BUCKETS {
            assert!(wakeup_bucket_lo_us(b) > wakeup_bucket_lo_us(b - 1), "{b}");
        }
        // Past the end: no panic, the last bucket's bound.
        assert_eq!(wakeup_bucket_lo_us(usize::MAX), 15 << 21);
        assert_eq!(wakeup_bucket_hi_us(usize::MAX), None);
    }

    #[test]
    fn latencies() {
        for l in Latency::ALL {
            assert_eq!(l.name().parse::<Latency>(), Ok(l));
            assert_eq!(l.to_string(), l.name());
        }
        assert!("IRQ".parse::<Latency>().is_err());
    }

    const WAKEUP: &str = "\
# cpu irq_count irq_min_ns irq_avg_ns irq_max_ns thread_count thread_min_ns thread_avg_ns thread_max_ns missed spikes
0 1182 3808 209844 8793756 1175 54422 260561 8911872 62 7
1 0 0 0 0 0 0 0 0 0 0
";

    #[test]
    fn wakeup_file() {
        let cpus = parse_wakeup(WAKEUP).unwrap();
        assert_eq!(cpus.len(), 2);
        let c = &cpus[0];
        assert_eq!(c.cpu, 0);
        assert_eq!(
            c.irq,
            LatencyStats {
                count: 1182,
                min_ns: 3808,
                avg_ns: 209844,
                max_ns: 8793756
            }
        );
        assert_eq!(c.latency(Latency::Thread).max_ns, 8911872);
        assert_eq!((c.missed, c.spikes), (62, 7));
        assert_eq!(cpus[1].thread, LatencyStats::default());
        assert_eq!(parse_wakeup(""), Ok(vec![]));
    }

    #[test]
    fn malformed_wakeup_lines() {
        for (line, needle) in [
            ("2 1 1 1 1 1 1 1 1 1", "missing field `spikes`"),
            ("2 1 1 1 1 1 1 1 1 1 1 1", "unexpected extra field"),
            ("x 1 1 1 1 1 1 1 1 1 1", "field `cpu`"),
            ("2 1 1 - 1 1 1 1 1 1 1", "field `irq_avg_ns`"),
            ("2 1 1 1 1 1 1 1 x 1 1", "field `thread_max_ns`"),
            (
                "2 0 5 0 0 0 0 0 0 0 0",
                "field `irq_min_ns`: must be 0 when irq_count is 0, not 5",
            ),
            (
                "2 1 1 1 1 0 7 0 0 0 0",
                "field `thread_min_ns`: must be 0 when thread_count is 0",
            ),
            (
                "1 1 1 1 1 1 1 1 1 1 1",
                "CPU 1 appears twice (first on line 3)",
            ),
            ("4294967296 1 1 1 1 1 1 1 1 1 1", "field `cpu`: number"),
        ] {
            match parse_wakeup(&format!("{WAKEUP}{line}\n")) {
                Err(ParseError::Malformed { line: 4, reason }) => {
                    assert!(reason.contains(needle), "{line:?}: {reason}")
                }
                other => panic!("{line:?}: {other:?}"),
            }
        }
        let cut = &WAKEUP[..WAKEUP.len() - 3];
        assert!(matches!(
            parse_wakeup(cut),
            Err(ParseError::Malformed { line: 3, reason }) if reason.starts_with("truncated")
        ));
    }

    const HIST: &str = "\
# cpu latency bucket lo_us hi_us count
0 irq 3 3 4 1
0 irq 17 18 20 2
0 thread 88 8192 9216 1
1 irq 183 31457280 inf 5
";

    #[test]
    fn hist_file() {
        let h = parse_wakeup_hist(HIST).unwrap();
        assert_eq!(h.cpus().collect::<Vec<_>>(), [0, 1]);
        let irq0 = h.get(0, Latency::Irq).unwrap();
        assert_eq!(irq0.nonzero().collect::<Vec<_>>(), [(3, 1), (17, 2)]);
        assert_eq!(h.get(0, Latency::Thread).unwrap().total(), 1);
        assert_eq!(h.get_or_empty(1, Latency::Thread).total(), 0);
        assert_eq!(h.get_or_empty(1, Latency::Irq).get(183), 5);
        assert!(h.get(7, Latency::Irq).is_none());
        assert_eq!(parse_wakeup_hist(""), Ok(WakeupHistograms::default()));
    }

    #[test]
    fn malformed_hist_lines() {
        for (line, needle) in [
            (
                "0 irq 3 3 5 1",
                "field `hi_us`: bucket 3 ends at 4 us, not \"5\"",
            ),
            (
                "0 irq 3 2 4 1",
                "field `lo_us`: bucket 3 starts at 3 us, not 2",
            ),
            (
                "0 irq 17 16 18 1",
                "field `lo_us`: bucket 17 starts at 18 us, not 16",
            ),
            ("0 irq 17 18 19 1", "field `hi_us`: bucket 17 ends at 20 us"),
            ("0 irq 183 31457280 33554432 1", "ends at inf us"),
            (
                "0 irq 182 29360128 inf 1",
                "ends at 31457280 us, not \"inf\"",
            ),
            (
                "0 irq 184 0 1 1",
                "field `bucket`: 184 out of range (0 to 183)",
            ),
            ("0 any 3 3 4 1", "field `latency`: unknown latency \"any\""),
            ("0 irq 3 3 4", "missing field `count`"),
            ("0 irq 3 3 4 1 1", "unexpected extra field"),
            ("0 irq 3 3 4 -", "field `count`"),
            (
                "0 irq 17 18 20 1",
                "bucket 17 of CPU 0 irq appears twice (first on line 3)",
            ),
        ] {
            match parse_wakeup_hist(&format!("{HIST}{line}\n")) {
                Err(ParseError::Malformed { line: 6, reason }) => {
                    assert!(reason.contains(needle), "{line:?}: {reason}")
                }
                other => panic!("{line:?}: {other:?}"),
            }
        }
        // The same bucket of another CPU or latency is fine.
        assert!(
            parse_wakeup_hist(&format!("{HIST}0 thread 17 18 20 1\n1 irq 17 18 20 1\n")).is_ok()
        );
    }
}
