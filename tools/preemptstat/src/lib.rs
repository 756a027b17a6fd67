// SPDX-License-Identifier: GPL-2.0
//! The `preemptstat` reader: command line, debugfs access, text and JSON output and error reporting, as a library so that tests can drive it.
//!
//! - [`cli`] holds the clap command line and [`cli::run`], which executes it.
//! - [`source::DebugfsSource`] does all file I/O against the module's
//!   debugfs directory and hands the text to the parsers in
//!   [`preemptstat_core`].
//! - [`text`] and [`json`] turn a [`preemptstat_core::Snapshot`] into the
//!   output; [`query`] selects and sorts sites; [`table`] and [`units`]
//!   format columns and numbers.
//! - [`diff`] saves snapshots (`record`) and compares them (`diff`);
//!   [`prom`] renders `export --format prometheus` and [`export`] writes it
//!   to a file, once or every `--interval`; [`atomic`] replaces files;
//!   [`watch`] holds the refresh loop's pieces; [`plot`] draws the SVG
//!   charts.
//! - [`error::Error`] turns every failure into one line that names the path
//!   and the fix; the binary prints it after `preemptstat: ` and exits with
//!   [`error::EXIT_FAILURE`].

#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod atomic;
pub mod cli;
pub mod color;
pub mod diff;
pub mod error;
pub mod export;
pub mod json;
pub mod plot;
pub mod prom;
pub mod query;
pub mod source;
pub mod table;
pub mod text;
pub mod units;
pub mod watch;

pub use cli::{
    run, Cli, Command, CompletionsArgs, DiffArgs, ExportArgs, ExportFormat, HistArgs, LogArgs,
    PlotArgs, PlotHistArgs, PlotWakeupArgs, PlotWhat, RecordArgs, ReportArgs, SetArgs, SettingArg,
    ShellArg, SitesArgs, Status, VersionArgs, WakeupArgs, WatchArgs, WorstArgs,
};
pub use error::{Error, EXIT_FAILURE, EXIT_OVER_THRESHOLD};
pub use query::{KindArg, SiteQuery, SortKey};
pub use source::{DebugfsSource, DEFAULT_DEBUGFS_MOUNT, DEFAULT_ROOT};
