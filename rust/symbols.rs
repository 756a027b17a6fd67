// SPDX-License-Identifier: GPL-2.0

//! Turning addresses into `function+0xoff/0xsize [module]`, including for modules that are gone.
//!
//! Sites of a live module are resolved when a report is read. When a module goes away (or its
//! init text is freed once it is live), the module notifier resolves the names of its sites
//! while they still exist, keeps them here, and retires the sites (see `sites.rs`), so reports
//! go on naming them after the unload. An address nobody can resolve is printed as `?`, never
//! as a raw kernel address.

use crate::sys;
use core::fmt;
use kernel::prelude::*;

/// One resolved name of a retired site address.
struct RetiredName {
    id: u32,
    addr: usize,
    name: KVec<u8>,
}

/// The names of retired site addresses, kept until the next reset.
pub(crate) struct RetiredNames {
    names: KVec<RetiredName>,
    next_id: u32,
}

impl RetiredNames {
    /// No names yet.
    pub(crate) const fn new() -> Self {
        Self {
            names: KVec::new(),
            next_id: 1,
        }
    }

    /// A new retirement id.
    pub(crate) fn new_id(&mut self) -> u32 {
        let id = self.next_id;
        self.next_id = self.next_id.wrapping_add(1).max(1);
        id
    }

    /// Resolves `addr` now and keeps the name under `id`. Process context.
    pub(crate) fn keep(&mut self, id: u32, addr: usize) -> Result {
        if self.names.iter().any(|n| n.id == id && n.addr == addr) {
            return Ok(());
        }
        let mut buf = [0u8; sys::SYMBOL_BUF_LEN];
        let text = sys::sprint_symbol(&mut buf, addr);
        let mut name = KVec::with_capacity(text.len(), GFP_KERNEL)?;
        name.extend_from_slice(text, GFP_KERNEL)?;
        self.names
            .push(RetiredName { id, addr, name }, GFP_KERNEL)?;
        Ok(())
    }

    /// Forgets everything (on reset, when no site refers to the names any more).
    pub(crate) fn clear(&mut self) {
        self.names = KVec::new();
    }

    /// The bytes of memory the names use.
    pub(crate) fn bytes(&self) -> usize {
        self.names
            .iter()
            .map(|n| core::mem::size_of::<RetiredName>() + n.name.len())
            .sum()
    }

    fn find(&self, id: u32, addr: usize) -> Option<&[u8]> {
        self.names
            .iter()
            .rev()
            .find(|n| n.addr == addr && (id == 0 || n.id == id))
            .map(|n| n.name.as_slice())
    }
}

/// Whether `text` is what `sprint_symbol` prints for an address it cannot resolve.
fn unresolved(text: &[u8]) -> bool {
    text.is_empty() || text.starts_with(b"0x")
}

/// Writes the symbol of `addr`: the name kept for retired site `retired_id` if there is one,
/// else the live name, else for an address that no longer resolves a name kept for it under
/// any retirement, else `?`.
pub(crate) fn write_symbol(
    f: &mut impl fmt::Write,
    names: &RetiredNames,
    retired_id: u32,
    addr: usize,
) -> fmt::Result {
    if retired_id != 0 {
        if let Some(n) = names.find(retired_id, addr) {
            return write_bytes(f, n);
        }
    }
    let mut buf = [0u8; sys::SYMBOL_BUF_LEN];
    let text = sys::sprint_symbol(&mut buf, addr);
    if !unresolved(text) && retired_id == 0 {
        return write_bytes(f, text);
    }
    match names.find(0, addr) {
        Some(n) if !unresolved(n) => write_bytes(f, n),
        _ => f.write_char('?'),
    }
}

fn write_bytes(f: &mut impl fmt::Write, b: &[u8]) -> fmt::Result {
    if unresolved(b) {
        return f.write_char('?');
    }
    match core::str::from_utf8(b) {
        Ok(s) => f.write_str(s),
        Err(_) => f.write_char('?'),
    }
}

/// The symbol name of `text` (`name+0xoff/0xsize [module]`), its offset and size.
fn parse(text: &[u8]) -> Option<(&[u8], usize, usize)> {
    let plus = text.iter().position(|&b| b == b'+')?;
    let name = text.get(..plus)?;
    let rest = core::str::from_utf8(text.get(plus + 1..)?).ok()?;
    let rest = rest.split(' ').next()?;
    let (off, size) = rest.split_once('/')?;
    let hex = |s: &str| usize::from_str_radix(s.strip_prefix("0x")?, 16).ok();
    Some((name, hex(off)?, hex(size)?))
}

fn is_helper(name: &[u8]) -> bool {
    [
        &b"rust_helper_"[..],
        b"__pfx_rust_helper_",
        b"__cfi_rust_helper_",
    ]
    .iter()
    .any(|p| name.starts_with(p))
}

/// Finds `[start, end)` of the Rust helpers' text (`rust/helpers/helpers.c` is one object, so
/// its functions are contiguous): from one known helper, walk the symbols both ways while
/// their names are helpers'. `(0, 0)` if that fails; sites in Rust code that locks through a
/// helper are then reported at the helper.
pub(crate) fn rust_helpers_range() -> (usize, usize) {
    const MAX_STEPS: usize = 8192;
    let mut buf = [0u8; sys::SYMBOL_BUF_LEN];
    let a = sys::a_rust_helper();
    let Some((name, off, size)) = parse(sys::sprint_symbol(&mut buf, a)) else {
        return (0, 0);
    };
    if !is_helper(name) || size == 0 {
        return (0, 0);
    }
    let mut start = a - off;
    let mut end = start + size;
    for _ in 0..MAX_STEPS {
        match parse(sys::sprint_symbol(&mut buf, end)) {
            Some((name, 0, size)) if is_helper(name) && size > 0 => end += size,
            _ => break,
        }
    }
    for _ in 0..MAX_STEPS {
        match parse(sys::sprint_symbol(&mut buf, start - 1)) {
            Some((name, off, _)) if is_helper(name) => start = start - 1 - off,
            _ => break,
        }
    }
    (start, end)
}

/// Finds `[start, end)` of the kernel's lock functions (`__lock_text_start`/`_end` are not
/// exported): `in_lock_functions()` is a range check, so a binary search from a known lock
/// function (`_raw_spin_lock`) finds both ends within 16 MiB. `(0, 0)` if that fails; the
/// probes then see no lock functions (and report sites inside them).
pub(crate) fn lock_text_range() -> (usize, usize) {
    const WINDOW: usize = 16 << 20;
    let a = sys::a_lock_function();
    if !sys::in_lock_functions(a) {
        return (0, 0);
    }
    // Lowest address in the range: in [a - WINDOW, a].
    let (mut lo, mut hi) = (a.saturating_sub(WINDOW), a);
    while lo < hi {
        let mid = lo + (hi - lo) / 2;
        if sys::in_lock_functions(mid) {
            hi = mid;
        } else {
            lo = mid + 1;
        }
    }
    let start = lo;
    // First address past the range: in (a, a + WINDOW].
    let (mut lo, mut hi) = (a, a.saturating_add(WINDOW));
    while lo < hi {
        let mid = lo + (hi - lo) / 2;
        if sys::in_lock_functions(mid) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    if sys::in_lock_functions(start.wrapping_sub(1)) || sys::in_lock_functions(lo) {
        return (0, 0);
    }
    (start, lo)
}
