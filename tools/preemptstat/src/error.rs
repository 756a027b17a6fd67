// SPDX-License-Identifier: GPL-2.0
//! Every way the reader can fail, each with the path involved and the fix, as one line of text.

use std::io;
use std::path::{Path, PathBuf};

use preemptstat_core::{ParseError, VersionSkew};

/// The process exit code for every failure, usage errors included.
pub const EXIT_FAILURE: u8 = 2;

/// The process exit code of a read command given `--fail-over-us N` when a
/// site's longest section took more than N µs.
pub const EXIT_OVER_THRESHOLD: u8 = 1;

/// A failure of the reader. Its [`Display`](std::fmt::Display) form is a
/// single line (the binary prefixes `preemptstat: `), for example:
///
/// ```text
/// module not loaded: /sys/kernel/debug/preemptstat does not exist (load it with 'insmod preemptstat.ko')
/// permission denied reading /sys/kernel/debug/preemptstat/version: run as root
/// /sys/kernel/debug/preemptstat/version: malformed: line 1: file is empty
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The module's directory is missing but debugfs is mounted.
    #[error(
        "module not loaded: {} does not exist (load it with 'insmod preemptstat.ko')",
        root.display()
    )]
    ModuleNotLoaded {
        /// The module's debugfs directory that was looked for.
        root: PathBuf,
    },

    /// The module's directory is missing and nothing is mounted on the
    /// debugfs mount point.
    #[error(
        "debugfs not mounted: {} does not exist and nothing is mounted on {} \
         (mount -t debugfs none {})",
        root.display(),
        mount.display(),
        mount.display()
    )]
    DebugfsNotMounted {
        /// The module's debugfs directory that was looked for.
        root: PathBuf,
        /// Where debugfs should be mounted.
        mount: PathBuf,
    },

    /// A `--root` outside the debugfs mount point does not exist.
    #[error(
        "{} does not exist (pass --root with the module's debugfs directory or a copy of it)",
        root.display()
    )]
    RootNotFound {
        /// The directory given with `--root`.
        root: PathBuf,
    },

    /// The root path exists but is not a directory.
    #[error(
        "{} is not a directory (pass --root with the module's debugfs directory or a copy of it)",
        root.display()
    )]
    RootNotADirectory {
        /// The path given with `--root`.
        root: PathBuf,
    },

    /// The root directory exists but one of the module's files is missing.
    #[error(
        "{} does not exist (is {} the preemptstat debugfs directory?)",
        path.display(),
        path.parent().unwrap_or(Path::new("")).display()
    )]
    FileNotFound {
        /// The file that was looked for.
        path: PathBuf,
    },

    /// One of the module's files is a directory, FIFO, device or socket
    /// (in a copy of the directory): reading a FIFO or a device could block
    /// or never end, so it is not opened.
    #[error(
        "{} is a {what}, not a regular file (is {} the preemptstat debugfs directory or a copy of it?)",
        path.display(),
        path.parent().unwrap_or(Path::new("")).display()
    )]
    NotAFile {
        /// The file that was looked for.
        path: PathBuf,
        /// What it is instead: `directory`, `FIFO`, `character device`, ...
        what: &'static str,
    },

    /// EACCES or EPERM.
    #[error("permission denied reading {}: run as root", path.display())]
    PermissionDenied {
        /// The file or directory that could not be read.
        path: PathBuf,
    },

    /// The module writes a format version this reader does not support.
    #[error(
        "{}: format version {found} is {} than this reader, which reads format {supported}: {}",
        path.display(),
        VersionSkew::between(*found, *supported),
        skew_fix(VersionSkew::between(*found, *supported))
    )]
    UnsupportedVersion {
        /// The `version` file.
        path: PathBuf,
        /// The version the module reports.
        found: u32,
        /// The version this reader supports.
        supported: u32,
    },

    /// A file's contents do not follow its format (including truncation and
    /// invalid UTF-8).
    #[error("{}: malformed: line {line}: {reason}", path.display())]
    Malformed {
        /// The file that was parsed.
        path: PathBuf,
        /// The 1-based line of the problem.
        line: usize,
        /// What was wrong.
        reason: String,
    },

    /// A parse error this reader has no more specific wording for.
    #[error("{}: {source}", path.display())]
    Parse {
        /// The file that was parsed.
        path: PathBuf,
        /// The parser's error.
        source: ParseError,
    },

    /// Any other I/O error while reading.
    #[error("cannot read {}: {source}", path.display())]
    Io {
        /// The file or directory that could not be read.
        path: PathBuf,
        /// The underlying error.
        source: io::Error,
    },

    /// A value for `preemptstat set` that the module would reject.
    #[error("{reason} (nothing was written)")]
    InvalidSetting {
        /// What is wrong and what the setting accepts.
        reason: String,
    },

    /// `wakeup --cpu N` for a CPU the `wakeup` file does not list.
    #[error(
        "CPU {cpu} is not in {} (it lists {})",
        path.display(),
        list_cpus(cpus)
    )]
    NoSuchCpu {
        /// The `wakeup` file.
        path: PathBuf,
        /// The CPU asked for.
        cpu: u32,
        /// The CPUs the file lists.
        cpus: Vec<u32>,
    },

    /// The command line is valid for clap but not as a whole.
    #[error("{message} (see 'preemptstat --help')")]
    Usage {
        /// What is wrong.
        message: String,
    },

    /// EACCES or EPERM while writing a control file.
    #[error("permission denied writing {}: run as root", path.display())]
    WritePermissionDenied {
        /// The file or directory that could not be written.
        path: PathBuf,
    },

    /// The module refused a value (EINVAL).
    #[error(
        "{}: the module rejected {value:?} (invalid argument; is the module older than this reader?)",
        path.display()
    )]
    WriteRejected {
        /// The control file.
        path: PathBuf,
        /// What was written, without the newline.
        value: String,
    },

    /// Any other I/O error while writing a control file.
    #[error("cannot write {}: {source}", path.display())]
    WriteIo {
        /// The control file.
        path: PathBuf,
        /// The underlying error.
        source: io::Error,
    },

    /// `record` could not write its file.
    #[error("cannot write {}: {source}", path.display())]
    WriteFile {
        /// The file given to `record`.
        path: PathBuf,
        /// The underlying error.
        source: io::Error,
    },

    /// A file given to `diff` is unreadable or not a recorded snapshot.
    #[error("{}: {reason}", path.display())]
    SnapshotFile {
        /// The file given to `diff`.
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },

    /// Writing the report to standard output failed.
    #[error("cannot write to standard output: {source}")]
    Output {
        /// The underlying error.
        source: io::Error,
    },
}

/// `CPUs 0, 1`, `CPU 3` or `no CPUs`.
fn list_cpus(cpus: &[u32]) -> String {
    match cpus {
        [] => "no CPUs".to_string(),
        [one] => format!("CPU {one}"),
        _ => {
            let list: Vec<String> = cpus.iter().map(|c| c.to_string()).collect();
            format!("CPUs {}", list.join(", "))
        }
    }
}

/// What to do about a format version mismatch.
fn skew_fix(skew: VersionSkew) -> &'static str {
    match skew {
        VersionSkew::Newer => "update preemptstat",
        VersionSkew::Older => "load a matching preemptstat.ko or use an older preemptstat",
    }
}

impl Error {
    /// Maps an I/O error from reading `path`: permission errors (EACCES,
    /// EPERM) become [`Error::PermissionDenied`], a missing file
    /// [`Error::FileNotFound`], anything else [`Error::Io`].
    ///
    /// A missing root directory needs more context; see
    /// [`DebugfsSource`](crate::DebugfsSource).
    pub fn from_io(path: &Path, err: io::Error) -> Self {
        let path = path.to_path_buf();
        match err.kind() {
            io::ErrorKind::PermissionDenied => Error::PermissionDenied { path },
            io::ErrorKind::NotFound => Error::FileNotFound { path },
            _ => Error::Io { path, source: err },
        }
    }

    /// Attaches the `path` that was parsed to a parser error.
    pub fn from_parse(path: &Path, err: ParseError) -> Self {
        let path = path.to_path_buf();
        match err {
            ParseError::UnsupportedVersion { found, supported } => Error::UnsupportedVersion {
                path,
                found,
                supported,
            },
            ParseError::Malformed { line, reason } => Error::Malformed { path, line, reason },
            source => Error::Parse { path, source },
        }
    }

    /// The process exit code for this error: always [`EXIT_FAILURE`].
    pub fn exit_code(&self) -> u8 {
        EXIT_FAILURE
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p() -> &'static Path {
        Path::new("/sys/kernel/debug/preemptstat/version")
    }

    #[test]
    fn permission_denied_kind_maps_to_permission_denied() {
        let err = Error::from_io(p(), io::Error::from(io::ErrorKind::PermissionDenied));
        assert!(matches!(err, Error::PermissionDenied { .. }), "{err:?}");
        assert_eq!(
            err.to_string(),
            "permission denied reading /sys/kernel/debug/preemptstat/version: run as root"
        );
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn eacces_and_eperm_map_to_permission_denied() {
        const EPERM: i32 = 1;
        const EACCES: i32 = 13;
        for errno in [EPERM, EACCES] {
            let err = Error::from_io(p(), io::Error::from_raw_os_error(errno));
            assert!(
                matches!(err, Error::PermissionDenied { .. }),
                "errno {errno}: {err:?}"
            );
        }
    }

    #[test]
    fn not_found_maps_to_file_not_found() {
        let err = Error::from_io(p(), io::Error::from(io::ErrorKind::NotFound));
        assert_eq!(
            err.to_string(),
            "/sys/kernel/debug/preemptstat/version does not exist \
             (is /sys/kernel/debug/preemptstat the preemptstat debugfs directory?)"
        );
    }

    #[test]
    fn other_io_errors_keep_the_path() {
        let err = Error::from_io(p(), io::Error::other("boom"));
        assert_eq!(
            err.to_string(),
            "cannot read /sys/kernel/debug/preemptstat/version: boom"
        );
    }

    #[test]
    fn unsupported_versions_name_the_fix() {
        let newer = Error::from_parse(
            p(),
            ParseError::UnsupportedVersion {
                found: 3,
                supported: 2,
            },
        );
        assert_eq!(
            newer.to_string(),
            "/sys/kernel/debug/preemptstat/version: format version 3 is newer than this \
             reader, which reads format 2: update preemptstat"
        );
        let older = Error::from_parse(
            p(),
            ParseError::UnsupportedVersion {
                found: 1,
                supported: 2,
            },
        );
        assert_eq!(
            older.to_string(),
            "/sys/kernel/debug/preemptstat/version: format version 1 is older than this \
             reader, which reads format 2: load a matching preemptstat.ko or use an older \
             preemptstat"
        );
    }

    #[test]
    fn missing_cpus_list_the_others() {
        let path = PathBuf::from("/d/wakeup");
        let err = |cpus: Vec<u32>| {
            Error::NoSuchCpu {
                path: path.clone(),
                cpu: 5,
                cpus,
            }
            .to_string()
        };
        assert_eq!(
            err(vec![0, 1]),
            "CPU 5 is not in /d/wakeup (it lists CPUs 0, 1)"
        );
        assert_eq!(err(vec![3]), "CPU 5 is not in /d/wakeup (it lists CPU 3)");
        assert_eq!(err(vec![]), "CPU 5 is not in /d/wakeup (it lists no CPUs)");
    }

    #[test]
    fn malformed_names_path_and_line() {
        let err = Error::from_parse(p(), ParseError::malformed(1, "file is empty"));
        assert_eq!(
            err.to_string(),
            "/sys/kernel/debug/preemptstat/version: malformed: line 1: file is empty"
        );
        assert_eq!(err.exit_code(), 2);
    }
}
