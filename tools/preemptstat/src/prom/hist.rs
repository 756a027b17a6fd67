// SPDX-License-Identifier: GPL-2.0
//! The two histogram families: section durations per kind, and the wakeup latency over all CPUs.
//!
//! Both have `le` bounds that are bounds of the module's own buckets, written
//! as the last nanosecond the bucket holds ([`super::le`]), so every
//! cumulative count is exact.

use preemptstat_core::{
    bucket_hi_us, wakeup_bucket_hi_us, Histogram, Kind, Latency, Snapshot, HIST_BUCKETS,
    WAKEUP_HIST_BUCKETS,
};

use super::{le, seconds, Family};

/// The section histogram of `kind`: the sum of the histograms of its sites
/// in `sites`, with the sum of their `total_ns`. These are the sections the
/// site table recorded, the same ones for the buckets, `_sum` and `_count`;
/// the `hist` file also counts the sections dropped because the table was
/// full (`preemptstat_sections_dropped_total`), whose durations no file has.
fn section_hist(snapshot: &Snapshot, kind: Kind) -> (Histogram, u64) {
    let mut counts = [0u64; HIST_BUCKETS];
    let mut sum_ns = 0u64;
    for site in snapshot.sites.iter().filter(|s| s.kind == kind) {
        for (bucket, n) in site.hist.nonzero() {
            counts[bucket] = counts[bucket].saturating_add(n);
        }
        sum_ns = sum_ns.saturating_add(site.total_ns);
    }
    (Histogram::from_counts(counts), sum_ns)
}

/// Writes `preemptstat_section_duration_seconds`: per kind, every log2
/// bucket of the module, cumulative, then `_sum` and `_count`.
pub(super) fn write_sections(out: &mut String, snapshot: &Snapshot) {
    let name = "preemptstat_section_duration_seconds";
    let mut f = Family::new(
        out,
        name,
        "histogram",
        "Durations of the sections in the site table, per kind (the module's log2 buckets; le is the last nanosecond a bucket holds).",
    );
    for kind in Kind::ALL {
        let (h, sum_ns) = section_hist(snapshot, kind);
        let mut cumulative = 0u64;
        for bucket in 0..HIST_BUCKETS {
            cumulative = cumulative.saturating_add(h.get(bucket));
            f.sample(
                &format!("{name}_bucket"),
                &[("kind", kind.name()), ("le", &le(bucket_hi_us(bucket)))],
                cumulative,
            );
        }
        f.sample(
            &format!("{name}_sum"),
            &[("kind", kind.name())],
            seconds(sum_ns),
        );
        f.sample(
            &format!("{name}_count"),
            &[("kind", kind.name())],
            cumulative,
        );
    }
}

/// Whether the wakeup histogram exports the bound of bucket `bucket`: the
/// upper bounds that are powers of two (1, 2, 4 ... 2^24 µs), as in the
/// section histogram, and the last, open bucket (`+Inf`).
fn exported_wakeup_bound(bucket: usize) -> bool {
    wakeup_bucket_hi_us(bucket).is_none_or(u64::is_power_of_two)
}

/// Writes `preemptstat_wakeup_latency_seconds`: per latency, the wakeup
/// histograms of all CPUs added up, at the power-of-two bounds of the
/// module's log-linear buckets. `_count` is the histogram's total; `_sum`
/// is the sum over CPUs of `avg_ns × count` from the `wakeup` file, which
/// is short of the true sum by less than 1 ns per wakeup (the module prints
/// the mean rounded down).
pub(super) fn write_wakeup(out: &mut String, snapshot: &Snapshot) {
    let name = "preemptstat_wakeup_latency_seconds";
    let mut f = Family::new(
        out,
        name,
        "histogram",
        "Wakeup latency of the probe on all CPUs, per latency (power-of-two bounds of the module's buckets; le is the last nanosecond a bucket holds).",
    );
    for latency in Latency::ALL {
        let mut counts = [0u64; WAKEUP_HIST_BUCKETS];
        for cpu in snapshot.wakeup_hist.cpus() {
            if let Some(h) = snapshot.wakeup_hist.get(cpu, latency) {
                for (bucket, n) in h.nonzero() {
                    counts[bucket] = counts[bucket].saturating_add(n);
                }
            }
        }
        let mut cumulative = 0u64;
        for (bucket, n) in counts.iter().enumerate() {
            cumulative = cumulative.saturating_add(*n);
            if exported_wakeup_bound(bucket) {
                f.sample(
                    &format!("{name}_bucket"),
                    &[
                        ("latency", latency.name()),
                        ("le", &le(wakeup_bucket_hi_us(bucket))),
                    ],
                    cumulative,
                );
            }
        }
        let sum_ns = snapshot.wakeup.iter().fold(0u64, |acc, cpu| {
            let l = cpu.latency(latency);
            acc.saturating_add(l.avg_ns.saturating_mul(l.count))
        });
        f.sample(
            &format!("{name}_sum"),
            &[("latency", latency.name())],
            seconds(sum_ns),
        );
        f.sample(
            &format!("{name}_count"),
            &[("latency", latency.name())],
            cumulative,
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wakeup_bounds_are_the_powers_of_two_and_inf() {
        let bounds: Vec<Option<u64>> = (0..WAKEUP_HIST_BUCKETS)
            .filter(|&b| exported_wakeup_bound(b))
            .map(wakeup_bucket_hi_us)
            .collect();
        let mut expected: Vec<Option<u64>> = (0..=24).map(|i| Some(1u64 << i)).collect();
        expected.push(None);
        assert_eq!(bounds, expected);
    }
}
