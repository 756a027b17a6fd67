// SPDX-License-Identifier: GPL-2.0

//! readcheck: reads every preemptstat debugfs file again and again, each time in `read(2)`s of
//! random sizes (1 byte to 64 KiB), and checks each copy on its own (`stress::consistency`).
//!
//! ```text
//! readcheck [--root DIR] [--seconds N] [--seed S] [--save DIR]
//! ```
//!
//! Several may run at once, with resets and injections around them. Prints how many snapshots
//! (one copy of every file) it checked; exits 1 at the first bad copy, which it saves to
//! `DIR/FILE.bad` with `--save`, and 2 on a usage error or a missing directory.

use preemptstat_core::SNAPSHOT_FILES;
use std::{
    fs::File,
    io::Read,
    path::{Path, PathBuf},
    process::ExitCode,
    time::{Duration, Instant},
};
use stress::{consistency::check_file, rng::Rng};

/// Command line options.
struct Options {
    root: PathBuf,
    seconds: u64,
    seed: u64,
    save: Option<PathBuf>,
}

fn parse_args() -> Result<Options, String> {
    let mut o = Options {
        root: PathBuf::from("/sys/kernel/debug/preemptstat"),
        seconds: 20,
        seed: 1,
        save: None,
    };
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let mut value = || args.next().ok_or(format!("{a} needs a value"));
        match a.as_str() {
            "--root" => o.root = PathBuf::from(value()?),
            "--seconds" => o.seconds = value()?.parse().map_err(|e| format!("--seconds: {e}"))?,
            "--seed" => o.seed = value()?.parse().map_err(|e| format!("--seed: {e}"))?,
            "--save" => o.save = Some(PathBuf::from(value()?)),
            _ => {
                return Err(format!(
                    "unknown argument '{a}' (--root --seconds --seed --save)"
                ))
            }
        }
    }
    Ok(o)
}

/// A read size: mostly small, so that records are split between reads, sometimes large.
fn chunk(r: &mut Rng) -> usize {
    match r.below(10) {
        0..=4 => 1 + r.below(64),
        5..=7 => 65 + r.below(960),
        _ => 1025 + r.below(64 * 1024),
    }
}

/// One copy of `path`, read through one open file in random pieces.
fn read_pieces(path: &Path, r: &mut Rng) -> Result<(String, u64), String> {
    let mut f = File::open(path).map_err(|e| format!("cannot open {}: {e}", path.display()))?;
    let (mut out, mut buf, mut reads) = (Vec::new(), vec![0u8; 65 * 1024], 0u64);
    loop {
        let n = chunk(r);
        let got = f
            .read(&mut buf[..n])
            .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        reads += 1;
        if got == 0 {
            break;
        }
        out.extend_from_slice(&buf[..got]);
    }
    let text = String::from_utf8(out).map_err(|_| format!("{}: not UTF-8", path.display()))?;
    Ok((text, reads))
}

fn run(o: &Options) -> Result<(u64, u64, u64), String> {
    let mut r = Rng::new(o.seed);
    let end = Instant::now() + Duration::from_secs(o.seconds);
    let (mut snapshots, mut reads, mut records) = (0u64, 0u64, 0u64);
    while Instant::now() < end {
        for name in SNAPSHOT_FILES {
            let (text, n) = read_pieces(&o.root.join(name), &mut r)?;
            reads += n;
            match check_file(name, &text) {
                Ok(k) => records += k as u64,
                Err(e) => {
                    if let Some(dir) = &o.save {
                        let p = dir.join(format!("{name}.bad"));
                        std::fs::write(&p, &text)
                            .map_err(|w| format!("{e} (and cannot save {}: {w})", p.display()))?;
                    }
                    return Err(format!("snapshot {}: {e}", snapshots + 1));
                }
            }
        }
        snapshots += 1;
    }
    Ok((snapshots, reads, records))
}

fn main() -> ExitCode {
    let o = match parse_args() {
        Ok(o) => o,
        Err(e) => {
            eprintln!("readcheck: {e}");
            return ExitCode::from(2);
        }
    };
    if !o.root.is_dir() {
        eprintln!(
            "readcheck: {} is not a directory (is preemptstat loaded?)",
            o.root.display()
        );
        return ExitCode::from(2);
    }
    match run(&o) {
        Ok((s, reads, records)) => {
            println!("readcheck: {s} snapshots of {} files, {reads} reads, {records} records, all consistent", SNAPSHOT_FILES.len());
            ExitCode::SUCCESS
        }
        Err(e) => {
            println!("readcheck: FAIL: {e}");
            ExitCode::from(1)
        }
    }
}
