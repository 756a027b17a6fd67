// SPDX-License-Identifier: GPL-2.0
//! Parsers for the text files that the preemptstat kernel module exposes in debugfs, with no file I/O.
//!
//! Every parser takes the whole contents of one file as `&str` and returns a
//! typed model or a [`ParseError`]. Reading the files (and mapping I/O errors
//! to something a person can act on) is the job of the caller, normally the
//! `preemptstat` binary; keeping this crate free of I/O makes it usable on
//! captured fixtures and easy to test.
//!
//! The module's debugfs directory (normally `/sys/kernel/debug/preemptstat`)
//! holds one file per model. A reader must parse [`version`] first and refuse
//! to read the others if it does not support that format version:
//!
//! ```text
//! $ cat /sys/kernel/debug/preemptstat/version
//! preemptstat debugfs format 2
//! ```
//!
//! ```
//! use preemptstat_core::{parse_version, SUPPORTED_FORMAT_VERSION};
//!
//! let v = parse_version("preemptstat debugfs format 2\n").unwrap();
//! assert_eq!(v.get(), SUPPORTED_FORMAT_VERSION);
//! ```
//!
//! | File                  | Parser                        | Model                      |
//! |-----------------------|-------------------------------|----------------------------|
//! | `version`             | [`parse_version`]             | [`FormatVersion`]          |
//! | `summary`             | [`parse_summary`]             | [`Summary`]                |
//! | `sites`               | [`parse_sites`]               | `Vec<`[`Site`]`>`          |
//! | `worst`               | [`parse_worst`]               | `Vec<`[`WorstSection`]`>`  |
//! | `log`                 | [`parse_log`]                 | `Vec<`[`SectionRecord`]`>` |
//! | `hist`                | [`parse_hist`]                | [`Histograms`]             |
//! | `wakeup`              | [`parse_wakeup`]              | `Vec<`[`CpuWakeup`]`>`     |
//! | `wakeup_hist`         | [`parse_wakeup_hist`]         | [`WakeupHistograms`]       |
//! | `spikes`              | [`parse_spikes`]              | `Vec<`[`Spike`]`>`         |
//! | `spikes_worst`        | [`parse_spikes_worst`]        | `Vec<`[`Spike`]`>`         |
//! | `spike_parts`         | [`parse_spike_parts`]         | [`SpikeParts`]             |
//! | `causes`              | [`parse_causes`]              | `Vec<`[`CpuCauses`]`>`     |
//! | `enable`              | [`parse_enable`]              | `bool`                     |
//! | `threshold_us`        | [`parse_threshold_us`]        | `u64`                      |
//! | `wakeup_enable`       | [`parse_enable`]              | `bool`                     |
//! | `period_us`           | [`parse_period_us`]           | `u64`                      |
//! | `wakeup_threshold_us` | [`parse_wakeup_threshold_us`] | `u64`                      |
//!
//! [`Snapshot`] holds all of them. The record files share some rules: one
//! record per line, fields separated by exactly one space, lines starting
//! with `#` ignored, every line ending in a newline (a file whose last line
//! has none was cut short). Any deviation is [`ParseError::Malformed`] with
//! the 1-based line number; no input makes a parser panic. One check spans
//! files: [`SpikeParts::check_against`] matches `spike_parts` with the
//! spikes it describes.

#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod cause;
pub mod causes;
pub mod comm;
pub mod control;
pub mod error;
pub mod hist;
pub mod kind;
mod line;
pub mod log;
pub mod record;
pub mod sites;
pub mod snapshot;
pub mod spike_parts;
pub mod spikes;
pub mod spikes_worst;
pub mod summary;
pub mod symbol;
pub mod version;
pub mod wakeup;
pub mod worst;

pub use cause::{Breakdown, Cause, CAUSES};
pub use causes::{parse_causes, CauseTotals, CpuCauses, CAUSES_FILE};
pub use comm::{escape_comm, unescape_comm, Comm};
pub use control::{
    parse_enable, parse_period_us, parse_threshold_us, parse_wakeup_threshold_us, Setting,
    ENABLE_FILE, PERIOD_US_FILE, PERIOD_US_MAX, PERIOD_US_MIN, RESET_FILE, THRESHOLD_US_FILE,
    THRESHOLD_US_MAX, WAKEUP_ENABLE_FILE, WAKEUP_THRESHOLD_US_FILE, WAKEUP_THRESHOLD_US_MAX,
};
pub use error::{FieldError, ParseError, VersionSkew};
pub use hist::{
    bucket_hi_us, bucket_lo_us, parse_hist, Histogram, Histograms, SparseHistogram, HIST_BUCKETS,
    HIST_FILE,
};
pub use kind::{Context, ContextSet, Kind};
pub use log::{parse_log, LOG_FILE};
pub use record::SectionRecord;
pub use sites::{parse_sites, Site, SITES_FILE};
pub use snapshot::{Snapshot, WakeupOver, SNAPSHOT_FILES};
pub use spike_parts::{
    parse_spike_parts, Label, Part, Policy, SpikeBreakdown, SpikeParts, MAX_FRAMES, MAX_PART_RANK,
    SOFTIRQ_VECTORS, SPIKE_PARTS_FILE, SYSTEM_VECTORS,
};
pub use spikes::{parse_spikes, Blame, OtherSection, Spike, SpikeKey, SPIKES_FILE};
pub use spikes_worst::{parse_spikes_worst, SPIKES_WORST_FILE, SPIKES_WORST_PER_CPU};
pub use summary::{
    parse_summary, summary_keys, Summary, SUMMARY_FILE, SUMMARY_GLOBAL_KEYS, SUMMARY_KIND_PREFIXES,
    SUMMARY_TRAILING_KEYS, SUMMARY_WAKEUP_KEYS,
};
pub use symbol::{demangle, RawSymbol, Symbol};
pub use version::{parse_version, FormatVersion, SUPPORTED_FORMAT_VERSION, VERSION_FILE};
pub use wakeup::{
    parse_wakeup, parse_wakeup_hist, wakeup_bucket_hi_us, wakeup_bucket_lo_us, CpuWakeup, Latency,
    LatencyHistogram, LatencyStats, WakeupHistograms, WAKEUP_FILE, WAKEUP_HIST_BUCKETS,
    WAKEUP_HIST_FILE,
};
pub use worst::{parse_worst, WorstSection, WORST_FILE};
