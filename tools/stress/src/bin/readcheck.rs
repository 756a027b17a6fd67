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
use stress::{cli, consistency::check_file, rng::Rng};

/// Command line options.
struct Options {
    root: PathBuf,
    seconds: u64,
    seed: u64,
    save: Option<PathBuf>,
}

/// The options of the command line; `--root` must be a directory.
fn parse_args() -> Result<Options, String> {
    let mut o = Options {
        root: PathBuf::from(cli::DEFAULT_ROOT),
        seconds: 20,
        seed: 1,
        save: None,
    };
    let usage = "--root DIR --seconds N --seed S --save DIR";
    cli::parse_flags(std::env::args().skip(1), usage, |f, v| {
        match f {
            "--root" => o.root = PathBuf::from(v),
            "--seconds" => o.seconds = cli::number(f, v)?,
            "--seed" => o.seed = cli::number(f, v)?,
            "--save" => o.save = Some(PathBuf::from(v)),
            _ => return Ok(false),
        }
        Ok(true)
    })?;
    o.root = cli::root_dir(&o.root)?;
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

/// Snapshots until the time is up: how many, in how many reads, with how many records.
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

/// Runs the checks and prints one line of figures, or the first inconsistency.
fn main() -> ExitCode {
    let o = match parse_args() {
        Ok(o) => o,
        Err(e) => return cli::usage_error("readcheck", &e),
    };
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
