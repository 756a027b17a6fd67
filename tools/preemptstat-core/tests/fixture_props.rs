// SPDX-License-Identifier: GPL-2.0
//! Property tests on hostile input: arbitrary bytes and mutations of the files captured from a VM run (`../preemptstat/tests/fixtures/v2-live`) go to every parser, which returns a model or a short one-line error, never panics.

use preemptstat_core::{
    parse_causes, parse_enable, parse_hist, parse_log, parse_period_us, parse_sites,
    parse_spike_parts, parse_spikes, parse_spikes_worst, parse_summary, parse_threshold_us,
    parse_version, parse_wakeup, parse_wakeup_hist, parse_wakeup_threshold_us, parse_worst,
    ParseError,
};
use proptest::prelude::*;

/// The captured files, by name.
const FIXTURES: [(&str, &str); 17] = [
    (
        "version",
        include_str!("../../preemptstat/tests/fixtures/v2-live/version"),
    ),
    (
        "summary",
        include_str!("../../preemptstat/tests/fixtures/v2-live/summary"),
    ),
    (
        "sites",
        include_str!("../../preemptstat/tests/fixtures/v2-live/sites"),
    ),
    (
        "worst",
        include_str!("../../preemptstat/tests/fixtures/v2-live/worst"),
    ),
    (
        "log",
        include_str!("../../preemptstat/tests/fixtures/v2-live/log"),
    ),
    (
        "hist",
        include_str!("../../preemptstat/tests/fixtures/v2-live/hist"),
    ),
    (
        "wakeup",
        include_str!("../../preemptstat/tests/fixtures/v2-live/wakeup"),
    ),
    (
        "wakeup_hist",
        include_str!("../../preemptstat/tests/fixtures/v2-live/wakeup_hist"),
    ),
    (
        "spikes",
        include_str!("../../preemptstat/tests/fixtures/v2-live/spikes"),
    ),
    (
        "spikes_worst",
        include_str!("../../preemptstat/tests/fixtures/v2-live/spikes_worst"),
    ),
    (
        "spike_parts",
        include_str!("../../preemptstat/tests/fixtures/v2-live/spike_parts"),
    ),
    (
        "causes",
        include_str!("../../preemptstat/tests/fixtures/v2-live/causes"),
    ),
    (
        "enable",
        include_str!("../../preemptstat/tests/fixtures/v2-live/enable"),
    ),
    (
        "threshold_us",
        include_str!("../../preemptstat/tests/fixtures/v2-live/threshold_us"),
    ),
    (
        "wakeup_enable",
        include_str!("../../preemptstat/tests/fixtures/v2-live/wakeup_enable"),
    ),
    (
        "period_us",
        include_str!("../../preemptstat/tests/fixtures/v2-live/period_us"),
    ),
    (
        "wakeup_threshold_us",
        include_str!("../../preemptstat/tests/fixtures/v2-live/wakeup_threshold_us"),
    ),
];

/// The longest error message allowed: errors quote short excerpts of the
/// input, never a whole line.
const MAX_MESSAGE: usize = 1024;

/// Bounded case counts, so that the file runs in a few seconds.
fn config(cases: u32) -> ProptestConfig {
    ProptestConfig {
        cases,
        ..ProptestConfig::default()
    }
}

/// What every result must satisfy: an error is one short line, and a
/// malformed one names a line between 1 and one past the last.
fn check<T>(file: &str, input: &str, result: Result<T, ParseError>) -> Result<(), TestCaseError> {
    if let Err(err) = result {
        let msg = err.to_string();
        prop_assert!(
            !msg.contains('\n') && !msg.contains('\r'),
            "{file}: multi-line message {msg:?}"
        );
        prop_assert!(
            msg.len() <= MAX_MESSAGE,
            "{file}: {}-byte message {:?}...",
            msg.len(),
            msg.chars().take(200).collect::<String>()
        );
        if let ParseError::Malformed { line, .. } = err {
            let max = input.lines().count() + 1;
            prop_assert!(
                (1..=max).contains(&line),
                "{file}: line {line} outside 1..={max}"
            );
        }
    }
    Ok(())
}

/// Runs every parser on `input`; `origin` names it in messages.
fn parse_all(origin: &str, input: &str) -> Result<(), TestCaseError> {
    let name = |parser: &str| format!("{origin} as {parser}");
    check(&name("version"), input, parse_version(input))?;
    check(&name("summary"), input, parse_summary(input))?;
    check(&name("sites"), input, parse_sites(input))?;
    check(&name("worst"), input, parse_worst(input))?;
    check(&name("log"), input, parse_log(input))?;
    check(&name("hist"), input, parse_hist(input))?;
    check(&name("wakeup"), input, parse_wakeup(input))?;
    check(&name("wakeup_hist"), input, parse_wakeup_hist(input))?;
    check(&name("spikes"), input, parse_spikes(input))?;
    check(&name("spikes_worst"), input, parse_spikes_worst(input))?;
    check(&name("spike_parts"), input, parse_spike_parts(input))?;
    check(&name("causes"), input, parse_causes(input))?;
    check(&name("enable"), input, parse_enable(input))?;
    check(&name("threshold_us"), input, parse_threshold_us(input))?;
    check(&name("period_us"), input, parse_period_us(input))?;
    check(
        &name("wakeup_threshold_us"),
        input,
        parse_wakeup_threshold_us(input),
    )
}

/// One byte-level edit of a file; positions wrap around its length.
#[derive(Debug, Clone)]
enum Edit {
    /// Replace the byte at a position.
    Set(usize, u8),
    /// Insert bytes at a position.
    Insert(usize, Vec<u8>),
    /// Delete up to this many bytes from a position.
    Delete(usize, usize),
    /// Cut the file at a position.
    Truncate(usize),
    /// Repeat up to this many bytes from a position right after them.
    Repeat(usize, usize),
    /// Replace line (a) by line (c) of the fixture (b), both wrapping.
    SpliceLine(usize, usize, usize),
    /// Swap two space-separated fields (a, b) of line (c), wrapping.
    SwapFields(usize, usize, usize),
}

/// Bytes that matter to the formats, and some that do not belong.
fn interesting_byte() -> impl Strategy<Value = u8> {
    prop_oneof![
        3 => prop::sample::select(b" \n\r\t#:,+/-?[]\\x0123456789abcdefinf\0\xff\xc3\x80".to_vec()),
        1 => any::<u8>(),
    ]
}

/// Any one [`Edit`].
fn edit() -> impl Strategy<Value = Edit> {
    let at = any::<usize>();
    prop_oneof![
        (at, interesting_byte()).prop_map(|(a, b)| Edit::Set(a, b)),
        (at, prop::collection::vec(interesting_byte(), 1..24))
            .prop_map(|(a, b)| Edit::Insert(a, b)),
        (at, 1usize..64).prop_map(|(a, n)| Edit::Delete(a, n)),
        at.prop_map(Edit::Truncate),
        (at, 1usize..256).prop_map(|(a, n)| Edit::Repeat(a, n)),
        (at, at, at).prop_map(|(a, b, c)| Edit::SpliceLine(a, b, c)),
        (at, at, at).prop_map(|(a, b, c)| Edit::SwapFields(a, b, c)),
    ]
}

/// `i` wrapped into `0..=len`.
fn wrap(i: usize, len: usize) -> usize {
    i % (len + 1)
}

/// Applies `edit` to `bytes`.
fn apply(bytes: &mut Vec<u8>, edit: &Edit) {
    let len = bytes.len();
    match edit {
        Edit::Set(at, b) => {
            if len > 0 {
                bytes[at % len] = *b;
            }
        }
        Edit::Insert(at, ins) => {
            let at = wrap(*at, len);
            bytes.splice(at..at, ins.iter().copied());
        }
        Edit::Delete(at, n) => {
            let at = wrap(*at, len);
            bytes.drain(at..(at + n).min(len));
        }
        Edit::Truncate(at) => bytes.truncate(wrap(*at, len)),
        Edit::Repeat(at, n) => {
            let at = wrap(*at, len);
            let piece = bytes[at..(at + n).min(len)].to_vec();
            let end = at + piece.len();
            bytes.splice(end..end, piece);
        }
        Edit::SpliceLine(a, b, c) => {
            let donor: Vec<&[u8]> = FIXTURES[b % FIXTURES.len()]
                .1
                .as_bytes()
                .split_inclusive(|&x| x == b'\n')
                .collect();
            let mut lines: Vec<Vec<u8>> = bytes
                .split_inclusive(|&x| x == b'\n')
                .map(<[u8]>::to_vec)
                .collect();
            if !lines.is_empty() && !donor.is_empty() {
                let a = a % lines.len();
                lines[a] = donor[c % donor.len()].to_vec();
                *bytes = lines.concat();
            }
        }
        Edit::SwapFields(a, b, c) => {
            let mut lines: Vec<Vec<u8>> = bytes
                .split_inclusive(|&x| x == b'\n')
                .map(<[u8]>::to_vec)
                .collect();
            if lines.is_empty() {
                return;
            }
            let line = c % lines.len();
            let newline = lines[line].last() == Some(&b'\n');
            let body = &lines[line][..lines[line].len() - usize::from(newline)];
            let mut fields: Vec<Vec<u8>> = body.split(|&x| x == b' ').map(<[u8]>::to_vec).collect();
            let n = fields.len();
            fields.swap(a % n, b % n);
            let mut joined = fields.join(&b' ');
            if newline {
                joined.push(b'\n');
            }
            lines[line] = joined;
            *bytes = lines.concat();
        }
    }
}

/// A fixture (by index) and the edits to make to it.
fn mutated_fixture() -> impl Strategy<Value = (usize, Vec<Edit>)> {
    (0..FIXTURES.len(), prop::collection::vec(edit(), 1..6))
}

proptest! {
    #![proptest_config(config(512))]

    /// Arbitrary bytes, as the reader would see them if it did not check
    /// UTF-8 (lossily converted) and, when valid, as they are.
    #[test]
    fn parsers_never_panic_on_bytes(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
        parse_all("lossy bytes", &String::from_utf8_lossy(&bytes))?;
        if let Ok(text) = std::str::from_utf8(&bytes) {
            parse_all("bytes", text)?;
        }
    }
}

proptest! {
    #![proptest_config(config(192))]

    /// Each captured file, edited a few times, goes to every parser (its own
    /// gets past the first lines, the others stop early).
    #[test]
    fn parsers_never_panic_on_mutated_fixtures((index, edits) in mutated_fixture()) {
        let (name, text) = FIXTURES[index];
        let mut bytes = text.as_bytes().to_vec();
        for edit in &edits {
            apply(&mut bytes, edit);
        }
        parse_all(name, &String::from_utf8_lossy(&bytes))?;
    }
}

/// The fixtures themselves parse with their own parser, so that the
/// mutations above start from valid input.
#[test]
fn fixtures_parse() {
    for (name, text) in FIXTURES {
        let ok = match name {
            "version" => parse_version(text).is_ok(),
            "summary" => parse_summary(text).is_ok(),
            "sites" => parse_sites(text).is_ok(),
            "worst" => parse_worst(text).is_ok(),
            "log" => parse_log(text).is_ok(),
            "hist" => parse_hist(text).is_ok(),
            "wakeup" => parse_wakeup(text).is_ok(),
            "wakeup_hist" => parse_wakeup_hist(text).is_ok(),
            "spikes" => parse_spikes(text).is_ok(),
            "spikes_worst" => parse_spikes_worst(text).is_ok(),
            "spike_parts" => parse_spike_parts(text).is_ok(),
            "causes" => parse_causes(text).is_ok(),
            "enable" | "wakeup_enable" => parse_enable(text).is_ok(),
            "threshold_us" => parse_threshold_us(text).is_ok(),
            "period_us" => parse_period_us(text).is_ok(),
            "wakeup_threshold_us" => parse_wakeup_threshold_us(text).is_ok(),
            other => panic!("no parser for {other}"),
        };
        assert!(ok, "{name} does not parse");
    }
}

/// The quirks hand-made input hits: huge lines and numbers, control
/// characters in names, repeated long keys.
#[test]
fn hand_made_hostile_lines() {
    let long = "k".repeat(1 << 20);
    let inputs = [
        format!("{long} 1\n{long} 2\n"),
        format!("any 1 1 1 1 task 0 0 - 1 - 0 0 {long}+0x1/0x2 ?\n"),
        format!("any 1 1 1 1 task 0 0 - 1 - 0 0 f+0x1/0x2 [{long}] ?\n"),
        format!("0 {} 1 1 1 1 1 1 1 1 1\n", "9".repeat(1 << 20)),
        "any 1 1 1 1 task 0 0 - 1 - 0 0 f\u{1b}[2J+0x1/0x2 ?\n".to_string(),
        "any 1 1 1 1 task 0 0 - 1 - 0 0 f\0+0x1/0x2 ?\n".to_string(),
        "any task 1 0 0 - 5 f+0x1/0x2 [m\r] ?\n".to_string(),
        "preemptstat debugfs format 340282366920938463463374607431768211456\n".to_string(),
    ];
    for input in &inputs {
        if let Err(e) = parse_all("hand-made", input) {
            panic!("{e}");
        }
    }
    // The names with control characters are refused, not kept.
    assert!(parse_sites(&inputs[4]).is_err());
    assert!(parse_sites(&inputs[5]).is_err());
    assert!(parse_log(&inputs[6]).is_err());
    // A long function name is fine.
    assert!(parse_sites(&inputs[1]).is_ok());
}
