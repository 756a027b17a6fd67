// SPDX-License-Identifier: GPL-2.0
//! Task names (`comm`): the module's escaping, undone.
//!
//! A task name is up to 15 arbitrary bytes. So that it stays one field, the
//! module writes every byte outside `!`..`~`, and the backslash, as `\xHH`
//! with two lowercase hex digits, and an empty name as `-`:
//!
//! ```
//! use preemptstat_core::{escape_comm, unescape_comm};
//!
//! assert_eq!(unescape_comm("kworker/0:1").unwrap(), b"kworker/0:1");
//! assert_eq!(unescape_comm("my\\x20task").unwrap(), b"my task");
//! assert_eq!(unescape_comm("-").unwrap(), b"");
//! assert_eq!(escape_comm(b"my task"), "my\\x20task");
//! ```
//!
//! (A task really named `-` reads back as the empty name; the format cannot
//! tell them apart.)

use std::borrow::Cow;
use std::fmt::{self, Write};
use std::str::FromStr;

use crate::error::FieldError;
use crate::line::excerpt;

/// A task name: the bytes of the task's `comm`, unescaped.
#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Comm(Vec<u8>);

impl Comm {
    /// A task name made of `bytes`.
    pub fn from_bytes(bytes: impl Into<Vec<u8>>) -> Self {
        Comm(bytes.into())
    }

    /// The name's bytes.
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    /// Whether the name is empty.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The name as text, with invalid UTF-8 replaced by U+FFFD.
    pub fn to_string_lossy(&self) -> Cow<'_, str> {
        String::from_utf8_lossy(&self.0)
    }

    /// The name as the module writes it (see [`escape_comm`]).
    pub fn escaped(&self) -> String {
        escape_comm(&self.0)
    }
}

impl fmt::Display for Comm {
    /// Writes the name for a terminal: UTF-8 text as it is, except that
    /// control characters, the backslash and bytes that are not UTF-8 are
    /// `\xHH`; the empty name is `-`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.is_empty() {
            return f.write_char('-');
        }
        for chunk in self.0.utf8_chunks() {
            for c in chunk.valid().chars() {
                if c.is_control() || c == '\\' {
                    let mut buf = [0u8; 4];
                    for b in c.encode_utf8(&mut buf).bytes() {
                        write!(f, "\\x{b:02x}")?;
                    }
                } else {
                    f.write_char(c)?;
                }
            }
            for b in chunk.invalid() {
                write!(f, "\\x{b:02x}")?;
            }
        }
        Ok(())
    }
}

impl FromStr for Comm {
    type Err = FieldError;

    /// Same as [`unescape_comm`].
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        unescape_comm(s).map(Comm)
    }
}

/// Undoes the module's escaping of a task name field.
///
/// # Errors
///
/// An empty field, a character outside `!`..`~`, or a backslash not
/// followed by `x` and two lowercase hex digits.
pub fn unescape_comm(field: &str) -> Result<Vec<u8>, FieldError> {
    if field == "-" {
        return Ok(Vec::new());
    }
    if field.is_empty() {
        return Err(FieldError::new("empty task name (the empty name is `-`)"));
    }
    let bytes = field.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        if b == b'\\' {
            let value = match bytes.get(i + 1..i + 4) {
                Some([b'x', hi, lo]) => hex_digit(*hi).zip(hex_digit(*lo)),
                _ => None,
            };
            let Some((hi, lo)) = value else {
                return Err(FieldError::new(format!(
                    "bad escape in task name {} (expected \\xHH, lowercase hex)",
                    excerpt(field)
                )));
            };
            out.push(hi << 4 | lo);
            i += 4;
        } else if (b'!'..=b'~').contains(&b) {
            out.push(b);
            i += 1;
        } else {
            return Err(FieldError::new(format!(
                "unescaped character in task name {}",
                excerpt(field)
            )));
        }
    }
    Ok(out)
}

/// Escapes a task name as the module does: bytes outside `!`..`~` and the
/// backslash become `\xHH` (lowercase hex); the empty name becomes `-`, and the
/// name `-` becomes `\x2d`, so that the two stay apart.
pub fn escape_comm(bytes: &[u8]) -> String {
    if bytes.is_empty() {
        return "-".to_string();
    }
    // A task really named `-` must not read back as the empty name.
    if bytes == b"-" {
        return "\\x2d".to_string();
    }
    let mut out = String::with_capacity(bytes.len());
    for &b in bytes {
        if (b'!'..=b'~').contains(&b) && b != b'\\' {
            out.push(char::from(b));
        } else {
            // Writing to a String cannot fail.
            let _ = write!(out, "\\x{b:02x}");
        }
    }
    out
}

/// The value of a lowercase hex digit.
fn hex_digit(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        _ => None,
    }
}

#[cfg(test)]
mod tests {

    #[test]
    fn a_task_named_dash_is_not_the_empty_name() {
        assert_eq!(escape_comm(b"-"), "\\x2d");
        assert_eq!(unescape_comm("\\x2d").unwrap(), b"-".to_vec());
        assert_eq!(escape_comm(b""), "-");
        assert_eq!(unescape_comm("-").unwrap(), Vec::<u8>::new());
    }

    use super::*;

    #[test]
    fn plain_names() {
        let c: Comm = "ps_inject/1".parse().unwrap();
        assert_eq!(c.as_bytes(), b"ps_inject/1");
        assert_eq!(c.to_string(), "ps_inject/1");
        assert_eq!(c.escaped(), "ps_inject/1");
    }

    #[test]
    fn escapes() {
        let c: Comm = "a\\x20b\\x5c\\xff\\x01".parse().unwrap();
        assert_eq!(c.as_bytes(), b"a b\\\xff\x01");
        assert_eq!(c.escaped(), "a\\x20b\\x5c\\xff\\x01");
        assert_eq!(c.to_string(), "a b\\x5c\\xff\\x01");
        assert_eq!(c.to_string_lossy(), "a b\\\u{fffd}\u{1}");
    }

    #[test]
    fn utf8_names_display_as_text() {
        let c: Comm = "\\xc3\\xa9t\\xc3\\xa9".parse().unwrap();
        assert_eq!(c.to_string(), "été");
        assert_eq!(c.escaped(), "\\xc3\\xa9t\\xc3\\xa9");
    }

    #[test]
    fn empty() {
        let c: Comm = "-".parse().unwrap();
        assert!(c.is_empty());
        assert_eq!(c.to_string(), "-");
        assert_eq!(c.escaped(), "-");
        assert!("".parse::<Comm>().is_err());
    }

    #[test]
    fn bad_escapes() {
        for bad in [
            "\\", "\\x", "\\x1", "\\xg0", "\\xAB", "\\y41", "a\\", "a b", "é", "a\tb",
        ] {
            assert!(unescape_comm(bad).is_err(), "{bad:?}");
        }
    }
}
