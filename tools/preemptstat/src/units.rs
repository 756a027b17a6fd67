// SPDX-License-Identifier: GPL-2.0
//! Human-readable durations, sizes and timestamps for the text reports.

/// Formats a duration in nanoseconds with a unit that keeps it short:
/// `890 ns`, `456.7 us`, `1.23 ms`, `4.56 s`.
///
/// Values are rounded to the shown precision, half up; a value that rounds
/// up to 1000 of a unit is shown in the next unit (`999999 ns` is
/// `1.00 ms`, not `1000.0 us`).
///
/// ```
/// use preemptstat::units::format_ns;
///
/// assert_eq!(format_ns(890), "890 ns");
/// assert_eq!(format_ns(456_749), "456.7 us");
/// assert_eq!(format_ns(1_234_567), "1.23 ms");
/// assert_eq!(format_ns(12_345_678_901), "12.35 s");
/// ```
pub fn format_ns(ns: u64) -> String {
    if ns < 1000 {
        return format!("{ns} ns");
    }
    let tenths_us = round_div(ns, 100);
    if tenths_us < 10_000 {
        return format!("{}.{} us", tenths_us / 10, tenths_us % 10);
    }
    let hundredths_ms = round_div(ns, 10_000);
    if hundredths_ms < 100_000 {
        return format!("{}.{:02} ms", hundredths_ms / 100, hundredths_ms % 100);
    }
    let hundredths_s = round_div(ns, 10_000_000);
    format!("{}.{:02} s", hundredths_s / 100, hundredths_s % 100)
}

/// Formats a byte count: `512 B`, `2.00 KiB`, `2.07 MiB`, `1.50 GiB`.
///
/// ```
/// use preemptstat::units::format_bytes;
///
/// assert_eq!(format_bytes(512), "512 B");
/// assert_eq!(format_bytes(2_175_640), "2.07 MiB");
/// ```
pub fn format_bytes(bytes: u64) -> String {
    const UNITS: [&str; 4] = ["KiB", "MiB", "GiB", "TiB"];
    if bytes < 1024 {
        return format!("{bytes} B");
    }
    let hundredths = |scale: u128| {
        let n = u128::from(bytes) * 100;
        n / scale + u128::from(n % scale >= scale - scale / 2)
    };
    let mut unit = 0;
    let mut scale: u128 = 1024;
    // Move up while the value rounds to 1024 or more of the current unit.
    while unit + 1 < UNITS.len() && hundredths(scale) >= 102_400 {
        unit += 1;
        scale *= 1024;
    }
    let h = hundredths(scale);
    format!("{}.{:02} {}", h / 100, h % 100, UNITS[unit])
}

/// Formats a time since boot in nanoseconds as seconds with microsecond
/// precision, as `dmesg` does: `7.487691`.
///
/// ```
/// use preemptstat::units::format_time_s;
///
/// assert_eq!(format_time_s(7_487_691_316), "7.487691");
/// ```
pub fn format_time_s(ns: u64) -> String {
    format!("{}.{:06}", ns / 1_000_000_000, ns % 1_000_000_000 / 1000)
}

/// Formats `part` as a share of `whole` in whole percent, rounded half up:
/// `64 %`; `<1 %` for a share above 0 that rounds to 0; `0 %` for nothing
/// (or a `whole` of 0).
///
/// ```
/// use preemptstat::units::format_pct;
///
/// assert_eq!(format_pct(2_100_000, 3_281_250), "64 %");
/// assert_eq!(format_pct(1, 1000), "<1 %");
/// assert_eq!(format_pct(0, 0), "0 %");
/// ```
pub fn format_pct(part: u64, whole: u64) -> String {
    format_pct_wide(u128::from(part), u128::from(whole))
}

/// [`format_pct`] for sums of durations.
pub fn format_pct_wide(part: u128, whole: u128) -> String {
    if part == 0 || whole == 0 {
        return "0 %".to_string();
    }
    let pct = (part * 100 + whole / 2) / whole;
    if pct == 0 {
        "<1 %".to_string()
    } else {
        format!("{pct} %")
    }
}

/// `part` as a share of `whole` in percent with one decimal, for JSON:
/// `64.0`; 0 when `whole` is 0.
///
/// ```
/// use preemptstat::units::pct_tenths;
///
/// assert_eq!(pct_tenths(2_100_000, 3_281_250), 64.0);
/// assert_eq!(pct_tenths(1, 3), 33.3);
/// assert_eq!(pct_tenths(5, 0), 0.0);
/// ```
pub fn pct_tenths(part: u64, whole: u64) -> f64 {
    if whole == 0 {
        return 0.0;
    }
    let (part, whole) = (u128::from(part), u128::from(whole));
    let tenths = (part * 1000 + whole / 2) / whole;
    tenths as f64 / 10.0
}

/// `n / d` rounded half up, without overflow.
fn round_div(n: u64, d: u64) -> u64 {
    n / d + u64::from(n % d >= d - d / 2)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        for (ns, text) in [
            (0, "0 ns"),
            (999, "999 ns"),
            (1000, "1.0 us"),
            (1049, "1.0 us"),
            (1050, "1.1 us"),
            (456_700, "456.7 us"),
            (999_949, "999.9 us"),
            (999_950, "1.00 ms"),
            (1_000_000, "1.00 ms"),
            (2_377_856, "2.38 ms"),
            (999_994_999, "999.99 ms"),
            (999_995_000, "1.00 s"),
            (60_000_000_000, "60.00 s"),
            (u64::MAX, "18446744073.71 s"),
        ] {
            assert_eq!(format_ns(ns), text, "{ns}");
        }
    }

    #[test]
    fn bytes() {
        for (b, text) in [
            (0, "0 B"),
            (1023, "1023 B"),
            (1024, "1.00 KiB"),
            (1536, "1.50 KiB"),
            (1_048_575, "1.00 MiB"),
            (2_175_640, "2.07 MiB"),
            (3 << 30, "3.00 GiB"),
            (u64::MAX, "16777216.00 TiB"),
        ] {
            assert_eq!(format_bytes(b), text, "{b}");
        }
    }

    #[test]
    fn times() {
        assert_eq!(format_time_s(0), "0.000000");
        assert_eq!(format_time_s(1_000_000_999), "1.000000");
        assert_eq!(format_time_s(u64::MAX), "18446744073.709551");
    }

    #[test]
    fn percents() {
        for (part, whole, text) in [
            (0, 100, "0 %"),
            (1, 0, "0 %"),
            (1, 201, "<1 %"),
            (1, 200, "1 %"),
            (5, 1000, "1 %"),
            (4, 1000, "<1 %"),
            (995, 1000, "100 %"),
            (994, 1000, "99 %"),
            (u64::MAX, u64::MAX, "100 %"),
        ] {
            assert_eq!(format_pct(part, whole), text, "{part}/{whole}");
        }
        assert_eq!(pct_tenths(u64::MAX, u64::MAX), 100.0);
        assert_eq!(pct_tenths(2, 3), 66.7);
        assert_eq!(pct_tenths(0, 3), 0.0);
    }

    #[test]
    fn rounding() {
        assert_eq!(round_div(5, 10), 1);
        assert_eq!(round_div(4, 10), 0);
        assert_eq!(round_div(u64::MAX, 1), u64::MAX);
        assert_eq!(round_div(u64::MAX, 2), 1 << 63);
    }
}
