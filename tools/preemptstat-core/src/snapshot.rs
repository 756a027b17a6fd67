// SPDX-License-Identifier: GPL-2.0
//! [`Snapshot`]: everything the module's debugfs directory holds, parsed.

use crate::causes::CpuCauses;
use crate::hist::Histograms;
use crate::record::SectionRecord;
use crate::sites::Site;
use crate::spike_parts::{SpikeBreakdown, SpikeParts};
use crate::spikes::Spike;
use crate::summary::Summary;
use crate::version::FormatVersion;
use crate::wakeup::{CpuWakeup, Latency, WakeupHistograms};
use crate::worst::WorstSection;
use crate::{
    CAUSES_FILE, ENABLE_FILE, HIST_FILE, LOG_FILE, PERIOD_US_FILE, SITES_FILE, SPIKES_FILE,
    SPIKES_WORST_FILE, SPIKE_PARTS_FILE, SUMMARY_FILE, THRESHOLD_US_FILE, VERSION_FILE,
    WAKEUP_ENABLE_FILE, WAKEUP_FILE, WAKEUP_HIST_FILE, WAKEUP_THRESHOLD_US_FILE, WORST_FILE,
};

/// Every readable file of the module's debugfs directory, in the order a
/// reader reads them: `version` first, so that nothing else is parsed when
/// the format is not supported; `spike_parts` after the two spike lists it
/// describes.
pub const SNAPSHOT_FILES: [&str; 17] = [
    VERSION_FILE,
    SUMMARY_FILE,
    SITES_FILE,
    WORST_FILE,
    LOG_FILE,
    HIST_FILE,
    WAKEUP_FILE,
    WAKEUP_HIST_FILE,
    SPIKES_FILE,
    SPIKES_WORST_FILE,
    SPIKE_PARTS_FILE,
    CAUSES_FILE,
    ENABLE_FILE,
    THRESHOLD_US_FILE,
    WAKEUP_ENABLE_FILE,
    PERIOD_US_FILE,
    WAKEUP_THRESHOLD_US_FILE,
];

/// The parsed contents of every readable file of the module's debugfs
/// directory (see [`SNAPSHOT_FILES`]).
///
/// The module writes each file when it is read, so files read one after the
/// other may disagree slightly while the module is recording (a site may
/// have one more section than the summary counted, say).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Snapshot {
    /// `version`.
    pub version: FormatVersion,
    /// `summary`.
    pub summary: Summary,
    /// `sites`, longest section first.
    pub sites: Vec<Site>,
    /// `worst`, longest first.
    pub worst: Vec<WorstSection>,
    /// `log`, oldest first.
    pub log: Vec<SectionRecord>,
    /// `hist`.
    pub hist: Histograms,
    /// `wakeup`: the wakeup probe's statistics, one entry per CPU.
    pub wakeup: Vec<CpuWakeup>,
    /// `wakeup_hist`: the wakeup latency histograms.
    pub wakeup_hist: WakeupHistograms,
    /// `spikes`, oldest first.
    pub spikes: Vec<Spike>,
    /// `spikes_worst`, worst first.
    pub spikes_worst: Vec<Spike>,
    /// `spike_parts`: the labelled parts and stacks of the spikes of
    /// `spikes` and `spikes_worst` (see [`Snapshot::parts_of`]).
    pub spike_parts: SpikeParts,
    /// `causes`: per CPU, the totals of each cause class.
    pub causes: Vec<CpuCauses>,
    /// `enable`.
    pub enabled: bool,
    /// `threshold_us`.
    pub threshold_us: u64,
    /// `wakeup_enable`.
    pub wakeup_enabled: bool,
    /// `period_us`.
    pub period_us: u64,
    /// `wakeup_threshold_us`.
    pub wakeup_threshold_us: u64,
}

/// A CPU's wakeup latency over a limit; see [`Snapshot::wakeup_over`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct WakeupOver {
    /// The CPU.
    pub cpu: u32,
    /// Which of its latencies.
    pub latency: Latency,
    /// Its largest value, in nanoseconds.
    pub max_ns: u64,
}

impl Snapshot {
    /// The sites whose longest section took more than `limit_us`
    /// microseconds, in file order.
    pub fn sites_over(&self, limit_us: u64) -> impl Iterator<Item = &Site> {
        let limit_ns = limit_us.saturating_mul(1000);
        self.sites.iter().filter(move |s| s.max_ns > limit_ns)
    }

    /// The CPUs whose largest thread or IRQ wakeup latency is more than
    /// `limit_us` microseconds: for each CPU in file order, the thread
    /// latency, then the IRQ latency.
    pub fn wakeup_over(&self, limit_us: u64) -> impl Iterator<Item = WakeupOver> + '_ {
        let limit_ns = limit_us.saturating_mul(1000);
        self.wakeup.iter().flat_map(move |c| {
            [Latency::Thread, Latency::Irq]
                .into_iter()
                .map(move |latency| WakeupOver {
                    cpu: c.cpu,
                    latency,
                    max_ns: c.latency(latency).max_ns,
                })
                .filter(move |o| o.max_ns > limit_ns)
        })
    }

    /// The wakeup statistics of `cpu`, if the `wakeup` file has it.
    pub fn wakeup_cpu(&self, cpu: u32) -> Option<&CpuWakeup> {
        self.wakeup.iter().find(|c| c.cpu == cpu)
    }

    /// The parts and stack of `spike` (of `spikes` or `spikes_worst`), if
    /// `spike_parts` lists it.
    pub fn parts_of(&self, spike: &Spike) -> Option<&SpikeBreakdown> {
        self.spike_parts.get(spike.key())
    }

    /// The cause totals of `cpu`, if the `causes` file has it.
    pub fn causes_cpu(&self, cpu: u32) -> Option<&CpuCauses> {
        self.causes.iter().find(|c| c.cpu == cpu)
    }
}
