// SPDX-License-Identifier: GPL-2.0
//! End-to-end tests: run the built `preemptstat` binary against fixture and temporary debugfs directories.

mod common;

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use common::{assert_failure, assert_success, fixture, run, s, stdout, BIN};

/// The committed copy of a format-2 debugfs directory with only `version`.
fn fixture_v2() -> PathBuf {
    fixture("v2")
}

/// A temporary directory shaped like `/sys/kernel/debug`, holding a
/// `preemptstat` directory with a `version` file of the given bytes.
struct Tree {
    dir: tempfile::TempDir,
}

impl Tree {
    fn new() -> Self {
        let dir = tempfile::tempdir().expect("tempdir");
        // Let an unprivileged user traverse it (see `unreadable_*`).
        fs::set_permissions(dir.path(), fs::Permissions::from_mode(0o755)).unwrap();
        Tree { dir }
    }

    fn with_version(contents: &[u8]) -> Self {
        let tree = Tree::new();
        fs::create_dir_all(tree.root()).unwrap();
        fs::write(tree.version(), contents).unwrap();
        tree
    }

    fn mount(&self) -> PathBuf {
        self.dir.path().join("debug")
    }

    fn root(&self) -> PathBuf {
        self.mount().join("preemptstat")
    }

    fn version(&self) -> PathBuf {
        self.root().join("version")
    }

    /// Runs `preemptstat --root <root> --debugfs-mount <mount> <args>`.
    fn run(&self, args: &[&str]) -> Output {
        let (root, mount) = (self.root(), self.mount());
        let mut all = vec!["--root", s(&root), "--debugfs-mount", s(&mount)];
        all.extend_from_slice(args);
        run(&all)
    }
}

#[test]
fn fixture_v2_text() {
    let root = fixture_v2();
    assert_success(
        &run(&["--root", s(&root), "version"]),
        "format version: 2 (reader supports 2)\n",
    );
}

#[test]
fn fixture_v2_json() {
    let root = fixture_v2();
    let out = run(&["--root", s(&root), "version", "--json"]);
    assert_success(&out, "{\"version\":2}\n");
    let value: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(value, serde_json::json!({ "version": 2 }));
}

#[test]
fn no_subcommand_means_report_which_needs_every_file() {
    let root = fixture_v2();
    assert_failure(
        &run(&["--root", s(&root)]),
        &[&format!(
            "{} does not exist",
            root.join("summary").display()
        )],
    );
}

#[test]
fn missing_root_with_debugfs_mounted_means_module_not_loaded() {
    let tree = Tree::new();
    fs::create_dir_all(tree.mount().join("tracing")).unwrap();
    let line = assert_failure(
        &tree.run(&["version"]),
        &[
            "module not loaded",
            s(&tree.root()),
            "insmod preemptstat.ko",
        ],
    );
    assert_eq!(
        line,
        format!(
            "preemptstat: module not loaded: {} does not exist (load it with 'insmod preemptstat.ko')",
            tree.root().display()
        )
    );
}

#[test]
fn missing_root_with_empty_mount_point_means_debugfs_not_mounted() {
    let tree = Tree::new();
    fs::create_dir_all(tree.mount()).unwrap();
    let mount_cmd = format!("mount -t debugfs none {}", tree.mount().display());
    let line = assert_failure(
        &tree.run(&[]),
        &["debugfs not mounted", s(&tree.root()), &mount_cmd],
    );
    assert!(!line.contains("not loaded"), "{line}");
}

#[test]
fn missing_root_with_missing_mount_point_means_debugfs_not_mounted() {
    let tree = Tree::new();
    assert_failure(
        &tree.run(&["version"]),
        &["debugfs not mounted", "mount -t debugfs"],
    );
}

#[test]
fn missing_root_outside_debugfs_just_does_not_exist() {
    let tree = Tree::new();
    fs::create_dir_all(tree.mount().join("tracing")).unwrap();
    let root = tree.dir.path().join("capture");
    let mount = tree.mount();
    let line = assert_failure(
        &run(&["--root", s(&root), "--debugfs-mount", s(&mount)]),
        &[&format!("{} does not exist", root.display()), "--root"],
    );
    assert!(
        !line.contains("not loaded") && !line.contains("not mounted"),
        "{line}"
    );
}

#[test]
fn root_that_is_a_file() {
    let tree = Tree::new();
    fs::create_dir_all(tree.mount()).unwrap();
    fs::write(tree.root(), "").unwrap();
    assert_failure(&tree.run(&[]), &[s(&tree.root()), "is not a directory"]);
}

#[test]
fn root_without_version_file() {
    let tree = Tree::new();
    fs::create_dir_all(tree.root()).unwrap();
    assert_failure(
        &tree.run(&["version"]),
        &[&format!("{} does not exist", tree.version().display())],
    );
}

#[test]
fn newer_version_is_refused() {
    let tree = Tree::with_version(b"preemptstat debugfs format 3\n");
    let line = assert_failure(&tree.run(&["version"]), &[]);
    assert_eq!(
        line,
        format!(
            "preemptstat: {}: format version 3 is newer than this reader, which reads format 2: \
             update preemptstat",
            tree.version().display()
        )
    );
}

/// A format 1 module (before the latency breakdown): one line naming the
/// version found and the one this reader reads, exit 2, for every command
/// that reads the directory.
#[test]
fn older_version_is_refused() {
    let tree = Tree::with_version(b"preemptstat debugfs format 1\n");
    let expected = format!(
        "preemptstat: {}: format version 1 is older than this reader, which reads format 2: \
         load a matching preemptstat.ko or use an older preemptstat",
        tree.version().display()
    );
    for args in [
        &["version"][..],
        &["version", "--json"],
        &["report"],
        &["wakeup", "--json"],
        &["export", "--format", "prometheus"],
        &["set", "enable", "1"],
        &["reset"],
    ] {
        assert_eq!(assert_failure(&tree.run(args), &[]), expected, "{args:?}");
    }
}

#[test]
fn newer_version_is_refused_in_json_mode_too() {
    let tree = Tree::with_version(b"preemptstat debugfs format 7");
    assert_failure(
        &tree.run(&["version", "--json"]),
        &["format version 7 is newer", "update preemptstat"],
    );
}

#[test]
fn malformed_files_are_reported_with_path() {
    let cases: &[(&[u8], &str)] = &[
        (b"", "file is empty"),
        (b"\n", "line is empty"),
        (
            b"preemptstat debugfs format 2\nextra\n",
            "line 2: unexpected extra line",
        ),
        (
            b"preemptstat debugfs format 2 2\n",
            "after the version number",
        ),
        (b"preemptstat debugfs format 0\n", "version 0 is not valid"),
        (b"preemptstat debugfs format 4294967296\n", "out of range"),
        (
            b"preemptstat debugfs form",
            "expected `preemptstat debugfs format <N>`",
        ),
        (b"garbage\nmore garbage\n", "expected"),
        (b"preemptstat debugfs format \xff\n", "invalid UTF-8"),
    ];
    for (contents, detail) in cases {
        let tree = Tree::with_version(contents);
        let prefix = format!(
            "preemptstat: {}: malformed: line ",
            tree.version().display()
        );
        let line = assert_failure(&tree.run(&["version"]), &[detail]);
        assert!(line.starts_with(&prefix), "{line:?} for {contents:?}");
    }
}

#[test]
fn usage_errors_are_one_line() {
    assert_failure(&run(&["--no-such-option"]), &["--no-such-option", "--help"]);
    assert_failure(&run(&["frobnicate"]), &["frobnicate", "--help"]);
    assert_failure(&run(&["--root"]), &["--root", "--help"]);
}

#[test]
fn help_has_examples() {
    let out = run(&["--help"]);
    assert_eq!(out.status.code(), Some(0));
    let help = stdout(&out);
    assert!(help.contains("Examples:"), "{help}");
    assert!(help.contains("preemptstat sites --json"), "{help}");
    assert!(!help.contains("debugfs-mount"), "{help}");
}

/// Runs the binary as the unprivileged user `nobody` through `setpriv`, if
/// that works here (we are root, `setpriv` exists and `nobody` can execute
/// the binary); otherwise `None`.
fn run_as_nobody(args: &[&str]) -> Option<Output> {
    let setpriv = |extra: &[&str]| {
        Command::new("setpriv")
            .args([
                "--reuid=65534",
                "--regid=65534",
                "--clear-groups",
                "--",
                BIN,
            ])
            .args(extra)
            .output()
            .ok()
    };
    match setpriv(&["--version"]) {
        Some(probe) if probe.status.success() => setpriv(args),
        _ => None,
    }
}

/// A file the caller cannot read. As a normal user the binary itself must
/// report it. Root reads any file, so there the test drops to `nobody` with
/// `setpriv`; failing that it checks that root does read the file (the
/// message itself is covered by the unit tests of `Error::from_io`).
#[test]
fn unreadable_version_file() {
    let tree = Tree::with_version(b"preemptstat debugfs format 2\n");
    fs::set_permissions(tree.mount(), fs::Permissions::from_mode(0o755)).unwrap();
    fs::set_permissions(tree.root(), fs::Permissions::from_mode(0o755)).unwrap();
    fs::set_permissions(tree.version(), fs::Permissions::from_mode(0o000)).unwrap();
    let version = tree.version();
    let expected = format!(
        "preemptstat: permission denied reading {}: run as root",
        version.display()
    );
    let root = tree.root();
    let args = ["--root", s(&root), "version"];

    if fs::read(&version).is_err() {
        assert_eq!(assert_failure(&run(&args), &[]), expected);
    } else if let Some(out) = run_as_nobody(&args) {
        assert_eq!(assert_failure(&out, &[]), expected);
    } else {
        eprintln!("running as root without a usable setpriv: checking that root reads it");
        assert_success(&run(&args), "format version: 2 (reader supports 2)\n");
    }
}

/// Makes `dir` (a directory of `tree`) unsearchable, runs `version` on
/// `tree` as a user that is denied, and checks that `dir` is blamed. Without
/// such a user (root and no usable `setpriv`) it checks that root reads the
/// file instead.
fn assert_unsearchable_dir_is_blamed(tree: &Tree, dir: &Path, mode: u32) {
    fs::set_permissions(dir, fs::Permissions::from_mode(mode)).unwrap();
    let (root, mount) = (tree.root(), tree.mount());
    let args = ["--root", s(&root), "--debugfs-mount", s(&mount), "version"];
    let out = if fs::read(tree.version()).is_err() {
        Some(run(&args))
    } else {
        run_as_nobody(&args)
    };
    match out {
        Some(out) => {
            let line = assert_failure(&out, &[]);
            assert_eq!(
                line,
                format!(
                    "preemptstat: permission denied reading {}: run as root",
                    dir.display()
                )
            );
        }
        None => {
            eprintln!("running as root without a usable setpriv: checking that root reads it");
            assert_success(&run(&args), "format version: 2 (reader supports 2)\n");
        }
    }
    // Let TempDir clean up.
    fs::set_permissions(dir, fs::Permissions::from_mode(0o755)).unwrap();
}

/// A module directory the caller cannot enter: the directory is blamed, not
/// the file in it.
#[test]
fn unsearchable_root_directory() {
    let tree = Tree::with_version(b"preemptstat debugfs format 2\n");
    fs::set_permissions(tree.mount(), fs::Permissions::from_mode(0o755)).unwrap();
    assert_unsearchable_dir_is_blamed(&tree, &tree.root(), 0o000);
}

/// What a normal user meets on a real system: `/sys/kernel/debug` has mode
/// 0700, so the mount point is blamed.
#[test]
fn unsearchable_debugfs_mount_point() {
    let tree = Tree::with_version(b"preemptstat debugfs format 2\n");
    fs::set_permissions(tree.root(), fs::Permissions::from_mode(0o755)).unwrap();
    assert_unsearchable_dir_is_blamed(&tree, &tree.mount(), 0o700);
}
