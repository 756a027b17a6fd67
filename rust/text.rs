// SPDX-License-Identifier: GPL-2.0

//! A growable text buffer that report files are rendered into when they are opened.

use core::fmt;
use kernel::prelude::*;

/// The largest report preemptstat renders, in bytes. A bigger one fails with `-ENOMEM` instead
/// of growing without bound.
const TEXT_MAX_BYTES: usize = 64 << 20;

/// Text rendered by a report, backed by `kvmalloc` memory so that large reports do not need
/// physically contiguous pages.
pub(crate) struct TextBuf {
    buf: KVVec<u8>,
}

impl TextBuf {
    /// Creates an empty buffer.
    pub(crate) fn new() -> Self {
        Self { buf: KVVec::new() }
    }

    /// The text written so far.
    pub(crate) fn as_bytes(&self) -> &[u8] {
        self.buf.as_slice()
    }
}

impl fmt::Write for TextBuf {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        if self.buf.len().saturating_add(s.len()) > TEXT_MAX_BYTES {
            return Err(fmt::Error);
        }
        self.buf
            .extend_from_slice(s.as_bytes(), GFP_KERNEL)
            .map_err(|_| fmt::Error)
    }
}
