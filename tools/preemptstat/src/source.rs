// SPDX-License-Identifier: GPL-2.0
//! [`DebugfsSource`]: all file I/O against the module's debugfs directory, with an injectable root.

use std::fs::{self, OpenOptions};
use std::io::{self, Write};
use std::os::unix::fs::{FileTypeExt, MetadataExt};
use std::path::{Path, PathBuf};

use preemptstat_core::{
    parse_causes, parse_enable, parse_hist, parse_log, parse_period_us, parse_sites,
    parse_spike_parts, parse_spikes, parse_spikes_worst, parse_summary, parse_threshold_us,
    parse_version, parse_wakeup, parse_wakeup_hist, parse_wakeup_threshold_us, parse_worst,
    FormatVersion, ParseError, Setting, Snapshot, Spike, SpikeParts, CAUSES_FILE, ENABLE_FILE,
    HIST_FILE, LOG_FILE, PERIOD_US_FILE, RESET_FILE, SITES_FILE, SPIKES_FILE, SPIKES_WORST_FILE,
    SPIKE_PARTS_FILE, SUMMARY_FILE, THRESHOLD_US_FILE, VERSION_FILE, WAKEUP_ENABLE_FILE,
    WAKEUP_FILE, WAKEUP_HIST_FILE, WAKEUP_THRESHOLD_US_FILE, WORST_FILE,
};

use crate::error::Error;

/// Where the module's files are when debugfs is mounted in the usual place.
pub const DEFAULT_ROOT: &str = "/sys/kernel/debug/preemptstat";

/// Where debugfs is normally mounted.
pub const DEFAULT_DEBUGFS_MOUNT: &str = "/sys/kernel/debug";

/// How many times [`DebugfsSource::read_snapshot`] reads `spikes`,
/// `spikes_worst` and `spike_parts` before a mismatch between them is an
/// error: a module that is recording or being reset may change them between
/// two reads, but not this often in a row.
pub const SPIKE_READS: usize = 4;

/// Reads the module's debugfs files from a directory.
///
/// `root` is the module's directory (by default [`DEFAULT_ROOT`]) and may be
/// any copy of it, such as a test fixture or a capture from another machine.
/// `debugfs_mount` (by default [`DEFAULT_DEBUGFS_MOUNT`]) is only consulted
/// to explain a missing `root` that lies under it: if the mount point is a
/// mount point or has entries, debugfs is mounted and the module is not
/// loaded; otherwise debugfs is not mounted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DebugfsSource {
    root: PathBuf,
    debugfs_mount: PathBuf,
}

impl Default for DebugfsSource {
    fn default() -> Self {
        Self::new()
    }
}

impl DebugfsSource {
    /// Reads from [`DEFAULT_ROOT`], with debugfs at [`DEFAULT_DEBUGFS_MOUNT`].
    pub fn new() -> Self {
        Self::with_root(DEFAULT_ROOT)
    }

    /// Reads from `root`, with debugfs at [`DEFAULT_DEBUGFS_MOUNT`].
    pub fn with_root(root: impl Into<PathBuf>) -> Self {
        DebugfsSource {
            root: root.into(),
            debugfs_mount: PathBuf::from(DEFAULT_DEBUGFS_MOUNT),
        }
    }

    /// Replaces the debugfs mount point used to explain a missing root.
    pub fn with_debugfs_mount(mut self, mount: impl Into<PathBuf>) -> Self {
        self.debugfs_mount = mount.into();
        self
    }

    /// The module's directory.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The debugfs mount point.
    pub fn debugfs_mount(&self) -> &Path {
        &self.debugfs_mount
    }

    /// The path of the file `name` in the module's directory.
    pub fn path(&self, name: &str) -> PathBuf {
        self.root.join(name)
    }

    /// Reads the whole file `name` from the module's directory as UTF-8.
    ///
    /// # Errors
    ///
    /// A missing root is explained as described on [`DebugfsSource`]; other
    /// failures map through [`Error::from_io`]; a directory, FIFO, device or
    /// socket in place of the file is [`Error::NotAFile`] (it is not
    /// opened, so a FIFO cannot block the reader); invalid UTF-8 is
    /// [`Error::Malformed`].
    pub fn read_file(&self, name: &str) -> Result<String, Error> {
        let path = self.path(name);
        match special_file_kind(&path) {
            Ok(None) => {}
            Ok(Some(what)) => return Err(Error::NotAFile { path, what }),
            Err(err) => return Err(self.read_error(&path, err)),
        }
        let bytes = match fs::read(&path) {
            Ok(bytes) => bytes,
            Err(err) => return Err(self.read_error(&path, err)),
        };
        String::from_utf8(bytes).map_err(|err| {
            let valid = &err.as_bytes()[..err.utf8_error().valid_up_to()];
            let line = 1 + valid.iter().filter(|&&b| b == b'\n').count();
            Error::Malformed {
                path,
                line,
                reason: format!("invalid UTF-8 at byte {}", err.utf8_error().valid_up_to()),
            }
        })
    }

    /// Reads and parses the `version` file.
    ///
    /// ```text
    /// preemptstat debugfs format 2
    /// ```
    ///
    /// # Errors
    ///
    /// As [`DebugfsSource::read_file`], plus [`Error::UnsupportedVersion`]
    /// and [`Error::Malformed`] from the parser.
    pub fn read_version(&self) -> Result<FormatVersion, Error> {
        let text = self.read_file(VERSION_FILE)?;
        parse_version(&text).map_err(|err| Error::from_parse(&self.path(VERSION_FILE), err))
    }

    /// Reads the file `name` and parses it with `parser`.
    ///
    /// # Errors
    ///
    /// As [`DebugfsSource::read_file`], plus the parser's errors with the
    /// file's path attached.
    pub fn parse_file<T>(
        &self,
        name: &str,
        parser: impl FnOnce(&str) -> Result<T, ParseError>,
    ) -> Result<T, Error> {
        let text = self.read_file(name)?;
        parser(&text).map_err(|err| Error::from_parse(&self.path(name), err))
    }

    /// Reads and parses every readable file, `version` first (see
    /// [`preemptstat_core::SNAPSHOT_FILES`]), stopping at the first error.
    /// `spike_parts` must describe the spikes of `spikes` and `spikes_worst`
    /// ([`SpikeParts::check_against`]); the three are read again, up to
    /// [`SPIKE_READS`] times in all, until they agree.
    ///
    /// # Errors
    ///
    /// As [`DebugfsSource::read_version`] for `version`, then as
    /// [`DebugfsSource::parse_file`] for each other file, and
    /// [`Error::Malformed`] naming `spike_parts` if it still disagrees with
    /// the spikes after the last read.
    pub fn read_snapshot(&self) -> Result<Snapshot, Error> {
        let version = self.read_version()?;
        let summary = self.parse_file(SUMMARY_FILE, parse_summary)?;
        let sites = self.parse_file(SITES_FILE, parse_sites)?;
        let worst = self.parse_file(WORST_FILE, parse_worst)?;
        let log = self.parse_file(LOG_FILE, parse_log)?;
        let hist = self.parse_file(HIST_FILE, parse_hist)?;
        let wakeup = self.parse_file(WAKEUP_FILE, parse_wakeup)?;
        let wakeup_hist = self.parse_file(WAKEUP_HIST_FILE, parse_wakeup_hist)?;
        let (spikes, spikes_worst, spike_parts) = self.read_spikes()?;
        Ok(Snapshot {
            version,
            summary,
            sites,
            worst,
            log,
            hist,
            wakeup,
            wakeup_hist,
            spikes,
            spikes_worst,
            spike_parts,
            causes: self.parse_file(CAUSES_FILE, parse_causes)?,
            enabled: self.parse_file(ENABLE_FILE, parse_enable)?,
            threshold_us: self.parse_file(THRESHOLD_US_FILE, parse_threshold_us)?,
            wakeup_enabled: self.parse_file(WAKEUP_ENABLE_FILE, parse_enable)?,
            period_us: self.parse_file(PERIOD_US_FILE, parse_period_us)?,
            wakeup_threshold_us: self
                .parse_file(WAKEUP_THRESHOLD_US_FILE, parse_wakeup_threshold_us)?,
        })
    }

    /// Reads `spikes`, `spikes_worst` and `spike_parts` until the parts
    /// describe the spikes (see [`DebugfsSource::read_snapshot`]).
    fn read_spikes(&self) -> Result<(Vec<Spike>, Vec<Spike>, SpikeParts), Error> {
        let mut reads = 1;
        loop {
            let spikes = self.parse_file(SPIKES_FILE, parse_spikes)?;
            let worst = self.parse_file(SPIKES_WORST_FILE, parse_spikes_worst)?;
            let parts = self.parse_file(SPIKE_PARTS_FILE, parse_spike_parts)?;
            match parts.check_against(&spikes, &worst) {
                Ok(()) => return Ok((spikes, worst, parts)),
                Err(_) if reads < SPIKE_READS => reads += 1,
                Err(err) => return Err(Error::from_parse(&self.path(SPIKE_PARTS_FILE), err)),
            }
        }
    }

    /// Writes `value` and a newline (as `echo` does) to the existing control
    /// file `name`, replacing its contents. The file is never created.
    ///
    /// # Errors
    ///
    /// A missing file or root is explained as for reading; permission errors
    /// are [`Error::WritePermissionDenied`], a value the module refuses
    /// (`EINVAL`) [`Error::WriteRejected`], a directory, FIFO, device or
    /// socket in place of the file (not opened) [`Error::NotAFile`],
    /// anything else [`Error::WriteIo`].
    pub fn write_file(&self, name: &str, value: &str) -> Result<(), Error> {
        let path = self.path(name);
        match special_file_kind(&path) {
            Ok(None) => {}
            Ok(Some(what)) => return Err(Error::NotAFile { path, what }),
            Err(err) => return Err(self.write_error(&path, value, err)),
        }
        OpenOptions::new()
            .write(true)
            .truncate(true)
            .open(&path)
            .and_then(|mut file| file.write_all(format!("{value}\n").as_bytes()))
            .map_err(|err| self.write_error(&path, value, err))
    }

    /// Checks `value` for `setting`, checks the format version, then writes
    /// the value to the setting's file.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidSetting`] before anything is read or written; then as
    /// [`DebugfsSource::read_version`] and [`DebugfsSource::write_file`].
    pub fn set(&self, setting: Setting, value: &str) -> Result<u64, Error> {
        let number = setting
            .validate(value)
            .map_err(|err| Error::InvalidSetting {
                reason: err.reason().to_string(),
            })?;
        self.read_version()?;
        self.write_file(setting.file(), &number.to_string())?;
        Ok(number)
    }

    /// Checks the format version, then writes `1` to `reset`, which clears
    /// every statistic, list and log.
    ///
    /// # Errors
    ///
    /// As [`DebugfsSource::read_version`] and [`DebugfsSource::write_file`].
    pub fn reset(&self) -> Result<(), Error> {
        self.read_version()?;
        self.write_file(RESET_FILE, "1")
    }

    /// Explains why writing `value` to `path` (a file in the root) failed.
    fn write_error(&self, path: &Path, value: &str, err: io::Error) -> Error {
        match err.kind() {
            io::ErrorKind::NotFound | io::ErrorKind::NotADirectory => self.read_error(path, err),
            io::ErrorKind::PermissionDenied => Error::WritePermissionDenied {
                path: denied_path(path),
            },
            io::ErrorKind::InvalidInput => Error::WriteRejected {
                path: path.to_path_buf(),
                value: value.to_string(),
            },
            _ => Error::WriteIo {
                path: path.to_path_buf(),
                source: err,
            },
        }
    }

    /// Explains why reading `path` (a file in the root) failed.
    fn read_error(&self, path: &Path, err: io::Error) -> Error {
        match err.kind() {
            io::ErrorKind::NotFound => match fs::metadata(&self.root) {
                Ok(meta) if meta.is_dir() => Error::FileNotFound {
                    path: path.to_path_buf(),
                },
                Ok(_) => Error::RootNotADirectory {
                    root: self.root.clone(),
                },
                Err(root_err) if root_err.kind() == io::ErrorKind::NotFound => self.missing_root(),
                Err(root_err) => Error::from_io(&self.root, root_err),
            },
            io::ErrorKind::NotADirectory => Error::RootNotADirectory {
                root: self.root.clone(),
            },
            io::ErrorKind::PermissionDenied => Error::PermissionDenied {
                path: denied_path(path),
            },
            _ => Error::from_io(path, err),
        }
    }

    /// Explains a root that does not exist.
    fn missing_root(&self) -> Error {
        let root = self.root.clone();
        if !self.root.starts_with(&self.debugfs_mount) {
            return Error::RootNotFound { root };
        }
        let mount = self.debugfs_mount.clone();
        match debugfs_mounted(&mount) {
            Ok(true) => Error::ModuleNotLoaded { root },
            Ok(false) => Error::DebugfsNotMounted { root, mount },
            Err(err) if err.kind() == io::ErrorKind::NotFound => {
                Error::DebugfsNotMounted { root, mount }
            }
            Err(err) => Error::from_io(&mount, err),
        }
    }
}

/// Which path to blame for EACCES/EPERM on `path`: the first directory on
/// the way that cannot be searched (as `/sys/kernel/debug`, mode 0700, for a
/// normal user), else `path` itself.
fn denied_path(path: &Path) -> PathBuf {
    let mut ancestors: Vec<&Path> = path.ancestors().collect();
    ancestors.reverse();
    for ancestor in ancestors {
        if ancestor.as_os_str().is_empty() {
            continue;
        }
        if let Err(err) = fs::metadata(ancestor) {
            if err.kind() == io::ErrorKind::PermissionDenied {
                if let Some(dir) = ancestor.parent().filter(|d| !d.as_os_str().is_empty()) {
                    return dir.to_path_buf();
                }
            }
            break;
        }
    }
    path.to_path_buf()
}

/// What `path` (symbolic links followed) is when it is not a regular file,
/// as every file of the module's debugfs directory is: `Some("FIFO")`,
/// `Some("directory")`, ...; `None` for a regular file. Opening a FIFO
/// blocks until a writer comes and a device such as `/dev/zero` never ends,
/// so a copy of the directory with one of those in place of a file must be
/// refused before the file is opened.
fn special_file_kind(path: &Path) -> io::Result<Option<&'static str>> {
    let file_type = fs::metadata(path)?.file_type();
    Ok(if file_type.is_file() {
        None
    } else if file_type.is_dir() {
        Some("directory")
    } else if file_type.is_fifo() {
        Some("FIFO")
    } else if file_type.is_char_device() {
        Some("character device")
    } else if file_type.is_block_device() {
        Some("block device")
    } else if file_type.is_socket() {
        Some("socket")
    } else {
        Some("special file")
    })
}

/// Whether something is mounted on `mount`: it is a mount point (its device
/// differs from its parent's) or it has entries (an unmounted
/// `/sys/kernel/debug` is an empty sysfs directory).
fn debugfs_mounted(mount: &Path) -> io::Result<bool> {
    let has_entries = fs::read_dir(mount)?.next().is_some();
    if has_entries {
        return Ok(true);
    }
    let dev = fs::metadata(mount)?.dev();
    let parent_dev = fs::metadata(mount.join(".."))?.dev();
    Ok(dev != parent_dev)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults() {
        let s = DebugfsSource::new();
        assert_eq!(s.root(), Path::new(DEFAULT_ROOT));
        assert_eq!(s.debugfs_mount(), Path::new(DEFAULT_DEBUGFS_MOUNT));
        assert_eq!(s, DebugfsSource::default());
        assert_eq!(
            s.path(VERSION_FILE),
            Path::new("/sys/kernel/debug/preemptstat/version")
        );
    }

    #[test]
    fn with_root_keeps_default_mount() {
        let s = DebugfsSource::with_root("/tmp/x").with_debugfs_mount("/tmp");
        assert_eq!(s.root(), Path::new("/tmp/x"));
        assert_eq!(s.debugfs_mount(), Path::new("/tmp"));
        assert_eq!(
            DebugfsSource::with_root("/tmp/x").debugfs_mount(),
            Path::new(DEFAULT_DEBUGFS_MOUNT)
        );
    }

    #[test]
    fn root_outside_mount_is_just_missing() {
        let s = DebugfsSource::with_root("/nonexistent/preemptstat-test/root")
            .with_debugfs_mount("/nonexistent/preemptstat-test/debugfs");
        let err = s.read_version().unwrap_err();
        assert!(matches!(err, Error::RootNotFound { .. }), "{err:?}");
    }

    #[test]
    fn missing_mount_point_means_not_mounted() {
        let s = DebugfsSource::with_root("/nonexistent/preemptstat-test/preemptstat")
            .with_debugfs_mount("/nonexistent/preemptstat-test");
        let err = s.read_version().unwrap_err();
        assert!(matches!(err, Error::DebugfsNotMounted { .. }), "{err:?}");
    }

    #[test]
    fn write_errors_are_explained() {
        let s = DebugfsSource::with_root("/nonexistent/preemptstat-test/root")
            .with_debugfs_mount("/nonexistent/preemptstat-test/debugfs");
        let path = s.path("enable");
        let rejected = s.write_error(&path, "7", io::Error::from(io::ErrorKind::InvalidInput));
        assert_eq!(
            rejected.to_string(),
            "/nonexistent/preemptstat-test/root/enable: the module rejected \"7\" \
             (invalid argument; is the module older than this reader?)"
        );
        let denied = s.write_error(&path, "1", io::Error::from(io::ErrorKind::PermissionDenied));
        assert_eq!(
            denied.to_string(),
            "permission denied writing /nonexistent/preemptstat-test/root/enable: run as root"
        );
        let other = s.write_error(&path, "1", io::Error::other("boom"));
        assert_eq!(
            other.to_string(),
            "cannot write /nonexistent/preemptstat-test/root/enable: boom"
        );
        let missing = s.write_error(&path, "1", io::Error::from(io::ErrorKind::NotFound));
        assert!(matches!(missing, Error::RootNotFound { .. }), "{missing:?}");
    }

    #[test]
    fn writes_replace_the_contents() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join("threshold_us"), "1000000\n").unwrap();
        let s = DebugfsSource::with_root(dir.path());
        s.write_file("threshold_us", "5").unwrap();
        assert_eq!(
            fs::read_to_string(dir.path().join("threshold_us")).unwrap(),
            "5\n"
        );
        let err = s.write_file("enable", "1").unwrap_err();
        assert!(matches!(err, Error::FileNotFound { .. }), "{err:?}");
        assert!(!dir.path().join("enable").exists());
    }

    #[test]
    fn special_files_are_refused_without_being_opened() {
        let dir = tempfile::tempdir().unwrap();
        fs::create_dir(dir.path().join("version")).unwrap();
        std::os::unix::fs::symlink("/dev/zero", dir.path().join("enable")).unwrap();
        let s = DebugfsSource::with_root(dir.path());
        let err = s.read_version().unwrap_err();
        assert!(
            matches!(
                err,
                Error::NotAFile {
                    what: "directory",
                    ..
                }
            ),
            "{err:?}"
        );
        assert_eq!(
            err.to_string(),
            format!(
                "{}/version is a directory, not a regular file (is {} the preemptstat \
                 debugfs directory or a copy of it?)",
                dir.path().display(),
                dir.path().display()
            )
        );
        // /dev/zero would never end.
        let err = s.read_file("enable").unwrap_err();
        assert!(
            matches!(
                err,
                Error::NotAFile {
                    what: "character device",
                    ..
                }
            ),
            "{err:?}"
        );
        let err = s.write_file("enable", "1").unwrap_err();
        assert!(
            matches!(
                err,
                Error::NotAFile {
                    what: "character device",
                    ..
                }
            ),
            "{err:?}"
        );
        // A dangling link is a missing file.
        std::os::unix::fs::symlink("nowhere", dir.path().join("sites")).unwrap();
        let err = s.read_file("sites").unwrap_err();
        assert!(matches!(err, Error::FileNotFound { .. }), "{err:?}");
    }

    #[test]
    fn a_directory_with_entries_counts_as_mounted() {
        assert!(debugfs_mounted(Path::new("/")).unwrap());
    }

    #[test]
    fn an_empty_plain_directory_is_not_mounted() {
        let dir = tempfile::tempdir().unwrap();
        let mount = dir.path().join("debug");
        fs::create_dir(&mount).unwrap();
        assert!(!debugfs_mounted(&mount).unwrap());
        fs::write(mount.join("something"), "").unwrap();
        assert!(debugfs_mounted(&mount).unwrap());
    }
}
