// SPDX-License-Identifier: GPL-2.0
//! `preemptstat-manpage DIR`: writes the reader's manual pages into DIR, in roff, made from the
//! same clap definition as the binary's `--help`: preemptstat.1, which lists the subcommands,
//! and one page per subcommand (preemptstat-sites.1, preemptstat-plot-hist.1, ...).
//! `make install` installs them; this binary is not installed itself.

#![forbid(unsafe_code)]

use std::io::{self, Write};
use std::process::ExitCode;

use clap::CommandFactory;
use preemptstat::Cli;

fn main() -> ExitCode {
    let mut args = std::env::args_os().skip(1);
    let (Some(dir), None) = (args.next(), args.next()) else {
        report("usage: preemptstat-manpage DIR");
        return ExitCode::from(2);
    };
    match clap_mangen::generate_to(Cli::command(), &dir) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            report(&format!("{}: {err}", dir.to_string_lossy()));
            ExitCode::from(2)
        }
    }
}

/// Writes `preemptstat-manpage: <msg>` to stderr, ignoring failure to do so.
fn report(msg: &str) {
    let _ = writeln!(io::stderr().lock(), "preemptstat-manpage: {msg}");
}
