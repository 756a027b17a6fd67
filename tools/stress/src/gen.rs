// SPDX-License-Identifier: GPL-2.0

//! Hostile writes, from a seeded generator: random bytes, numbers at and past every bound,
//! signs, whitespace, trailing junk, non-ASCII digits, huge lengths, non-zero offsets and
//! buffers the kernel cannot read. The same seed gives the same writes.

use crate::{
    oracle::{Control, Write, WRITE_MAX_BYTES},
    rng::Rng,
};

/// Decimal strings around the file's bounds and the limits of the types behind them.
fn boundary_numbers(c: &Control) -> Vec<String> {
    let mut v = vec![
        "0".to_string(),
        "1".to_string(),
        u32::MAX.to_string(),
        (u64::from(u32::MAX) + 1).to_string(),
        i64::MAX.to_string(),
        (i64::MAX as u64 + 1).to_string(),
        u64::MAX.to_string(),
        "18446744073709551616".to_string(),
        "340282366920938463463374607431768211456".to_string(),
    ];
    for b in [c.min, c.max] {
        v.push(b.to_string());
        v.push(b.saturating_add(1).to_string());
        if let Some(x) = b.checked_sub(1) {
            v.push(x.to_string());
        }
        // The bound in other units: a caller who wrote ns or ms.
        v.push(b.saturating_mul(1000).to_string());
    }
    v
}

/// What may stand before a number.
const PREFIXES: [&str; 12] = [
    "", "", "", "+", "-", " ", "\t", "0", "00000", "0x", "\n", "\u{feff}",
];
/// What may stand after a number.
const SUFFIXES: [&str; 16] = [
    "", "", "\n", "\n", " ", "\t", "\n\n", "\r\n", "\r", "\0", "abc", " 2", ".5", "e3", "\u{a0}",
    "\n1",
];
/// Things that look like digits and are not ASCII ones.
const LOOKALIKES: [&str; 6] = ["\u{661}", "\u{ff11}", "\u{2460}", "\u{1d7cf}", "１０", "߁"];

/// The next hostile write for control `c`.
pub fn write(r: &mut Rng, c: &Control) -> Write {
    match r.below(20) {
        // Random bytes of a length a caller might use, around the limit.
        0..=3 => {
            let n = r.below(WRITE_MAX_BYTES + 20);
            Write::Bytes((0..n).map(|_| r.next_u64() as u8).collect())
        }
        // A number near a bound, dressed in a prefix and a suffix.
        4..=10 => {
            let n = r.pick(&boundary_numbers(c)).clone();
            let s = format!("{}{}{}", r.pick(&PREFIXES), n, r.pick(&SUFFIXES));
            Write::Bytes(s.into_bytes())
        }
        // Random digit runs, some longer than a u64 or than the write limit.
        11..=13 => {
            let n = 1 + r.below(WRITE_MAX_BYTES + 8);
            let mut s: Vec<u8> = (0..n).map(|_| b'0' + r.below(10) as u8).collect();
            if r.below(2) == 0 {
                s.push(b'\n');
            }
            Write::Bytes(s)
        }
        // A valid-looking value with one byte flipped, inserted or removed.
        14..=15 => {
            let mut s = c.max.to_string().into_bytes();
            let i = r.below(s.len() + 1);
            match r.below(3) {
                0 if i < s.len() => s[i] ^= 1 << r.below(8),
                1 => s.insert(i, r.next_u64() as u8),
                _ if i < s.len() => {
                    s.remove(i);
                }
                _ => s.push(b'\n'),
            }
            Write::Bytes(s)
        }
        // Digits that are not ASCII digits.
        16 => Write::Bytes(format!("{}{}", r.pick(&LOOKALIKES), r.pick(&SUFFIXES)).into_bytes()),
        // Huge writes: a page, 64 KiB, 1 MiB (of digits, so only the length is wrong).
        17 => {
            let n = *r.pick(&[WRITE_MAX_BYTES + 1, 4096, 65536, 1 << 20]);
            Write::Bytes(vec![b'1'; n])
        }
        // A correct value at the wrong offset.
        18 => Write::AtOffset(c.min.to_string().into_bytes(), 1 + r.below(4096) as i64),
        // A buffer no process has mapped.
        _ => Write::BadPointer(*r.pick(&[0, 1, 8, WRITE_MAX_BYTES, WRITE_MAX_BYTES + 1, 4096])),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::oracle::{expect, Expect, CONTROLS};

    #[test]
    fn same_seed_same_writes() {
        let (mut a, mut b) = (Rng::new(7), Rng::new(7));
        for _ in 0..1000 {
            assert_eq!(write(&mut a, &CONTROLS[2]), write(&mut b, &CONTROLS[2]));
        }
    }

    #[test]
    fn every_file_gets_both_valid_and_invalid_writes() {
        for c in &CONTROLS {
            let mut r = Rng::new(1);
            let (mut ok, mut bad) = (0, 0);
            for _ in 0..10_000 {
                match expect(c, &write(&mut r, c)) {
                    Expect::Accept(_) => ok += 1,
                    Expect::Reject(_) => bad += 1,
                }
            }
            assert!(
                ok >= 100 && bad >= 8000,
                "{}: {ok} valid, {bad} invalid",
                c.name
            );
        }
    }
}
