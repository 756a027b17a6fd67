// SPDX-License-Identifier: GPL-2.0
//! The error type shared by every parser in this crate.

use std::fmt;

/// Why the contents of a debugfs file could not be turned into a model.
///
/// The [`Display`](fmt::Display) form is always a single line with no file
/// name in it, so that a caller can prefix the path it read:
///
/// ```text
/// malformed: line 1: expected `preemptstat debugfs format <N>`, found "hello"
/// format version 3 is newer than this reader, which reads format 2
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ParseError {
    /// The text does not follow the file's format: truncated, extra or
    /// missing lines or tokens, a bad number, and so on.
    #[error("malformed: line {line}: {reason}")]
    Malformed {
        /// The 1-based line number where the problem was found.
        line: usize,
        /// What was wrong, as one line of text.
        reason: String,
    },

    /// The `version` file names a well-formed format version that this
    /// reader does not support. See [`ParseError::version_skew`] for which
    /// side is out of date.
    #[error(
        "format version {found} is {} than this reader, which reads format {supported}",
        VersionSkew::between(*found, *supported)
    )]
    UnsupportedVersion {
        /// The version the kernel module reports.
        found: u32,
        /// The version this reader supports.
        supported: u32,
    },
}

impl ParseError {
    /// Builds a [`ParseError::Malformed`] for the 1-based `line`.
    pub fn malformed(line: usize, reason: impl Into<String>) -> Self {
        ParseError::Malformed {
            line,
            reason: reason.into(),
        }
    }

    /// For [`ParseError::UnsupportedVersion`], whether the module's format is
    /// newer or older than this reader's; `None` for every other variant.
    pub fn version_skew(&self) -> Option<VersionSkew> {
        match *self {
            ParseError::UnsupportedVersion { found, supported } => {
                Some(VersionSkew::between(found, supported))
            }
            ParseError::Malformed { .. } => None,
        }
    }
}

/// Why one field (a token between spaces) could not be parsed.
///
/// It is a single line without a line number; the record parsers turn it
/// into [`ParseError::Malformed`] naming the line and the field, for example
///
/// ```text
/// malformed: line 3: field `kind`: unknown kind "softirq" (expected preempt, irq or any)
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{reason}")]
pub struct FieldError {
    reason: String,
}

impl FieldError {
    /// A field error with the one-line `reason`.
    pub fn new(reason: impl Into<String>) -> Self {
        FieldError {
            reason: reason.into(),
        }
    }

    /// What was wrong, as one line of text.
    pub fn reason(&self) -> &str {
        &self.reason
    }
}

/// Which side of an unsupported format version is out of date.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VersionSkew {
    /// The module writes a newer format than this reader understands:
    /// update the reader.
    Newer,
    /// The module writes an older format than this reader understands:
    /// load a matching module or use an older reader.
    Older,
}

impl VersionSkew {
    /// Compares the `found` version with the `supported` one. Equal versions
    /// never make an error; they count as [`VersionSkew::Older`] here.
    pub fn between(found: u32, supported: u32) -> Self {
        if found > supported {
            VersionSkew::Newer
        } else {
            VersionSkew::Older
        }
    }
}

impl fmt::Display for VersionSkew {
    /// Writes `newer` or `older`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            VersionSkew::Newer => "newer",
            VersionSkew::Older => "older",
        })
    }
}
