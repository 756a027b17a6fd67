// SPDX-License-Identifier: GPL-2.0
//! Property tests: the `version` parser never panics and classifies every canonical line correctly.

use preemptstat_core::{parse_version, FormatVersion, ParseError, VersionSkew};
use proptest::prelude::*;

/// Enough cases to shake out edge cases while keeping the run to seconds.
fn config() -> ProptestConfig {
    ProptestConfig {
        cases: 2000,
        ..ProptestConfig::default()
    }
}

/// Checks what every result must satisfy, whatever the input.
fn check_result(input: &str, result: &Result<FormatVersion, ParseError>) {
    match result {
        Ok(v) => {
            assert_eq!(*v, FormatVersion::SUPPORTED, "accepted {input:?}");
            let canonical = v.to_string();
            assert!(
                input == canonical || input == format!("{canonical}\n"),
                "accepted non-canonical {input:?}"
            );
        }
        Err(err) => {
            let msg = err.to_string();
            assert!(
                !msg.contains('\n') && !msg.contains('\r'),
                "multi-line message {msg:?} for {input:?}"
            );
        }
    }
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn never_panics_on_strings(s in any::<String>()) {
        let result = parse_version(&s);
        check_result(&s, &result);
    }

    #[test]
    fn never_panics_on_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..256)) {
        let s = String::from_utf8_lossy(&bytes);
        let result = parse_version(&s);
        check_result(&s, &result);
    }

    #[test]
    fn never_panics_near_the_format(
        prefix in prop::sample::select(vec![
            "", "preemptstat", "preemptstat debugfs", "preemptstat debugfs format",
            "preemptstat debugfs format ", "preemptstat debugfs format 2",
        ]),
        tail in "[0-9 \\t\\r\\n+\\-a-z\u{e9}\u{1f600}]{0,24}",
    ) {
        let s = format!("{prefix}{tail}");
        let result = parse_version(&s);
        check_result(&s, &result);
    }

    #[test]
    fn canonical_lines_are_classified(n in any::<u32>(), newline in any::<bool>()) {
        let s = format!("preemptstat debugfs format {n}{}", if newline { "\n" } else { "" });
        match (n, parse_version(&s)) {
            (2, Ok(v)) => prop_assert_eq!(v.get(), 2),
            (0, Err(ParseError::Malformed { line: 1, .. })) => {}
            (n, Err(err @ ParseError::UnsupportedVersion { found, supported: 2 })) if n != 2 => {
                prop_assert_eq!(found, n);
                let skew = if n > 2 { VersionSkew::Newer } else { VersionSkew::Older };
                prop_assert_eq!(err.version_skew(), Some(skew));
            }
            (n, other) => prop_assert!(false, "n={} gave {:?}", n, other),
        }
    }
}
