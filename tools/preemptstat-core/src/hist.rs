// SPDX-License-Identifier: GPL-2.0
//! The log2 latency histograms: the `hist` file and the sparse per-site form in `sites`.
//!
//! Every histogram has [`HIST_BUCKETS`] buckets of section durations in
//! microseconds: bucket 0 holds `[0, 1)` µs, bucket `i` in `1..=30` holds
//! `[2^(i-1), 2^i)` µs and bucket 31 everything from 2^30 µs on.
//!
//! The `hist` file has one line per kind and bucket, all 3 × 32 of them:
//!
//! ```text
//! # kind bucket lo_us hi_us count
//! preempt 0 0 1 1635
//! preempt 1 1 2 1315
//! ...
//! any 31 1073741824 inf 0
//! ```
//!
//! A site's histogram in `sites` lists only the buckets that are not empty,
//! as `bucket:count` pairs joined by `,` in bucket order, or `-`:
//!
//! ```
//! use preemptstat_core::Histogram;
//!
//! let h: Histogram = "11:1,12:1".parse().unwrap();
//! assert_eq!(h.get(12), 1);
//! assert_eq!(h.total(), 2);
//! assert_eq!(h.sparse().to_string(), "11:1,12:1");
//! ```

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use crate::error::{FieldError, ParseError};
use crate::kind::Kind;
use crate::line::{end_line, excerpt, parse_number, record_lines, Fields};

/// The name of the histogram file inside the module's debugfs directory.
pub const HIST_FILE: &str = "hist";

/// The number of buckets of every histogram.
pub const HIST_BUCKETS: usize = 32;

/// The lower bound of bucket `bucket`, in µs (inclusive).
///
/// ```
/// use preemptstat_core::bucket_lo_us;
/// assert_eq!((bucket_lo_us(0), bucket_lo_us(1), bucket_lo_us(11)), (0, 1, 1024));
/// ```
pub fn bucket_lo_us(bucket: usize) -> u64 {
    if bucket == 0 {
        0
    } else {
        1u64 << (bucket - 1).min(63)
    }
}

/// The upper bound of bucket `bucket`, in µs (exclusive); `None` for the
/// last bucket, which has none.
///
/// ```
/// use preemptstat_core::{bucket_hi_us, HIST_BUCKETS};
/// assert_eq!(bucket_hi_us(0), Some(1));
/// assert_eq!(bucket_hi_us(11), Some(2048));
/// assert_eq!(bucket_hi_us(HIST_BUCKETS - 1), None);
/// ```
pub fn bucket_hi_us(bucket: usize) -> Option<u64> {
    if bucket >= HIST_BUCKETS - 1 {
        None
    } else {
        Some(1u64 << bucket)
    }
}

/// The counts of one histogram with `N` buckets, indexed by bucket.
///
/// `N` is [`HIST_BUCKETS`] (the default) for the log2 histograms of section
/// durations, and [`WAKEUP_HIST_BUCKETS`](crate::WAKEUP_HIST_BUCKETS) for the
/// log-linear wakeup latency histograms ([`LatencyHistogram`](crate::LatencyHistogram)).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Histogram<const N: usize = HIST_BUCKETS>([u64; N]);

impl<const N: usize> Default for Histogram<N> {
    /// The empty histogram.
    fn default() -> Self {
        Histogram([0; N])
    }
}

impl<const N: usize> Histogram<N> {
    /// A histogram with these counts.
    pub fn from_counts(counts: [u64; N]) -> Self {
        Histogram(counts)
    }

    /// The counts, indexed by bucket.
    pub fn counts(&self) -> &[u64; N] {
        &self.0
    }

    /// Sets the count of bucket `bucket`; does nothing past the last bucket.
    pub fn set(&mut self, bucket: usize, count: u64) {
        if let Some(slot) = self.0.get_mut(bucket) {
            *slot = count;
        }
    }

    /// The count of bucket `bucket` (0 past the last bucket).
    pub fn get(&self, bucket: usize) -> u64 {
        self.0.get(bucket).copied().unwrap_or(0)
    }

    /// The sum of all counts (saturating).
    pub fn total(&self) -> u64 {
        self.0.iter().fold(0u64, |sum, &n| sum.saturating_add(n))
    }

    /// The buckets with a count other than 0, as `(bucket, count)`.
    pub fn nonzero(&self) -> impl Iterator<Item = (usize, u64)> + '_ {
        self.0
            .iter()
            .enumerate()
            .filter(|(_, &n)| n != 0)
            .map(|(i, &n)| (i, n))
    }

    /// The first and last bucket with a count other than 0; `None` when the
    /// histogram is empty.
    pub fn nonzero_range(&self) -> Option<(usize, usize)> {
        let first = self.0.iter().position(|&n| n != 0)?;
        let last = self.0.iter().rposition(|&n| n != 0)?;
        Some((first, last))
    }

    /// Displays the sparse form used in `sites`: `bucket:count` pairs of the
    /// non-empty buckets joined by `,`, or `-`.
    pub fn sparse(&self) -> SparseHistogram<'_, N> {
        SparseHistogram(self)
    }
}

impl<const N: usize> FromStr for Histogram<N> {
    type Err = FieldError;

    /// Parses the sparse form: `-`, or `bucket:count` pairs joined by `,`
    /// with buckets below `N` in increasing order.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let mut hist = Histogram::default();
        if s == "-" {
            return Ok(hist);
        }
        let mut next_bucket = 0;
        for pair in s.split(',') {
            let (bucket, count) = pair.split_once(':').ok_or_else(|| {
                FieldError::new(format!("expected `bucket:count`, found {}", excerpt(pair)))
            })?;
            let bucket: usize = parse_number(bucket)?;
            if bucket >= N {
                return Err(FieldError::new(format!(
                    "bucket {bucket} out of range (0 to {})",
                    N - 1
                )));
            }
            if bucket < next_bucket {
                return Err(FieldError::new(format!(
                    "bucket {bucket} repeated or out of order"
                )));
            }
            hist.0[bucket] = parse_number(count)?;
            next_bucket = bucket + 1;
        }
        Ok(hist)
    }
}

/// Displays a [`Histogram`] in its sparse form; see [`Histogram::sparse`].
#[derive(Debug, Clone, Copy)]
pub struct SparseHistogram<'a, const N: usize = HIST_BUCKETS>(&'a Histogram<N>);

impl<const N: usize> fmt::Display for SparseHistogram<'_, N> {
    /// Writes `bucket:count` pairs joined by `,`, or `-`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut any = false;
        for (i, n) in self.0.nonzero() {
            if any {
                f.write_str(",")?;
            }
            write!(f, "{i}:{n}")?;
            any = true;
        }
        if !any {
            f.write_str("-")?;
        }
        Ok(())
    }
}

/// The contents of the `hist` file: one histogram of all sections per
/// [`Kind`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Histograms {
    preempt: Histogram,
    irq: Histogram,
    any: Histogram,
}

impl Histograms {
    /// The histogram of sections of `kind`.
    pub fn get(&self, kind: Kind) -> &Histogram {
        match kind {
            Kind::Preempt => &self.preempt,
            Kind::Irq => &self.irq,
            Kind::Any => &self.any,
        }
    }

    /// The histogram of sections of `kind`, to change.
    pub fn get_mut(&mut self, kind: Kind) -> &mut Histogram {
        match kind {
            Kind::Preempt => &mut self.preempt,
            Kind::Irq => &mut self.irq,
            Kind::Any => &mut self.any,
        }
    }
}

/// Reads the `lo_us` and `hi_us` fields of a histogram file line and checks
/// that they are the bounds of `bucket`: `lo_us` and `hi_us` (`inf` when
/// `None`).
pub(crate) fn check_bounds(
    f: &mut Fields<'_>,
    bucket: usize,
    lo_us: u64,
    hi_us: Option<u64>,
) -> Result<(), ParseError> {
    let lo: u64 = f.number("lo_us")?;
    if lo != lo_us {
        return Err(f.error(format!(
            "field `lo_us`: bucket {bucket} starts at {lo_us} us, not {lo}"
        )));
    }
    let hi = f.next("hi_us")?;
    let expected_hi = match hi_us {
        Some(hi) => hi.to_string(),
        None => "inf".to_string(),
    };
    if hi != expected_hi {
        return Err(f.error(format!(
            "field `hi_us`: bucket {bucket} ends at {expected_hi} us, not {}",
            excerpt(hi)
        )));
    }
    Ok(())
}

/// Parses the whole contents of the `hist` file.
///
/// Each record is `kind bucket lo_us hi_us count`, where `lo_us` and `hi_us`
/// must be the bucket's bounds ([`bucket_lo_us`], [`bucket_hi_us`], `inf`
/// for the last bucket). Every kind must have every bucket exactly once, in
/// any order.
///
/// # Errors
///
/// [`ParseError::Malformed`] naming the line of the first problem, or the
/// line after the last one if a bucket is missing.
///
/// ```
/// use preemptstat_core::{parse_hist, Kind};
///
/// let mut text = String::new();
/// for k in ["preempt", "irq", "any"] {
///     for b in 0..32 {
///         let lo = if b == 0 { 0 } else { 1u64 << (b - 1) };
///         let hi = if b == 31 { "inf".to_string() } else { (1u64 << b).to_string() };
///         text += &format!("{k} {b} {lo} {hi} {}\n", if b == 3 { 7 } else { 0 });
///     }
/// }
/// let hists = parse_hist(&text).unwrap();
/// assert_eq!(hists.get(Kind::Irq).get(3), 7);
/// ```
pub fn parse_hist(text: &str) -> Result<Histograms, ParseError> {
    let mut hists = Histograms::default();
    let mut seen: BTreeMap<(Kind, usize), usize> = BTreeMap::new();
    for line in record_lines(text)? {
        let mut f = line.fields();
        let kind = f.kind()?;
        let bucket: usize = f.number("bucket")?;
        if bucket >= HIST_BUCKETS {
            return Err(line.error(format!(
                "field `bucket`: {bucket} out of range (0 to {})",
                HIST_BUCKETS - 1
            )));
        }
        check_bounds(&mut f, bucket, bucket_lo_us(bucket), bucket_hi_us(bucket))?;
        let count = f.number("count")?;
        f.finish()?;
        if let Some(first) = seen.insert((kind, bucket), line.number) {
            return Err(line.error(format!(
                "bucket {bucket} of kind {kind} appears twice (first on line {first})"
            )));
        }
        hists.get_mut(kind).0[bucket] = count;
    }
    for kind in Kind::ALL {
        for bucket in 0..HIST_BUCKETS {
            if !seen.contains_key(&(kind, bucket)) {
                return Err(ParseError::malformed(
                    end_line(text),
                    format!("the file ends without bucket {bucket} of kind {kind}"),
                ));
            }
        }
    }
    Ok(hists)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A complete `hist` file where every count is `count(kind, bucket)`.
    fn file(count: impl Fn(Kind, usize) -> u64) -> String {
        let mut text = String::from("# kind bucket lo_us hi_us count\n");
        for k in Kind::ALL {
            for b in 0..HIST_BUCKETS {
                let hi = bucket_hi_us(b).map_or("inf".to_string(), |h| h.to_string());
                text += &format!("{k} {b} {} {hi} {}\n", bucket_lo_us(b), count(k, b));
            }
        }
        text
    }

    #[test]
    fn bounds() {
        assert_eq!(bucket_lo_us(31), 1 << 30);
        assert_eq!(bucket_hi_us(30), Some(1 << 30));
        for b in 1..HIST_BUCKETS - 1 {
            assert_eq!(bucket_hi_us(b - 1), Some(bucket_lo_us(b)));
        }
    }

    #[test]
    fn complete_file() {
        let h = parse_hist(&file(|k, b| (k as u64) * 100 + b as u64)).unwrap();
        assert_eq!(h.get(Kind::Preempt).get(5), 5);
        assert_eq!(h.get(Kind::Any).get(31), 231);
        assert_eq!(h.get(Kind::Irq).nonzero_range(), Some((0, 31)));
    }

    #[test]
    fn missing_bucket() {
        let text = file(|_, _| 0);
        let cut: String = text.lines().take(50).map(|l| format!("{l}\n")).collect();
        let err = parse_hist(&cut).unwrap_err();
        assert_eq!(
            err,
            ParseError::malformed(51, "the file ends without bucket 17 of kind irq")
        );
    }

    #[test]
    fn duplicate_bucket() {
        let text = file(|_, _| 0) + "irq 3 4 8 1\n";
        let err = parse_hist(&text).unwrap_err().to_string();
        assert!(err.contains("line 98: bucket 3 of kind irq appears twice (first on line 37)"));
    }

    #[test]
    fn wrong_bounds() {
        let text = file(|_, _| 0).replace("preempt 4 8 16 0", "preempt 4 8 17 0");
        assert!(parse_hist(&text)
            .unwrap_err()
            .to_string()
            .contains("line 6: field `hi_us`: bucket 4 ends at 16 us"));
        let text = file(|_, _| 0).replace("any 31 1073741824 inf 0", "any 31 1073741824 2 0");
        assert!(parse_hist(&text).is_err());
        assert!(parse_hist("preempt 32 0 1 0\n").is_err());
        assert!(parse_hist("preempt 0 1 1 0\n").is_err());
    }

    #[test]
    fn sparse_form() {
        let h: Histogram = "-".parse().unwrap();
        assert_eq!(h, Histogram::default());
        assert_eq!(h.sparse().to_string(), "-");
        assert_eq!(h.nonzero_range(), None);
        let h: Histogram = "0:3,31:18446744073709551615".parse().unwrap();
        assert_eq!(h.get(0), 3);
        assert_eq!(h.total(), u64::MAX);
        assert_eq!(h.sparse().to_string(), "0:3,31:18446744073709551615");
        for bad in [
            "", ",", "1", "1:", ":1", "32:1", "2:1,1:1", "1:1,1:2", "1:1,", "a:1",
        ] {
            assert!(bad.parse::<Histogram>().is_err(), "{bad:?}");
        }
    }
}
