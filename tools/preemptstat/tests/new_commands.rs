// SPDX-License-Identifier: GPL-2.0
//! End-to-end tests of `record`, `diff`, `export`, `watch` and `completions` against the captured fixture and the two small snapshots in tests/fixtures/diff.
//!
//! Goldens are rewritten with `PREEMPTSTAT_BLESS=1 cargo test`.

mod common;

use std::collections::HashSet;
use std::fs;
use std::path::{Path, PathBuf};

use common::{assert_failure, assert_golden, fixture, run, run_on, s, success};
use serde_json::Value;

fn live() -> PathBuf {
    fixture("v2-live")
}

fn diff_file(name: &str) -> PathBuf {
    fixture("diff").join(name)
}

#[test]
fn record_writes_the_report_json_atomically() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("snap.json");
    let out = run_on(&live(), &["record", s(&file)]);
    assert_eq!(success(&out), "");
    let recorded = fs::read_to_string(&file).unwrap();
    let report = success(&run_on(&live(), &["report", "--json"]));
    assert_eq!(recorded, report);
    // Only the file itself is left, no temporary.
    assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1);
    // A recording of the same capture differs from itself in nothing.
    let out = run(&["diff", s(&file), s(&file)]);
    assert_eq!(
        success(&out),
        "0 new, 0 gone, 0 changed sites (largest change of total time first)\n"
    );
}

#[test]
fn record_errors_follow_the_contract() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("missing-dir/snap.json");
    assert_failure(
        &run_on(&live(), &["record", s(&file)]),
        &["cannot write", "snap.json"],
    );
    let file = dir.path().join("snap.json");
    assert_failure(
        &run_on(&fixture("v2-truncated"), &["record", s(&file)]),
        &["sites"],
    );
    assert!(!file.exists());
    assert_failure(
        &run_on(&dir.path().join("nope"), &["record", s(&file)]),
        &["does not exist"],
    );
}

#[test]
fn diff_text_and_json() {
    let (a, b) = (diff_file("a.json"), diff_file("b.json"));
    assert_golden("diff.txt", &success(&run(&["diff", s(&a), s(&b)])));
    let out = success(&run(&["diff", s(&a), s(&b), "--json", "--limit", "2"]));
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(
        (v["new"].as_u64(), v["gone"].as_u64(), v["changed"].as_u64()),
        (Some(1), Some(1), Some(2))
    );
    let sites = v["sites"].as_array().unwrap();
    assert_eq!(sites.len(), 2);
    assert_eq!(sites[0]["flag"], "worse");
    assert_eq!(sites[0]["delta_total_ns"], 20_000_000);
    assert_eq!(sites[1]["change"], "gone");
    assert_eq!(sites[1]["max_ns_b"], Value::Null);
    let all = success(&run(&["diff", s(&a), s(&b), "--json"]));
    let v: Value = serde_json::from_str(&all).unwrap();
    let flags: Vec<&Value> = v["sites"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| &s["flag"])
        .collect();
    assert!(flags.contains(&&Value::from("better")), "{all}");
}

#[test]
fn diff_names_the_bad_file() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.json");
    fs::write(&bad, "{\"version\":2,\"sections\":[{\"kind\":1}]}").unwrap();
    let a = diff_file("a.json");
    assert_failure(
        &run(&["diff", s(&a), s(&bad)]),
        &["bad.json", "not a snapshot"],
    );
    let missing = dir.path().join("missing.json");
    assert_failure(
        &run(&["diff", s(&missing), s(&a)]),
        &["missing.json", "cannot read"],
    );
    assert_failure(
        &run(&["diff", s(&a), s(&live().join("summary"))]),
        &["summary"],
    );
    assert_failure(
        &run(&["--fail-over-us", "1", "diff", s(&a), s(&a)]),
        &["--fail-over-us"],
    );
}

#[test]
fn export_prometheus_golden() {
    let out = success(&run_on(
        &live(),
        &["export", "--format", "prometheus", "--top", "3"],
    ));
    assert_golden("export-prometheus-top3.txt", &out);
}

/// The cause families: every CPU and class (zeros included), seconds as the
/// unit, with the breakdown's dropped-events counter.
#[test]
fn export_prometheus_has_cause_totals() {
    let out = success(&run_on(&live(), &["export", "--format", "prometheus"]));
    let family = |name: &str| -> Vec<&str> {
        out.lines()
            .filter(|l| l.starts_with(&format!("{name}{{")))
            .collect()
    };
    let seconds = family("preemptstat_wakeup_cause_seconds_total");
    assert_eq!(seconds.len(), 2 * 10);
    assert_eq!(
        seconds[..2],
        [
            r#"preemptstat_wakeup_cause_seconds_total{cpu="0",cause="nmi"} 0.000052"#,
            r#"preemptstat_wakeup_cause_seconds_total{cpu="0",cause="irq"} 0.00027"#,
        ]
    );
    assert!(seconds.contains(
        &r#"preemptstat_wakeup_cause_seconds_total{cpu="1",cause="preemptoff"} 0.01611"#
    ));
    assert!(
        seconds.contains(&r#"preemptstat_wakeup_cause_seconds_total{cpu="0",cause="irqsoff"} 0"#)
    );
    let spikes = family("preemptstat_wakeup_cause_spikes_total");
    assert_eq!(spikes.len(), 20);
    assert!(spikes.contains(&r#"preemptstat_wakeup_cause_spikes_total{cpu="1",cause="timer"} 16"#));
    let dominant = family("preemptstat_wakeup_cause_dominant_total");
    assert_eq!(
        dominant
            .iter()
            .filter(|l| !l.ends_with(" 0"))
            .copied()
            .collect::<Vec<_>>(),
        [
            r#"preemptstat_wakeup_cause_dominant_total{cpu="0",cause="idle"} 7"#,
            r#"preemptstat_wakeup_cause_dominant_total{cpu="1",cause="irqsoff"} 2"#,
            r#"preemptstat_wakeup_cause_dominant_total{cpu="1",cause="preemptoff"} 3"#,
            r#"preemptstat_wakeup_cause_dominant_total{cpu="1",cause="idle"} 11"#,
        ]
    );
    for name in [
        "preemptstat_wakeup_cause_seconds_total",
        "preemptstat_wakeup_cause_spikes_total",
        "preemptstat_wakeup_cause_dominant_total",
    ] {
        assert!(
            out.contains(&format!("\n# TYPE {name} counter\n")),
            "{name}"
        );
        assert!(out.contains(&format!("\n# HELP {name} ")), "{name}");
    }
    assert!(out.contains(
        "\n# TYPE preemptstat_wakeup_breakdown_dropped_total counter\n\
         preemptstat_wakeup_breakdown_dropped_total 0\n"
    ));
}

#[test]
fn export_prometheus_follows_the_exposition_grammar() {
    let out = success(&run_on(&live(), &["export", "--format", "prometheus"]));
    let name = r"[a-zA-Z_:][a-zA-Z0-9_:]*";
    let label_value = r#""(?:[^"\\\n]|\\[\\"n])*""#;
    let labels = format!(
        r"\{{(?:[a-zA-Z_][a-zA-Z0-9_]*={label_value})(?:,[a-zA-Z_][a-zA-Z0-9_]*={label_value})*\}}"
    );
    let value = r"(?:[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?|\+Inf|-Inf|NaN)";
    let sample = regex_lite::Regex::new(&format!(r"^({name})({labels})? ({value})$")).unwrap();
    let help = regex_lite::Regex::new(&format!(r"^# HELP ({name}) \S.*$")).unwrap();
    let typ = regex_lite::Regex::new(&format!(
        r"^# TYPE ({name}) (counter|gauge|histogram|summary|untyped)$"
    ))
    .unwrap();
    let mut seen = HashSet::new();
    let mut families = HashSet::new();
    let mut current: Option<(String, String)> = None;
    for line in out.lines() {
        if let Some(c) = help.captures(line) {
            assert!(families.insert(c[1].to_string()), "family repeats: {line}");
            continue;
        }
        if let Some(c) = typ.captures(line) {
            assert!(c[1].starts_with("preemptstat_"), "{line}");
            current = Some((c[1].to_string(), c[2].to_string()));
            continue;
        }
        let c = sample
            .captures(line)
            .unwrap_or_else(|| panic!("not a sample: {line:?}"));
        let (family, kind) = current.clone().expect("sample before # TYPE");
        let metric = &c[1];
        match kind.as_str() {
            "counter" => assert!(metric == family && metric.ends_with("_total"), "{line}"),
            "histogram" => assert!(
                [
                    &format!("{family}_bucket"),
                    &format!("{family}_sum"),
                    &format!("{family}_count")
                ]
                .contains(&&metric.to_string()),
                "{line}"
            ),
            _ => assert_eq!(metric, family, "{line}"),
        }
        let key = format!("{}{}", metric, c.get(2).map_or("", |m| m.as_str()));
        assert!(seen.insert(key), "label set repeats: {line}");
    }
    assert!(families.len() >= 10, "{families:?}");
    // The top 10 per kind: at most 30 site series.
    let sites = out
        .lines()
        .filter(|l| l.starts_with("preemptstat_site_max_seconds{"))
        .count();
    assert!(sites > 0 && sites <= 30, "{sites}");
    assert!(out.contains(r#"le="+Inf"} 5540"#), "{out}");
}

#[test]
fn export_needs_a_format_and_a_root() {
    assert_failure(&run_on(&live(), &["export"]), &["--format"]);
    let dir = tempfile::tempdir().unwrap();
    assert_failure(
        &run_on(
            &dir.path().join("nope"),
            &["export", "--format", "prometheus"],
        ),
        &["does not exist"],
    );
}

#[test]
fn watch_iterations_stop_the_loop() {
    let out = success(&run_on(
        &live(),
        &["watch", "--interval", "0.5", "--iterations", "2"],
    ));
    let report = success(&run_on(&live(), &["report"]));
    let separator = format!("{}\n", "-".repeat(72));
    let parts: Vec<&str> = out.split(&separator).collect();
    assert_eq!(parts.len(), 2, "{out}");
    assert_eq!(
        parts[0],
        format!("{report}\nFirst refresh: no deltas yet.\n")
    );
    assert_eq!(
        parts[1],
        format!("{report}\nNo site changed since the previous refresh.\n")
    );
    assert!(!out.contains('\x1b'), "escape codes without a terminal");
    assert_failure(&run_on(&live(), &["watch", "--interval", "0.1"]), &["0.5"]);
    assert_failure(
        &run_on(&fixture("v2-truncated"), &["watch", "--iterations", "1"]),
        &["sites"],
    );
}

#[test]
fn completions_mention_every_subcommand() {
    let bash = success(&run(&["completions", "bash"]));
    for cmd in [
        "report",
        "sites",
        "worst",
        "log",
        "hist",
        "wakeup",
        "version",
        "set",
        "reset",
        "record",
        "diff",
        "export",
        "watch",
        "completions",
    ] {
        assert!(bash.contains(cmd), "bash completion lacks {cmd}");
    }
    for shell in ["zsh", "fish"] {
        assert!(success(&run(&["completions", shell])).contains("preemptstat"));
    }
    assert_failure(&run(&["completions", "tcsh"]), &["tcsh"]);
}

#[test]
fn long_help_has_examples() {
    for cmd in ["record", "diff", "export", "watch", "completions", "plot"] {
        let help = success(&run(&[cmd, "--help"]));
        assert!(help.contains("Example"), "{cmd}: {help}");
    }
    assert!(!success(&run(&["watch", "--help"])).contains("--iterations"));
}

/// Parses the SVG file `path` and returns (bars, spikes, threshold lines).
fn svg_counts(path: &Path) -> (usize, usize, usize) {
    let text = fs::read_to_string(path).unwrap();
    let doc = roxmltree::Document::parse(&text).expect("well-formed SVG");
    assert_eq!(doc.root_element().tag_name().name(), "svg");
    let count = |tag: &str, class: &str| {
        doc.descendants()
            .filter(|n| n.has_tag_name(tag) && n.attribute("class") == Some(class))
            .count()
    };
    (
        count("rect", "bar"),
        count("circle", "spike"),
        count("line", "threshold"),
    )
}

#[test]
fn plot_hist_draws_one_bar_per_nonempty_bucket() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("irq.svg");
    let out = run_on(
        &live(),
        &["plot", "hist", "--kind", "irq", "--output", s(&file)],
    );
    assert_eq!(success(&out), "");
    let hist = fs::read_to_string(live().join("hist")).unwrap();
    let nonempty = hist
        .lines()
        .filter(|l| l.starts_with("irq ") && !l.ends_with(" 0"))
        .count();
    assert_eq!(svg_counts(&file), (nonempty, 0, 0));
    let all = dir.path().join("all.svg");
    assert_eq!(
        success(&run_on(&live(), &["plot", "hist", "--output", s(&all)])),
        ""
    );
    let nonempty_all = hist
        .lines()
        .filter(|l| !l.starts_with('#') && !l.ends_with(" 0"))
        .count();
    assert_eq!(svg_counts(&all).0, nonempty_all);
}

#[test]
fn plot_wakeup_draws_spikes_threshold_and_histogram() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("w.svg");
    let out = run_on(
        &live(),
        &[
            "plot",
            "wakeup",
            "--cpu",
            "1",
            "--threshold-us",
            "2000",
            "--output",
            s(&file),
        ],
    );
    assert_eq!(success(&out), "");
    let spikes = fs::read_to_string(live().join("spikes")).unwrap();
    let cpu1 = spikes.lines().filter(|l| l.starts_with("1 ")).count();
    let (bars, points, lines) = svg_counts(&file);
    assert_eq!((points, lines), (cpu1, 1));
    assert!(bars > 0);
    let text = fs::read_to_string(&file).unwrap();
    assert!(text.contains("threshold 2000 us"), "{text}");
    // The default threshold is the module's, and all CPUs by default.
    assert_eq!(
        success(&run_on(&live(), &["plot", "wakeup", "--output", s(&file)])),
        ""
    );
    assert_eq!(svg_counts(&file).1, 23);
    assert!(fs::read_to_string(&file)
        .unwrap()
        .contains("threshold 3000 us"));
}

/// The breakdown panel: one segment per class with time of every spike,
/// stacked to its thread latency, coloured by class, with a legend of the
/// classes shown.
#[test]
fn plot_wakeup_splits_each_spike_by_cause() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("w.svg");
    let out = run_on(
        &live(),
        &["plot", "wakeup", "--cpu", "1", "--output", s(&file)],
    );
    assert_eq!(success(&out), "");
    let text = fs::read_to_string(&file).unwrap();
    let doc = roxmltree::Document::parse(&text).unwrap();
    let with_class = |class: &str| -> Vec<roxmltree::Node> {
        doc.descendants()
            .filter(|n| n.has_tag_name("rect") && n.attribute("class") == Some(class))
            .collect()
    };
    let spikes =
        preemptstat_core::parse_spikes(&fs::read_to_string(live().join("spikes")).unwrap())
            .unwrap();
    let cpu1: Vec<_> = spikes.iter().filter(|s| s.cpu == 1).collect();
    let segments = with_class("cause");
    assert_eq!(
        segments.len(),
        cpu1.iter()
            .map(|s| s.breakdown.nonzero().count())
            .sum::<usize>()
    );
    // CPU 1's first spike: four classes, bottom up in class order.
    let first: Vec<&str> = segments[..4]
        .iter()
        .map(|n| n.attribute("data-cause").unwrap())
        .collect();
    assert_eq!(first, ["timer", "irqsoff", "switch", "unaccounted"]);
    assert_eq!(segments[1].attribute("fill"), Some("#b07aa1"));
    let title = segments[1]
        .children()
        .find(|c| c.has_tag_name("title"))
        .unwrap();
    assert_eq!(
        title.text(),
        Some("CPU 1 at 11.521993 s: irqsoff 5.03 ms (97 %)")
    );
    // The stacked heights add up to the bar's height: segments touch.
    let y = |n: &roxmltree::Node, a: &str| n.attribute(a).unwrap().parse::<f64>().unwrap();
    for pair in segments[..4].windows(2) {
        assert!((y(&pair[0], "y") - (y(&pair[1], "y") + y(&pair[1], "height"))).abs() < 0.02);
    }
    // Every class CPU 1's spikes have time in (all ten) is in the legend.
    let legend: Vec<&str> = with_class("legend")
        .iter()
        .map(|n| n.attribute("data-cause").unwrap())
        .collect();
    assert_eq!(
        legend,
        [
            "nmi",
            "irq",
            "timer",
            "softirq",
            "irqsoff",
            "preemptoff",
            "task",
            "idle",
            "switch",
            "unaccounted"
        ]
    );
    assert!(text.contains("CPU 1: thread latency of each late wakeup by cause"));
    // CPU 0 has no irqsoff or preemptoff time: not in its legend.
    run_on(
        &live(),
        &["plot", "wakeup", "--cpu", "0", "--output", s(&file)],
    );
    let text = fs::read_to_string(&file).unwrap();
    assert!(
        !text.contains(r#"class="legend" data-cause="irqsoff""#),
        "{text}"
    );
    assert!(
        text.contains(r#"class="legend" data-cause="idle""#),
        "{text}"
    );
}

#[test]
fn plot_errors_follow_the_contract() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("w.svg");
    assert_failure(
        &run_on(
            &live(),
            &["plot", "wakeup", "--cpu", "7", "--output", s(&file)],
        ),
        &["CPU 7"],
    );
    assert_failure(&run_on(&live(), &["plot", "hist"]), &["--output"]);
    assert_failure(
        &run_on(
            &live(),
            &["plot", "hist", "--output", s(&dir.path().join("x/y.svg"))],
        ),
        &["cannot write", "y.svg"],
    );
    assert_failure(
        &run_on(
            &dir.path().join("nope"),
            &["plot", "hist", "--output", s(&file)],
        ),
        &["does not exist"],
    );
    assert!(!file.exists());
}
