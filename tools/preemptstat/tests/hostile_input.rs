// SPDX-License-Identifier: GPL-2.0
//! Hostile input through `--root`: every file the reader reads, damaged in many deterministic ways and some seeded random ones, under every read command. The reader never panics or hangs: it succeeds with valid output, or exits with code 2 and one line that names the damaged file.
//!
//! Each test copies `v2-live` into a temporary directory and damages one
//! file in about 60 ways, restoring it between cases. Every case runs in
//! process through [`preemptstat::run`] (the code the binary runs, with
//! panics caught), under the read commands in turn: one when the damaged
//! snapshot does not parse (every command reads it through the same
//! [`preemptstat::DebugfsSource::read_snapshot`]), two when it does (each
//! command renders it differently); then every command that has not run
//! yet on a damaged file that parses, and on one that does not, runs on
//! one. Every special file (directory, symbolic links, FIFO, device,
//! missing file) and every sixth other case also run through the binary,
//! with a timeout, one command in turn.
//!
//! The random cases come from a seeded generator: set
//! `PREEMPTSTAT_FUZZ_SEED` to try other seeds; a failure message names the
//! seed that found it.

mod common;

use std::fs;
use std::panic::{self, AssertUnwindSafe};
use std::path::Path;
use std::process::Command;
use std::time::Duration;

use clap::Parser;
use preemptstat::Cli;

use common::{fixture, run_with_timeout, s, Rng};

/// How long one run of the binary may take before it counts as a hang.
const TIMEOUT: Duration = Duration::from_secs(30);

/// The longest error line allowed: an error quotes excerpts of the input,
/// never a whole (perhaps megabyte-long) line.
const MAX_ERROR_LEN: usize = 2048;

/// How many seeded random cases each file gets.
const RANDOM_CASES: usize = 8;

/// How many read commands run in process, in turn, on each case whose
/// damaged snapshot still parses, besides the one that found it does.
const PARSED_EXTRA: usize = 1;

/// Besides every special file, every this many cases run through the
/// binary.
const BINARY_EVERY: usize = 6;

/// What a case must lead to under a command that reads the damaged file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Expect {
    /// Exit code 2 with one line naming the damaged file.
    Fail,
    /// Exit code 0 (1 with `--fail-over-us`) and valid output.
    Success,
    /// Either, but nothing else.
    Any,
}

/// How one file is damaged.
#[derive(Debug)]
enum Damage {
    /// Replaced by these bytes.
    Contents(Vec<u8>),
    /// Replaced by an empty directory.
    Directory,
    /// Replaced by a symbolic link to nothing.
    DanglingSymlink,
    /// Replaced by a symbolic link to itself.
    SymlinkLoop,
    /// Removed.
    Missing,
    /// Replaced by a FIFO nobody writes to (only run through the binary,
    /// with a timeout: opening it would block).
    Fifo,
    /// Replaced by a symbolic link to `/dev/zero`, which never ends (only
    /// run through the binary, with a timeout).
    DevZero,
}

impl Damage {
    /// Whether the damage could hang a reader that opens the file, so the
    /// case must only run through the binary, under a timeout.
    fn could_hang(&self) -> bool {
        matches!(self, Damage::Fifo | Damage::DevZero)
    }

    /// Whether the file is replaced by something other than bytes.
    fn is_special(&self) -> bool {
        !matches!(self, Damage::Contents(_))
    }
}

/// One damaged version of one file and what it must lead to.
#[derive(Debug)]
struct Case {
    /// What was done, for messages.
    label: String,
    /// The damage.
    damage: Damage,
    /// The outcome under a command that reads the file.
    expect: Expect,
}

/// The shapes of the files the reader reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shape {
    /// `version`: one line, the number in field 3.
    Version,
    /// A record file: comment lines and records of space-separated fields;
    /// `numeric` is a field that is a number on every record line, and
    /// `empty` and `dup` what an empty file and a repeated record lead to.
    Record {
        numeric: usize,
        empty: Expect,
        dup: Expect,
    },
    /// A control file: one number.
    Control,
}

/// The shape of the file `name`.
fn shape(name: &str) -> Shape {
    use Expect::{Fail, Success};
    let record = |numeric, empty, dup| Shape::Record {
        numeric,
        empty,
        dup,
    };
    match name {
        "version" => Shape::Version,
        // Every key once.
        "summary" => record(1, Fail, Fail),
        "sites" => record(1, Success, Success),
        // A repeated rank or frame depth.
        "worst" => record(1, Success, Fail),
        "log" => record(2, Success, Success),
        // Every bucket of every kind once.
        "hist" => record(1, Fail, Fail),
        // Every CPU once.
        "wakeup" => record(0, Success, Fail),
        "wakeup_hist" => record(0, Success, Fail),
        // A spike (CPU and expiry) once.
        "spikes" => record(0, Success, Fail),
        // A spike once; worst first; at most 16 per CPU.
        "spikes_worst" => record(0, Success, Fail),
        // Ranks and frame depths in turn.
        "spike_parts" => record(1, Success, Fail),
        // Ten classes per CPU, in order, each CPU once.
        "causes" => record(0, Success, Fail),
        _ => Shape::Control,
    }
}

/// What a read command prints, to check it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Output {
    /// Plain text.
    Text,
    /// One line of JSON.
    Json,
    /// The Prometheus text exposition format.
    Prometheus,
    /// `format version: 2 (reader supports 2)`.
    Version,
    /// Nothing; an SVG file at `OUT`.
    Svg,
    /// Nothing; a JSON file at `OUT`.
    Record,
}

/// One read command line.
#[derive(Debug)]
struct Cmd {
    /// The arguments after `--root DIR`; `OUT` is replaced by a path
    /// outside the root.
    args: &'static [&'static str],
    /// What it prints.
    output: Output,
}

impl Cmd {
    /// Whether it reads every file (`version` alone reads only `version`).
    fn reads(&self, file: &str) -> bool {
        file == "version" || !matches!(self.args, ["version", ..])
    }

    /// Whether it reads every file, so that its success shows the snapshot
    /// parses.
    fn reads_all(&self) -> bool {
        self.reads("")
    }

    /// Whether `--fail-over-us` may make it exit with 1 and list offenders.
    fn fail_over(&self) -> bool {
        self.args.first() == Some(&"--fail-over-us")
    }

    /// Whether it may fail even on a valid snapshot (`--cpu 1` when the
    /// damaged `wakeup` file lists no CPU 1).
    fn may_fail(&self) -> bool {
        self.args.contains(&"--cpu")
    }

    /// The arguments with `--root root` first and `OUT` replaced by `out`.
    fn argv(&self, root: &Path, out: &Path) -> Vec<String> {
        let mut argv = vec!["--root".to_string(), s(root).to_string()];
        argv.extend(self.args.iter().map(|a| match *a {
            "OUT" => s(out).to_string(),
            a => a.to_string(),
        }));
        argv
    }
}

/// Every read command, with the options that change what is read or how
/// it is rendered.
const COMMANDS: &[Cmd] = &[
    Cmd {
        args: &[],
        output: Output::Text,
    },
    Cmd {
        args: &["report"],
        output: Output::Text,
    },
    Cmd {
        args: &["report", "--json"],
        output: Output::Json,
    },
    Cmd {
        args: &["sites"],
        output: Output::Text,
    },
    Cmd {
        args: &["sites", "--json", "--sort", "spikes"],
        output: Output::Json,
    },
    Cmd {
        args: &[
            "sites", "--kind", "irq", "--sort", "mean", "--limit", "3", "--filter", "inject",
        ],
        output: Output::Text,
    },
    Cmd {
        args: &["worst", "--stacks"],
        output: Output::Text,
    },
    Cmd {
        args: &["worst", "--json"],
        output: Output::Json,
    },
    Cmd {
        args: &["log"],
        output: Output::Text,
    },
    Cmd {
        args: &["log", "--json"],
        output: Output::Json,
    },
    Cmd {
        args: &["hist"],
        output: Output::Text,
    },
    Cmd {
        args: &["hist", "--kind", "any", "--json"],
        output: Output::Json,
    },
    Cmd {
        args: &["hist", "--site", "worker"],
        output: Output::Text,
    },
    Cmd {
        args: &["hist", "--site", "_", "--limit", "2", "--json"],
        output: Output::Json,
    },
    Cmd {
        args: &["wakeup"],
        output: Output::Text,
    },
    Cmd {
        args: &["wakeup", "--hist"],
        output: Output::Text,
    },
    Cmd {
        args: &["wakeup", "--json"],
        output: Output::Json,
    },
    Cmd {
        args: &["wakeup", "--hist", "--cpu", "1"],
        output: Output::Text,
    },
    Cmd {
        args: &["version"],
        output: Output::Version,
    },
    Cmd {
        args: &["version", "--json"],
        output: Output::Json,
    },
    Cmd {
        args: &["--fail-over-us", "1000", "version"],
        output: Output::Version,
    },
    Cmd {
        args: &["--fail-over-us", "0", "sites", "--limit", "1"],
        output: Output::Text,
    },
    Cmd {
        args: &["export", "--format", "prometheus"],
        output: Output::Prometheus,
    },
    Cmd {
        args: &["export", "--format", "prometheus", "--top", "1"],
        output: Output::Prometheus,
    },
    Cmd {
        args: &["plot", "hist", "--output", "OUT"],
        output: Output::Svg,
    },
    Cmd {
        args: &["plot", "hist", "--kind", "irq", "--output", "OUT"],
        output: Output::Svg,
    },
    Cmd {
        args: &["plot", "wakeup", "--output", "OUT"],
        output: Output::Svg,
    },
    Cmd {
        args: &[
            "plot",
            "wakeup",
            "--cpu",
            "1",
            "--threshold-us",
            "0",
            "--output",
            "OUT",
        ],
        output: Output::Svg,
    },
    Cmd {
        args: &["record", "OUT"],
        output: Output::Record,
    },
    Cmd {
        args: &["watch", "--iterations", "1"],
        output: Output::Text,
    },
];

/// How a run ended: the exit code (`None` for a signal or a timeout),
/// standard output and standard error.
#[derive(Debug)]
struct Outcome {
    code: Option<i32>,
    stdout: Vec<u8>,
    stderr: String,
}

/// Runs `argv` in process as the binary would, catching panics (reported
/// as exit code 101 with the message on `stderr`).
fn run_in_process(argv: &[String]) -> Outcome {
    let cli = Cli::try_parse_from(std::iter::once("preemptstat").chain(argv.iter().map(|a| &**a)))
        .unwrap_or_else(|err| panic!("test bug: bad command line {argv:?}: {err}"));
    let (mut out, mut diag) = (Vec::new(), Vec::new());
    let result = panic::catch_unwind(AssertUnwindSafe(|| {
        preemptstat::run(&cli, &mut out, &mut diag)
    }));
    let mut stderr = String::from_utf8_lossy(&diag).into_owned();
    let code = match result {
        Ok(Ok(status)) => status.exit_code().into(),
        Ok(Err(err)) => {
            stderr += &format!("preemptstat: {err}\n");
            err.exit_code().into()
        }
        Err(payload) => {
            let msg = payload
                .downcast_ref::<String>()
                .map(String::as_str)
                .or_else(|| payload.downcast_ref::<&str>().copied())
                .unwrap_or("(no message)");
            stderr += &format!("panicked at: {msg}\n");
            101
        }
    };
    Outcome {
        code: Some(code),
        stdout: out,
        stderr,
    }
}

/// Runs `argv` through the binary, with [`TIMEOUT`].
fn run_binary(argv: &[String]) -> Outcome {
    let args: Vec<&str> = argv.iter().map(String::as_str).collect();
    match run_with_timeout(&args, TIMEOUT) {
        Some(out) => Outcome {
            code: out.status.code(),
            stdout: out.stdout,
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        },
        None => Outcome {
            code: None,
            stdout: Vec::new(),
            stderr: format!("timed out after {TIMEOUT:?} (killed)"),
        },
    }
}

/// Checks text output: UTF-8, ends with a newline, and no control
/// character but the newline (names from the files must not reach the
/// terminal raw). `watch` may start with the terminal's clear-screen
/// sequence.
fn check_text(stdout: &[u8]) -> Result<String, String> {
    let text = std::str::from_utf8(stdout).map_err(|e| format!("stdout is not UTF-8: {e}"))?;
    if !text.ends_with('\n') {
        return Err(format!(
            "stdout does not end with a newline: {:?}",
            tail(text)
        ));
    }
    let plain = text.replace("\x1b[H\x1b[2J", "");
    if let Some(c) = plain.chars().find(|&c| c.is_control() && c != '\n') {
        return Err(format!("control character {c:?} in the output"));
    }
    Ok(text.to_string())
}

/// The last 200 characters of `text`, for messages.
fn tail(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    chars[chars.len().saturating_sub(200)..].iter().collect()
}

/// Checks a JSON document: one line that parses.
fn check_json(text: &str) -> Result<(), String> {
    let line = text
        .strip_suffix('\n')
        .ok_or("JSON does not end with a newline")?;
    if line.contains('\n') {
        return Err("JSON is more than one line".into());
    }
    serde_json::from_str::<serde_json::Value>(line)
        .map(|_| ())
        .map_err(|e| format!("invalid JSON: {e}"))
}

/// Checks the output of a successful run of `cmd`; `out` is the file of
/// `plot` and `record`.
fn check_output(cmd: &Cmd, outcome: &Outcome, out: &Path) -> Result<(), String> {
    let written = || fs::read_to_string(out).map_err(|e| format!("{}: {e}", out.display()));
    match cmd.output {
        Output::Text => check_text(&outcome.stdout).map(|_| ()),
        Output::Json => check_json(&check_text(&outcome.stdout)?),
        Output::Version => match check_text(&outcome.stdout)?.as_str() {
            "format version: 2 (reader supports 2)\n" => Ok(()),
            other => Err(format!("unexpected version output {other:?}")),
        },
        Output::Prometheus => {
            let text = check_text(&outcome.stdout)?;
            for line in text.lines().filter(|l| !l.starts_with("# ")) {
                let value = line.rsplit(' ').next().unwrap_or("");
                if value.parse::<f64>().is_err() {
                    return Err(format!("bad sample line {:?}", tail(line)));
                }
            }
            Ok(())
        }
        Output::Svg | Output::Record => {
            if !outcome.stdout.is_empty() {
                return Err("unexpected output on stdout".into());
            }
            let text = written()?;
            if cmd.output == Output::Record {
                return check_json(&text);
            }
            let doc = roxmltree::Document::parse(&text).map_err(|e| format!("bad SVG: {e}"))?;
            match doc.root_element().tag_name().name() {
                "svg" => Ok(()),
                other => Err(format!("SVG root element is {other:?}")),
            }
        }
    }
}

/// Checks one run of `cmd` on a root whose file `path` is damaged as
/// `expect` says; `out` is the file of `plot` and `record`.
fn check(
    cmd: &Cmd,
    outcome: &Outcome,
    expect: Expect,
    path: &Path,
    out: &Path,
) -> Result<(), String> {
    let err = &outcome.stderr;
    if err.contains("panicked") || err.contains("internal error") {
        return Err(format!("panic: {}", tail(err)));
    }
    match outcome.code {
        None => Err(format!("killed by a signal or hung: {}", tail(err))),
        Some(0) => {
            if expect == Expect::Fail {
                return Err("succeeded on a damaged file".into());
            }
            if !err.is_empty() {
                return Err(format!("stderr on success: {}", tail(err)));
            }
            check_output(cmd, outcome, out)
        }
        Some(1) if cmd.fail_over() => {
            if expect == Expect::Fail {
                return Err("succeeded on a damaged file".into());
            }
            if let Some(bad) = err.lines().find(|l| !l.starts_with("preemptstat: over ")) {
                return Err(format!("unexpected stderr line {:?}", tail(bad)));
            }
            check_output(cmd, outcome, out)
        }
        Some(2) => {
            if expect == Expect::Success {
                return Err(format!("failed: {}", tail(err)));
            }
            if !outcome.stdout.is_empty() {
                return Err(format!("stdout on failure: {err}"));
            }
            if out.exists() {
                return Err(format!("{} written on failure", out.display()));
            }
            let Some(line) = err.strip_suffix('\n') else {
                return Err(format!("stderr does not end with a newline: {}", tail(err)));
            };
            if line.contains('\n') {
                return Err(format!("more than one line on stderr: {}", tail(err)));
            }
            if err.len() > MAX_ERROR_LEN {
                return Err(format!("{} bytes on stderr: {}", err.len(), tail(err)));
            }
            match line.strip_prefix("preemptstat: ") {
                Some(msg) if !msg.trim().is_empty() => {}
                _ => return Err(format!("not `preemptstat: <message>`: {line:?}")),
            }
            if expect == Expect::Fail && !line.contains(s(path)) {
                return Err(format!(
                    "the error does not name {}: {line:?}",
                    path.display()
                ));
            }
            Ok(())
        }
        Some(code) => Err(format!("exit code {code}: {}", tail(err))),
    }
}

/// The lines of `text`, each with its newline if it has one.
fn lines(text: &str) -> Vec<&str> {
    text.split_inclusive('\n').collect()
}

/// The indexes of the record (not comment) lines of `lines`.
fn records(lines: &[&str]) -> Vec<usize> {
    (0..lines.len())
        .filter(|&i| !lines[i].starts_with('#') && !lines[i].trim_end_matches('\n').is_empty())
        .collect()
}

/// `lines` joined, with line `i` replaced by `line` (which brings its own
/// newline, if any).
fn with_line(lines: &[&str], i: usize, line: &str) -> String {
    let mut text = String::new();
    for (j, l) in lines.iter().enumerate() {
        text += if j == i { line } else { l };
    }
    text
}

/// `lines` joined, with the fields (split at spaces) of line `i` edited by
/// `edit`.
fn with_fields(lines: &[&str], i: usize, edit: impl FnOnce(&mut Vec<String>)) -> String {
    let body = lines[i].trim_end_matches('\n');
    let mut fields: Vec<String> = body.split(' ').map(str::to_string).collect();
    edit(&mut fields);
    let newline = if lines[i].ends_with('\n') { "\n" } else { "" };
    with_line(lines, i, &format!("{}{newline}", fields.join(" ")))
}

/// `bytes` with `insert` inserted at byte `at`.
fn inserted(bytes: &[u8], at: usize, insert: &[u8]) -> Vec<u8> {
    let mut out = bytes[..at].to_vec();
    out.extend_from_slice(insert);
    out.extend_from_slice(&bytes[at..]);
    out
}

/// Numbers that no numeric field accepts (the parsers take unsigned
/// decimal digits only, up to `u64::MAX`).
const BAD_NUMBERS: &[&str] = &[
    "18446744073709551616",
    "340282366920938463463374607431768211456",
    "-1",
    "-0",
    "+1",
    "0x10",
    "1.5",
    "1e3",
    "NaN",
    "inf",
    "\u{ff11}",
    "",
];

/// Numbers that some fields accept and others refuse.
const EDGE_NUMBERS: &[&str] = &[
    "18446744073709551615",
    "4294967296",
    "4294967295",
    "0",
    "0000000000000000000000000007",
];

/// Every case for the file `name` with the contents `text`; random cases
/// draw from `rng`.
fn cases(name: &str, text: &str, rng: &mut Rng) -> Vec<Case> {
    use Expect::{Any, Fail, Success};
    let shape = shape(name);
    let record = matches!(shape, Shape::Record { .. });
    let if_record = |e: Expect| if record { e } else { Any };
    let lines = lines(text);
    let recs = records(&lines);
    assert!(!recs.is_empty(), "{name}: the fixture has no records");
    let bytes = text.as_bytes();
    let mut out: Vec<Case> = Vec::new();
    let mut add = |label: String, damage: Damage, expect: Expect| {
        out.push(Case {
            label,
            damage,
            expect,
        })
    };
    let contents = |s: String| Damage::Contents(s.into_bytes());

    // The file itself is something else.
    for (label, damage) in [
        ("a directory", Damage::Directory),
        ("a dangling symbolic link", Damage::DanglingSymlink),
        ("a symbolic link to itself", Damage::SymlinkLoop),
        ("missing", Damage::Missing),
        ("a FIFO", Damage::Fifo),
        ("a symbolic link to /dev/zero", Damage::DevZero),
    ] {
        add(format!("file is {label}"), damage, Fail);
    }
    let empty = match shape {
        Shape::Record { empty, .. } => empty,
        _ => Fail,
    };
    add("empty file".into(), Damage::Contents(Vec::new()), empty);

    // Bytes that are not text.
    let line = *rng.pick(&recs);
    let start: usize = lines[..line].iter().map(|l| l.len()).sum();
    let len = lines[line].trim_end_matches('\n').len();
    let at = start + rng.below(len + 1);
    add(
        format!("0xff at byte {at}"),
        Damage::Contents(inserted(bytes, at, b"\xff")),
        Fail,
    );
    add(
        "UTF-8 sequence cut at the end".into(),
        Damage::Contents([bytes, b"\xe2\x82"].concat()),
        Fail,
    );
    add(
        format!("overlong NUL (c0 80) at byte {at}"),
        Damage::Contents(inserted(bytes, at, b"\xc0\x80")),
        Fail,
    );
    add(
        format!("NUL byte at byte {at} (line {})", line + 1),
        Damage::Contents(inserted(bytes, at, b"\0")),
        Fail,
    );
    if let Some(comment) = lines.iter().position(|l| l.starts_with('#')) {
        let at: usize = lines[..comment].iter().map(|l| l.len()).sum::<usize>() + 1;
        add(
            "NUL byte in a comment line".into(),
            Damage::Contents(inserted(bytes, at, b"\0")),
            Success,
        );
    }

    // Truncation.
    if len >= 2 {
        let cut = start + 1 + rng.below(len - 1);
        add(
            format!("cut at byte {cut}, inside line {}", line + 1),
            Damage::Contents(bytes[..cut].to_vec()),
            if_record(Fail),
        );
    }
    let numeric = match shape {
        Shape::Version => 3,
        Shape::Record { numeric, .. } => numeric,
        Shape::Control => 0,
    };
    let field_start: usize = lines[line]
        .split(' ')
        .take(numeric)
        .map(|f| f.len() + 1)
        .sum();
    let number = lines[line]
        .trim_end_matches('\n')
        .split(' ')
        .nth(numeric)
        .unwrap_or("");
    assert!(
        !number.is_empty() && number.bytes().all(|b| b.is_ascii_digit()),
        "{name}: field {numeric} of line {} is not a number: {number:?}",
        line + 1
    );
    if number.len() >= 2 {
        let cut = start + field_start + 1 + rng.below(number.len() - 1);
        add(
            format!("cut at byte {cut}, inside the number {number:?}"),
            Damage::Contents(bytes[..cut].to_vec()),
            if_record(Fail),
        );
    }
    add(
        "no final newline".into(),
        Damage::Contents(bytes[..bytes.len() - 1].to_vec()),
        if record { Fail } else { Success },
    );
    let whole = 1 + rng.below(lines.len());
    add(
        format!("only the first {whole} lines"),
        contents(lines[..whole].concat()),
        Any,
    );

    // Line ends and long lines.
    add(
        "CRLF line ends".into(),
        contents(text.replace('\n', "\r\n")),
        Fail,
    );
    let huge = format!("{} 1\n", "a".repeat(3 << 19));
    add(
        format!("a 1.5 MiB line before line {}, twice", line + 1),
        contents(with_line(
            &lines,
            line,
            &format!("{huge}{huge}{}", lines[line]),
        )),
        Fail,
    );
    add(
        format!("a 1 MiB number in field {numeric} of line {}", line + 1),
        contents(with_fields(&lines, line, |f| {
            f[numeric] = "9".repeat(1 << 20)
        })),
        Fail,
    );
    if let Some(sym) = lines[line]
        .split(' ')
        .position(|f| f.contains("+0x") && !f.starts_with('['))
    {
        add(
            format!("a 1 MiB function name in field {sym} of line {}", line + 1),
            contents(with_fields(&lines, line, |f| {
                f[sym] = format!("{}+0x1/0x2", "x".repeat(1 << 20))
            })),
            Success,
        );
    }

    // Numbers.
    for bad in BAD_NUMBERS {
        add(
            format!("{bad:?} in field {numeric} of line {}", line + 1),
            contents(with_fields(&lines, line, |f| f[numeric] = bad.to_string())),
            Fail,
        );
    }
    for edge in EDGE_NUMBERS {
        add(
            format!("{edge:?} in field {numeric} of line {}", line + 1),
            contents(with_fields(&lines, line, |f| f[numeric] = edge.to_string())),
            Any,
        );
    }

    // Fields and lines.
    add(
        format!("an extra field on line {}", line + 1),
        contents(with_fields(&lines, line, |f| f.push("1".into()))),
        Fail,
    );
    add(
        format!("a trailing space on line {}", line + 1),
        contents(with_fields(&lines, line, |f| f.push(String::new()))),
        Fail,
    );
    if shape != Shape::Control {
        add(
            format!("only the first field of line {}", line + 1),
            contents(with_fields(&lines, line, |f| f.truncate(1))),
            Fail,
        );
        add(
            format!("the last field of line {} dropped", line + 1),
            contents(with_fields(&lines, line, |f| {
                f.pop();
            })),
            Any,
        );
        add(
            format!("two spaces after field 0 of line {}", line + 1),
            contents(with_fields(&lines, line, |f| f.insert(1, String::new()))),
            Fail,
        );
        add(
            format!("a tab after field 0 of line {}", line + 1),
            contents(with_line(&lines, line, &lines[line].replacen(' ', "\t", 1))),
            Fail,
        );
    }
    if record {
        add(
            format!("a comment line before line {}", line + 1),
            contents(with_line(
                &lines,
                line,
                &format!("# \u{202e}\u{feff} \\ #\n{}", lines[line]),
            )),
            Success,
        );
    }
    let comments: String = lines
        .iter()
        .filter(|l| l.starts_with('#'))
        .copied()
        .collect();
    if !comments.is_empty() {
        add(
            "the header comments repeated".into(),
            contents(format!("{comments}{text}")),
            Success,
        );
    }
    let dup = match shape {
        Shape::Record { dup, .. } => dup,
        _ => Fail,
    };
    add(
        format!("line {} repeated", line + 1),
        contents(with_line(&lines, line, &lines[line].repeat(2))),
        dup,
    );
    add(
        "lines in reverse order".into(),
        contents(lines.iter().rev().copied().collect()),
        Any,
    );

    // The version line itself.
    if shape == Shape::Version {
        for bad in [
            "preemptstat debugfs format 3\n",
            "preemptstat debugfs format 1\n",
            "preemptstat debugfs format 0\n",
            "preemptstat debugfs format 01\n",
            "preemptstat debugfs format 2 1\n",
            "preemptstat debugfs format\n",
            "PREEMPTSTAT DEBUGFS FORMAT 1\n",
            "\u{feff}preemptstat debugfs format 2\n",
            "\n",
            "preemptstat debugfs format 2\n\n",
        ] {
            add(format!("version line {bad:?}"), contents(bad.into()), Fail);
        }
    }

    // Seeded random damage.
    for i in 0..RANDOM_CASES {
        let (label, damaged) = match i % 4 {
            0 => {
                let n = rng.below(4096);
                (format!("{n} random bytes"), rng.bytes(n))
            }
            1 => {
                let mut b = bytes.to_vec();
                let flips = 1 + rng.below(8);
                for _ in 0..flips {
                    let at = rng.below(b.len());
                    b[at] = rng.next_u64() as u8;
                }
                (format!("{flips} random bytes replaced"), b)
            }
            2 => {
                // A field of another line in place of one of this line's.
                let (a, b) = (*rng.pick(&recs), *rng.pick(&recs));
                let other: Vec<&str> = lines[b].trim_end_matches('\n').split(' ').collect();
                let donor = rng.pick(&other).to_string();
                let n = lines[a].split(' ').count();
                let at = rng.below(n);
                let text = with_fields(&lines, a, |f| f[at] = donor.clone());
                (
                    format!("field {at} of line {} replaced by {donor:?}", a + 1),
                    text.into_bytes(),
                )
            }
            _ => {
                // Printable junk where a line was.
                let n = 1 + rng.below(80);
                let junk: String = (0..n)
                    .map(|_| char::from(b' ' + rng.below(95) as u8))
                    .collect();
                let a = *rng.pick(&recs);
                (
                    format!("line {} replaced by {junk:?}", a + 1),
                    with_line(&lines, a, &format!("{junk}\n")).into_bytes(),
                )
            }
        };
        // Invalid UTF-8 is always refused; anything else may be fine.
        let expect = if std::str::from_utf8(&damaged).is_err() {
            Fail
        } else {
            Any
        };
        add(label, Damage::Contents(damaged), expect);
    }
    out
}

/// Puts `damage` in place of `path` (whose original contents are
/// restored by [`restore`]).
fn apply(path: &Path, damage: &Damage) {
    fs::remove_file(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    match damage {
        Damage::Contents(bytes) => fs::write(path, bytes).unwrap(),
        Damage::Directory => fs::create_dir(path).unwrap(),
        Damage::DanglingSymlink => std::os::unix::fs::symlink("no-such-file", path).unwrap(),
        Damage::SymlinkLoop => std::os::unix::fs::symlink(path, path).unwrap(),
        Damage::Missing => {}
        Damage::Fifo => {
            let status = Command::new("mkfifo").arg(path).status().expect("mkfifo");
            assert!(status.success(), "mkfifo {}", path.display());
        }
        Damage::DevZero => std::os::unix::fs::symlink("/dev/zero", path).unwrap(),
    }
}

/// Puts the original `contents` back at `path`, whatever [`apply`] left.
fn restore(path: &Path, contents: &[u8]) {
    match fs::symlink_metadata(path) {
        Ok(meta) if meta.is_dir() => fs::remove_dir(path).unwrap(),
        Ok(_) => fs::remove_file(path).unwrap(),
        Err(_) => {}
    }
    fs::write(path, contents).unwrap();
}

/// The seed of the random cases: `PREEMPTSTAT_FUZZ_SEED` or a fixed one,
/// mixed with the file name so that each file gets its own.
fn seed(name: &str) -> u64 {
    let base = std::env::var("PREEMPTSTAT_FUZZ_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0x5eed_2024_0001_u64);
    name.bytes().fold(base, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3)
    })
}

/// Damages the file `name` of a copy of `v2-live` in every way [`cases`]
/// lists, runs the read commands on it, and checks each outcome with
/// [`check`]; panics with every failure at the end. Returns (cases,
/// in-process runs, binary runs).
fn hostile(name: &str) -> (usize, usize, usize) {
    let work = tempfile::tempdir().expect("tempdir");
    let root = work.path().join("root");
    fs::create_dir(&root).unwrap();
    for entry in fs::read_dir(fixture("v2-live")).unwrap() {
        let entry = entry.unwrap();
        fs::copy(entry.path(), root.join(entry.file_name())).unwrap();
    }
    let out = work.path().join("out");
    let path = root.join(name);
    let original = fs::read(&path).unwrap();
    let text = String::from_utf8(original.clone()).unwrap();
    let seed = seed(name);
    let mut rng = Rng::new(seed);
    let cases = cases(name, &text, &mut rng);
    let file_index = preemptstat_core::SNAPSHOT_FILES
        .iter()
        .position(|f| *f == name)
        .expect("a snapshot file");

    let mut failures = Vec::new();
    let (mut in_process, mut binary) = (0, 0);
    // Runs `cmd` on the root damaged by `case`, records what is wrong with
    // the outcome, and returns whether it succeeded.
    let mut run = |cmd: &Cmd, case: &Case, through_binary: bool| {
        let _ = fs::remove_file(&out);
        let argv = cmd.argv(&root, &out);
        let outcome = if through_binary {
            binary += 1;
            run_binary(&argv)
        } else {
            in_process += 1;
            run_in_process(&argv)
        };
        let expect = if !cmd.reads(name) {
            Expect::Success
        } else if cmd.may_fail() && case.expect == Expect::Success {
            Expect::Any
        } else {
            case.expect
        };
        if let Err(why) = check(cmd, &outcome, expect, &path, &out) {
            failures.push(format!(
                "{name}: {} ({expect:?}), {} `preemptstat {}`: {why}",
                case.label,
                if through_binary {
                    "binary"
                } else {
                    "in process"
                },
                cmd.args.join(" ")
            ));
        }
        outcome.code == Some(0) || (cmd.fail_over() && outcome.code == Some(1))
    };

    // Commands go in turn. A command that reads every file and succeeds
    // shows the damaged snapshot parses: one more command renders it.
    // `runs[parsed][c]` counts the runs of command `c` on damaged files
    // that parse (1) or not (0); `seen[parsed]` the cases of each.
    let (mut next_binary, mut next) = (file_index, file_index);
    let mut runs = [vec![0usize; COMMANDS.len()], vec![0usize; COMMANDS.len()]];
    let mut seen: [Vec<usize>; 2] = [Vec::new(), Vec::new()];
    for (i, case) in cases.iter().enumerate() {
        apply(&path, &case.damage);
        if case.damage.is_special() || (i + file_index) % BINARY_EVERY == 0 {
            run(&COMMANDS[next_binary % COMMANDS.len()], case, true);
            next_binary += 1;
        }
        if !case.damage.could_hang() {
            let mut parsed = None;
            let mut ran = Vec::new();
            while parsed.is_none()
                || ran.len() < 1 + PARSED_EXTRA * usize::from(parsed == Some(true))
            {
                let c = next % COMMANDS.len();
                next += 1;
                let ok = run(&COMMANDS[c], case, false);
                ran.push(c);
                if parsed.is_none() && COMMANDS[c].reads_all() && !COMMANDS[c].may_fail() {
                    parsed = Some(ok);
                }
            }
            let parsed = usize::from(parsed == Some(true));
            for c in ran {
                runs[parsed][c] += 1;
            }
            seen[parsed].push(i);
        }
        restore(&path, &original);
    }
    // Every command on at least one damaged file that parses and one that
    // does not: the missing ones on those cases in turn.
    for parsed in [0, 1] {
        assert!(
            !seen[parsed].is_empty(),
            "{name}: no case where the damaged snapshot {}",
            ["does not parse", "parses"][parsed]
        );
        let missing: Vec<usize> = (0..COMMANDS.len())
            .filter(|&c| runs[parsed][c] == 0)
            .collect();
        for (k, c) in missing.into_iter().enumerate() {
            let case = &cases[seen[parsed][k % seen[parsed].len()]];
            apply(&path, &case.damage);
            run(&COMMANDS[c], case, false);
            restore(&path, &original);
        }
    }
    assert!(
        failures.is_empty(),
        "{} failures (seed {seed}):\n{}",
        failures.len(),
        failures.join("\n")
    );
    (cases.len(), in_process, binary)
}

/// Defines one test per file, so that they run in parallel and fail alone.
macro_rules! hostile_tests {
    ($($test:ident => $file:literal,)*) => {
        $(
            #[test]
            fn $test() {
                let start = std::time::Instant::now();
                let (cases, in_process, binary) = hostile($file);
                eprintln!(
                    "{}: {cases} cases, {in_process} runs in process, {binary} of the binary, {:.1?}",
                    $file,
                    start.elapsed()
                );
                assert!(in_process > 0 && binary > 0);
            }
        )*

        /// The tests above cover every file the reader reads.
        #[test]
        fn every_snapshot_file_has_a_test() {
            let tested = [$($file),*];
            assert_eq!(tested, preemptstat_core::SNAPSHOT_FILES);
        }
    };
}

hostile_tests! {
    hostile_version => "version",
    hostile_summary => "summary",
    hostile_sites => "sites",
    hostile_worst => "worst",
    hostile_log => "log",
    hostile_hist => "hist",
    hostile_wakeup => "wakeup",
    hostile_wakeup_hist => "wakeup_hist",
    hostile_spikes => "spikes",
    hostile_spikes_worst => "spikes_worst",
    hostile_spike_parts => "spike_parts",
    hostile_causes => "causes",
    hostile_enable => "enable",
    hostile_threshold_us => "threshold_us",
    hostile_wakeup_enable => "wakeup_enable",
    hostile_period_us => "period_us",
    hostile_wakeup_threshold_us => "wakeup_threshold_us",
}

/// `set` and `reset` read `version` before they write: a damaged one stops
/// them with one line and nothing written, and a FIFO or device in place of
/// the control file is refused without being opened.
#[test]
fn writes_refuse_damaged_roots() {
    let work = tempfile::tempdir().expect("tempdir");
    let root = work.path().join("root");
    fs::create_dir(&root).unwrap();
    for entry in fs::read_dir(fixture("v2-live")).unwrap() {
        let entry = entry.unwrap();
        fs::copy(entry.path(), root.join(entry.file_name())).unwrap();
    }
    fs::write(root.join("reset"), "").unwrap();
    let version = root.join("version");
    let enable = root.join("enable");
    let argv = |args: &[&str]| -> Vec<String> {
        let mut v = vec!["--root".to_string(), s(&root).to_string()];
        v.extend(args.iter().map(|a| a.to_string()));
        v
    };
    let one_line_naming = |outcome: &Outcome, path: &Path| {
        assert_eq!(outcome.code, Some(2), "{outcome:?}");
        assert!(outcome.stdout.is_empty(), "{outcome:?}");
        let line = outcome.stderr.strip_suffix('\n').expect("newline");
        assert!(!line.contains('\n'), "{outcome:?}");
        assert!(
            line.contains(s(path)),
            "{line:?} does not name {}",
            path.display()
        );
    };
    for bad in [
        &b"preemptstat debugfs format 3\n"[..],
        b"preemptstat debugfs format 1\n",
        b"\xff\n",
        b"",
    ] {
        fs::write(&version, bad).unwrap();
        for args in [&["set", "enable", "1"][..], &["reset"]] {
            one_line_naming(&run_binary(&argv(args)), &version);
        }
        assert_eq!(fs::read(&enable).unwrap(), b"0\n");
        assert_eq!(fs::read(root.join("reset")).unwrap(), b"");
    }
    fs::write(&version, "preemptstat debugfs format 2\n").unwrap();
    for damage in [Damage::Fifo, Damage::DevZero, Damage::Directory] {
        apply(&enable, &damage);
        one_line_naming(&run_binary(&argv(&["set", "enable", "1"])), &enable);
        restore(&enable, b"0\n");
    }
    // The undamaged root still works.
    let outcome = run_binary(&argv(&["set", "enable", "1"]));
    assert_eq!(outcome.code, Some(0), "{outcome:?}");
    assert_eq!(fs::read(&enable).unwrap(), b"1\n");
}
