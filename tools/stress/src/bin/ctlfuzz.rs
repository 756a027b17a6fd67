// SPDX-License-Identifier: GPL-2.0

//! ctlfuzz: hostile writes to every writable preemptstat control file, each checked against the
//! control grammar (`stress::oracle`), with the state of every control compared before and after.
//!
//! ```text
//! ctlfuzz [--root DIR] [--writes N] [--seed S]
//! ```
//!
//! For each control file it makes N writes (default 10 000) from a seeded generator (`stress::gen`).
//! A write the grammar rejects must fail with its errno and leave every control as it was: the
//! file written is read back after every write, every control after every
//! [`FULL_CHECK_EVERY`]th. A write the grammar accepts must succeed, every control must then
//! read as before except the file written, which reads back the value, and the value is then
//! restored. A rejected write to the write-only `reset` must not reset: `seen_any` in the
//! summary never goes down between two accepted resets. Exits 0 when every write did what the
//! grammar says, 1 at the first that did not (with the write, escaped), 2 on a usage error or a
//! missing directory.

use std::{
    collections::BTreeMap,
    fs::{self, OpenOptions},
    io::{self, Write as _},
    os::{fd::AsRawFd, unix::fs::FileExt},
    path::{Path, PathBuf},
    process::ExitCode,
    time::Instant,
};
use stress::{
    cli, gen,
    oracle::{self, Control, Expect, Write, CONTROLS},
    rng::Rng,
};

/// Every control is read back after this many writes (and after the last); the file written,
/// after every write. A rejected write to one control that changed another is still found, and
/// named among the writes since the last full check, and each write costs two opens, not six:
/// on the debug kernel each open and read-back costs about 3 ms under TCG.
const FULL_CHECK_EVERY: u64 = 10;

/// An address in the first page: no process ever has it mapped (`mmap_min_addr`), and it is a
/// user address, so the kernel's `access_ok()` passes and the module's copy faults.
const UNMAPPED: usize = 0x1000;

extern "C" {
    /// `write(2)` from the C library std already links, for the one write std cannot make: from
    /// an unmapped buffer.
    fn write(fd: i32, buf: *const u8, count: usize) -> isize;
}

/// Command line options.
struct Options {
    root: PathBuf,
    writes: u64,
    seed: u64,
}

/// The options of the command line; `--root` must be a directory.
fn parse_args() -> Result<Options, String> {
    let mut o = Options {
        root: PathBuf::from(cli::DEFAULT_ROOT),
        writes: 10_000,
        seed: 1,
    };
    cli::parse_flags(
        std::env::args().skip(1),
        "--root DIR --writes N --seed S",
        |f, v| {
            match f {
                "--root" => o.root = PathBuf::from(v),
                "--writes" => o.writes = cli::number(f, v)?,
                "--seed" => o.seed = cli::number(f, v)?,
                _ => return Ok(false),
            }
            Ok(true)
        },
    )?;
    o.root = cli::root_dir(&o.root)?;
    Ok(o)
}

/// The bytes of a write, printable: `\n`, `\xNN`, and the first 80 only.
fn escape(b: &[u8]) -> String {
    let mut s: String = b
        .iter()
        .take(80)
        .flat_map(|c| c.escape_ascii())
        .map(char::from)
        .collect();
    if b.len() > 80 {
        s.push_str(&format!("... ({} bytes)", b.len()));
    }
    s
}

/// A write as a person reads it in a failure message.
fn describe(w: &Write) -> String {
    match w {
        Write::Bytes(b) => format!("write(\"{}\")", escape(b)),
        Write::AtOffset(b, off) => format!("pwrite(\"{}\", offset {off})", escape(b)),
        Write::BadPointer(n) => format!("write(unmapped buffer, {n} bytes)"),
    }
}

/// Makes one write to `path`, through a fresh file descriptor (offset 0).
fn do_write(path: &Path, w: &Write) -> io::Result<usize> {
    let mut f = OpenOptions::new().write(true).open(path)?;
    match w {
        Write::Bytes(b) => f.write(b),
        Write::AtOffset(b, off) => f.write_at(b, *off as u64),
        Write::BadPointer(n) => {
            // SAFETY: The kernel only reads the buffer, and it checks the address itself: an
            // unmapped one gives EFAULT, never a write to our memory.
            let r = unsafe { write(f.as_raw_fd(), UNMAPPED as *const u8, *n) };
            if r < 0 {
                Err(io::Error::last_os_error())
            } else {
                Ok(r as usize)
            }
        }
    }
}

/// The value of every readable control, by name.
fn controls(root: &Path) -> Result<BTreeMap<&'static str, String>, String> {
    let mut m = BTreeMap::new();
    for c in CONTROLS.iter().filter(|c| c.readable) {
        let p = root.join(c.name);
        let v = fs::read_to_string(&p).map_err(|e| format!("cannot read {}: {e}", p.display()))?;
        m.insert(c.name, v.trim_end().to_string());
    }
    Ok(m)
}

/// The value of one readable control.
fn control(root: &Path, c: &Control) -> Result<String, String> {
    let p = root.join(c.name);
    let v = fs::read_to_string(&p).map_err(|e| format!("cannot read {}: {e}", p.display()))?;
    Ok(v.trim_end().to_string())
}

/// `seen_any` from the summary: it only goes down on a reset.
fn seen_any(root: &Path) -> Result<u64, String> {
    let p = root.join("summary");
    let s = fs::read_to_string(&p).map_err(|e| format!("cannot read {}: {e}", p.display()))?;
    s.lines()
        .find_map(|l| l.strip_prefix("seen_any "))
        .and_then(|v| v.parse().ok())
        .ok_or(format!("{}: no seen_any line", p.display()))
}

/// Counts of one file's writes.
#[derive(Default)]
struct Tally {
    accepted: u64,
    einval: u64,
    efault: u64,
}

/// N writes to control `c`; `Err` describes the first write that broke the grammar.
fn fuzz(o: &Options, c: &Control, seed: u64) -> Result<Tally, String> {
    let path = o.root.join(c.name);
    let original = controls(&o.root)?;
    let mut r = Rng::new(seed);
    let mut t = Tally::default();
    let mut seen = seen_any(&o.root)?;
    let mut since_full: Vec<Write> = Vec::new();
    if !c.readable && seen == 0 {
        return Err("seen_any is 0: a reset could not be told from no reset".into());
    }
    for i in 1..=o.writes {
        let w = gen::write(&mut r, c);
        let expected = oracle::expect(c, &w);
        let got = do_write(&path, &w);
        let what = || format!("{}: write {i}: {}", c.name, describe(&w));
        match (expected, &got) {
            (Expect::Accept(v), Ok(_)) => {
                t.accepted += 1;
                let now = controls(&o.root)?;
                if c.readable {
                    let mut want = original.clone();
                    want.insert(c.name, v.to_string());
                    if now != want {
                        return Err(format!(
                            "{}: accepted, then {now:?}, expected {want:?}",
                            what()
                        ));
                    }
                    let back = Write::Bytes(original[c.name].clone().into_bytes());
                    do_write(&path, &back)
                        .map_err(|e| format!("{}: restoring the value failed: {e}", what()))?;
                } else {
                    seen = seen_any(&o.root)?;
                }
            }
            (Expect::Reject(errno), Err(e)) if e.raw_os_error() == Some(errno) => {
                if errno == oracle::EFAULT {
                    t.efault += 1;
                } else {
                    t.einval += 1;
                }
            }
            _ => return Err(format!("{}: expected {expected:?}, got {got:?}", what())),
        }
        if c.readable {
            let now = control(&o.root, c)?;
            if now != original[c.name] {
                return Err(format!(
                    "{}: {} is now {now:?}, was {:?}",
                    what(),
                    c.name,
                    original[c.name]
                ));
            }
        }
        since_full.push(w);
        if i % FULL_CHECK_EVERY == 0 || i == o.writes {
            let now = controls(&o.root)?;
            if now != original {
                let writes: Vec<String> = since_full.iter().map(describe).collect();
                return Err(format!(
                    "{}: controls are now {now:?}, were {original:?}; writes {} to {i} were {}",
                    c.name,
                    i + 1 - since_full.len() as u64,
                    writes.join(", ")
                ));
            }
            since_full.clear();
        }
        if !c.readable && (i % 100 == 0 || i == o.writes) {
            let s = seen_any(&o.root)?;
            if s < seen {
                return Err(format!(
                    "{}: writes to {i}: seen_any went from {seen} to {s}: a rejected write reset",
                    c.name
                ));
            }
            seen = s;
        }
    }
    Ok(t)
}

/// Fuzzes every control in turn; stops at the first write that broke the grammar.
fn main() -> ExitCode {
    let o = match parse_args() {
        Ok(o) => o,
        Err(e) => return cli::usage_error("ctlfuzz", &e),
    };
    let mut total = 0;
    for (n, c) in CONTROLS.iter().enumerate() {
        let start = Instant::now();
        match fuzz(&o, c, o.seed.wrapping_add(n as u64)) {
            Ok(t) => {
                total += o.writes;
                println!(
                    "ctlfuzz: {}: {} writes: {} accepted, {} EINVAL, {} EFAULT in {:.1} s",
                    c.name,
                    o.writes,
                    t.accepted,
                    t.einval,
                    t.efault,
                    start.elapsed().as_secs_f64()
                );
            }
            Err(e) => {
                println!("ctlfuzz: FAIL: {e}");
                return ExitCode::from(1);
            }
        }
    }
    println!(
        "ctlfuzz: {total} writes to {} files, all as the grammar says",
        CONTROLS.len()
    );
    ExitCode::SUCCESS
}
