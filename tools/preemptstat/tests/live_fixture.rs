// SPDX-License-Identifier: GPL-2.0
//! Parser tests against the debugfs files of tests/fixtures/v2-live (a format 1 capture from a VM run with a synthesized latency breakdown, see tests/fixtures/README.md), and the broken variants of them.
//!
//! The capture was taken with recording and the wakeup probe disabled
//! (`enable` 0, `wakeup_enable` 0), so the files agree with each other:
//! every counter of `summary` can be checked against the records of the
//! other files, the wakeup statistics against the spikes, the histograms
//! and the sites they blame, and the breakdown files against each other.

use std::fs;
use std::path::{Path, PathBuf};

use preemptstat::DebugfsSource;
use preemptstat_core::{
    parse_causes, parse_enable, parse_hist, parse_log, parse_period_us, parse_sites,
    parse_spike_parts, parse_spikes, parse_spikes_worst, parse_summary, parse_threshold_us,
    parse_version, parse_wakeup, parse_wakeup_hist, parse_wakeup_threshold_us, parse_worst,
    summary_keys, wakeup_bucket_hi_us, wakeup_bucket_lo_us, Cause, Comm, Context, Kind, Label,
    Latency, ParseError, Policy, SpikeKey, Symbol, CAUSES,
};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

fn live(file: &str) -> String {
    fs::read_to_string(fixture("v2-live").join(file)).expect("fixture file")
}

#[test]
fn version() {
    assert_eq!(parse_version(&live("version")).unwrap().get(), 2);
}

#[test]
fn summary_values() {
    let s = parse_summary(&live("summary")).unwrap();
    assert_eq!(s.values().len(), summary_keys().len());
    assert_eq!(s.version(), 2);
    assert!(!s.enabled());
    assert_eq!(s.threshold_us(), 500);
    assert_eq!(s.cpus(), 2);
    assert_eq!(s.site_slots_per_cpu(), 4096);
    assert_eq!(s.site_slots_used(), 1235);
    assert_eq!(s.sites(), 852);
    assert_eq!(s.worst_per_cpu(), 20);
    assert_eq!(s.log_per_cpu(), 256);
    assert_eq!(s.memory_bytes(), 2_201_640);
    assert_eq!(s.seen(Kind::Preempt), 5540);
    assert_eq!(s.seen(Kind::Irq), 13123);
    assert_eq!(s.seen(Kind::Any), 10839);
    assert_eq!(s.unpaired_end(Kind::Irq), 9913);
    assert_eq!(s.discarded_idle(Kind::Any), 3338);
    assert_eq!(s.restarted(Kind::Preempt), 0);
    assert_eq!(s.discarded_hotplug(Kind::Irq), 0);
    assert_eq!(s.discarded_epoch(Kind::Any), 0);
    assert_eq!(s.max_ns(Kind::Preempt), 7_532_054);
    assert_eq!(s.max_ns(Kind::Irq), 7_136_253);
    assert_eq!(s.gated_events(), 6575);
    assert_eq!(s.nmi_events(), 0);
    assert_eq!(s.recursion(), 0);
    assert_eq!(s.log_written(), 53);
    assert_eq!(s.log_overwritten(), 0);
    assert!(!s.wakeup_enabled());
    assert_eq!(s.period_us(), 1000);
    assert_eq!(s.wakeup_threshold_us(), 3000);
    assert_eq!(s.wakeup_prio(), 95);
    assert_eq!(s.spikes(), 23);
    assert_eq!(s.spikes_overwritten(), 0);
    assert_eq!(s.spikes_merged(), 0);
    assert_eq!(s.breakdown_dropped(), 0);
}

/// Captured with recording disabled, so nothing was in flight: every section
/// seen was either recorded or dropped.
#[test]
fn summary_seen_is_recorded_plus_dropped() {
    let s = parse_summary(&live("summary")).unwrap();
    for kind in Kind::ALL {
        assert_eq!(
            s.seen(kind),
            s.recorded(kind) + s.dropped(kind),
            "kind {kind}"
        );
    }
}

#[test]
fn sites_records() {
    let sites = parse_sites(&live("sites")).unwrap();
    assert_eq!(sites.len(), 852);
    let count = |k| sites.iter().filter(|s| s.kind == k).count();
    assert_eq!(
        (count(Kind::Preempt), count(Kind::Irq), count(Kind::Any)),
        (314, 178, 360)
    );
    assert_eq!(
        sites
            .iter()
            .filter(|s| s.start.module().is_some() && s.end.module().is_some())
            .count(),
        14
    );
    assert_eq!(
        sites
            .iter()
            .filter(|s| s.start.module() == Some("preemptstat_inject")
                && s.end.module() == Some("preemptstat_inject"))
            .count(),
        12
    );
    assert_eq!(
        sites
            .iter()
            .filter(|s| s.contexts.contains(Context::Task) && s.contexts.contains(Context::Softirq))
            .count(),
        10
    );
    assert!(!sites
        .iter()
        .any(|s| s.start.is_unknown() || s.end.is_unknown()));
    // Longest section first.
    assert!(sites.windows(2).all(|w| w[0].max_ns >= w[1].max_ns));
    for s in &sites {
        assert_eq!(s.hist.total(), s.count, "{:?}", s.start);
        assert!(
            s.min_ns <= s.max_ns && s.max_ns <= s.total_ns,
            "{:?}",
            s.start
        );
        // Spikes count on the blamed section's `any` site only.
        assert!(s.kind == Kind::Any || s.spikes == 0, "{:?}", s.start);
        assert_eq!(s.spikes == 0, s.spike_max_ns == 0, "{:?}", s.start);
    }
    assert_eq!(sites.iter().filter(|s| s.spikes > 0).count(), 3);
}

#[test]
fn injected_irq_site() {
    let sites = parse_sites(&live("sites")).unwrap();
    let irq: Vec<_> = sites
        .iter()
        .filter(|s| s.start.to_string().contains("inject_irq"))
        .collect();
    assert_eq!(irq.len(), 2, "one irq and one any site");
    let site = irq.iter().find(|s| s.kind == Kind::Irq).unwrap();
    // Two 2 ms sections, then two 5 ms ones that made wakeups late.
    assert_eq!(site.count, 4);
    assert_eq!(
        (site.total_ns, site.min_ns, site.max_ns),
        (14_066_661, 2_022_587, 5_003_362)
    );
    assert_eq!((site.max_cpu, site.max_pid), (1, 91));
    assert_eq!(site.max_comm.as_bytes(), b"ps_inject/1");
    assert_eq!(site.hist.nonzero().collect::<Vec<_>>(), [(11, 2), (13, 2)]);
    assert_eq!((site.spikes, site.spike_max_ns), (0, 0));
    assert_eq!(
        site.start,
        Symbol::Resolved {
            name: "_RNvCs57rNj5LhXbl_18preemptstat_inject10inject_irq".into(),
            offset: 0x1c,
            size: 0x80,
            module: Some("preemptstat_inject".into()),
        }
    );
    assert_eq!(
        site.start.to_string(),
        "preemptstat_inject::inject_irq+0x1c/0x80 [preemptstat_inject]"
    );
    assert_eq!(
        site.end.to_string(),
        "preemptstat_inject::inject_irq+0x6d/0x80 [preemptstat_inject]"
    );
    // The spikes count on the `any` site of the same sections.
    let any = irq.iter().find(|s| s.kind == Kind::Any).unwrap();
    assert_eq!((any.count, any.max_ns), (site.count, site.max_ns));
    assert_eq!((any.spikes, any.spike_max_ns), (2, 5_191_943));
}

#[test]
fn summary_agrees_with_sites_and_hist() {
    let s = parse_summary(&live("summary")).unwrap();
    let sites = parse_sites(&live("sites")).unwrap();
    let hist = parse_hist(&live("hist")).unwrap();
    assert_eq!(s.sites(), sites.len() as u64);
    for kind in Kind::ALL {
        let of_kind = sites.iter().filter(|x| x.kind == kind);
        let recorded: u64 = of_kind.clone().map(|x| x.count).sum();
        let max = of_kind.map(|x| x.max_ns).max().unwrap();
        assert_eq!(s.recorded(kind), recorded, "kind {kind}");
        assert_eq!(s.max_ns(kind), max, "kind {kind}");
        assert_eq!(hist.get(kind).total(), s.seen(kind), "kind {kind}");
    }
}

#[test]
fn hist_values() {
    let hist = parse_hist(&live("hist")).unwrap();
    assert_eq!(hist.get(Kind::Preempt).get(0), 1162);
    assert_eq!(hist.get(Kind::Irq).get(12), 1);
    assert_eq!(hist.get(Kind::Irq).get(13), 3);
    assert_eq!(hist.get(Kind::Any).nonzero_range(), Some((0, 13)));
}

#[test]
fn worst_sections_and_stacks() {
    let worst = parse_worst(&live("worst")).unwrap();
    assert_eq!(worst.len(), 20);
    assert_eq!(worst.iter().map(|w| w.stack.len()).sum::<usize>(), 103);
    assert!(worst
        .iter()
        .enumerate()
        .all(|(i, w)| w.rank as usize == i + 1));
    assert!(worst
        .windows(2)
        .all(|w| w[0].section.duration_ns >= w[1].section.duration_ns));
    let first = &worst[0];
    assert_eq!(first.section.kind, Kind::Any);
    assert_eq!(first.section.context, Context::Task);
    assert_eq!(first.section.duration_ns, 7_532_054);
    assert_eq!(first.section.comm.as_bytes(), b"kworker/1:1");
    assert_eq!(
        first
            .stack
            .iter()
            .map(|s| s.to_string())
            .collect::<Vec<_>>(),
        [
            "preemptstat_main::wakeup::wakeup_thread+0xe4/0xad0 [preemptstat]",
            "kthread+0x116/0x150",
            "ret_from_fork+0x115/0x210",
            "ret_from_fork_asm+0x1a/0x30",
        ]
    );
    // The innermost frame is where the section ended.
    assert_eq!(first.stack[0], first.section.end);
}

#[test]
fn log_entries() {
    let s = parse_summary(&live("summary")).unwrap();
    let log = parse_log(&live("log")).unwrap();
    assert_eq!(log.len() as u64, s.log_written());
    assert!(log.windows(2).all(|w| w[0].end_ns <= w[1].end_ns));
    assert!(log.iter().all(|r| r.duration_ns >= s.threshold_us() * 1000));
    assert_eq!(log[0].comm.as_bytes(), b"ps_inject/1");
    assert_eq!(
        log[0].start.to_string(),
        "preemptstat_inject::inject_irq+0x1c/0x80 [preemptstat_inject]"
    );
}

#[test]
fn control_files() {
    let s = parse_summary(&live("summary")).unwrap();
    assert_eq!(parse_enable(&live("enable")), Ok(false));
    assert_eq!(parse_threshold_us(&live("threshold_us")), Ok(500));
    assert_eq!(parse_enable(&live("wakeup_enable")), Ok(false));
    assert_eq!(parse_period_us(&live("period_us")), Ok(1000));
    assert_eq!(
        parse_wakeup_threshold_us(&live("wakeup_threshold_us")),
        Ok(3000)
    );
    // The controls read back what the summary reports.
    assert_eq!(parse_enable(&live("enable")), Ok(s.enabled()));
    assert_eq!(
        parse_threshold_us(&live("threshold_us")),
        Ok(s.threshold_us())
    );
    assert_eq!(parse_enable(&live("wakeup_enable")), Ok(s.wakeup_enabled()));
    assert_eq!(parse_period_us(&live("period_us")), Ok(s.period_us()));
    assert_eq!(
        parse_wakeup_threshold_us(&live("wakeup_threshold_us")),
        Ok(s.wakeup_threshold_us())
    );
}

#[test]
fn wakeup_values() {
    let cpus = parse_wakeup(&live("wakeup")).unwrap();
    assert_eq!(cpus.len(), 2);
    let c0 = &cpus[0];
    assert_eq!(c0.cpu, 0);
    assert_eq!(
        (c0.irq.count, c0.irq.min_ns, c0.irq.avg_ns, c0.irq.max_ns),
        (1182, 3808, 209_844, 8_793_756)
    );
    assert_eq!(
        (
            c0.thread.count,
            c0.thread.min_ns,
            c0.thread.avg_ns,
            c0.thread.max_ns
        ),
        (1175, 54_422, 260_561, 8_911_872)
    );
    assert_eq!((c0.missed, c0.spikes), (62, 7));
    let c1 = &cpus[1];
    assert_eq!(c1.cpu, 1);
    assert_eq!((c1.irq.count, c1.irq.max_ns), (1147, 9_153_468));
    assert_eq!((c1.thread.count, c1.thread.max_ns), (1129, 9_318_454));
    assert_eq!((c1.missed, c1.spikes), (111, 16));
    for c in &cpus {
        for l in [&c.irq, &c.thread] {
            assert!(
                l.min_ns <= l.avg_ns && l.avg_ns <= l.max_ns,
                "CPU {}",
                c.cpu
            );
        }
    }
}

#[test]
fn wakeup_hist_values() {
    let h = parse_wakeup_hist(&live("wakeup_hist")).unwrap();
    assert_eq!(h.cpus().collect::<Vec<_>>(), [0, 1]);
    let irq0 = h.get(0, Latency::Irq).unwrap();
    assert_eq!(irq0.nonzero_range(), Some((3, 88)));
    assert_eq!(irq0.get(40), 245);
    assert_eq!(
        h.get(1, Latency::Thread).unwrap().nonzero_range(),
        Some((36, 89))
    );
    assert_eq!(h.get(1, Latency::Thread).unwrap().get(48), 244);
}

/// The histograms count every wakeup the statistics count, and their first
/// and last non-empty buckets hold the smallest and largest latency.
#[test]
fn wakeup_hist_agrees_with_wakeup() {
    let cpus = parse_wakeup(&live("wakeup")).unwrap();
    let h = parse_wakeup_hist(&live("wakeup_hist")).unwrap();
    for c in &cpus {
        for latency in Latency::ALL {
            let stats = c.latency(latency);
            let hist = h.get(c.cpu, latency).unwrap();
            assert_eq!(hist.total(), stats.count, "CPU {} {latency}", c.cpu);
            let (first, last) = hist.nonzero_range().unwrap();
            let holds = |b: usize, ns: u64| {
                wakeup_bucket_lo_us(b) * 1000 <= ns
                    && wakeup_bucket_hi_us(b).is_none_or(|hi| ns < hi * 1000)
            };
            assert!(holds(first, stats.min_ns), "CPU {} {latency} min", c.cpu);
            assert!(holds(last, stats.max_ns), "CPU {} {latency} max", c.cpu);
        }
    }
}

#[test]
fn spikes_values() {
    let spikes = parse_spikes(&live("spikes")).unwrap();
    assert_eq!(spikes.len(), 23);
    assert_eq!(spikes.iter().filter(|s| s.cpu == 0).count(), 7);
    assert_eq!(spikes.iter().filter(|s| s.cpu == 1).count(), 16);
    let blamed_on = |function: &str| {
        spikes
            .iter()
            .filter(|s| {
                s.blame.as_ref().is_some_and(|b| {
                    b.start.demangled_name().as_deref()
                        == Some(&format!("preemptstat_inject::{function}")[..])
                })
            })
            .collect::<Vec<_>>()
    };
    let irq = blamed_on("inject_irq");
    assert_eq!(irq.len(), 2);
    for s in &irq {
        let b = s.blame.as_ref().unwrap();
        assert_eq!((s.cpu, b.kind, b.context), (1, Kind::Irq, Context::Task));
        assert_eq!(s.comm.as_bytes(), b"ps_inject/1");
        assert_eq!(
            b.end.as_ref().unwrap().to_string(),
            "preemptstat_inject::inject_irq+0x6d/0x80 [preemptstat_inject]"
        );
    }
    assert_eq!(
        irq.iter()
            .map(|s| s.blame.as_ref().unwrap().open_ns)
            .collect::<Vec<_>>(),
        [0, 581_257]
    );
    let preempt = blamed_on("inject_preempt");
    assert_eq!(preempt.len(), 2);
    for s in &preempt {
        let b = s.blame.as_ref().unwrap();
        assert_eq!(
            (s.cpu, b.kind, b.context),
            (1, Kind::Preempt, Context::Task)
        );
        // A preempt-off section delays the thread, not the timer interrupt.
        assert!(s.irq_latency_ns < 200_000, "{s:?}");
    }
    assert_eq!(spikes.iter().filter(|s| s.blame.is_some()).count(), 5);
    // Every spike here has another section in its window.
    assert!(spikes.iter().all(|s| s.other.is_some()));
    let first = &spikes[0];
    assert_eq!(
        (
            first.expiry_ns,
            first.irq_latency_ns,
            first.thread_latency_ns,
            first.pid
        ),
        (11_521_993_136, 5_062_160, 5_191_943, 91)
    );
    let other = first.other.as_ref().unwrap();
    assert_eq!(other.duration_ns, 137_545);
    assert_eq!(other.start.to_string(), "irqentry_enter+0x8a/0xd0");
    let unblamed = &spikes[4];
    assert!(unblamed.blame.is_none());
    assert_eq!((unblamed.cpu, unblamed.pid), (0, 0));
    assert_eq!(unblamed.comm.as_bytes(), b"swapper/0");
}

/// The spike counters of `summary` and `wakeup` count the lines of
/// `spikes`, which are oldest first, all over the threshold, each with the
/// timer interrupt no later than the thread.
#[test]
fn spikes_agree_with_summary_and_wakeup() {
    let s = parse_summary(&live("summary")).unwrap();
    let cpus = parse_wakeup(&live("wakeup")).unwrap();
    let spikes = parse_spikes(&live("spikes")).unwrap();
    assert_eq!(s.cpus(), cpus.len() as u64);
    assert_eq!(spikes.len() as u64 + s.spikes_overwritten(), s.spikes());
    assert_eq!(cpus.iter().map(|c| c.spikes).sum::<u64>(), s.spikes());
    for c in &cpus {
        let on_cpu: Vec<_> = spikes.iter().filter(|x| x.cpu == c.cpu).collect();
        assert_eq!(on_cpu.len() as u64, c.spikes, "CPU {}", c.cpu);
        let worst = on_cpu.iter().map(|x| x.thread_latency_ns).max().unwrap();
        assert!(worst <= c.thread.max_ns, "CPU {}", c.cpu);
        if s.spikes_merged() == 0 && s.spikes_overwritten() == 0 {
            // Every wakeup over the threshold is a spike, the worst included.
            assert_eq!(worst, c.thread.max_ns, "CPU {}", c.cpu);
        }
    }
    assert!(spikes.windows(2).all(|w| w[0].expiry_ns <= w[1].expiry_ns));
    for x in &spikes {
        assert!(
            x.thread_latency_ns >= s.wakeup_threshold_us() * 1000,
            "{x:?}"
        );
        assert!(x.irq_latency_ns <= x.thread_latency_ns, "{x:?}");
    }
}

/// Each blamed spike counts on the `any` site of its section, whose
/// `spike_max_ns` is the largest thread latency among them.
#[test]
fn spikes_agree_with_sites() {
    let sites = parse_sites(&live("sites")).unwrap();
    let spikes = parse_spikes(&live("spikes")).unwrap();
    let blamed: Vec<_> = spikes.iter().filter(|x| x.blame.is_some()).collect();
    assert_eq!(
        sites.iter().map(|x| x.spikes).sum::<u64>(),
        blamed.len() as u64
    );
    for site in sites.iter().filter(|x| x.spikes > 0) {
        let on_site: Vec<_> = blamed
            .iter()
            .filter(|x| {
                let b = x.blame.as_ref().unwrap();
                b.start == site.start && b.end.as_ref() == Some(&site.end)
            })
            .collect();
        assert_eq!(on_site.len() as u64, site.spikes, "{}", site.start);
        assert_eq!(
            on_site.iter().map(|x| x.thread_latency_ns).max().unwrap(),
            site.spike_max_ns,
            "{}",
            site.start
        );
    }
}

/// Every spike's ten class times add up to its thread latency (the parser
/// checks), and the breakdown fits how each spike happened: the injector's
/// irqs-off and preempt-off sections, an idle CPU under TCG.
#[test]
fn spikes_breakdown() {
    let spikes = parse_spikes(&live("spikes")).unwrap();
    let causes: Vec<(Cause, u64)> = spikes.iter().map(|s| (s.cause, s.cause_ns)).collect();
    assert_eq!(
        causes[..5],
        [
            (Cause::Irqsoff, 5_027_160),
            (Cause::Irqsoff, 4_420_000),
            (Cause::Preemptoff, 4_420_000),
            (Cause::Preemptoff, 4_210_000),
            (Cause::Idle, 2_100_000),
        ]
    );
    assert_eq!(causes[22], (Cause::Preemptoff, 7_480_000));
    // The unblamed spikes of the idle CPUs are idle first.
    assert!(spikes
        .iter()
        .filter(|s| s.blame.is_none())
        .all(|s| s.cause == Cause::Idle && s.comm.as_bytes().starts_with(b"swapper/")));
    for s in &spikes {
        assert_eq!(
            s.breakdown.total(),
            u128::from(s.thread_latency_ns),
            "{s:?}"
        );
        assert!(s.cause_ns <= s.breakdown.get(s.cause), "{s:?}");
        // An irqs-off section delays the timer interrupt; a preempt-off one
        // only the thread.
        if s.cause == Cause::Preemptoff {
            assert!(
                s.breakdown.get(Cause::Preemptoff) > s.irq_latency_ns,
                "{s:?}"
            );
        }
    }
    assert_eq!(
        spikes[0].breakdown.as_array(),
        &[0, 0, 61240, 0, 5_027_160, 0, 0, 0, 68543, 35000]
    );
}

/// `spikes_worst` is every spike (none was overwritten, CPU 1 has exactly
/// its 16), worst first.
#[test]
fn spikes_worst_values() {
    let spikes = parse_spikes(&live("spikes")).unwrap();
    let worst = parse_spikes_worst(&live("spikes_worst")).unwrap();
    assert_eq!(worst.len(), spikes.len());
    assert_eq!(
        worst
            .iter()
            .take(3)
            .map(|s| (s.cpu, s.thread_latency_ns))
            .collect::<Vec<_>>(),
        [(1, 9_318_454), (0, 8_911_872), (1, 7_666_943)]
    );
    let mut by_latency = spikes.clone();
    by_latency.sort_by_key(|s| std::cmp::Reverse(s.thread_latency_ns));
    assert_eq!(worst, by_latency);
}

#[test]
fn spike_parts_values() {
    let spikes = parse_spikes(&live("spikes")).unwrap();
    let worst = parse_spikes_worst(&live("spikes_worst")).unwrap();
    let parts = parse_spike_parts(&live("spike_parts")).unwrap();
    assert_eq!(parts.check_against(&spikes, &worst), Ok(()));
    assert_eq!(parts.check_against(&spikes, &[]), Ok(()));
    assert_eq!(parts.check_against(&[], &worst), Ok(()));
    // Each spike once, with its 4 largest parts; two with a task's stack.
    assert_eq!(parts.len(), 23);
    assert!(spikes
        .iter()
        .all(|s| parts.get(s.key()).unwrap().parts.len() == 4));
    assert_eq!(parts.iter().filter(|b| !b.stack.is_empty()).count(), 2);
    let key = |cpu, expiry_ns| SpikeKey { cpu, expiry_ns };
    let first = parts.get(key(1, 11_521_993_136)).unwrap();
    assert_eq!(
        first.parts[0].label,
        Label::Section {
            start:
                "_RNvCs57rNj5LhXbl_18preemptstat_inject10inject_irq+0x1c/0x80 [preemptstat_inject]"
                    .parse()
                    .unwrap(),
            end: Some(
                "_RNvCs57rNj5LhXbl_18preemptstat_inject10inject_irq+0x6d/0x80 [preemptstat_inject]"
                    .parse()
                    .unwrap()
            ),
        }
    );
    let migration = parts.get(key(1, 12_689_993_136)).unwrap();
    let task = migration.longest_task().unwrap();
    assert_eq!(
        (task.rank, task.ns, &task.label),
        (
            3,
            380_000,
            &Label::Task {
                pid: 21,
                comm: Comm::from_bytes(*b"migration/1"),
                policy: Policy::Fifo,
                prio: 99
            }
        )
    );
    assert_eq!(migration.stack.len(), 6);
    assert_eq!(
        migration.stack[5].to_string(),
        "ret_from_fork_asm+0x1a/0x30"
    );
    let net = parts.get(key(0, 11_615_399_543)).unwrap();
    assert_eq!(net.parts[1].label, Label::Softirq("NET_RX"));
    assert_eq!(
        net.parts[3].label,
        Label::Device {
            irq: 11,
            name: Comm::from_bytes(*b"virtio0")
        }
    );
}

/// `causes` totals the spikes (none merged or overwritten): per CPU and
/// class, the spikes with time, those it was the cause of, the time.
#[test]
fn causes_agree_with_spikes() {
    let spikes = parse_spikes(&live("spikes")).unwrap();
    let wakeup = parse_wakeup(&live("wakeup")).unwrap();
    let causes = parse_causes(&live("causes")).unwrap();
    assert_eq!(causes.iter().map(|c| c.cpu).collect::<Vec<_>>(), [0, 1]);
    for c in &causes {
        let mine: Vec<_> = spikes.iter().filter(|s| s.cpu == c.cpu).collect();
        for (cause, t) in c.iter() {
            let with_time = mine.iter().filter(|s| s.breakdown.get(cause) > 0).count();
            let dominant = mine.iter().filter(|s| s.cause == cause).count();
            let total: u64 = mine.iter().map(|s| s.breakdown.get(cause)).sum();
            assert_eq!(
                (t.spikes, t.dominant, t.total_ns),
                (with_time as u64, dominant as u64, total),
                "CPU {} {cause}",
                c.cpu
            );
        }
        let spikes_of_cpu = wakeup.iter().find(|w| w.cpu == c.cpu).unwrap().spikes;
        assert_eq!(
            c.iter().map(|(_, t)| t.dominant).sum::<u64>(),
            spikes_of_cpu
        );
        let latency: u64 = mine.iter().map(|s| s.thread_latency_ns).sum();
        assert_eq!(c.total_ns(), u128::from(latency));
    }
    assert_eq!(causes[1].get(Cause::Idle).total_ns, 37_363_000);
    assert_eq!(causes[0].get(Cause::Irqsoff).spikes, 0);
    assert_eq!(causes[0].iter().count(), CAUSES);
}

#[test]
fn snapshot_reads_every_file() {
    let snap = DebugfsSource::with_root(fixture("v2-live"))
        .read_snapshot()
        .unwrap();
    assert_eq!(snap.version.get(), 2);
    assert_eq!(snap.spikes_worst.len(), 23);
    assert_eq!(snap.spike_parts.len(), 23);
    assert_eq!(snap.causes.len(), 2);
    let first = &snap.spikes[0];
    assert_eq!(snap.parts_of(first).map(|b| b.parts.len()), Some(4));
    assert_eq!(
        snap.causes_cpu(1).map(|c| c.get(Cause::Irqsoff).dominant),
        Some(2)
    );
    assert!(snap.causes_cpu(2).is_none());
    assert_eq!(snap.sites.len(), 852);
    assert_eq!(snap.worst.len(), 20);
    assert_eq!(snap.log.len(), 53);
    assert_eq!(snap.wakeup.len(), 2);
    assert_eq!(snap.spikes.len(), 23);
    assert_eq!(
        snap.wakeup_hist.get_or_empty(1, Latency::Irq).total(),
        snap.wakeup[1].irq.count
    );
    assert!(!snap.enabled);
    assert!(!snap.wakeup_enabled);
    assert_eq!(snap.threshold_us, snap.summary.threshold_us());
    assert_eq!(snap.period_us, 1000);
    assert_eq!(snap.wakeup_threshold_us, 3000);
    assert_eq!(snap.sites_over(7000).count(), 3);
    assert_eq!(snap.sites_over(u64::MAX).count(), 0);
    assert_eq!(snap.wakeup_cpu(1).map(|c| c.spikes), Some(16));
    assert!(snap.wakeup_cpu(2).is_none());
    let over: Vec<_> = snap
        .wakeup_over(8900)
        .map(|o| (o.cpu, o.latency, o.max_ns))
        .collect();
    assert_eq!(
        over,
        [
            (0, Latency::Thread, 8_911_872),
            (1, Latency::Thread, 9_318_454),
            (1, Latency::Irq, 9_153_468),
        ]
    );
    assert_eq!(snap.wakeup_over(9319).count(), 0);
}

#[test]
fn truncated_sites_file() {
    let err = parse_sites(&fs::read_to_string(fixture("v2-truncated/sites")).unwrap()).unwrap_err();
    assert!(
        matches!(&err, ParseError::Malformed { line: 7, reason } if reason.starts_with("truncated")),
        "{err:?}"
    );
}

#[test]
fn bad_field_in_sites_file() {
    let err = parse_sites(&fs::read_to_string(fixture("v2-badfield/sites")).unwrap()).unwrap_err();
    assert_eq!(
        err,
        ParseError::malformed(
            3,
            "field `count`: expected an unsigned decimal integer, found \"two\""
        )
    );
}

/// The live files cut anywhere near a line end (where a short read would
/// cut them) either parse or fail with a malformed line, never a panic; a
/// cut inside a line is always reported as truncation.
#[test]
fn live_files_cut_near_line_ends_are_handled() {
    type Parser = fn(&str) -> Option<ParseError>;
    let parsers: [(&str, Parser); 11] = [
        ("summary", |t| parse_summary(t).err()),
        ("sites", |t| parse_sites(t).err()),
        ("worst", |t| parse_worst(t).err()),
        ("log", |t| parse_log(t).err()),
        ("hist", |t| parse_hist(t).err()),
        ("wakeup", |t| parse_wakeup(t).err()),
        ("wakeup_hist", |t| parse_wakeup_hist(t).err()),
        ("spikes", |t| parse_spikes(t).err()),
        ("spikes_worst", |t| parse_spikes_worst(t).err()),
        ("spike_parts", |t| parse_spike_parts(t).err()),
        ("causes", |t| parse_causes(t).err()),
    ];
    for (file, parse) in parsers {
        let text = live(file);
        let ends: Vec<usize> = text.match_indices('\n').map(|(i, _)| i).collect();
        for &end in ends.iter().take(40).chain(ends.iter().rev().take(3)) {
            for cut in end.saturating_sub(3)..=end + 1 {
                let prefix = &text[..cut];
                match parse(prefix) {
                    None => assert!(prefix.is_empty() || prefix.ends_with('\n'), "{file} {cut}"),
                    Some(ParseError::Malformed { reason, .. }) => assert!(
                        prefix.ends_with('\n') || reason.starts_with("truncated"),
                        "{file} cut at {cut}: {reason}"
                    ),
                    Some(other) => panic!("{file} cut at {cut}: {other:?}"),
                }
            }
        }
    }
}
