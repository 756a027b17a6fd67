// SPDX-License-Identifier: GPL-2.0
//! [`write_atomic`]: replacing a file so that a reader sees the old contents or the new, never part of either.

use std::io::{self, Write};
use std::path::Path;

use tempfile::NamedTempFile;

use crate::error::Error;

/// The suffix of the temporary file: never `.prom`, so node_exporter's
/// textfile collector, which reads `*.prom`, never reads a half-written one.
pub const TEMP_SUFFIX: &str = ".tmp";

/// Creates the temporary file for `path`: `.NAME.XXXXXX.tmp` in the same
/// directory (so that the rename stays on one file system), mode 0644.
///
/// # Errors
///
/// Any error creating it or setting its mode.
pub fn temp_for(path: &Path) -> io::Result<NamedTempFile> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let name = path
        .file_name()
        .map_or_else(|| "preemptstat".into(), |n| n.to_string_lossy());
    let tmp = tempfile::Builder::new()
        .prefix(&format!(".{name}."))
        .suffix(TEMP_SUFFIX)
        .tempfile_in(dir)?;
    // tempfile creates 0600; these files are no secret (the debugfs files
    // are 0444 to root), and node_exporter may run as another user.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        tmp.as_file()
            .set_permissions(std::fs::Permissions::from_mode(0o644))?;
    }
    Ok(tmp)
}

/// Writes `contents` to `path` atomically: to [`temp_for`]`(path)`, synced,
/// then renamed over `path`. The temporary file is removed if a step fails.
///
/// # Errors
///
/// [`Error::WriteFile`] naming `path` if any step fails.
pub fn write_atomic(path: &Path, contents: &[u8]) -> Result<(), Error> {
    let fail = |source: io::Error| Error::WriteFile {
        path: path.to_path_buf(),
        source,
    };
    let mut tmp = temp_for(path).map_err(fail)?;
    tmp.write_all(contents)
        .and_then(|()| tmp.as_file().sync_all())
        .map_err(fail)?;
    tmp.persist(path).map_err(|e| fail(e.error))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_temporary_file_is_hidden_beside_the_target_and_not_a_prom_file() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("preemptstat.prom");
        let tmp = temp_for(&target).unwrap();
        let name = tmp
            .path()
            .file_name()
            .unwrap()
            .to_str()
            .unwrap()
            .to_string();
        assert_eq!(tmp.path().parent(), Some(dir.path()));
        assert!(name.starts_with(".preemptstat.prom."), "{name}");
        assert!(
            name.ends_with(TEMP_SUFFIX) && !name.ends_with(".prom"),
            "{name}"
        );
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = tmp.as_file().metadata().unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o644);
        }
    }

    #[test]
    fn a_write_replaces_the_file_and_leaves_nothing_else() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("x.prom");
        std::fs::write(&target, "old\n").unwrap();
        let before = std::fs::metadata(&target).unwrap();
        write_atomic(&target, b"new\n").unwrap();
        assert_eq!(std::fs::read_to_string(&target).unwrap(), "new\n");
        // A rename, not a rewrite in place: a reader holding the old file
        // keeps the old contents.
        use std::os::unix::fs::MetadataExt;
        assert_ne!(std::fs::metadata(&target).unwrap().ino(), before.ino());
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
        let err = write_atomic(&dir.path().join("no/x.prom"), b"").unwrap_err();
        assert!(matches!(err, Error::WriteFile { .. }), "{err:?}");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }
}
