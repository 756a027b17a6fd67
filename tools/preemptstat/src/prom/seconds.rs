// SPDX-License-Identifier: GPL-2.0
//! Exact decimal seconds for the exposition: sample values and the `le` bounds of the histograms.
//!
//! Every figure the module prints is a whole number of nanoseconds, so it is
//! written as the exact decimal `S.FFFFFFFFF` with the trailing zeros of the
//! fraction dropped, never through a float: `7532054` ns is `0.007532054`,
//! `1023999` ns is `0.001023999`, `2` s is `2`.
//!
//! The module puts a duration of `ns` nanoseconds in a bucket by its whole
//! microseconds, `ns / 1000` (rust/model.rs `hist_bucket`, rust/wakeup.rs
//! `whist_bucket`), so a bucket `[lo, hi)` µs holds exactly the durations
//! from `lo × 1000` to `hi × 1000 − 1` ns. Prometheus's `le` is inclusive:
//! the bucket's `le` is therefore `hi` µs minus 1 ns ([`le`]), and a
//! duration of exactly `hi` µs falls in the next bucket, as in the kernel.

/// Nanoseconds in a second.
const NS_PER_S: u64 = 1_000_000_000;

/// `ns` nanoseconds as exact decimal seconds.
///
/// ```
/// use preemptstat::prom::seconds;
/// assert_eq!(seconds(7_532_054), "0.007532054");
/// assert_eq!(seconds(52_000), "0.000052");
/// assert_eq!(seconds(3_000_000_000), "3");
/// assert_eq!(seconds(0), "0");
/// ```
pub fn seconds(ns: u64) -> String {
    let (whole, frac) = (ns / NS_PER_S, ns % NS_PER_S);
    if frac == 0 {
        return whole.to_string();
    }
    let digits = format!("{frac:09}");
    format!("{whole}.{}", digits.trim_end_matches('0'))
}

/// The inclusive `le` of a bucket whose exclusive upper bound is `hi_us`
/// µs: `hi_us` µs minus 1 ns, in exact decimal seconds; `+Inf` for `None`
/// (the last bucket, which has no bound).
///
/// ```
/// use preemptstat::prom::le;
/// assert_eq!(le(Some(1)), "0.000000999");
/// assert_eq!(le(Some(1024)), "0.001023999");
/// assert_eq!(le(None), "+Inf");
/// ```
pub fn le(hi_us: Option<u64>) -> String {
    match hi_us {
        Some(hi) => seconds(hi.saturating_mul(1000).saturating_sub(1)),
        None => "+Inf".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use preemptstat_core::{bucket_hi_us, wakeup_bucket_hi_us, HIST_BUCKETS, WAKEUP_HIST_BUCKETS};

    /// The kernel's log2 bucket of a duration (rust/model.rs `hist_bucket`).
    fn kernel_hist_bucket(ns: u64) -> usize {
        let us = ns / 1000;
        let bits = (u64::BITS - us.leading_zeros()) as usize;
        bits.min(HIST_BUCKETS - 1)
    }

    /// The kernel's log-linear wakeup bucket of a latency (rust/wakeup.rs
    /// `whist_bucket`).
    fn kernel_whist_bucket(ns: u64) -> usize {
        let us = ns / 1000;
        if us < 8 {
            return us as usize;
        }
        let e = (u64::BITS - 1 - us.leading_zeros()) as usize;
        let sub = ((us >> (e - 3)) & 7) as usize;
        (8 + (e - 3) * 8 + sub).min(WAKEUP_HIST_BUCKETS - 1)
    }

    /// `le` parsed back as whole nanoseconds, exactly (no float).
    fn le_ns(le: &str) -> u64 {
        let (whole, frac) = le.split_once('.').unwrap_or((le, ""));
        assert!(frac.len() <= 9, "{le}");
        let frac: u64 = format!("{frac:0<9}").parse().unwrap();
        whole.parse::<u64>().unwrap() * NS_PER_S + frac
    }

    /// Whether Prometheus counts a duration of `ns` in the bucket `le`:
    /// `ns <= le`.
    fn counted(ns: u64, le: &str) -> bool {
        le == "+Inf" || ns <= le_ns(le)
    }

    /// For every bound: a duration 1 ns below it, at it and 1 ns above it
    /// is counted by exactly the `le` buckets at and above the kernel bucket
    /// it lands in, and by none below.
    fn check_bounds(buckets: usize, hi_us: fn(usize) -> Option<u64>, kernel: fn(u64) -> usize) {
        for bound in 0..buckets - 1 {
            let hi_ns = hi_us(bound).unwrap() * 1000;
            for ns in [hi_ns - 1, hi_ns, hi_ns + 1] {
                let in_kernel = kernel(ns);
                assert_eq!(in_kernel, if ns < hi_ns { bound } else { bound + 1 });
                for b in 0..buckets {
                    assert_eq!(
                        counted(ns, &le(hi_us(b))),
                        b >= in_kernel,
                        "{ns} ns, le bucket {b}, kernel bucket {in_kernel}"
                    );
                }
            }
        }
    }

    #[test]
    fn section_buckets_count_each_duration_where_the_kernel_does() {
        check_bounds(HIST_BUCKETS, bucket_hi_us, kernel_hist_bucket);
    }

    #[test]
    fn wakeup_buckets_count_each_latency_where_the_kernel_does() {
        check_bounds(
            WAKEUP_HIST_BUCKETS,
            wakeup_bucket_hi_us,
            kernel_whist_bucket,
        );
    }

    #[test]
    fn seconds_are_exact_decimals() {
        assert_eq!(seconds(1), "0.000000001");
        assert_eq!(seconds(999), "0.000000999");
        assert_eq!(seconds(1_000_000_000), "1");
        assert_eq!(seconds(1_000_000_001), "1.000000001");
        assert_eq!(seconds(u64::MAX), "18446744073.709551615");
        // A float would print 2^30 µs - 1 ns as 1073.7418239990001 or so.
        assert_eq!(le(Some(1 << 30)), "1073.741823999");
        assert_eq!(le_ns(&le(Some(1 << 30))), (1u64 << 30) * 1000 - 1);
    }
}
