// SPDX-License-Identifier: GPL-2.0

//! What a control file must do with a write: the control grammar of
//! `Documentation/preemptstat.rst` ("Control files"), written independently of the module.
//!
//! A write is accepted only if it is one `write(2)` at offset 0 of 1 to 64 bytes of UTF-8 that,
//! without one optional trailing newline, is a non-empty run of ASCII decimal digits whose value
//! fits in a `u64` and lies within the file's bounds. Everything else fails with `EINVAL`; a
//! buffer the kernel cannot read fails with `EFAULT`.

/// The longest write a control file accepts, in bytes.
pub const WRITE_MAX_BYTES: usize = 64;

/// A writable control file and the values it accepts.
#[derive(Clone, Copy, Debug)]
pub struct Control {
    /// File name in the preemptstat debugfs directory.
    pub name: &'static str,
    /// Smallest accepted value.
    pub min: u64,
    /// Largest accepted value.
    pub max: u64,
    /// Whether the file can be read back (`reset` is write-only).
    pub readable: bool,
}

/// Every writable control file of debugfs format 2 (the same as format 1's).
pub const CONTROLS: [Control; 6] = [
    Control {
        name: "enable",
        min: 0,
        max: 1,
        readable: true,
    },
    Control {
        name: "reset",
        min: 1,
        max: 1,
        readable: false,
    },
    Control {
        name: "threshold_us",
        min: 0,
        max: 10_000_000,
        readable: true,
    },
    Control {
        name: "wakeup_enable",
        min: 0,
        max: 1,
        readable: true,
    },
    Control {
        name: "period_us",
        min: 100,
        max: 1_000_000,
        readable: true,
    },
    Control {
        name: "wakeup_threshold_us",
        min: 0,
        max: 10_000_000,
        readable: true,
    },
];

/// How a write is made.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Write {
    /// `write(2)` of these bytes at offset 0.
    Bytes(Vec<u8>),
    /// `pwrite(2)` of these bytes at a non-zero offset.
    AtOffset(Vec<u8>, i64),
    /// `write(2)` of this many bytes from an address no process has mapped.
    BadPointer(usize),
}

/// What the write must return.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Expect {
    /// Accepted: the file now holds this value.
    Accept(u64),
    /// Rejected with this errno; nothing changed.
    Reject(i32),
}

/// `EINVAL`.
pub const EINVAL: i32 = 22;
/// `EFAULT`.
pub const EFAULT: i32 = 14;

/// What `c` must do with `w`.
pub fn expect(c: &Control, w: &Write) -> Expect {
    match w {
        Write::BadPointer(n) if (1..=WRITE_MAX_BYTES).contains(n) => Expect::Reject(EFAULT),
        Write::BadPointer(_) | Write::AtOffset(..) => Expect::Reject(EINVAL),
        Write::Bytes(b) => match value(b) {
            Some(v) if v >= c.min && v <= c.max => Expect::Accept(v),
            _ => Expect::Reject(EINVAL),
        },
    }
}

/// The number a write holds, if it is well formed (bounds aside).
fn value(b: &[u8]) -> Option<u64> {
    if b.is_empty() || b.len() > WRITE_MAX_BYTES {
        return None;
    }
    let text = core::str::from_utf8(b).ok()?;
    let digits = text.strip_suffix('\n').unwrap_or(text);
    if digits.is_empty() || !digits.bytes().all(|d| d.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    const THRESHOLD: Control = CONTROLS[2];
    const PERIOD: Control = CONTROLS[4];

    fn on(c: &Control, b: &[u8]) -> Expect {
        expect(c, &Write::Bytes(b.to_vec()))
    }

    #[test]
    fn accepts_digits_with_one_newline_within_bounds() {
        assert_eq!(on(&THRESHOLD, b"250"), Expect::Accept(250));
        assert_eq!(on(&THRESHOLD, b"250\n"), Expect::Accept(250));
        assert_eq!(on(&THRESHOLD, b"000250"), Expect::Accept(250));
        assert_eq!(on(&THRESHOLD, b"10000000"), Expect::Accept(10_000_000));
        assert_eq!(on(&PERIOD, b"100"), Expect::Accept(100));
    }

    #[test]
    fn rejects_everything_else() {
        for b in [
            &b""[..],
            b"\n",
            b"250\n\n",
            b"\n250",
            b" 250",
            b"250 ",
            b"+250",
            b"-1",
            b"0x10",
            b"1.5",
            b"1e3",
            b"25\x000",
            b"250\r\n",
            b"10000001",
            b"18446744073709551616",
            "\u{661}".as_bytes(),
            b"\xff",
        ] {
            assert_eq!(on(&THRESHOLD, b), Expect::Reject(EINVAL), "{b:?}");
        }
        assert_eq!(on(&PERIOD, b"99"), Expect::Reject(EINVAL));
        let long = vec![b'1'; WRITE_MAX_BYTES + 1];
        assert_eq!(on(&THRESHOLD, &long), Expect::Reject(EINVAL));
    }

    #[test]
    fn offsets_and_bad_pointers() {
        let at = Write::AtOffset(b"1".to_vec(), 1);
        assert_eq!(expect(&THRESHOLD, &at), Expect::Reject(EINVAL));
        assert_eq!(
            expect(&THRESHOLD, &Write::BadPointer(4)),
            Expect::Reject(EFAULT)
        );
        assert_eq!(
            expect(&THRESHOLD, &Write::BadPointer(65)),
            Expect::Reject(EINVAL)
        );
    }
}
