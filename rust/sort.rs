// SPDX-License-Identifier: GPL-2.0

//! An in-place heapsort for report rows.
//!
//! `core`'s `sort_unstable` can panic on an inconsistent order (`panic_on_ord_violation`),
//! which objtool does not know to be `noreturn` in a module, so it warns that the sort "falls
//! through to the next function". This sort has no panic path; `O(n log n)`, no allocation.

/// Sorts `v` by `key`, smallest first.
pub(crate) fn sort_by_key<T, K: Ord>(v: &mut [T], key: impl Fn(&T) -> K) {
    let n = v.len();
    for start in (0..n / 2).rev() {
        sift_down(v, start, n, &key);
    }
    for end in (1..n).rev() {
        v.swap(0, end);
        sift_down(v, 0, end, &key);
    }
}

fn sift_down<T, K: Ord>(v: &mut [T], mut root: usize, end: usize, key: &impl Fn(&T) -> K) {
    loop {
        let mut child = 2 * root + 1;
        if child >= end {
            return;
        }
        if let (Some(a), Some(b)) = (v.get(child), v.get(child + 1)) {
            if child + 1 < end && key(a) < key(b) {
                child += 1;
            }
        }
        match (v.get(root), v.get(child)) {
            (Some(r), Some(c)) if key(r) < key(c) => {
                v.swap(root, child);
                root = child;
            }
            _ => return,
        }
    }
}
