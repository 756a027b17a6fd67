// SPDX-License-Identifier: GPL-2.0
//! Code addresses as the module prints them (`function+0xoff/0xsize [module]` or `?`), parsed and demangled.
//!
//! The module resolves every address with the kernel's `sprint_symbol()`:
//! the function name, the offset of the address in the function and the
//! function's size, both in lowercase hex with `0x`, then for module code one
//! space and the module name in brackets. An address nothing could resolve
//! is `?`. In a record the module is a field of its own, so a field starting
//! with `[` belongs to the symbol before it.
//!
//! Rust functions have v0-mangled names. [`Symbol`]'s
//! [`Display`](fmt::Display) form demangles them with
//! [`rustc_demangle`] in its alternate form, which leaves out the crate
//! hashes; any other name is written as it is:
//!
//! ```
//! use preemptstat_core::Symbol;
//!
//! let sym: Symbol = "_RNvCs57rNj5LhXbl_18preemptstat_inject10inject_irq+0x1c/0x80 [preemptstat_inject]"
//!     .parse()
//!     .unwrap();
//! assert_eq!(sym.to_string(), "preemptstat_inject::inject_irq+0x1c/0x80 [preemptstat_inject]");
//! assert_eq!(
//!     sym.raw().to_string(),
//!     "_RNvCs57rNj5LhXbl_18preemptstat_inject10inject_irq+0x1c/0x80 [preemptstat_inject]"
//! );
//! assert_eq!("?".parse::<Symbol>().unwrap(), Symbol::Unknown);
//! ```

use std::borrow::Cow;
use std::fmt;
use std::str::FromStr;

use crate::error::FieldError;
use crate::line::excerpt;

/// A code address as the module names it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Symbol {
    /// A resolved address: `name+0xoffset/0xsize`, followed by ` [module]`
    /// for module code.
    Resolved {
        /// The function's (possibly mangled) name, e.g. `kthread` or
        /// `_RNvCs57rNj5LhXbl_18preemptstat_inject10inject_irq`.
        name: String,
        /// The offset of the address from the start of the function.
        offset: u64,
        /// The size of the function.
        size: u64,
        /// The module the function belongs to; `None` for the kernel image.
        module: Option<String>,
    },
    /// `?`: an address the module could not resolve.
    Unknown,
}

impl Symbol {
    /// Parses a symbol field and the `[module]` field that followed it, if
    /// there was one.
    ///
    /// # Errors
    ///
    /// A field that is neither `?` nor `function+0xoff/0xsize`, a module
    /// field that is not `[name]`, or a module after `?`.
    pub fn from_fields(symbol: &str, module: Option<&str>) -> Result<Symbol, FieldError> {
        let module = module.map(parse_module).transpose()?;
        if symbol == "?" {
            return match module {
                None => Ok(Symbol::Unknown),
                Some(_) => Err(FieldError::new(
                    "an unresolved address `?` cannot have a [module]",
                )),
            };
        }
        let expected = || {
            FieldError::new(format!(
                "expected `function+0xoff/0xsize` or `?`, found {}",
                excerpt(symbol)
            ))
        };
        let (name, place) = symbol.rsplit_once('+').ok_or_else(expected)?;
        let (offset, size) = place.split_once('/').ok_or_else(expected)?;
        if name.is_empty() {
            return Err(FieldError::new(format!(
                "empty function name in {}",
                excerpt(symbol)
            )));
        }
        if name.contains(['[', ']']) {
            return Err(FieldError::new(format!(
                "unexpected bracket in function name {}",
                excerpt(name)
            )));
        }
        // Kernel symbols never hold control characters; a name with one
        // would reach the terminal raw (the text output writes names as
        // they are).
        if name.contains(char::is_control) {
            return Err(FieldError::new(format!(
                "control character in function name {}",
                excerpt(name)
            )));
        }
        Ok(Symbol::Resolved {
            name: name.to_string(),
            offset: parse_hex(offset, "offset")?,
            size: parse_hex(size, "size")?,
            module,
        })
    }

    /// The module of a resolved symbol in module code.
    pub fn module(&self) -> Option<&str> {
        match self {
            Symbol::Resolved { module, .. } => module.as_deref(),
            Symbol::Unknown => None,
        }
    }

    /// Whether this is `?`.
    pub fn is_unknown(&self) -> bool {
        matches!(self, Symbol::Unknown)
    }

    /// The demangled function name (see [`demangle`]); `None` for `?`.
    pub fn demangled_name(&self) -> Option<Cow<'_, str>> {
        match self {
            Symbol::Resolved { name, .. } => Some(demangle(name)),
            Symbol::Unknown => None,
        }
    }

    /// Displays the symbol exactly as the module writes it (mangled).
    pub fn raw(&self) -> RawSymbol<'_> {
        RawSymbol(self)
    }

    /// Writes the symbol with the function name as the module wrote it
    /// (`raw`) or demangled.
    fn write_with(&self, f: &mut fmt::Formatter<'_>, raw: bool) -> fmt::Result {
        match self {
            Symbol::Unknown => f.write_str("?"),
            Symbol::Resolved {
                name,
                offset,
                size,
                module,
            } => {
                if raw {
                    f.write_str(name)?;
                } else {
                    f.write_str(&demangle(name))?;
                }
                write!(f, "+{offset:#x}/{size:#x}")?;
                match module {
                    Some(m) => write!(f, " [{m}]"),
                    None => Ok(()),
                }
            }
        }
    }
}

impl fmt::Display for Symbol {
    /// Writes `function+0xoff/0xsize [module]` with the function name
    /// demangled (see [`demangle`]), or `?`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.write_with(f, false)
    }
}

impl FromStr for Symbol {
    type Err = FieldError;

    /// Parses `?`, `function+0xoff/0xsize` or `function+0xoff/0xsize [module]`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let mut parts = s.splitn(2, ' ');
        let symbol = parts.next().unwrap_or_default();
        Symbol::from_fields(symbol, parts.next())
    }
}

/// Displays a [`Symbol`] in the module's own (mangled) form; see
/// [`Symbol::raw`].
#[derive(Debug, Clone, Copy)]
pub struct RawSymbol<'a>(&'a Symbol);

impl fmt::Display for RawSymbol<'_> {
    /// Writes `function+0xoff/0xsize [module]` with the name as the module
    /// wrote it, or `?`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.write_with(f, true)
    }
}

/// Demangles a Rust symbol name without its crate hashes (the alternate
/// form of [`rustc_demangle`]); returns any other name unchanged.
///
/// ```
/// use preemptstat_core::demangle;
///
/// assert_eq!(
///     demangle("_RNvCs57rNj5LhXbl_18preemptstat_inject10inject_irq"),
///     "preemptstat_inject::inject_irq"
/// );
/// assert_eq!(demangle("kthread"), "kthread");
/// ```
pub fn demangle(name: &str) -> Cow<'_, str> {
    match rustc_demangle::try_demangle(name) {
        Ok(d) => Cow::Owned(format!("{d:#}")),
        Err(_) => Cow::Borrowed(name),
    }
}

/// Parses `[name]`.
fn parse_module(token: &str) -> Result<String, FieldError> {
    let inner = token
        .strip_prefix('[')
        .and_then(|t| t.strip_suffix(']'))
        .ok_or_else(|| FieldError::new(format!("expected `[module]`, found {}", excerpt(token))))?;
    if inner.is_empty() || inner.contains(['[', ']']) || inner.contains(char::is_control) {
        return Err(FieldError::new(format!(
            "invalid module name {}",
            excerpt(token)
        )));
    }
    Ok(inner.to_string())
}

/// Parses `0x` and lowercase hex digits into a `u64`.
fn parse_hex(token: &str, what: &str) -> Result<u64, FieldError> {
    let digits = token
        .strip_prefix("0x")
        .filter(|d| !d.is_empty() && d.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')))
        .ok_or_else(|| {
            FieldError::new(format!(
                "{what} is not `0x` and lowercase hex digits: {}",
                excerpt(token)
            ))
        })?;
    u64::from_str_radix(digits, 16)
        .map_err(|_| FieldError::new(format!("{what} {} is out of range", excerpt(token))))
}

#[cfg(test)]
mod tests {
    use super::*;

    const INJECT: &str = "_RNvCs57rNj5LhXbl_18preemptstat_inject10inject_irq";

    #[test]
    fn kernel_symbol() {
        let s: Symbol = "kthread+0x116/0x150".parse().unwrap();
        assert_eq!(
            s,
            Symbol::Resolved {
                name: "kthread".into(),
                offset: 0x116,
                size: 0x150,
                module: None
            }
        );
        assert_eq!(s.to_string(), "kthread+0x116/0x150");
        assert_eq!(s.raw().to_string(), "kthread+0x116/0x150");
        assert_eq!(s.module(), None);
        assert!(!s.is_unknown());
    }

    #[test]
    fn rust_module_symbol_is_demangled() {
        let text = format!("{INJECT}+0x56/0xc0 [preemptstat_inject]");
        let s: Symbol = text.parse().unwrap();
        assert_eq!(s.module(), Some("preemptstat_inject"));
        assert_eq!(
            s.demangled_name().as_deref(),
            Some("preemptstat_inject::inject_irq")
        );
        assert_eq!(
            s.to_string(),
            "preemptstat_inject::inject_irq+0x56/0xc0 [preemptstat_inject]"
        );
        assert_eq!(s.raw().to_string(), text);
    }

    #[test]
    fn names_with_dots_and_plus() {
        let s: Symbol = "foo.cold+0x0/0x12".parse().unwrap();
        assert_eq!(s.demangled_name().as_deref(), Some("foo.cold"));
        let s: Symbol = "a+b+0x1/0x2".parse().unwrap();
        assert_eq!(s.demangled_name().as_deref(), Some("a+b"));
    }

    #[test]
    fn unknown() {
        assert_eq!("?".parse::<Symbol>(), Ok(Symbol::Unknown));
        assert_eq!(Symbol::Unknown.to_string(), "?");
        assert_eq!(Symbol::Unknown.demangled_name(), None);
        assert!(Symbol::from_fields("?", Some("[m]")).is_err());
    }

    #[test]
    fn malformed() {
        for bad in [
            "",
            "kthread",
            "kthread+0x1",
            "kthread+1/2",
            "kthread+0x/0x2",
            "kthread+0x1/0xG",
            "kthread+0x1/0X2",
            "kthread+0x1/0xA",
            "kthread+0x+1/0x2",
            "+0x1/0x2",
            "k[x]+0x1/0x2",
            "kthread+0x10000000000000000/0x1",
            "kthread+0x1/0x2 [",
            "kthread+0x1/0x2 []",
            "kthread+0x1/0x2 [a]b",
            "kthread+0x1/0x2 [[a]]",
            "kthread+0x1/0x2 mod",
            "kthread\0+0x1/0x2",
            "\x1b[2Jk+0x1/0x2",
            "kthread\r+0x1/0x2",
            "kthread\t+0x1/0x2",
            "kthread+0x1/0x2 [m\x07]",
            "kthread+0x1/0x2 [\u{85}]",
        ] {
            assert!(bad.parse::<Symbol>().is_err(), "{bad:?}");
        }
        let err = "a\x1bb+0x1/0x2".parse::<Symbol>().unwrap_err();
        assert_eq!(
            err.reason(),
            "control character in function name \"a\\u{1b}b\""
        );
    }
}
