// SPDX-License-Identifier: GPL-2.0

//! preemptstat: finds the code that keeps a CPU from being preempted.
//!
//! Probes on the kernel's preemptirq tracepoints time every preempt-off and irqs-off section on
//! every CPU and keep, per call site, how often, how long in total, the shortest, the longest
//! and who held it, with a histogram; plus the worst sections with their stacks and a log of
//! every section over a threshold. Everything is under `/sys/kernel/debug/preemptstat/`:
//!
//! ```text
//! # insmod preemptstat.ko
//! # cat /sys/kernel/debug/preemptstat/version
//! preemptstat debugfs format 1
//! # head -3 /sys/kernel/debug/preemptstat/sites
//! # kind count total_ns min_ns max_ns contexts max_cpu max_pid max_comm max_end_ns hist start end
//! any 2 2184203 1091 2183112 task 0 96 kworker/0:2 2812036671 0:1,12:1 text_poke_bp_batch+0x8f/0x2a0 text_poke_bp_batch+0x1a4/0x2a0
//! # rmmod preemptstat
//! ```
//!
//! See `Documentation/preemptstat.rst` for every file and its format.

mod breakdown;
mod cause;
mod compat;
mod control;
mod cpu;
mod debugfs;
mod debugfs_raw;
mod hooks;
mod model;
mod params;
mod percpu;
mod probes;
mod record;
mod report;
mod report_spikes;
mod seqcount;
mod sites;
mod sort;
mod symbols;
mod sys;
mod text;
mod tlog;
mod trace_events;
mod tracer;
mod wakeup;
mod worst;

use core::fmt::Write;
use debugfs::{Debugfs, FileSpec};
use kernel::prelude::*;
use text::TextBuf;
use tracer::{GlobalTracer, Sizes, Tracer};

// The same invocation on every kernel series: 6.12's `module!` knows neither `authors` nor
// `params`. The author and the parameters are declared in `preemptstat_params.c`.
module! {
    type: PreemptStat,
    name: "preemptstat",
    description: "Per-site statistics of preempt-off and irqs-off sections",
    license: "GPL",
}

/// The version of the debugfs text format. Bump it on any change a reader could notice: a
/// renamed or removed file, field or column, or a changed unit.
pub(crate) const FORMAT_VERSION: u32 = 2;

/// The files of `/sys/kernel/debug/preemptstat/`.
static FILES: [FileSpec<Tracer>; 18] = [
    FileSpec {
        name: c"version",
        show: Some(show_version),
        store: None,
    },
    FileSpec {
        name: c"summary",
        show: Some(report::show_summary),
        store: None,
    },
    FileSpec {
        name: c"sites",
        show: Some(report::show_sites),
        store: None,
    },
    FileSpec {
        name: c"worst",
        show: Some(report::show_worst),
        store: None,
    },
    FileSpec {
        name: c"log",
        show: Some(report::show_log),
        store: None,
    },
    FileSpec {
        name: c"hist",
        show: Some(report::show_hist),
        store: None,
    },
    FileSpec {
        name: c"enable",
        show: Some(control::show_enable),
        store: Some(control::store_enable),
    },
    FileSpec {
        name: c"reset",
        show: None,
        store: Some(control::store_reset),
    },
    FileSpec {
        name: c"threshold_us",
        show: Some(control::show_threshold),
        store: Some(control::store_threshold),
    },
    FileSpec {
        name: c"wakeup",
        show: Some(report::show_wakeup),
        store: None,
    },
    FileSpec {
        name: c"wakeup_hist",
        show: Some(report::show_wakeup_hist),
        store: None,
    },
    FileSpec {
        name: c"spikes",
        show: Some(report_spikes::show_spikes),
        store: None,
    },
    FileSpec {
        name: c"spikes_worst",
        show: Some(report_spikes::show_spikes_worst),
        store: None,
    },
    FileSpec {
        name: c"spike_parts",
        show: Some(report_spikes::show_spike_parts),
        store: None,
    },
    FileSpec {
        name: c"causes",
        show: Some(report_spikes::show_causes),
        store: None,
    },
    FileSpec {
        name: c"wakeup_enable",
        show: Some(control::show_wakeup_enable),
        store: Some(control::store_wakeup_enable),
    },
    FileSpec {
        name: c"period_us",
        show: Some(control::show_period),
        store: Some(control::store_period),
    },
    FileSpec {
        name: c"wakeup_threshold_us",
        show: Some(control::show_wakeup_threshold),
        store: Some(control::store_wakeup_threshold),
    },
];

fn show_version(_t: &Tracer, out: &mut TextBuf) -> core::fmt::Result {
    writeln!(out, "preemptstat debugfs format {FORMAT_VERSION}")
}

/// Checks the load-time parameters and turns them into table sizes.
fn sizes() -> Result<Sizes> {
    let sites = params::sites_per_cpu();
    let worst = params::worst();
    let log = params::log_entries();
    if !(64..=65536).contains(&sites)
        || !(1..=1000).contains(&worst)
        || !(16..=65536).contains(&log)
    {
        pr_err!(
            "bad table sizes: sites_per_cpu={} (64..65536), worst={} (1..1000), log_entries={} (16..65536)\n",
            sites,
            worst,
            log
        );
        return Err(EINVAL);
    }
    Ok(Sizes {
        sites: (sites as usize).next_power_of_two(),
        worst: worst as usize,
        log: log as usize,
    })
}

/// The wakeup probe's threads and timers while the module is loaded: the hotplug state that
/// creates (and parks, unparks) them, and on drop, all of them stopped.
struct WakeupRunner {
    cpuhp: Option<sys::CpuhpState>,
}

impl Drop for WakeupRunner {
    fn drop(&mut self) {
        // First no more hotplug callbacks, then every timer cancelled and thread stopped.
        drop(self.cpuhp.take());
        tracer::with_tracer(|t| t.wakeup.stop_all());
    }
}

/// Checks the wakeup parameters.
fn wakeup_config() -> Result<(wakeup::WakeupConfig, usize)> {
    let period_us = params::period_us();
    let threshold_us = params::wakeup_threshold_us();
    let prio = params::wakeup_prio();
    let spikes = params::spikes_per_cpu();
    if !(control::PERIOD_US_MIN..=control::PERIOD_US_MAX).contains(&u64::from(period_us))
        || threshold_us > control::THRESHOLD_US_MAX
        || !(1..=99).contains(&prio)
        || !(1..=4096).contains(&spikes)
    {
        pr_err!(
            "bad wakeup parameters: period_us={} (100..1000000), wakeup_threshold_us={} (0..10000000), wakeup_prio={} (1..99), spikes_per_cpu={} (1..4096)\n",
            period_us,
            threshold_us,
            prio,
            spikes
        );
        return Err(EINVAL);
    }
    Ok((
        wakeup::WakeupConfig {
            enabled: core::sync::atomic::AtomicBool::new(params::wakeup()),
            period_ns: core::sync::atomic::AtomicU64::new(u64::from(period_us) * 1000),
            threshold_ns: core::sync::atomic::AtomicU64::new(if threshold_us == 0 {
                u64::MAX
            } else {
                threshold_us * 1000
            }),
            prio,
        },
        spikes as usize,
    ))
}

/// The loaded module.
struct PreemptStat {
    // Fields are dropped in declaration order, which is the teardown order: first the files
    // (no more control writes; an open file pins the module, so none is open here), then the
    // probes (unregistered, and every probe still running has finished when the drop returns),
    // then the hotplug state and the module notifier, then the tracer they all point at.
    _debugfs: Debugfs<Tracer>,
    _wakeup: WakeupRunner,
    _probes: probes::Probes,
    _cpuhp: sys::CpuhpState,
    _modules: sys::ModuleNotifier,
    _global: GlobalTracer,
    _fops: KBox<debugfs_raw::FileOperations>,
    _tracer: Pin<KBox<Tracer>>,
}

impl kernel::Module for PreemptStat {
    fn init(module: &'static ThisModule) -> Result<Self> {
        if cfg!(not(CONFIG_FRAME_POINTER)) {
            pr_err!("needs CONFIG_FRAME_POINTER=y (with CONFIG_UNWINDER_FRAME_POINTER): without it the preemptirq events carry no caller address\n");
            return Err(ENODEV);
        }
        let sizes = sizes()?;
        let threshold_us = params::threshold_us();
        if threshold_us > control::THRESHOLD_US_MAX {
            pr_err!(
                "threshold_us={} is above {}\n",
                threshold_us,
                control::THRESHOLD_US_MAX
            );
            return Err(EINVAL);
        }
        let (wcfg, spikes) = wakeup_config()?;
        let tracer = Tracer::new(sizes, threshold_us * 1000, wcfg, spikes)?;
        // SAFETY: `tracer` outlives `global` (field order), and the callbacks that use it, the
        // hotplug state and the module notifier, are dropped before `global`.
        let global = unsafe { GlobalTracer::new(&tracer) };
        let modules = sys::ModuleNotifier::new(tracer::module_event)?;
        // SAFETY: The callbacks only reach the tracer through `with_tracer`, valid while
        // `global` exists, which outlives the hotplug state.
        let cpuhp = unsafe {
            sys::CpuhpState::new(
                c"preemptstat:online",
                tracer::cpu_online,
                tracer::cpu_offline,
                false,
            )?
        };
        // SAFETY: `tracer` outlives the probes (field order).
        let probes = unsafe { probes::Probes::register(&tracer, params::breakdown())? };
        // Only now, with every probe registered (registration patches kernel text with
        // interrupts off on every CPU), does recording start: preemptstat's own loading never
        // shows up as a section.
        tracer.set_enabled(params::enabled());
        // The wakeup threads, one per online CPU, made on each CPU by the hotplug state.
        let mut wakeup = WakeupRunner { cpuhp: None };
        // SAFETY: The callbacks reach the tracer through `with_tracer`; `wakeup` is dropped
        // (removing the state) before `global`.
        wakeup.cpuhp = Some(unsafe {
            sys::CpuhpState::new(
                c"preemptstat:wakeup",
                tracer::wakeup_cpu_up,
                tracer::wakeup_cpu_down,
                true,
            )?
        });
        let fops = KBox::new(debugfs::file_operations::<Tracer>(module), GFP_KERNEL)?;
        // SAFETY: `tracer` and `fops` are heap allocations dropped after `_debugfs`.
        let dir = unsafe { Debugfs::new(c"preemptstat", &*tracer, &fops, &FILES)? };
        pr_info!(
            "tracing {} CPUs, {} site slots per CPU, {} bytes\n",
            tracer.cpus.len(),
            sizes.sites,
            tracer.bytes(&tracer.names.lock())
        );
        Ok(Self {
            _debugfs: dir,
            _wakeup: wakeup,
            _probes: probes,
            _cpuhp: cpuhp,
            _modules: modules,
            _global: global,
            _fops: fops,
            _tracer: tracer,
        })
    }
}
