// SPDX-License-Identifier: GPL-2.0
//! End-to-end tests of `export --output` and `--interval`: the atomic write, `preemptstat_up 0` while the module's directory is gone, and the clean exit on SIGTERM.

mod common;

use std::fs;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use common::{assert_failure, copy_fixture, fixture, run_on, s, stderr, success, BIN};

/// `export --format prometheus` of the fixture `v2-live` on standard output.
fn live_export() -> String {
    success(&run_on(
        &fixture("v2-live"),
        &["export", "--format", "prometheus"],
    ))
}

/// What the file holds while the module's files cannot be read.
const DOWN: &str = "# HELP preemptstat_up Whether the module's debugfs files could be read (1) or not (0: module not loaded, or unreadable).\n\
                    # TYPE preemptstat_up gauge\n\
                    preemptstat_up 0\n";

/// The names in `dir`.
fn names(dir: &Path) -> Vec<String> {
    let mut list: Vec<String> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    list.sort();
    list
}

/// Polls `path` until its contents satisfy `want` (5 s at most); returns
/// them.
#[track_caller]
fn wait_for(path: &Path, what: &str, want: impl Fn(&str) -> bool) -> String {
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let text = fs::read_to_string(path).unwrap_or_default();
        if want(&text) {
            return text;
        }
        let text: String = text.chars().take(200).collect();
        assert!(
            Instant::now() < deadline,
            "{what}: {} holds {text:?}...",
            path.display()
        );
        thread::sleep(Duration::from_millis(20));
    }
}

/// Sends `signal` to `child` with kill(1) and waits for it (5 s at most).
fn signal_and_wait(child: &mut Child, signal: &str) -> std::process::ExitStatus {
    let killed = Command::new("kill")
        .args([&format!("-{signal}"), &child.id().to_string()])
        .status()
        .expect("kill(1)");
    assert!(killed.success());
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("preemptstat still running 5 s after SIG{signal}");
        }
        thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn output_is_the_exposition_written_atomically() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("preemptstat.prom");
    let out = run_on(
        &fixture("v2-live"),
        &["export", "--format", "prometheus", "--output", s(&file)],
    );
    assert_eq!(success(&out), "");
    assert_eq!(fs::read_to_string(&file).unwrap(), live_export());
    assert_eq!(names(dir.path()), ["preemptstat.prom"]);
    let mode = fs::metadata(&file).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o644);
}

#[test]
fn output_without_the_module_is_up_zero_and_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("preemptstat.prom");
    fs::write(&file, live_export()).unwrap();
    let out = run_on(
        &dir.path().join("gone"),
        &["export", "--format", "prometheus", "--output", s(&file)],
    );
    assert_failure(&out, &["does not exist"]);
    assert_eq!(fs::read_to_string(&file).unwrap(), DOWN);
    // A file that cannot be written is an error too, and nothing is left.
    let out = run_on(
        &fixture("v2-live"),
        &[
            "export",
            "--format",
            "prometheus",
            "--output",
            s(&dir.path().join("no/x.prom")),
        ],
    );
    assert_failure(&out, &["cannot write", "x.prom"]);
    assert_eq!(names(dir.path()), ["preemptstat.prom"]);
}

#[test]
fn interval_needs_output_and_excludes_fail_over() {
    assert_failure(
        &run_on(
            &fixture("v2-live"),
            &["export", "--format", "prometheus", "--interval", "1"],
        ),
        &["--output"],
    );
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("p.prom");
    assert_failure(
        &run_on(
            &fixture("v2-live"),
            &[
                "--fail-over-us",
                "5",
                "export",
                "--format",
                "prometheus",
                "--output",
                s(&file),
                "--interval",
                "1",
            ],
        ),
        &["--fail-over-us", "--interval"],
    );
    assert!(!file.exists());
    // Once, --fail-over-us applies to what was written.
    let out = run_on(
        &fixture("v2-live"),
        &[
            "--fail-over-us",
            "9000",
            "export",
            "--format",
            "prometheus",
            "--output",
            s(&file),
        ],
    );
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert_eq!(fs::read_to_string(&file).unwrap(), live_export());
}

#[test]
fn iterations_end_the_loop() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("p.prom");
    let started = Instant::now();
    let out = run_on(
        &fixture("v2-live"),
        &[
            "export",
            "--format",
            "prometheus",
            "--output",
            s(&file),
            "--interval",
            "0.5",
            "--iterations",
            "3",
        ],
    );
    assert_eq!(success(&out), "");
    // Three writes on a 0.5 s cadence: two sleeps.
    assert!(
        started.elapsed() >= Duration::from_millis(1000),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(fs::read_to_string(&file).unwrap(), live_export());
    assert_eq!(names(dir.path()), ["p.prom"]);
}

/// The loop against a copy of the fixture that disappears and comes back:
/// `preemptstat_up 0` while it is gone, one line on stderr each way, a new
/// file (inode) at every write, and exit 0 on SIGTERM.
#[test]
fn interval_follows_the_module_and_ends_cleanly_on_sigterm() {
    let capture = copy_fixture("v2-live");
    let root: PathBuf = capture.path().join("preemptstat");
    fs::create_dir(&root).unwrap();
    for name in names(capture.path()) {
        if name != "preemptstat" {
            fs::rename(capture.path().join(&name), root.join(&name)).unwrap();
        }
    }
    let away = capture.path().join("away");
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("preemptstat.prom");
    let mut child = Command::new(BIN)
        .args(["--root", s(&root), "export", "--format", "prometheus"])
        .args(["--output", s(&file), "--interval", "0.5"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let up = live_export();
    wait_for(&file, "first write", |t| t == up);
    let first = fs::metadata(&file).unwrap().ino();
    // The next write is a new file renamed over the old one.
    let deadline = Instant::now() + Duration::from_secs(5);
    while fs::metadata(&file).unwrap().ino() == first {
        assert!(Instant::now() < deadline, "the file was not replaced");
        thread::sleep(Duration::from_millis(20));
    }
    fs::rename(&root, &away).unwrap();
    wait_for(&file, "module gone", |t| t == DOWN);
    fs::rename(&away, &root).unwrap();
    wait_for(&file, "module back", |t| t == up);
    let status = signal_and_wait(&mut child, "TERM");
    let out = child.wait_with_output().unwrap();
    let err = String::from_utf8(out.stderr).unwrap();
    assert_eq!(status.code(), Some(0), "{status:?}, stderr {err:?}");
    assert_eq!(out.stdout, b"");
    let lines: Vec<&str> = err.lines().collect();
    assert_eq!(lines.len(), 2, "{err:?}");
    assert!(
        lines[0].starts_with("preemptstat: ")
            && lines[0].contains("does not exist")
            && lines[0].ends_with(&format!("writing preemptstat_up 0 to {}", file.display())),
        "{err:?}"
    );
    assert!(
        lines[1].contains("can be read again: writing preemptstat_up 1"),
        "{err:?}"
    );
    // The last exposition stays, and no temporary file is left behind.
    assert_eq!(fs::read_to_string(&file).unwrap(), up);
    assert_eq!(names(dir.path()), ["preemptstat.prom"]);
}
