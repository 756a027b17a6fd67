// SPDX-License-Identifier: GPL-2.0
//! The `version` file: which debugfs text format the loaded module writes.
//!
//! The file holds exactly one line, the words `preemptstat debugfs format`,
//! one space and the format version as a positive decimal integer without
//! leading zeros, then a newline:
//!
//! ```text
//! preemptstat debugfs format 2
//! ```
//!
//! The final newline may be missing (a reader may get the text from
//! somewhere other than the file); anything else — leading or trailing
//! blanks, a second line, an extra token, `0`, a sign, leading zeros, a
//! number that does not fit in a `u32` — is [`ParseError::Malformed`]. A
//! well-formed version other than [`SUPPORTED_FORMAT_VERSION`] is
//! [`ParseError::UnsupportedVersion`].

use std::fmt;
use std::str::FromStr;

use crate::error::ParseError;
use crate::line::excerpt;

/// The name of the version file inside the module's debugfs directory.
///
/// ```text
/// /sys/kernel/debug/preemptstat/version
/// ```
pub const VERSION_FILE: &str = "version";

/// The only debugfs format version this reader understands.
///
/// The kernel module bumps its version on any change a reader could notice,
/// so a reader must refuse every other version. For this one the file reads:
///
/// ```text
/// preemptstat debugfs format 2
/// ```
///
/// Format 2 is format 1 plus the latency breakdown of every spike (the
/// `spikes_worst`, `spike_parts` and `causes` files, the cause columns of
/// `spikes` and `breakdown_dropped` in `summary`). This reader reads
/// format 2 only.
pub const SUPPORTED_FORMAT_VERSION: u32 = 2;

/// The words before the version number, without the separating space.
const PREFIX: &str = "preemptstat debugfs format";

/// A format version read from the `version` file and supported by this
/// reader.
///
/// Its [`Display`](fmt::Display) form is the file's line without the
/// newline, so it parses back to itself:
///
/// ```text
/// preemptstat debugfs format 2
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct FormatVersion(u32);

impl FormatVersion {
    /// The version this reader supports, [`SUPPORTED_FORMAT_VERSION`].
    pub const SUPPORTED: FormatVersion = FormatVersion(SUPPORTED_FORMAT_VERSION);

    /// The version number, e.g. `2` for `preemptstat debugfs format 2`.
    pub fn get(self) -> u32 {
        self.0
    }
}

impl fmt::Display for FormatVersion {
    /// Writes `preemptstat debugfs format <N>` (no newline).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{PREFIX} {}", self.0)
    }
}

impl FromStr for FormatVersion {
    type Err = ParseError;

    /// Same as [`parse_version`].
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        parse_version(s)
    }
}

/// Parses the whole contents of the `version` file.
///
/// Accepts exactly
///
/// ```text
/// preemptstat debugfs format <N>
/// ```
///
/// with an optional final newline, where `<N>` is a positive decimal `u32`
/// with no sign and no leading zeros.
///
/// # Errors
///
/// [`ParseError::Malformed`] for any other text (including an empty file),
/// and [`ParseError::UnsupportedVersion`] when `<N>` is not
/// [`SUPPORTED_FORMAT_VERSION`].
///
/// ```
/// use preemptstat_core::{parse_version, ParseError, VersionSkew};
///
/// assert_eq!(parse_version("preemptstat debugfs format 2\n").unwrap().get(), 2);
///
/// let err = parse_version("preemptstat debugfs format 3\n").unwrap_err();
/// assert_eq!(err, ParseError::UnsupportedVersion { found: 3, supported: 2 });
/// assert_eq!(err.version_skew(), Some(VersionSkew::Newer));
///
/// let err = parse_version("preemptstat debugfs format 1\n").unwrap_err();
/// assert_eq!(err.version_skew(), Some(VersionSkew::Older));
///
/// assert!(matches!(
///     parse_version("preemptstat debugfs format 2 extra\n"),
///     Err(ParseError::Malformed { line: 1, .. })
/// ));
/// ```
pub fn parse_version(text: &str) -> Result<FormatVersion, ParseError> {
    if text.is_empty() {
        return Err(ParseError::malformed(1, "file is empty"));
    }
    let body = text.strip_suffix('\n').unwrap_or(text);
    let (line, rest) = match body.split_once('\n') {
        Some((line, rest)) => (line, Some(rest)),
        None => (body, None),
    };
    // Check the first line fully before looking past it, so the error names
    // the first problem in the file.
    let version = parse_number(number_field(line)?)?;
    if rest.is_some() {
        return Err(ParseError::malformed(
            2,
            "unexpected extra line after the version line",
        ));
    }
    if version != SUPPORTED_FORMAT_VERSION {
        return Err(ParseError::UnsupportedVersion {
            found: version,
            supported: SUPPORTED_FORMAT_VERSION,
        });
    }
    Ok(FormatVersion(version))
}

/// Returns what follows `preemptstat debugfs format ` on the line.
fn number_field(line: &str) -> Result<&str, ParseError> {
    let expected = || {
        ParseError::malformed(
            1,
            format!("expected `{PREFIX} <N>`, found {}", excerpt(line)),
        )
    };
    if line.is_empty() {
        return Err(ParseError::malformed(1, "line is empty"));
    }
    let after = line.strip_prefix(PREFIX).ok_or_else(expected)?;
    if after.is_empty() {
        return Err(ParseError::malformed(1, "missing version number"));
    }
    let number = after.strip_prefix(' ').ok_or_else(expected)?;
    if number.is_empty() {
        return Err(ParseError::malformed(1, "missing version number"));
    }
    if number.starts_with(char::is_whitespace) {
        return Err(ParseError::malformed(
            1,
            "expected exactly one space before the version number",
        ));
    }
    if let Some(end) = number.find(char::is_whitespace) {
        // Quote from the separator on, so trailing blanks show up too.
        return Err(ParseError::malformed(
            1,
            format!(
                "unexpected text after the version number: {}",
                excerpt(&number[end..])
            ),
        ));
    }
    Ok(number)
}

/// Parses the version number token: positive decimal `u32`, no sign, no
/// leading zeros.
fn parse_number(token: &str) -> Result<u32, ParseError> {
    if !token.bytes().all(|b| b.is_ascii_digit()) {
        return Err(ParseError::malformed(
            1,
            format!(
                "version number is not a decimal integer: {}",
                excerpt(token)
            ),
        ));
    }
    if token == "0" {
        return Err(ParseError::malformed(
            1,
            "format version 0 is not valid (versions start at 1)",
        ));
    }
    if token.starts_with('0') {
        return Err(ParseError::malformed(
            1,
            format!("version number has leading zeros: {}", excerpt(token)),
        ));
    }
    token.parse::<u32>().map_err(|_| {
        ParseError::malformed(
            1,
            format!(
                "version number {} is out of range (at most {})",
                excerpt(token),
                u32::MAX
            ),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::VersionSkew;

    /// Asserts `text` is malformed at `line` with a reason containing `needle`.
    #[track_caller]
    fn assert_malformed(text: &str, line: usize, needle: &str) {
        match parse_version(text) {
            Err(ParseError::Malformed { line: l, reason }) => {
                assert_eq!(l, line, "line for {text:?} ({reason})");
                assert!(
                    reason.contains(needle),
                    "reason for {text:?} is {reason:?}, expected it to contain {needle:?}"
                );
            }
            other => panic!("expected Malformed for {text:?}, got {other:?}"),
        }
    }

    #[test]
    fn valid_with_newline() {
        let v = parse_version("preemptstat debugfs format 2\n").unwrap();
        assert_eq!(v.get(), 2);
        assert_eq!(v, FormatVersion::SUPPORTED);
    }

    #[test]
    fn trailing_newline_is_optional() {
        assert_eq!(
            parse_version("preemptstat debugfs format 2"),
            Ok(FormatVersion::SUPPORTED)
        );
    }

    #[test]
    fn from_str_and_display_round_trip() {
        let v: FormatVersion = "preemptstat debugfs format 2\n".parse().unwrap();
        assert_eq!(v.to_string(), "preemptstat debugfs format 2");
        assert_eq!(v.to_string().parse::<FormatVersion>(), Ok(v));
    }

    #[test]
    fn extra_line_is_malformed() {
        assert_malformed("preemptstat debugfs format 2\nmore\n", 2, "extra line");
        assert_malformed("preemptstat debugfs format 2\n\n", 2, "extra line");
        assert_malformed("preemptstat debugfs format 2\nx", 2, "extra line");
    }

    #[test]
    fn extra_token_is_malformed() {
        assert_malformed("preemptstat debugfs format 2 2\n", 1, "after the version");
        assert_malformed("preemptstat debugfs format 2 \n", 1, "after the version");
        assert_malformed("preemptstat debugfs format 2\t\n", 1, "after the version");
        assert_malformed("preemptstat debugfs format 2\r\n", 1, "after the version");
    }

    #[test]
    fn zero_is_malformed() {
        assert_malformed("preemptstat debugfs format 0\n", 1, "version 0");
    }

    #[test]
    fn overflow_is_malformed() {
        assert_malformed("preemptstat debugfs format 4294967296\n", 1, "out of range");
        assert_malformed(
            "preemptstat debugfs format 99999999999999999999999999\n",
            1,
            "out of range",
        );
    }

    #[test]
    fn u32_max_is_well_formed_but_unsupported() {
        assert_eq!(
            parse_version("preemptstat debugfs format 4294967295\n"),
            Err(ParseError::UnsupportedVersion {
                found: u32::MAX,
                supported: 2
            })
        );
    }

    #[test]
    fn garbage_is_malformed() {
        assert_malformed("hello\n", 1, "expected `preemptstat debugfs format <N>`");
        assert_malformed("\u{0}\u{ffff}", 1, "expected");
        assert_malformed("preemptstat debugfs format one\n", 1, "not a decimal");
        assert_malformed("preemptstat debugfs format +1\n", 1, "not a decimal");
        assert_malformed("preemptstat debugfs format -1\n", 1, "not a decimal");
        assert_malformed("preemptstat debugfs format 2x\n", 1, "not a decimal");
        assert_malformed("preemptstat debugfs format 01\n", 1, "leading zeros");
    }

    #[test]
    fn leading_junk_is_malformed() {
        assert_malformed(" preemptstat debugfs format 2\n", 1, "expected");
        assert_malformed("xpreemptstat debugfs format 2\n", 1, "expected");
        assert_malformed("\npreemptstat debugfs format 2\n", 1, "line is empty");
        assert_malformed("\u{feff}preemptstat debugfs format 2\n", 1, "expected");
    }

    #[test]
    fn wrong_spacing_or_words_are_malformed() {
        assert_malformed("preemptstat debugfs format\n", 1, "missing version");
        assert_malformed("preemptstat debugfs format \n", 1, "missing version");
        assert_malformed("preemptstat debugfs format  1\n", 1, "exactly one space");
        assert_malformed("preemptstat debugfs format\t1\n", 1, "expected");
        assert_malformed("preemptstat debugfs formats 1\n", 1, "expected");
        assert_malformed("preemptstat  debugfs format 2\n", 1, "expected");
        assert_malformed("PREEMPTSTAT DEBUGFS FORMAT 1\n", 1, "expected");
    }

    #[test]
    fn truncated_is_malformed() {
        assert_malformed("preemptstat debu", 1, "expected");
        assert_malformed("preemptstat debugfs format", 1, "missing version");
    }

    #[test]
    fn empty_is_malformed() {
        assert_malformed("", 1, "file is empty");
        assert_malformed("\n", 1, "line is empty");
    }

    #[test]
    fn unsupported_newer() {
        let err = parse_version("preemptstat debugfs format 3\n").unwrap_err();
        assert_eq!(
            err,
            ParseError::UnsupportedVersion {
                found: 3,
                supported: SUPPORTED_FORMAT_VERSION
            }
        );
        assert_eq!(err.version_skew(), Some(VersionSkew::Newer));
        assert_eq!(
            err.to_string(),
            "format version 3 is newer than this reader, which reads format 2"
        );
    }

    #[test]
    fn unsupported_older() {
        // Format 1, the format before the latency breakdown, is well formed
        // but no longer read.
        let err = parse_version("preemptstat debugfs format 1\n").unwrap_err();
        assert_eq!(
            err,
            ParseError::UnsupportedVersion {
                found: 1,
                supported: 2
            }
        );
        assert_eq!(err.version_skew(), Some(VersionSkew::Older));
        assert_eq!(
            err.to_string(),
            "format version 1 is older than this reader, which reads format 2"
        );
        assert_eq!(VersionSkew::between(1, 3), VersionSkew::Older);
        assert_eq!(VersionSkew::between(4, 3), VersionSkew::Newer);
    }

    #[test]
    fn malformed_display_is_one_line_and_bounded() {
        let long = format!("{}\u{7}\r", "x".repeat(1000));
        let err = parse_version(&long).unwrap_err();
        let msg = err.to_string();
        assert!(msg.starts_with("malformed: line 1: "), "{msg}");
        assert!(!msg.contains('\n') && !msg.contains('\r'), "{msg:?}");
        assert!(msg.len() < 200, "{} bytes: {msg}", msg.len());
        assert_eq!(err.version_skew(), None);
    }
}
