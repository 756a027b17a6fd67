// SPDX-License-Identifier: GPL-2.0
//! Helpers shared by the integration tests: running the binary, checking the output contracts, and fixture directories.

// Each test crate uses a different part of this module.
#![allow(dead_code, unused_imports)]

use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::thread;
use std::time::{Duration, Instant};

/// The binary under test.
pub const BIN: &str = env!("CARGO_BIN_EXE_preemptstat");

/// The committed fixture directory `name` (see tests/fixtures/README.md).
pub fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

/// Runs the binary with `args`.
pub fn run(args: &[&str]) -> Output {
    Command::new(BIN)
        .args(args)
        .env_remove("RUST_BACKTRACE")
        .output()
        .expect("spawn preemptstat")
}

/// Runs the binary with `--root <root>` and `args`.
pub fn run_on(root: &Path, args: &[&str]) -> Output {
    let mut all = vec!["--root", s(root)];
    all.extend_from_slice(args);
    run(&all)
}

/// `p` as `&str`.
pub fn s(p: &Path) -> &str {
    p.to_str().expect("test paths are UTF-8")
}

/// The standard output of a run, as text.
pub fn stdout(out: &Output) -> String {
    String::from_utf8(out.stdout.clone()).expect("stdout is UTF-8")
}

/// The standard error of a run, as text.
pub fn stderr(out: &Output) -> String {
    String::from_utf8(out.stderr.clone()).expect("stderr is UTF-8")
}

/// Asserts a successful run that printed `expected` and nothing on stderr.
#[track_caller]
pub fn assert_success(out: &Output, expected: &str) {
    assert_eq!(out.status.code(), Some(0), "stderr: {}", stderr(out));
    assert_eq!(stdout(out), expected);
    assert_eq!(stderr(out), "");
}

/// Asserts a successful run with nothing on stderr and returns its output.
#[track_caller]
pub fn success(out: &Output) -> String {
    assert_eq!(out.status.code(), Some(0), "stderr: {}", stderr(out));
    assert_eq!(stderr(out), "");
    stdout(out)
}

/// Asserts the failure contract: exit code 2, nothing on stdout, exactly one
/// line on stderr starting with `preemptstat: ` and containing every needle.
/// Returns that line.
#[track_caller]
pub fn assert_failure(out: &Output, needles: &[&str]) -> String {
    let err = stderr(out);
    assert_eq!(out.status.code(), Some(2), "stderr: {err}");
    assert_eq!(stdout(out), "", "stderr: {err}");
    assert!(
        err.ends_with('\n'),
        "stderr not newline-terminated: {err:?}"
    );
    let line = err.trim_end_matches('\n');
    assert!(
        !line.contains('\n'),
        "more than one line on stderr: {err:?}"
    );
    assert!(line.starts_with("preemptstat: "), "{err:?}");
    assert!(!line.contains("panicked"), "{err:?}");
    for needle in needles {
        assert!(line.contains(needle), "{line:?} lacks {needle:?}");
    }
    line.to_string()
}

/// A temporary copy of the fixture directory `name`, to write to.
pub fn copy_fixture(name: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    for entry in fs::read_dir(fixture(name)).expect("fixture dir") {
        let entry = entry.unwrap();
        fs::copy(entry.path(), dir.path().join(entry.file_name())).unwrap();
    }
    dir
}

/// Compares `actual` with the golden file `name`, or rewrites it when
/// `PREEMPTSTAT_BLESS` is set.
#[track_caller]
pub fn assert_golden(name: &str, actual: &str) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden")
        .join(name);
    if std::env::var_os("PREEMPTSTAT_BLESS").is_some() {
        fs::write(&path, actual).unwrap();
        return;
    }
    let expected = fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{}: {e} (run with PREEMPTSTAT_BLESS=1)", path.display()));
    assert!(
        actual == expected,
        "output differs from {} (run with PREEMPTSTAT_BLESS=1 to update):\n{actual}",
        path.display()
    );
}

/// Runs the binary with `args` like [`run`], with standard input closed,
/// but kills it and returns `None` if it has not ended after `timeout` (a
/// hang must fail a test, not stop it).
pub fn run_with_timeout(args: &[&str], timeout: Duration) -> Option<Output> {
    let mut child = Command::new(BIN)
        .args(args)
        .env_remove("RUST_BACKTRACE")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn preemptstat");
    // Read both pipes while waiting, so that a chatty child cannot block.
    let drain = |pipe: Option<Box<dyn Read + Send>>| {
        thread::spawn(move || {
            let mut buf = Vec::new();
            if let Some(mut pipe) = pipe {
                let _ = pipe.read_to_end(&mut buf);
            }
            buf
        })
    };
    let stdout = drain(
        child
            .stdout
            .take()
            .map(|p| Box::new(p) as Box<dyn Read + Send>),
    );
    let stderr = drain(
        child
            .stderr
            .take()
            .map(|p| Box::new(p) as Box<dyn Read + Send>),
    );
    let deadline = Instant::now() + timeout;
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait for preemptstat") {
            break Some(status);
        }
        if Instant::now() >= deadline {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        thread::sleep(Duration::from_millis(2));
    };
    let stdout = stdout.join().expect("stdout reader");
    let stderr = stderr.join().expect("stderr reader");
    status.map(|status| Output {
        status,
        stdout,
        stderr,
    })
}

/// The seeded generator of the stress tools: the same seed gives the same inputs on every run.
pub use stress::rng::Rng;
