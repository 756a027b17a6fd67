// SPDX-License-Identifier: GPL-2.0

//! The command line the stress tools share: `--flag VALUE` pairs, a `--root` directory that must
//! exist, and exit status 2 for any usage error.

use std::{
    path::{Path, PathBuf},
    process::ExitCode,
};

/// Where preemptstat's debugfs files are unless `--root` says otherwise.
pub const DEFAULT_ROOT: &str = "/sys/kernel/debug/preemptstat";

/// Parses `args` (without the program name) as `--flag VALUE` pairs, calling `set(flag, value)`
/// for each. `set` returns `Ok(false)` for a flag it does not know, which fails the parse with
/// `usage` (the list of flags) in the message.
pub fn parse_flags(
    args: impl IntoIterator<Item = String>,
    usage: &str,
    mut set: impl FnMut(&str, &str) -> Result<bool, String>,
) -> Result<(), String> {
    let mut args = args.into_iter();
    while let Some(flag) = args.next() {
        let value = args.next().ok_or(format!("{flag} needs a value"))?;
        if !set(&flag, &value)? {
            return Err(format!("unknown argument '{flag}' ({usage})"));
        }
    }
    Ok(())
}

/// `value` of `flag` as a whole number.
pub fn number(flag: &str, value: &str) -> Result<u64, String> {
    value.parse().map_err(|e| format!("{flag}: {e}"))
}

/// The `--root` directory, when it is one.
pub fn root_dir(root: &Path) -> Result<PathBuf, String> {
    if root.is_dir() {
        Ok(root.to_path_buf())
    } else {
        Err(format!(
            "{} is not a directory (is preemptstat loaded?)",
            root.display()
        ))
    }
}

/// Prints a usage error of `tool` and gives its exit status, 2.
pub fn usage_error(tool: &str, e: &str) -> ExitCode {
    eprintln!("{tool}: {e}");
    ExitCode::from(2)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(a: &[&str]) -> Vec<String> {
        a.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn flags_values_and_errors() {
        let mut seen = Vec::new();
        let r = parse_flags(args(&["--a", "1", "--b", "x"]), "--a --b", |f, v| {
            seen.push(format!("{f}={v}"));
            Ok(true)
        });
        assert_eq!(r, Ok(()));
        assert_eq!(seen, ["--a=1", "--b=x"]);
        let unknown = parse_flags(args(&["--c", "1"]), "--a --b", |_, _| Ok(false));
        assert_eq!(unknown, Err("unknown argument '--c' (--a --b)".into()));
        let missing = parse_flags(args(&["--a"]), "--a", |_, _| Ok(true));
        assert_eq!(missing, Err("--a needs a value".into()));
        assert_eq!(number("--n", "12"), Ok(12));
        assert!(number("--n", "-1").unwrap_err().starts_with("--n: "));
        assert!(root_dir(Path::new("/nonexistent/preemptstat")).is_err());
        assert!(root_dir(Path::new("/")).is_ok());
    }
}
