// SPDX-License-Identifier: GPL-2.0
//! The `preemptstat` binary: parses the command line, runs it, and turns any failure into one line on stderr and exit code 2 (exit code 1 is `--fail-over-us`).

#![forbid(unsafe_code)]

use std::io::{self, IsTerminal, Write};
use std::panic;
use std::process::ExitCode;

use clap::error::ErrorKind;
use clap::Parser;
use preemptstat::{run, Cli, Error, EXIT_FAILURE};

fn main() -> ExitCode {
    // A bug must still end as one line and exit code 2, not a backtrace.
    panic::set_hook(Box::new(|info| {
        let msg = info.to_string().replace('\n', " ");
        report(&format!("internal error (please report this bug): {msg}"));
    }));
    panic::catch_unwind(real_main).unwrap_or(ExitCode::from(EXIT_FAILURE))
}

fn real_main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(err) => return clap_error(err),
    };
    let stdout = io::stdout();
    preemptstat::color::set_enabled(preemptstat::color::should_color(
        stdout.is_terminal(),
        std::env::var_os("NO_COLOR").as_deref(),
    ));
    let stderr = io::stderr();
    match run(&cli, &mut stdout.lock(), &mut stderr.lock()) {
        Ok(status) => ExitCode::from(status.exit_code()),
        // The reader of our output went away (`preemptstat | head -0`).
        Err(Error::Output { source }) if source.kind() == io::ErrorKind::BrokenPipe => {
            ExitCode::SUCCESS
        }
        Err(err) => {
            report(&err.to_string());
            ExitCode::from(err.exit_code())
        }
    }
}

/// Prints `--help` and `--version` as clap does; every usage error becomes
/// one line and exit code 2.
fn clap_error(err: clap::Error) -> ExitCode {
    match err.kind() {
        ErrorKind::DisplayHelp | ErrorKind::DisplayVersion => {
            let _ = err.print();
            ExitCode::SUCCESS
        }
        _ => {
            let rendered = err.render().to_string();
            let mut lines = rendered.lines();
            let first = lines.next().unwrap_or("invalid usage");
            let mut msg = first.strip_prefix("error: ").unwrap_or(first).to_string();
            // "the following required arguments were not provided:" lists
            // them on the indented lines that follow.
            if msg.ends_with(':') {
                let more: Vec<&str> = lines
                    .take_while(|l| l.starts_with("  "))
                    .map(str::trim)
                    .collect();
                msg = format!("{msg} {}", more.join(", "));
            }
            report(&format!("{msg} (see 'preemptstat --help')"));
            ExitCode::from(EXIT_FAILURE)
        }
    }
}

/// Writes `preemptstat: <msg>` to stderr, ignoring failure to do so.
fn report(msg: &str) {
    let _ = writeln!(io::stderr().lock(), "preemptstat: {msg}");
}
