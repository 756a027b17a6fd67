// SPDX-License-Identifier: GPL-2.0
//! The control files (`enable`, `threshold_us`, `wakeup_enable`, `period_us`, `wakeup_threshold_us`, `reset`): parsing what they read back and checking values before they are written.
//!
//! `enable` and `wakeup_enable` read `0` or `1`; `threshold_us`,
//! `period_us` and `wakeup_threshold_us` read a decimal number of
//! microseconds. Each file holds the value and a newline, and accepts one
//! decimal number (with an optional newline) when written; `reset` is
//! write-only and takes `1`. The module rejects anything out of range with
//! `EINVAL`, so a reader checks values with [`Setting::validate`] first and
//! can say what is wrong.

use std::fmt;

use crate::error::{FieldError, ParseError};
use crate::line::{excerpt, parse_number};

/// The name of the file that turns recording on (`1`) and off (`0`).
pub const ENABLE_FILE: &str = "enable";

/// The name of the file holding the log threshold in microseconds.
pub const THRESHOLD_US_FILE: &str = "threshold_us";

/// The name of the write-only file that clears every statistic when `1` is
/// written to it.
pub const RESET_FILE: &str = "reset";

/// The largest value `threshold_us` accepts: 10 s.
pub const THRESHOLD_US_MAX: u64 = 10_000_000;

/// The name of the file that turns the wakeup probe on (`1`) and off (`0`).
pub const WAKEUP_ENABLE_FILE: &str = "wakeup_enable";

/// The name of the file holding the wakeup probe's timer period in
/// microseconds.
pub const PERIOD_US_FILE: &str = "period_us";

/// The smallest value `period_us` accepts: 100 µs.
pub const PERIOD_US_MIN: u64 = 100;

/// The largest value `period_us` accepts: 1 s.
pub const PERIOD_US_MAX: u64 = 1_000_000;

/// The name of the file holding the spike threshold of the wakeup probe in
/// microseconds.
pub const WAKEUP_THRESHOLD_US_FILE: &str = "wakeup_threshold_us";

/// The largest value `wakeup_threshold_us` accepts: 10 s.
pub const WAKEUP_THRESHOLD_US_MAX: u64 = 10_000_000;

/// A value a reader can set.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Setting {
    /// `enable`: 0 or 1.
    Enable,
    /// `threshold_us`: 0 to [`THRESHOLD_US_MAX`]; 0 turns the log off.
    ThresholdUs,
    /// `wakeup_enable`: 0 or 1.
    WakeupEnable,
    /// `period_us`: [`PERIOD_US_MIN`] to [`PERIOD_US_MAX`].
    PeriodUs,
    /// `wakeup_threshold_us`: 0 to [`WAKEUP_THRESHOLD_US_MAX`]; 0 turns
    /// spikes off.
    WakeupThresholdUs,
}

impl Setting {
    /// The file the setting lives in, which is also its name.
    pub fn file(self) -> &'static str {
        match self {
            Setting::Enable => ENABLE_FILE,
            Setting::ThresholdUs => THRESHOLD_US_FILE,
            Setting::WakeupEnable => WAKEUP_ENABLE_FILE,
            Setting::PeriodUs => PERIOD_US_FILE,
            Setting::WakeupThresholdUs => WAKEUP_THRESHOLD_US_FILE,
        }
    }

    /// The smallest and largest value the setting accepts.
    pub fn range(self) -> (u64, u64) {
        match self {
            Setting::Enable | Setting::WakeupEnable => (0, 1),
            Setting::ThresholdUs => (0, THRESHOLD_US_MAX),
            Setting::PeriodUs => (PERIOD_US_MIN, PERIOD_US_MAX),
            Setting::WakeupThresholdUs => (0, WAKEUP_THRESHOLD_US_MAX),
        }
    }

    /// The values the setting accepts, for messages: `0 or 1`, or
    /// `an integer from MIN to MAX`.
    pub fn expected(self) -> String {
        match self.range() {
            (0, 1) => "0 or 1".to_string(),
            (min, max) => format!("an integer from {min} to {max}"),
        }
    }

    /// Checks a value as the module would: decimal digits only (no sign,
    /// blanks or `0x`) within the setting's range.
    ///
    /// # Errors
    ///
    /// A [`FieldError`] saying what the setting accepts.
    ///
    /// ```
    /// use preemptstat_core::Setting;
    ///
    /// assert_eq!(Setting::ThresholdUs.validate("500"), Ok(500));
    /// assert!(Setting::ThresholdUs.validate("10000001").is_err());
    /// assert!(Setting::Enable.validate("on").is_err());
    /// assert!(Setting::PeriodUs.validate("50").is_err());
    /// ```
    pub fn validate(self, value: &str) -> Result<u64, FieldError> {
        let (min, max) = self.range();
        match parse_number::<u64>(value) {
            Ok(n) if (min..=max).contains(&n) => Ok(n),
            _ => Err(FieldError::new(format!(
                "invalid value {} for {self}: expected {}",
                excerpt(value),
                self.expected()
            ))),
        }
    }
}

impl fmt::Display for Setting {
    /// Writes the file name.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.file())
    }
}

/// Parses a file holding one number and an optional newline.
fn parse_single(text: &str) -> Result<u64, ParseError> {
    let body = text.strip_suffix('\n').unwrap_or(text);
    if body.is_empty() {
        return Err(ParseError::malformed(1, "file is empty"));
    }
    if body.contains('\n') {
        return Err(ParseError::malformed(2, "unexpected extra line"));
    }
    parse_number(body).map_err(|err| ParseError::malformed(1, err.reason()))
}

/// Parses the `enable` file: `0` or `1`.
///
/// # Errors
///
/// [`ParseError::Malformed`] for anything else.
pub fn parse_enable(text: &str) -> Result<bool, ParseError> {
    match parse_single(text)? {
        0 => Ok(false),
        1 => Ok(true),
        n => Err(ParseError::malformed(
            1,
            format!("expected 0 or 1, found {n}"),
        )),
    }
}

/// Parses the `threshold_us` file: a decimal `u64`.
///
/// # Errors
///
/// [`ParseError::Malformed`] for anything else.
pub fn parse_threshold_us(text: &str) -> Result<u64, ParseError> {
    parse_single(text)
}

/// Parses the `period_us` file: a decimal `u64`.
///
/// # Errors
///
/// [`ParseError::Malformed`] for anything else.
pub fn parse_period_us(text: &str) -> Result<u64, ParseError> {
    parse_single(text)
}

/// Parses the `wakeup_threshold_us` file: a decimal `u64`.
///
/// # Errors
///
/// [`ParseError::Malformed`] for anything else.
pub fn parse_wakeup_threshold_us(text: &str) -> Result<u64, ParseError> {
    parse_single(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn enable_file() {
        assert_eq!(parse_enable("0\n"), Ok(false));
        assert_eq!(parse_enable("1"), Ok(true));
        for bad in ["", "\n", "2\n", "1\n1\n", "yes\n", " 1\n", "1\n\n"] {
            assert!(parse_enable(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn threshold_file() {
        assert_eq!(parse_threshold_us("500\n"), Ok(500));
        assert_eq!(
            parse_threshold_us("x\n"),
            Err(ParseError::malformed(
                1,
                "expected an unsigned decimal integer, found \"x\""
            ))
        );
    }

    #[test]
    fn validation() {
        assert_eq!(Setting::Enable.validate("0"), Ok(0));
        assert_eq!(Setting::Enable.validate("1"), Ok(1));
        assert_eq!(
            Setting::ThresholdUs.validate("10000000"),
            Ok(THRESHOLD_US_MAX)
        );
        assert_eq!(Setting::ThresholdUs.validate("0"), Ok(0));
        for bad in ["", "2", "-1", "+1", " 1", "1 ", "0x1", "true", "1\n"] {
            assert!(Setting::Enable.validate(bad).is_err(), "{bad:?}");
        }
        let err = Setting::ThresholdUs.validate("10000001").unwrap_err();
        assert_eq!(
            err.reason(),
            "invalid value \"10000001\" for threshold_us: expected an integer from 0 to 10000000"
        );
        assert!(Setting::ThresholdUs
            .validate("99999999999999999999999")
            .is_err());
    }

    #[test]
    fn wakeup_settings() {
        assert_eq!(Setting::WakeupEnable.file(), "wakeup_enable");
        assert_eq!(Setting::WakeupEnable.validate("1"), Ok(1));
        assert!(Setting::WakeupEnable.validate("2").is_err());
        assert_eq!(Setting::PeriodUs.validate("100"), Ok(100));
        assert_eq!(Setting::PeriodUs.validate("1000000"), Ok(1_000_000));
        for bad in ["0", "50", "99", "1000001", "-100", ""] {
            assert!(Setting::PeriodUs.validate(bad).is_err(), "{bad:?}");
        }
        assert_eq!(
            Setting::PeriodUs.validate("50").unwrap_err().reason(),
            "invalid value \"50\" for period_us: expected an integer from 100 to 1000000"
        );
        assert_eq!(Setting::WakeupThresholdUs.validate("0"), Ok(0));
        assert_eq!(
            Setting::WakeupThresholdUs.validate("10000000"),
            Ok(WAKEUP_THRESHOLD_US_MAX)
        );
        assert!(Setting::WakeupThresholdUs.validate("10000001").is_err());
        assert_eq!(
            Setting::WakeupThresholdUs.to_string(),
            "wakeup_threshold_us"
        );
        assert_eq!(parse_period_us("1000\n"), Ok(1000));
        assert_eq!(parse_wakeup_threshold_us("3000\n"), Ok(3000));
        assert!(parse_period_us("1000\n5\n").is_err());
    }
}
