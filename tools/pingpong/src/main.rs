// SPDX-License-Identifier: GPL-2.0

//! A pipe ping-pong between two threads: the macro load of `make bench`.
//!
//! `pingpong ROUNDS` bounces one byte ROUNDS times between two threads over two pipes, so
//! every round is two writes, two reads and (on one CPU) two context switches, each of which
//! toggles preemption and interrupts in the kernel. It prints `rounds_per_s N` and exits 0.

#![forbid(unsafe_code)]

use std::io::{Read, Write};
use std::process::ExitCode;
use std::time::Instant;

fn run(rounds: u64) -> std::io::Result<f64> {
    let (mut a_rx, mut a_tx) = std::io::pipe()?;
    let (mut b_rx, mut b_tx) = std::io::pipe()?;
    let echo = std::thread::spawn(move || -> std::io::Result<()> {
        let mut byte = [0u8; 1];
        for _ in 0..rounds {
            a_rx.read_exact(&mut byte)?;
            b_tx.write_all(&byte)?;
        }
        Ok(())
    });
    let start = Instant::now();
    let mut byte = [1u8; 1];
    for _ in 0..rounds {
        a_tx.write_all(&byte)?;
        b_rx.read_exact(&mut byte)?;
    }
    let secs = start.elapsed().as_secs_f64();
    echo.join()
        .map_err(|_| std::io::Error::other("echo thread panicked"))??;
    Ok(rounds as f64 / secs)
}

fn main() -> ExitCode {
    let rounds = match std::env::args().nth(1).map(|a| a.parse::<u64>()) {
        Some(Ok(n)) if n > 0 => n,
        _ => {
            eprintln!("pingpong: usage: pingpong ROUNDS (a positive integer)");
            return ExitCode::from(2);
        }
    };
    match run(rounds) {
        Ok(rate) => {
            println!("rounds_per_s {rate:.0}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("pingpong: {e}");
            ExitCode::from(2)
        }
    }
}
