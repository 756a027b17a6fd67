// SPDX-License-Identifier: GPL-2.0
//! Optional ANSI color for the text output: the kind column and the spike explanations, only on a terminal and without `NO_COLOR`.
//!
//! The binary decides once with [`should_color`] and calls
//! [`set_enabled`]; the library default is off, so tests and pipes get
//! plain text. [`crate::table::Table`] measures cells with
//! [`visible_width`], so colored cells stay aligned.

use std::ffi::OsStr;
use std::sync::atomic::{AtomicBool, Ordering};

use preemptstat_core::Kind;

/// Whether the text output is colored (off until [`set_enabled`]).
static ENABLED: AtomicBool = AtomicBool::new(false);

/// Whether to color: only when standard output is a terminal and
/// `NO_COLOR` is unset or empty (see <https://no-color.org>).
pub fn should_color(stdout_is_terminal: bool, no_color: Option<&OsStr>) -> bool {
    stdout_is_terminal && no_color.is_none_or(OsStr::is_empty)
}

/// Turns color on or off for the rest of the process.
pub fn set_enabled(on: bool) {
    ENABLED.store(on, Ordering::Relaxed);
}

/// Whether color is on.
pub fn enabled() -> bool {
    ENABLED.load(Ordering::Relaxed)
}

/// `text` in the SGR color `code` when color is on, else unchanged.
pub fn paint(text: &str, code: &str) -> String {
    if enabled() {
        format!("\x1b[{code}m{text}\x1b[0m")
    } else {
        text.to_string()
    }
}

/// The name of `kind`, colored: preempt yellow, irq red, any magenta.
pub fn kind(kind: Kind) -> String {
    let code = match kind {
        Kind::Preempt => "33",
        Kind::Irq => "31",
        Kind::Any => "35",
    };
    paint(kind.name(), code)
}

/// The `blamed:` marker (bold red).
pub fn blamed() -> String {
    paint("blamed:", "1;31")
}

/// The `no section explains it` marker (cyan).
pub fn unexplained() -> String {
    paint("no section explains it", "36")
}

/// The number of characters of `s` a terminal shows: without the SGR
/// sequences `ESC [ ... m`.
pub fn visible_width(s: &str) -> usize {
    let mut width = 0;
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c == '\x1b' {
            for c in chars.by_ref() {
                if c == 'm' {
                    break;
                }
            }
        } else {
            width += 1;
        }
    }
    width
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn color_needs_a_terminal_and_no_no_color() {
        let set = Some(OsStr::new("1"));
        let empty = Some(OsStr::new(""));
        assert!(should_color(true, None));
        assert!(should_color(true, empty));
        assert!(!should_color(true, set));
        assert!(!should_color(false, None));
        assert!(!should_color(false, empty));
        assert!(!should_color(false, set));
    }

    #[test]
    fn escapes_have_no_width() {
        assert_eq!(visible_width("\x1b[1;31mblamed:\x1b[0m x"), 9);
        assert_eq!(visible_width("plain"), 5);
    }
}
