// SPDX-License-Identifier: GPL-2.0
//! Shared helpers for the record files: splitting into numbered lines and into single-space separated fields.
//!
//! Every record file (`summary`, `sites`, `worst`, `log`, `hist`, `wakeup`,
//! `wakeup_hist`, `spikes`, `spikes_worst`, `spike_parts`, `causes`) has one record per line, fields separated by
//! exactly one space, and may have comment lines starting with `#` that
//! describe the columns. The kernel
//! ends every line with a newline, so a file whose last line has none was
//! cut short and is rejected before its last line is looked at.

use std::iter::Peekable;
use std::str::{FromStr, Split};

use crate::error::{FieldError, ParseError};
use crate::kind::{Context, ContextSet, Kind};
use crate::symbol::Symbol;

/// How many characters of offending input an error message quotes.
const EXCERPT_CHARS: usize = 40;

/// Quotes at most [`EXCERPT_CHARS`] characters of `s`, escaped so that the
/// result is always a single printable line.
pub(crate) fn excerpt(s: &str) -> String {
    let mut chars = s.chars();
    let head: String = chars.by_ref().take(EXCERPT_CHARS).collect();
    let more = if chars.next().is_some() { "..." } else { "" };
    format!("{head:?}{more}")
}

/// One record line: its 1-based number in the file and its text without the
/// newline.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Line<'a> {
    /// The 1-based line number.
    pub(crate) number: usize,
    /// The text, without the newline.
    pub(crate) text: &'a str,
}

impl<'a> Line<'a> {
    /// The line's fields.
    pub(crate) fn fields(self) -> Fields<'a> {
        Fields {
            line: self.number,
            tokens: self.text.split(' ').peekable(),
        }
    }

    /// A [`ParseError::Malformed`] for this line.
    pub(crate) fn error(self, reason: impl Into<String>) -> ParseError {
        ParseError::malformed(self.number, reason)
    }
}

/// The record lines of a whole file, skipping `#` comment lines.
///
/// # Errors
///
/// A non-empty file whose last line has no newline is truncated; an empty
/// line is malformed.
pub(crate) fn record_lines(text: &str) -> Result<Vec<Line<'_>>, ParseError> {
    if !text.is_empty() && !text.ends_with('\n') {
        let last = text.matches('\n').count() + 1;
        return Err(ParseError::malformed(
            last,
            "truncated: the last line does not end with a newline (was the file cut short?)",
        ));
    }
    let mut lines = Vec::new();
    let Some(body) = text.strip_suffix('\n') else {
        return Ok(lines);
    };
    // Not `str::lines`, which would quietly drop a `\r` before the newline.
    for (i, text) in body.split('\n').enumerate() {
        let number = i + 1;
        if text.starts_with('#') {
            continue;
        }
        if text.is_empty() {
            return Err(ParseError::malformed(number, "empty line"));
        }
        lines.push(Line { number, text });
    }
    Ok(lines)
}

/// The number the next line after `text` would have: where an error about
/// something missing at the end of the file points.
pub(crate) fn end_line(text: &str) -> usize {
    text.matches('\n').count() + 1
}

/// The single-space separated fields of one line, consumed left to right.
#[derive(Debug, Clone)]
pub(crate) struct Fields<'a> {
    line: usize,
    tokens: Peekable<Split<'a, char>>,
}

impl<'a> Fields<'a> {
    /// A [`ParseError::Malformed`] for this line.
    pub(crate) fn error(&self, reason: impl Into<String>) -> ParseError {
        ParseError::malformed(self.line, reason)
    }

    /// A [`ParseError::Malformed`] for this line about the field `what`.
    pub(crate) fn field_error(&self, what: &str, err: FieldError) -> ParseError {
        self.error(format!("field `{what}`: {err}"))
    }

    /// The next field, called `what` in errors.
    pub(crate) fn next(&mut self, what: &str) -> Result<&'a str, ParseError> {
        match self.tokens.next() {
            None => Err(self.error(format!("missing field `{what}`"))),
            Some("") => Err(self.error(format!(
                "field `{what}` is empty (fields are separated by single spaces)"
            ))),
            Some(token) => Ok(token),
        }
    }

    /// The next field as an unsigned decimal integer.
    pub(crate) fn number<T: FromStr>(&mut self, what: &str) -> Result<T, ParseError> {
        let token = self.next(what)?;
        parse_number(token).map_err(|err| self.field_error(what, err))
    }

    /// The next field as a [`Kind`].
    pub(crate) fn kind(&mut self) -> Result<Kind, ParseError> {
        let token = self.next("kind")?;
        token.parse().map_err(|err| self.field_error("kind", err))
    }

    /// The next field as a [`Context`].
    pub(crate) fn context(&mut self) -> Result<Context, ParseError> {
        let token = self.next("context")?;
        token
            .parse()
            .map_err(|err| self.field_error("context", err))
    }

    /// The next field as a [`ContextSet`].
    pub(crate) fn contexts(&mut self) -> Result<ContextSet, ParseError> {
        let token = self.next("contexts")?;
        token
            .parse()
            .map_err(|err| self.field_error("contexts", err))
    }

    /// The next symbol: one `function+0xoff/0xsize` or `?` field, plus the
    /// following field if it is a `[module]`.
    pub(crate) fn symbol(&mut self, what: &str) -> Result<Symbol, ParseError> {
        let token = self.next(what)?;
        let module = match self.tokens.peek() {
            Some(next) if next.starts_with('[') => self.tokens.next(),
            _ => None,
        };
        Symbol::from_fields(token, module).map_err(|err| self.field_error(what, err))
    }

    /// Whether the next field is `-`, consuming it if it is. A missing or
    /// empty field is not `-` (the next read reports it).
    pub(crate) fn take_dash(&mut self) -> bool {
        let dash = self.tokens.peek() == Some(&"-");
        if dash {
            self.tokens.next();
        }
        dash
    }

    /// The next field, which must be `-` because of `why`.
    pub(crate) fn dash(&mut self, what: &str, why: &str) -> Result<(), ParseError> {
        let token = self.next(what)?;
        if token == "-" {
            Ok(())
        } else {
            Err(self.error(format!(
                "field `{what}`: expected `-` ({why}), found {}",
                excerpt(token)
            )))
        }
    }

    /// The next field parsed with [`FromStr`], called `what` in errors.
    pub(crate) fn parse<T: FromStr<Err = FieldError>>(
        &mut self,
        what: &str,
    ) -> Result<T, ParseError> {
        let token = self.next(what)?;
        token.parse().map_err(|err| self.field_error(what, err))
    }

    /// Checks that every field was consumed.
    pub(crate) fn finish(mut self) -> Result<(), ParseError> {
        match self.tokens.next() {
            None => Ok(()),
            Some(extra) => Err(self.error(format!("unexpected extra field {}", excerpt(extra)))),
        }
    }
}

/// Parses an unsigned decimal integer: ASCII digits only, no sign.
pub(crate) fn parse_number<T: FromStr>(token: &str) -> Result<T, FieldError> {
    if token.is_empty() || !token.bytes().all(|b| b.is_ascii_digit()) {
        return Err(FieldError::new(format!(
            "expected an unsigned decimal integer, found {}",
            excerpt(token)
        )));
    }
    token
        .parse()
        .map_err(|_| FieldError::new(format!("number {} is out of range", excerpt(token))))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comments_are_skipped_and_numbers_kept() {
        let lines = record_lines("# header\na\n# again\nb c\n").unwrap();
        let got: Vec<_> = lines.iter().map(|l| (l.number, l.text)).collect();
        assert_eq!(got, [(2, "a"), (4, "b c")]);
    }

    #[test]
    fn empty_file_has_no_records() {
        assert!(record_lines("").unwrap().is_empty());
        assert_eq!(end_line(""), 1);
        assert_eq!(end_line("a\nb\n"), 3);
    }

    #[test]
    fn missing_final_newline_is_truncation() {
        let err = record_lines("a\nb").unwrap_err();
        assert!(
            matches!(&err, ParseError::Malformed { line: 2, reason } if reason.contains("truncated")),
            "{err:?}"
        );
    }

    #[test]
    fn carriage_returns_are_kept() {
        let lines = record_lines("a\r\n").unwrap();
        assert_eq!(lines[0].text, "a\r");
    }

    #[test]
    fn empty_line_is_malformed() {
        assert_eq!(
            record_lines("a\n\nb\n").unwrap_err(),
            ParseError::malformed(2, "empty line")
        );
    }

    #[test]
    fn fields_report_problems() {
        let line = Line {
            number: 7,
            text: "12  x",
        };
        let mut f = line.fields();
        assert_eq!(f.number::<u64>("count"), Ok(12));
        let err = f.next("total_ns").unwrap_err();
        assert!(err
            .to_string()
            .contains("line 7: field `total_ns` is empty"));
        let mut f = line.fields();
        f.next("a").unwrap();
        f.next("b").unwrap_err();
        f.next("c").unwrap();
        assert!(f
            .next("d")
            .unwrap_err()
            .to_string()
            .contains("missing field `d`"));
    }

    #[test]
    fn numbers_are_strict() {
        assert_eq!(parse_number::<u64>("0"), Ok(0));
        assert_eq!(parse_number::<u64>("18446744073709551615"), Ok(u64::MAX));
        assert!(parse_number::<u64>("18446744073709551616")
            .unwrap_err()
            .reason()
            .contains("out of range"));
        for bad in ["", "+1", "-1", "1x", "0x1", " 1", "１"] {
            assert!(parse_number::<u64>(bad).is_err(), "{bad:?}");
        }
        assert!(parse_number::<u32>("4294967296").is_err());
    }

    #[test]
    fn dashes() {
        let line = Line {
            number: 4,
            text: "- x - -",
        };
        let mut f = line.fields();
        assert!(f.take_dash());
        assert!(!f.take_dash());
        assert_eq!(
            f.dash("a", "because").unwrap_err().to_string(),
            "malformed: line 4: field `a`: expected `-` (because), found \"x\""
        );
        assert_eq!(f.dash("b", "because"), Ok(()));
        assert_eq!(
            f.parse::<Kind>("k").unwrap_err().to_string(),
            "malformed: line 4: field `k`: unknown kind \"-\" (expected preempt, irq or any)"
        );
        assert!(!f.take_dash());
        assert!(f.dash("c", "because").is_err());
    }

    #[test]
    fn extra_fields_are_reported() {
        let mut f = Line {
            number: 1,
            text: "a",
        }
        .fields();
        f.next("x").unwrap();
        assert_eq!(f.finish(), Ok(()));
        let mut f = Line {
            number: 3,
            text: "a b",
        }
        .fields();
        f.next("x").unwrap();
        assert_eq!(
            f.finish().unwrap_err().to_string(),
            "malformed: line 3: unexpected extra field \"b\""
        );
    }
}
