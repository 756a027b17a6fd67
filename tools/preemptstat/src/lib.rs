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
//! - [`error::Error`] turns every failure into one line that names the path
//!   and the fix; the binary prints it after `preemptstat: ` and exits with
//!   [`error::EXIT_FAILURE`].

#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod cli;
pub mod error;
pub mod json;
pub mod query;
pub mod source;
pub mod table;
pub mod text;
pub mod units;

pub use cli::{
    run, Cli, Command, HistArgs, LogArgs, ReportArgs, SetArgs, SettingArg, SitesArgs, Status,
    VersionArgs, WakeupArgs, WorstArgs,
};
pub use error::{Error, EXIT_FAILURE, EXIT_OVER_THRESHOLD};
pub use query::{KindArg, SiteQuery, SortKey};
pub use source::{DebugfsSource, DEFAULT_DEBUGFS_MOUNT, DEFAULT_ROOT};
