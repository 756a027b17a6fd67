// SPDX-License-Identifier: GPL-2.0
//! End-to-end tests of the read commands (the wakeup probe's included), `--json`, `--fail-over-us`, `set` and `reset` against the captured fixtures.
//!
//! The text outputs are compared with the files in tests/golden/. After an
//! intended change of the output, run the tests with `PREEMPTSTAT_BLESS=1`
//! to rewrite them, and review the diff.

mod common;

use std::fs;
use std::path::PathBuf;

use common::{
    assert_failure, assert_golden, copy_fixture, fixture, run, run_on, s, stderr, stdout, success,
};
use serde_json::Value;

/// The capture from a VM run.
fn live() -> PathBuf {
    fixture("v2-live")
}

/// Runs `args` on the live fixture, expecting success; returns stdout.
fn live_ok(args: &[&str]) -> String {
    success(&run_on(&live(), args))
}

/// Runs `args` on the live fixture, expecting JSON; returns it parsed.
fn live_json(args: &[&str]) -> Value {
    let out = live_ok(args);
    assert!(out.ends_with('\n') && out.lines().count() == 1, "{out}");
    serde_json::from_str(&out).expect("valid JSON")
}

#[test]
fn report_text() {
    assert_golden("report.txt", &live_ok(&["report"]));
}

#[test]
fn no_subcommand_is_report() {
    assert_eq!(live_ok(&[]), live_ok(&["report"]));
    assert_eq!(live_ok(&["--json"]), live_ok(&["report", "--json"]));
}

#[test]
fn sites_text() {
    assert_golden("sites-limit-3.txt", &live_ok(&["sites", "--limit", "3"]));
    let all = live_ok(&["sites"]);
    assert_eq!(all.lines().count(), 1 + 852);
    assert!(!all.contains("_RNv"), "mangled name in output");
}

#[test]
fn sites_selection() {
    let out = live_ok(&["sites", "--kind", "irq", "--filter", "inject_irq"]);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 2, "{out}");
    assert!(lines[0].starts_with("KIND "), "{out}");
    assert!(lines[1].starts_with("irq  "), "{out}");
    assert!(
        lines[1].ends_with(
            "preemptstat_inject::inject_irq+0x1c/0x80 [preemptstat_inject] -> \
             preemptstat_inject::inject_irq+0x6d/0x80 [preemptstat_inject]"
        ),
        "{out}"
    );

    // The module name matches too, so all 12 injector sites show.
    let out = live_ok(&["sites", "--filter", "[preemptstat_inject]"]);
    assert_eq!(out.lines().count(), 1 + 12, "{out}");

    // Sorted by count: the busiest site first.
    let json = live_json(&["sites", "--sort", "count", "--limit", "2", "--json"]);
    let counts: Vec<u64> = json["sections"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["count"].as_u64().unwrap())
        .collect();
    assert_eq!(counts.len(), 2);
    assert!(counts[0] >= counts[1] && counts[0] > 100, "{counts:?}");

    assert_eq!(
        live_ok(&["sites", "--filter", "no_such_function"]),
        "No sites.\n"
    );

    // Sorted by spikes: the 3 sites blamed for late wakeups first, those
    // with equal counts in file order.
    let json = live_json(&["sites", "--sort", "spikes", "--limit", "4", "--json"]);
    let spikes: Vec<(u64, u64)> = json["sections"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["spikes"].as_u64().unwrap(),
                s["spike_max_ns"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        spikes,
        [(2, 4_695_266), (2, 5_191_943), (1, 7_666_943), (0, 0)]
    );
    let out = live_ok(&["sites", "--sort", "spikes", "--limit", "1"]);
    assert!(
        out.starts_with("KIND  COUNT      MAX     MEAN     TOTAL  SPIKES  CONTEXTS"),
        "{out}"
    );
}

#[test]
fn sites_json() {
    let json = live_json(&["sites", "--json"]);
    let obj = json.as_object().unwrap();
    assert_eq!(obj.keys().collect::<Vec<_>>(), ["sections", "version"]);
    assert_eq!(json["version"], 2);
    let sections = json["sections"].as_array().unwrap();
    assert_eq!(sections.len(), 852);
    let irq = sections
        .iter()
        .find(|s| {
            s["kind"] == "irq"
                && s["start"] == "preemptstat_inject::inject_irq+0x1c/0x80 [preemptstat_inject]"
        })
        .expect("the injected irq site, demangled");
    assert_eq!(
        *irq,
        serde_json::json!({
            "kind": "irq",
            "start": "preemptstat_inject::inject_irq+0x1c/0x80 [preemptstat_inject]",
            "end": "preemptstat_inject::inject_irq+0x6d/0x80 [preemptstat_inject]",
            "count": 4,
            "total_ns": 14066661,
            "min_ns": 2022587,
            "max_ns": 5003362,
            "contexts": ["task"],
            "max": {"cpu": 1, "pid": 91, "comm": "ps_inject/1", "end_ns": 11553415241u64},
            "hist": [[11, 2], [13, 2]],
            "spikes": 0,
            "spike_max_ns": 0,
        })
    );
    // The spikes count on the `any` site of the same sections.
    let any = sections
        .iter()
        .find(|s| s["kind"] == "any" && s["start"] == irq["start"] && s["end"] == irq["end"])
        .unwrap();
    assert_eq!(any["spikes"], 2);
    assert_eq!(any["spike_max_ns"], 5191943);
    for s in sections {
        for key in ["start", "end"] {
            let sym = s[key].as_str().unwrap();
            assert!(!sym.starts_with("_R"), "not demangled: {sym}");
        }
    }
    let multi = sections
        .iter()
        .find(|s| s["contexts"].as_array().unwrap().len() == 2)
        .unwrap();
    assert_eq!(multi["contexts"], serde_json::json!(["task", "softirq"]));
}

#[test]
fn report_json_has_every_part() {
    let json = live_json(&["report", "--json"]);
    let keys: Vec<&String> = json.as_object().unwrap().keys().collect();
    assert_eq!(
        keys,
        ["hist", "log", "sections", "summary", "version", "wakeup", "worst"]
    );
    assert_eq!(json["version"], 2);
    let summary = json["summary"].as_object().unwrap();
    assert_eq!(summary.len(), 50);
    assert_eq!(summary["breakdown_dropped"], 0);
    assert_eq!(summary["version"], 2);
    assert_eq!(summary["memory_bytes"], 2201640);
    assert_eq!(summary["seen_irq"], 13123);
    assert_eq!(summary["spikes"], 23);
    assert_eq!(summary["wakeup_prio"], 95);
    assert_eq!(json["sections"].as_array().unwrap().len(), 852);
    assert_eq!(json["worst"].as_array().unwrap().len(), 20);
    assert_eq!(json["log"].as_array().unwrap().len(), 53);
    // The same wakeup member as `wakeup --json`.
    assert_eq!(json["wakeup"], live_json(&["wakeup", "--json"])["wakeup"]);
    let hist = json["hist"].as_object().unwrap();
    // serde_json::Value sorts keys; the output has preempt, irq, any.
    assert_eq!(hist.keys().collect::<Vec<_>>(), ["any", "irq", "preempt"]);
    assert!(live_ok(&["report", "--json"]).contains(r#""hist":{"preempt":[[0,1,1162],"#));
    for buckets in hist.values() {
        let buckets = buckets.as_array().unwrap();
        assert_eq!(buckets.len(), 32);
        assert_eq!(buckets[0], serde_json::json!([0, 1, buckets[0][2]]));
        assert_eq!(buckets[11][0], 1024);
        assert_eq!(buckets[31][1], Value::Null);
    }
    assert_eq!(hist["preempt"][0][2], 1162);
}

#[test]
fn worst() {
    let out = live_ok(&["worst"]);
    assert_eq!(out.lines().count(), 1 + 20);
    let out = live_ok(&["worst", "--stacks"]);
    assert_eq!(out.lines().count(), 1 + 20 + 103);
    assert!(out.contains(
        "\n      #0 preemptstat_main::wakeup::wakeup_thread+0xe4/0xad0 [preemptstat]\n      #1 kthread+0x116/0x150\n"
    ));

    let json = live_json(&["worst", "--json"]);
    let worst = json["worst"].as_array().unwrap();
    assert_eq!(worst.len(), 20);
    assert_eq!(
        worst[0],
        serde_json::json!({
            "rank": 1,
            "kind": "any",
            "context": "task",
            "duration_ns": 7532054,
            "cpu": 1,
            "pid": 41,
            "comm": "kworker/1:1",
            "end_ns": 12712630745u64,
            "start": "worker_thread+0x253/0x2f0",
            "end": "preemptstat_main::wakeup::wakeup_thread+0xe4/0xad0 [preemptstat]",
            "stack": [
                "preemptstat_main::wakeup::wakeup_thread+0xe4/0xad0 [preemptstat]",
                "kthread+0x116/0x150",
                "ret_from_fork+0x115/0x210",
                "ret_from_fork_asm+0x1a/0x30",
            ],
        })
    );
}

#[test]
fn log() {
    let out = live_ok(&["log"]);
    assert_eq!(out.lines().count(), 1 + 53);
    assert_eq!(
        out.lines().nth(1).unwrap(),
        "11.483598  irq      task      2.02 ms    1   86  ps_inject/1    \
         preemptstat_inject::inject_irq+0x1c/0x80 [preemptstat_inject] -> \
         preemptstat_inject::inject_irq+0x6d/0x80 [preemptstat_inject]"
    );
    let json = live_json(&["log", "--json"]);
    assert_eq!(json.as_object().unwrap().len(), 2);
    assert_eq!(
        json["log"][0],
        serde_json::json!({
            "kind": "irq",
            "context": "task",
            "duration_ns": 2022587,
            "cpu": 1,
            "pid": 86,
            "comm": "ps_inject/1",
            "end_ns": 11483598200u64,
            "start": "preemptstat_inject::inject_irq+0x1c/0x80 [preemptstat_inject]",
            "end": "preemptstat_inject::inject_irq+0x6d/0x80 [preemptstat_inject]",
        })
    );
}

#[test]
fn hist() {
    assert_golden("hist-irq.txt", &live_ok(&["hist", "--kind", "irq"]));
    let all = live_ok(&["hist"]);
    assert_eq!(
        all.lines().filter(|l| l.ends_with(" sections")).count(),
        3,
        "{all}"
    );
    // Every shown bucket has a bar; the largest is 50 wide.
    assert!(all.contains(&format!("  {}\n", "#".repeat(50))));
    let json = live_json(&["hist", "--kind", "preempt", "--json"]);
    assert_eq!(
        json["hist"].as_object().unwrap().keys().collect::<Vec<_>>(),
        ["preempt"]
    );
}

#[test]
fn fail_over_us_small_limit_exits_1_after_the_output() {
    let plain = live_ok(&["sites", "--limit", "3"]);
    let out = run_on(
        &live(),
        &["--fail-over-us", "1000", "sites", "--limit", "3"],
    );
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(stdout(&out), plain);
    let err = stderr(&out);
    let lines: Vec<&str> = err.lines().collect();
    // 20 sites whose longest section took over 1 ms (the injector's 12
    // among them), then the wakeup latencies of both CPUs.
    assert_eq!(lines.len(), 20 + 4, "{err}");
    assert_eq!(
        lines
            .iter()
            .filter(|l| l.contains("[preemptstat_inject]"))
            .count(),
        12,
        "{err}"
    );
    assert_eq!(
        lines[0],
        "preemptstat: over 1000 us: any max 7.53 ms (7532054 ns) at worker_thread+0x253/0x2f0"
    );
    assert_eq!(
        lines[20..],
        [
            "preemptstat: over 1000 us: wakeup cpu 0 thread max 8.91 ms (8911872 ns)",
            "preemptstat: over 1000 us: wakeup cpu 0 irq max 8.79 ms (8793756 ns)",
            "preemptstat: over 1000 us: wakeup cpu 1 thread max 9.32 ms (9318454 ns)",
            "preemptstat: over 1000 us: wakeup cpu 1 irq max 9.15 ms (9153468 ns)",
        ]
    );
    assert!(lines
        .iter()
        .all(|l| l.starts_with("preemptstat: over 1000 us: ")));

    // Every read command checks, JSON ones included, after printing.
    for args in [
        &["report"][..],
        &["report", "--json"],
        &["worst"],
        &["log", "--json"],
        &["hist"],
        &["wakeup"],
        &["wakeup", "--cpu", "0", "--json"],
        &["version"],
    ] {
        let mut all = vec!["--fail-over-us", "1"];
        all.extend_from_slice(args);
        let out = run_on(&live(), &all);
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        assert!(!out.stdout.is_empty(), "{args:?}");
        // Every site whose longest section took more than 1 us, and every
        // wakeup latency of both CPUs.
        assert_eq!(stderr(&out).lines().count(), 850 + 4, "{args:?}");
    }
}

/// No section took 9 ms, but wakeups on CPU 1 were that late: the wakeup
/// latencies alone make `--fail-over-us` fail.
#[test]
fn fail_over_us_checks_wakeup_latencies() {
    let out = run_on(&live(), &["--fail-over-us", "9000", "wakeup"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(stdout(&out), live_ok(&["wakeup"]));
    assert_eq!(
        stderr(&out),
        "preemptstat: over 9000 us: wakeup cpu 1 thread max 9.32 ms (9318454 ns)\n\
         preemptstat: over 9000 us: wakeup cpu 1 irq max 9.15 ms (9153468 ns)\n"
    );
    // CPU 0's thread latency (8911872 ns), not its IRQ latency (8793756 ns).
    let out = run_on(
        &live(),
        &["--fail-over-us", "8800", "sites", "--limit", "1"],
    );
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(
        err.starts_with(
            "preemptstat: over 8800 us: wakeup cpu 0 thread max 8.91 ms (8911872 ns)\n"
        ),
        "{err}"
    );
    assert!(!err.contains("cpu 0 irq"), "{err}");
    assert_eq!(err.lines().count(), 3, "{err}");
    // Whatever CPU `wakeup --cpu` shows, every CPU counts.
    let out = run_on(&live(), &["--fail-over-us", "9000", "wakeup", "--cpu", "0"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("wakeup cpu 1 thread"));
}

#[test]
fn fail_over_us_huge_limit_exits_0() {
    for limit in ["9319", "1000000", "18446744073709551615"] {
        let out = run_on(&live(), &["--fail-over-us", limit, "report"]);
        assert_eq!(out.status.code(), Some(0), "{limit}");
        assert_eq!(stderr(&out), "");
        assert_eq!(stdout(&out), live_ok(&["report"]));
    }
    // The flag may also follow the command.
    let out = run_on(
        &live(),
        &["sites", "--limit", "1", "--fail-over-us", "9318"],
    );
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn fail_over_us_is_not_for_writes() {
    let dir = copy_fixture("v2-live");
    let out = run_on(dir.path(), &["--fail-over-us", "1", "set", "enable", "1"]);
    assert_failure(&out, &["--fail-over-us", "'set'"]);
    assert_eq!(
        fs::read_to_string(dir.path().join("enable")).unwrap(),
        "0\n"
    );
}

#[test]
fn set_writes_good_values() {
    let dir = copy_fixture("v2-live");
    let root = dir.path();
    let read = |name: &str| fs::read_to_string(root.join(name)).unwrap();
    for (key, value) in [
        ("enable", "1"),
        ("enable", "0"),
        ("threshold_us", "0"),
        ("threshold_us", "10000000"),
        ("threshold_us", "250"),
        ("wakeup_enable", "1"),
        ("wakeup_enable", "0"),
        ("period_us", "100"),
        ("period_us", "1000000"),
        ("period_us", "500"),
        ("wakeup_threshold_us", "0"),
        ("wakeup_threshold_us", "10000000"),
        ("wakeup_threshold_us", "2000"),
    ] {
        let out = run_on(root, &["set", key, value]);
        assert_eq!(success(&out), format!("{key} = {value}\n"));
        assert_eq!(read(key), format!("{value}\n"), "{key}");
    }
}

#[test]
fn set_rejects_bad_values_without_writing() {
    let dir = copy_fixture("v2-live");
    let root = dir.path();
    for (key, value, expected) in [
        ("enable", "2", "0 or 1"),
        ("enable", "yes", "0 or 1"),
        ("enable", "", "0 or 1"),
        ("enable", "-1", "0 or 1"),
        ("enable", " 1", "0 or 1"),
        ("threshold_us", "10000001", "an integer from 0 to 10000000"),
        ("threshold_us", "-5", "an integer from 0 to 10000000"),
        ("threshold_us", "1.5", "an integer from 0 to 10000000"),
        ("threshold_us", "0x10", "an integer from 0 to 10000000"),
        (
            "threshold_us",
            "99999999999999999999999",
            "an integer from 0 to 10000000",
        ),
        ("wakeup_enable", "2", "0 or 1"),
        ("wakeup_enable", "on", "0 or 1"),
        ("period_us", "50", "an integer from 100 to 1000000"),
        ("period_us", "0", "an integer from 100 to 1000000"),
        ("period_us", "99", "an integer from 100 to 1000000"),
        ("period_us", "1000001", "an integer from 100 to 1000000"),
        ("period_us", "1ms", "an integer from 100 to 1000000"),
        (
            "wakeup_threshold_us",
            "10000001",
            "an integer from 0 to 10000000",
        ),
        ("wakeup_threshold_us", "-1", "an integer from 0 to 10000000"),
    ] {
        let out = run_on(root, &["set", key, value]);
        let line = assert_failure(&out, &[key, expected, "nothing was written"]);
        assert!(line.starts_with("preemptstat: invalid value "), "{line}");
    }
    assert_eq!(fs::read_to_string(root.join("enable")).unwrap(), "0\n");
    assert_eq!(
        fs::read_to_string(root.join("threshold_us")).unwrap(),
        "500\n"
    );
    for (file, value) in [
        ("wakeup_enable", "0\n"),
        ("period_us", "1000\n"),
        ("wakeup_threshold_us", "3000\n"),
    ] {
        assert_eq!(
            fs::read_to_string(root.join(file)).unwrap(),
            value,
            "{file}"
        );
    }
    assert_failure(
        &run_on(root, &["set", "threshold", "5"]),
        &["threshold", "--help"],
    );
    assert_failure(&run_on(root, &["set", "enable"]), &["--help"]);
}

#[test]
fn set_and_reset_errors_name_the_path() {
    let dir = copy_fixture("v2-live");
    let root = dir.path();
    // A copy has no write-only `reset`.
    let reset = root.join("reset");
    assert_failure(
        &run_on(root, &["reset"]),
        &[&format!("{} does not exist", reset.display())],
    );
    fs::write(&reset, "").unwrap();
    assert_eq!(success(&run_on(root, &["reset"])), "reset\n");
    assert_eq!(fs::read_to_string(&reset).unwrap(), "1\n");

    // Nothing is written to a module of another format.
    fs::write(root.join("version"), "preemptstat debugfs format 3\n").unwrap();
    assert_failure(
        &run_on(root, &["set", "enable", "1"]),
        &["format version 3 is newer", "update preemptstat"],
    );
    assert_eq!(fs::read_to_string(root.join("enable")).unwrap(), "0\n");

    // A control that is missing is never created.
    let other = copy_fixture("v2");
    let enable = other.path().join("enable");
    assert_failure(
        &run_on(other.path(), &["set", "enable", "1"]),
        &[&format!("{} does not exist", enable.display())],
    );
    assert!(!enable.exists());

    // A control that is a directory (refused before it is opened).
    fs::remove_file(root.join("threshold_us")).unwrap();
    fs::create_dir(root.join("threshold_us")).unwrap();
    fs::write(root.join("version"), "preemptstat debugfs format 2\n").unwrap();
    assert_failure(
        &run_on(root, &["set", "threshold_us", "1"]),
        &[
            &format!(
                "{} is a directory, not a regular file",
                root.join("threshold_us").display()
            ),
            "preemptstat debugfs directory",
        ],
    );
}

#[test]
fn truncated_fixture_fails_with_file_and_line() {
    let root = fixture("v2-truncated");
    let sites = root.join("sites");
    for args in [
        &[][..],
        &["report"],
        &["report", "--json"],
        &["sites"],
        &["sites", "--json"],
        &["hist"],
        &["wakeup"],
        &["wakeup", "--json"],
        &["--fail-over-us", "1", "log"],
    ] {
        let line = assert_failure(&run_on(&root, args), &[]);
        assert_eq!(
            line,
            format!(
                "preemptstat: {}: malformed: line 7: truncated: the last line does not end \
                 with a newline (was the file cut short?)",
                sites.display()
            ),
            "{args:?}"
        );
    }
    // `version` reads nothing else.
    assert_eq!(
        success(&run_on(&root, &["version"])),
        "format version: 2 (reader supports 2)\n"
    );
}

#[test]
fn bad_field_fixture_fails_with_file_and_line() {
    let root = fixture("v2-badfield");
    let line = assert_failure(&run_on(&root, &["sites", "--json"]), &[]);
    assert_eq!(
        line,
        format!(
            "preemptstat: {}: malformed: line 3: field `count`: expected an unsigned decimal \
             integer, found \"two\"",
            root.join("sites").display()
        )
    );
}

#[test]
fn every_broken_file_is_named() {
    for (file, text, needle) in [
        (
            "summary",
            &b"cpus 2\n"[..],
            "line 2: the file ends without key `version`",
        ),
        (
            "worst",
            b"frame 1 0 ?\n",
            "line 1: frame of rank 1 before any section",
        ),
        (
            "log",
            b"any task 1 0 0 - 5 ?\n",
            "line 1: missing field `end`",
        ),
        (
            "hist",
            b"any 0 0 1 5\n",
            "line 2: the file ends without bucket 0 of kind preempt",
        ),
        (
            "enable",
            b"on\n",
            "line 1: expected an unsigned decimal integer",
        ),
        ("threshold_us", b"", "line 1: file is empty"),
        (
            "sites",
            b"any 1 1 1 1 task 0 0 - 1 - 0 0 ? ?\n\xff",
            "line 2: invalid UTF-8",
        ),
        // The format before the wakeup probe.
        (
            "sites",
            b"any 1 1 1 1 task 0 0 - 1 - ? ?\n",
            "line 1: field `spikes`: expected an unsigned decimal integer, found \"?\"",
        ),
        (
            "wakeup",
            b"0 1 2 3 4 5 6 7 8 9\n",
            "line 1: missing field `spikes`",
        ),
        (
            "wakeup",
            b"0 0 5 0 0 0 0 0 0 0 0\n",
            "line 1: field `irq_min_ns`: must be 0 when irq_count is 0",
        ),
        (
            "wakeup_hist",
            b"# cpu latency bucket lo_us hi_us count\n0 irq 24 32 40 7\n",
            "line 2: field `hi_us`: bucket 24 ends at 36 us, not \"40\"",
        ),
        (
            "wakeup_hist",
            b"0 softirq 3 3 4 1\n",
            "line 1: field `latency`: unknown latency \"softirq\"",
        ),
        (
            "spikes",
            b"0 1 2 3 4 a - - - - 5 ? ? ?\n",
            "line 1: field `end`: expected `-` (nothing is blamed: blame_kind is `-`)",
        ),
        (
            "spikes",
            b"0 1 2 3 4 a any task 5 ? ? - - -\n",
            "line 1: field `blame_kind`: expected preempt or irq",
        ),
        (
            "spikes",
            b"0 1 2 3 4 a - - - - - - - - switch 2 0 0 0 0 0 0 0 0 2 1 \n",
            "line 1: unexpected extra field",
        ),
        ("spikes", b"0 1 2 3 4 a - - - - -", "line 1: truncated"),
        // A format 1 line: no breakdown.
        (
            "spikes",
            b"0 1 2 3 4 a - - - - - - - -\n",
            "line 1: missing field `cause`",
        ),
        (
            "spikes",
            b"# header\n0 1 2 3 4 a - - - - - - - - switch 2 0 0 0 0 0 0 0 0 2 2\n",
            "line 2: the ten class times (nmi_ns to unaccounted_ns) add up to 4 ns, not \
             thread_latency_ns 3",
        ),
        (
            "spikes",
            b"0 1 2 3 4 a - - - - - - - - hardirq 2 0 0 0 0 0 0 0 0 2 1\n",
            "line 1: field `cause`: unknown cause class \"hardirq\"",
        ),
        (
            "spikes_worst",
            b"0 1 2 3 4 a - - - - - - - - switch 2 0 0 0 0 0 0 0 0 2 1\n\
              0 2 2 4 4 a - - - - - - - - switch 3 0 0 0 0 0 0 0 0 3 1\n",
            "line 2: thread_latency_ns 4 is more than the 3 of the spike before it (line 1)",
        ),
        (
            "spike_parts",
            b"part 1 11521993136 1 hardirq - - - 5027160\n",
            "line 1: field `class`: unknown cause class \"hardirq\"",
        ),
        (
            "spike_parts",
            b"part 1 11521993136 5 switch - - - 5027160\n",
            "line 1: field `rank`: 5 is out of range (1 to 4)",
        ),
        (
            "spike_parts",
            b"part 1 11521993136 1 switch - - -\n",
            "line 1: missing field `ns`",
        ),
        (
            "spike_parts",
            b"part 1 11521993136 1 switch - - - 68543\n",
            "line 1: the rank 1 part (switch 68543 ns) is not the cause of the spike of CPU 1 \
             at 11521993136 ns (irqsoff 5027160 ns)",
        ),
        (
            "causes",
            b"0 irq 0 0 0\n",
            "line 1: field `cause`: expected nmi",
        ),
        (
            "causes",
            b"0 nmi 0 0 0\n",
            "line 2: the file ends after 1 of the ten classes of CPU 0 (expected irq)",
        ),
        ("wakeup_enable", b"2\n", "line 1: expected 0 or 1, found 2"),
        ("period_us", b"\n", "line 1: file is empty"),
        (
            "wakeup_threshold_us",
            b"3000\n3000\n",
            "line 2: unexpected extra line",
        ),
    ] {
        let dir = copy_fixture("v2-live");
        let path = dir.path().join(file);
        fs::write(&path, text).unwrap();
        assert_failure(
            &run_on(dir.path(), &["report"]),
            &[&format!("{}: malformed: ", path.display()), needle],
        );
    }
}

/// Parts of a spike that neither `spikes` nor `spikes_worst` lists (a live
/// module added it after `spikes` was read, or it left both rings) are not
/// an error: the report is the same as without them.
#[test]
fn parts_of_a_spike_read_in_between_are_ignored() {
    let dir = copy_fixture("v2-live");
    let before = success(&run_on(dir.path(), &["wakeup"]));
    let path = dir.path().join("spike_parts");
    let mut parts = fs::read_to_string(&path).unwrap();
    parts.push_str("part 7 5 1 switch - - - 1\nframe 7 5 0 ?\n");
    fs::write(&path, &parts).unwrap();
    assert_eq!(success(&run_on(dir.path(), &["wakeup"])), before);
}

/// A format 1 `summary` (no `breakdown_dropped`) in a format 2 directory
/// is malformed, naming the key.
#[test]
fn summary_without_breakdown_dropped_is_malformed() {
    let dir = copy_fixture("v2-live");
    let path = dir.path().join("summary");
    let summary = fs::read_to_string(&path).unwrap();
    let old: String = summary
        .lines()
        .filter(|l| !l.starts_with("breakdown_dropped "))
        .map(|l| format!("{l}\n"))
        .collect();
    fs::write(&path, &old).unwrap();
    let line = assert_failure(&run_on(dir.path(), &["wakeup"]), &[]);
    assert_eq!(
        line,
        format!(
            "preemptstat: {}: malformed: line 50: the file ends without key `breakdown_dropped`",
            path.display()
        )
    );
}

#[test]
fn missing_file_is_named() {
    for file in [
        "log",
        "wakeup",
        "wakeup_hist",
        "spikes",
        "spikes_worst",
        "spike_parts",
        "causes",
        "period_us",
    ] {
        let dir = copy_fixture("v2-live");
        let path = dir.path().join(file);
        fs::remove_file(&path).unwrap();
        assert_failure(
            &run_on(dir.path(), &["sites"]),
            &[
                &format!("{} does not exist", path.display()),
                "preemptstat debugfs directory",
            ],
        );
    }
}

#[test]
fn empty_module_prints_placeholders() {
    let dir = copy_fixture("v2-live");
    let root = dir.path();
    let summary = fs::read_to_string(root.join("summary")).unwrap();
    let zeroed: String = summary
        .lines()
        .map(|l| {
            let key = l.split(' ').next().unwrap();
            let value = if key == "version" { "1" } else { "0" };
            format!("{key} {value}\n")
        })
        .collect();
    fs::write(root.join("summary"), zeroed).unwrap();
    fs::write(root.join("sites"), "").unwrap();
    fs::write(root.join("worst"), "# section rank kind\n").unwrap();
    fs::write(root.join("log"), "").unwrap();
    let hist = fs::read_to_string(root.join("hist")).unwrap();
    let zeroed: String = hist
        .lines()
        .map(|l| match l.rsplit_once(' ') {
            Some((head, _)) if !l.starts_with('#') => format!("{head} 0\n"),
            _ => format!("{l}\n"),
        })
        .collect();
    fs::write(root.join("hist"), zeroed).unwrap();
    fs::write(
        root.join("wakeup"),
        "# cpu irq_count irq_min_ns irq_avg_ns irq_max_ns thread_count thread_min_ns \
         thread_avg_ns thread_max_ns missed spikes\n",
    )
    .unwrap();
    fs::write(root.join("wakeup_hist"), "").unwrap();
    fs::write(root.join("spikes"), "").unwrap();
    fs::write(root.join("spikes_worst"), "").unwrap();
    fs::write(
        root.join("spike_parts"),
        "# part cpu expiry_ns rank class id name extra ns\n",
    )
    .unwrap();
    fs::write(root.join("causes"), "").unwrap();
    let out = success(&run_on(root, &[]));
    assert!(out.contains("\nNo preempt sites.\n"), "{out}");
    assert!(out.contains("\nNo worst sections.\n"), "{out}");
    assert!(
        out.ends_with(
            "\nwakeup probe: off, period: 0 us, prio: 0, spike threshold: off, \
             spikes: 0 (0 overwritten, 0 merged)\nNo wakeup statistics.\n\nNo spikes.\n"
        ),
        "{out}"
    );
    assert_eq!(
        success(&run_on(root, &["wakeup", "--hist"])),
        "wakeup probe: off, period: 0 us, prio: 0, spike threshold: off, \
         spikes: 0 (0 overwritten, 0 merged)\n\nNo wakeup statistics.\n\n\
         No spike time by cause.\n\nNo spikes (spike threshold: off).\n\nNo worst spikes.\n"
    );
    let json: Value = serde_json::from_str(&success(&run_on(root, &["wakeup", "--json"]))).unwrap();
    assert_eq!(
        json,
        serde_json::json!({"version": 2, "wakeup": {
            "enabled": false, "period_us": 0, "threshold_us": 0, "cpus": [], "spikes": [],
            "spikes_worst": []
        }})
    );
    assert_eq!(success(&run_on(root, &["log"])), "No log entries.\n");
    assert_eq!(success(&run_on(root, &["sites"])), "No sites.\n");
    assert_eq!(
        success(&run_on(root, &["hist", "--kind", "any"])),
        "any: no sections\n"
    );
    let json: Value = serde_json::from_str(&success(&run_on(root, &["sites", "--json"]))).unwrap();
    assert_eq!(json, serde_json::json!({"version": 2, "sections": []}));
    assert_eq!(
        run_on(root, &["--fail-over-us", "0"]).status.code(),
        Some(0)
    );
}

#[test]
fn usage_errors_name_the_problem() {
    let root = live();
    for (args, needle) in [
        (&["sites", "--kind", "all"][..], "all"),
        (&["sites", "--sort", "min"], "min"),
        (&["--json", "hist"], "--json goes after the command"),
        (&["--fail-over-us", "-1"], "-1"),
        (&["wakeup", "--cpu", "x"], "x"),
        (&["wakeup", "--cpu", "-1"], "-1"),
        (&["wakeup", "--histogram"], "--histogram"),
        (&["--json", "wakeup"], "'preemptstat wakeup --json'"),
    ] {
        let mut all = vec!["--root", s(&root)];
        all.extend_from_slice(args);
        assert_failure(&run(&all), &[needle, "--help"]);
    }
}

#[test]
fn escaped_names_and_unknown_symbols() {
    let dir = copy_fixture("v2-live");
    let root = dir.path();
    fs::write(
        root.join("sites"),
        "irq 1 5000 5000 5000 - 0 7 my\\x20task\\x01 9 2:1 0 0 ? kthread+0x1/0x10\n",
    )
    .unwrap();
    assert_eq!(
        success(&run_on(root, &["sites"])),
        "KIND  COUNT     MAX    MEAN   TOTAL  SPIKES  CONTEXTS  START -> END\n\
         irq       1  5.0 us  5.0 us  5.0 us       0  -         ? -> kthread+0x1/0x10\n"
    );
    let json: Value = serde_json::from_str(&success(&run_on(root, &["sites", "--json"]))).unwrap();
    assert_eq!(json["sections"][0]["start"], "?");
    assert_eq!(json["sections"][0]["contexts"], serde_json::json!([]));
    assert_eq!(json["sections"][0]["max"]["comm"], "my task\u{1}");
    fs::write(
        root.join("log"),
        "any nmi 1500 1 7 my\\x20task\\x01 9 ? ?\n",
    )
    .unwrap();
    let log = success(&run_on(root, &["log"]));
    assert!(log.ends_with("  my task\\x01  ? -> ?\n"), "{log}");
    // A spike blamed on a section still open when the thread ran, whose
    // parts have escaped names and an unknown frame, and one with neither
    // blame nor other section nor parts.
    fs::write(
        root.join("spikes"),
        "1 100 2000 4000000 7 my\\x20task\\x01 preempt hardirq 1500 ? - - - - \
         task 3000000 0 500000 0 0 0 0 3000000 0 500000 0\n\
         0 200 10 3500000 0 - - - - - - - - - unaccounted 3500000 0 0 0 0 0 0 0 0 0 3500000\n",
    )
    .unwrap();
    fs::write(root.join("spikes_worst"), "").unwrap();
    fs::write(
        root.join("spike_parts"),
        "part 1 100 1 task 9 evil\\x1b[2J FIFO:50 3000000\n\
         part 1 100 2 irq 5 a\\x20b - 500000\n\
         frame 1 100 0 ?\n",
    )
    .unwrap();
    let out = success(&run_on(root, &["wakeup"]));
    assert!(
        out.contains(
            "\n  1  2.0 us  4.00 ms  my task\\x01/7  blamed: preempt hardirq ? \
             (open 1.5 us before expiry) -> (still open)\n\
             \x20      cause: task 9 evil\\x1b[2J FIFO:50 3.00 ms (75 %)\n\
             \x20      by class: irq 500.0 us (13 %), task 3.00 ms (75 %), switch 500.0 us (13 %)\n\
             \x20      part 2: irq 5 a b 500.0 us (13 %)\n\
             \x20      stack of task 9 evil\\x1b[2J FIFO:50 when it was switched out:\n\
             \x20        #0 ?\n"
        ),
        "{out}"
    );
    assert!(
        out.contains(
            "\n  0   10 ns  3.50 ms  -/0            no section explains it \
             (no other section in the window)\n\
             \x20      cause: unaccounted 3.50 ms (100 %) (spike_parts has no parts of this spike)\n\
             \x20      by class: unaccounted 3.50 ms (100 %)\n\n"
        ),
        "{out}"
    );
    assert!(out.ends_with("\n\nNo worst spikes.\n"), "{out}");
    let json: Value = serde_json::from_str(&success(&run_on(root, &["wakeup", "--json"]))).unwrap();
    let spikes = &json["wakeup"]["spikes"];
    assert_eq!(
        spikes[0]["blame"],
        serde_json::json!({
            "kind": "preempt", "context": "hardirq", "start": "?", "end": null, "open_ns": 1500
        })
    );
    assert_eq!(
        spikes[0]["task"],
        serde_json::json!({"comm": "my task\u{1}", "pid": 7})
    );
    assert_eq!(spikes[0]["other"], Value::Null);
    assert_eq!(
        spikes[0]["cause"],
        serde_json::json!({
            "class": "task", "id": "9", "name": "evil\u{1b}[2J", "extra": "FIFO:50",
            "ns": 3000000, "pct": 75.0
        })
    );
    assert_eq!(
        spikes[0]["parts"][1],
        serde_json::json!({
            "rank": 2, "class": "irq", "id": "5", "name": "a b", "extra": null, "ns": 500000
        })
    );
    assert_eq!(spikes[0]["stack"], serde_json::json!(["?"]));
    assert_eq!(spikes[1]["blame"], Value::Null);
    assert_eq!(spikes[1]["task"]["comm"], "");
    assert_eq!(
        spikes[1]["cause"],
        serde_json::json!({
            "class": "unaccounted", "id": null, "name": null, "extra": null,
            "ns": 3500000, "pct": 100.0
        })
    );
    assert_eq!(spikes[1]["parts"], serde_json::json!([]));
    assert_eq!(spikes[1]["stack"], serde_json::json!([]));
    assert_eq!(json["wakeup"]["spikes_worst"], serde_json::json!([]));
}

#[test]
fn wakeup_text() {
    let out = live_ok(&["wakeup"]);
    assert_golden("wakeup.txt", &out);
    let lines: Vec<&str> = out.lines().collect();
    assert!(lines[0].starts_with("wakeup probe: off, period: 1000 us, prio: 95, "));
    assert_eq!(
        lines[3],
        "CPU  |  COUNT      MIN       AVG      MAX  |  COUNT      MIN       AVG      MAX  \
         |  MISSED  SPIKES"
    );
    assert_eq!(
        lines[4],
        "  0  |   1182   3.8 us  209.8 us  8.79 ms  |   1175  54.4 us  260.6 us  8.91 ms  \
         |      62       7"
    );
    /// The lines of the part of `text` whose title line starts with
    /// `title`, up to the next empty line.
    fn part<'a>(text: &'a str, title: &str) -> Vec<&'a str> {
        text.lines()
            .skip_while(|l| !l.starts_with(title))
            .skip(1)
            .take_while(|l| !l.is_empty())
            .collect()
    }
    let out = out.as_str();
    assert!(out.contains(
        "\n\nCauses per CPU (every spike, merged ones included; 0 breakdown events dropped):\n"
    ));
    let causes = part(out, "Causes per CPU ");
    // CPU 0 has no irqsoff or preemptoff time: 8 classes, CPU 1 all 10.
    assert_eq!(causes.len(), 1 + 8 + 10, "{out}");
    assert_eq!(
        causes[0],
        "CPU  CLASS        SPIKES  DOMINANT     TOTAL  SHARE"
    );
    assert_eq!(
        causes[6],
        "  0  idle              7         7  22.36 ms   69 %"
    );
    assert_eq!(
        causes[14],
        "  1  preemptoff        3         3  16.11 ms   20 %"
    );
    assert_eq!(
        causes[10],
        "  1  irq               8         0  180.7 us   <1 %"
    );

    // One row per spike, oldest first, each followed by its breakdown; 5
    // are blamed on a section.
    let spikes = part(
        out,
        "Spikes (thread latency of 3000 us or more), oldest first:",
    );
    let rows: Vec<&str> = spikes[1..]
        .iter()
        .copied()
        .filter(|l| !l.starts_with("       "))
        .collect();
    assert_eq!(rows.len(), 23, "{out}");
    assert_eq!(rows.iter().filter(|l| l.contains("  blamed: ")).count(), 5);
    assert_eq!(
        rows.iter()
            .filter(|l| l.contains("  no section explains it (largest other: "))
            .count(),
        18
    );
    assert_eq!(
        rows[2],
        "  1  126.6 us  4.70 ms  ps_inject/1/92  blamed: preempt task \
         preemptstat_inject::inject_preempt+0x13/0x80 [preemptstat_inject] \
         (open 414.8 us before expiry) -> \
         preemptstat_inject::inject_preempt+0x69/0x80 [preemptstat_inject]"
    );
    let count = |prefix: &str| spikes.iter().filter(|l| l.starts_with(prefix)).count();
    assert_eq!(count("       cause: "), 23);
    assert_eq!(count("       by class: "), 23);
    // Every spike has 4 parts: the cause and 3 more.
    assert_eq!(count("       part "), 23 * 3);
    assert_eq!(count("       stack of task "), 2);
    // The spike where migration/1 ran before the thread, whole.
    let at = spikes
        .iter()
        .position(|l| l.contains("rcu_gp_kthread+0x9e/0x1e0, 59.4 us)"))
        .unwrap();
    assert_eq!(
        spikes[at..at + 12].join("\n"),
        "  1   6.45 ms  7.08 ms  swapper/1/0     no section explains it (largest other: \
         preemptstat_main::wakeup::wakeup_thread+0xe4/0xad0 [preemptstat] -> \
         rcu_gp_kthread+0x9e/0x1e0, 59.4 us)
       cause: idle 5.20 ms (73 %)
       by class: nmi 50.0 us (1 %), timer 61.0 us (1 %), task 380.0 us (5 %), idle 5.20 ms (73 %), \
         switch 186.8 us (3 %), unaccounted 1.20 ms (17 %)
       part 2: unaccounted 1.20 ms (17 %)
       part 3: task 21 migration/1 FIFO:99 380.0 us (5 %)
       part 4: switch 186.8 us (3 %)
       stack of task 21 migration/1 FIFO:99 when it was switched out:
         #0 __schedule+0x86/0xd80
         #1 schedule+0x4a/0x100
         #2 smpboot_thread_fn+0x1e4/0x280
         #3 kthread+0x116/0x150
         #4 ret_from_fork+0x115/0x210"
    );
    // A cause with a label: the injector's irqs-off section, 97 % of 5.19 ms.
    assert_eq!(
        spikes[2],
        "       cause: irqsoff preemptstat_inject::inject_irq+0x1c/0x80 [preemptstat_inject] -> \
         preemptstat_inject::inject_irq+0x6d/0x80 [preemptstat_inject] 5.03 ms (97 %)"
    );

    // The worst spikes, worst first; every one is also in the list above,
    // so none repeats its breakdown.
    let worst = part(
        out,
        "Worst spikes by thread latency (each CPU keeps its 16 worst):",
    );
    assert_eq!(worst.len(), 1 + 23, "{out}");
    assert_eq!(
        worst[0],
        "RANK  CPU       IRQ   THREAD  HOLDER          CAUSE"
    );
    assert_eq!(
        worst[1],
        "   1    1   9.15 ms  9.32 ms  swapper/1/0     idle 6.77 ms (73 %)"
    );
    assert_eq!(
        worst[3],
        "   3    1   7.37 ms  7.67 ms  kworker/1:1/41  preemptoff worker_thread+0x253/0x2f0 -> \
         preemptstat_main::wakeup::wakeup_thread+0xe4/0xad0 [preemptstat] 7.48 ms (98 %)"
    );
    assert!(out.ends_with("\n  23    1   3.11 ms  3.24 ms  swapper/1/0     idle 2.12 ms (65 %)\n"));
    assert!(!out.contains("_RNv"), "mangled name in output");

    // One CPU: its row, its causes, its spikes.
    let cpu1 = live_ok(&["wakeup", "--cpu", "1"]);
    assert!(!cpu1.contains("swapper/0/"), "{cpu1}");
    assert_eq!(part(&cpu1, "Causes per CPU ").len(), 1 + 10, "{cpu1}");
    let worst1 = part(&cpu1, "Worst spikes ");
    assert_eq!(worst1.len(), 1 + 16, "{cpu1}");
    // Ranks are those of the whole list.
    assert!(worst1[2].starts_with("   3    1 "), "{cpu1}");
}

/// A stack whose task part is not among the 4 largest parts: the stack is
/// still shown, under a heading that says so.
#[test]
fn stack_without_a_listed_task_part() {
    let dir = copy_fixture("v2-live");
    let path = dir.path().join("spike_parts");
    let text = fs::read_to_string(&path).unwrap();
    let text = text
        .replace(
            "part 1 12689993136 3 task 21 migration/1 FIFO:99 380000\n",
            "",
        )
        .replace("part 1 12689993136 4 switch", "part 1 12689993136 3 switch");
    fs::write(&path, text).unwrap();
    let out = success(&run_on(dir.path(), &["wakeup", "--cpu", "1"]));
    assert!(
        out.contains(
            "\n       part 3: switch 186.8 us (3 %)\n\
             \x20      stack of its longest task (not among the parts) when it was switched out:\n\
             \x20        #0 __schedule+0x86/0xd80\n"
        ),
        "{out}"
    );
    // Frames of a spike without task time are refused, naming the line.
    let text = fs::read_to_string(&path)
        .unwrap()
        .replace("frame 1 12689993136 ", "frame 0 12692399543 ");
    // Move the frames after the parts of CPU 0's last spike.
    let (frames, rest): (Vec<&str>, Vec<&str>) = text
        .lines()
        .partition(|l| l.starts_with("frame 0 12692399543 "));
    let mut lines: Vec<&str> = rest;
    let at = lines
        .iter()
        .rposition(|l| l.starts_with("part 0 12692399543 "))
        .unwrap();
    for (i, f) in frames.iter().enumerate() {
        lines.insert(at + 1 + i, f);
    }
    fs::write(&path, lines.join("\n") + "\n").unwrap();
    let line = common::assert_failure(&run_on(dir.path(), &["wakeup"]), &[]);
    assert!(
        line.ends_with(
            "frames of the spike of CPU 0 at 12692399543 ns, which has no task time (frames are \
             the stack of its longest task part)"
        ),
        "{line}"
    );
    assert!(
        line.contains(&format!("{}: malformed: line ", path.display())),
        "{line}"
    );
}

/// A worst spike that the newest-ring `spikes` no longer has: its
/// breakdown follows its row in the worst list.
#[test]
fn worst_spikes_not_in_the_ring_show_their_breakdown() {
    let dir = copy_fixture("v2-live");
    let path = dir.path().join("spikes");
    let text = fs::read_to_string(&path).unwrap();
    let kept: String = text
        .lines()
        .filter(|l| !l.contains(" kworker/1:1 "))
        .map(|l| format!("{l}\n"))
        .collect();
    fs::write(&path, kept).unwrap();
    let out = success(&run_on(dir.path(), &["wakeup"]));
    let worst = &out[out.find("\nWorst spikes ").unwrap()..];
    assert!(
        worst.contains(
            "\n   3    1   7.37 ms  7.67 ms  kworker/1:1/41  preemptoff worker_thread+0x253/0x2f0 -> \
             preemptstat_main::wakeup::wakeup_thread+0xe4/0xad0 [preemptstat] 7.48 ms (98 %)\n\
             \x20      cause: preemptoff worker_thread+0x253/0x2f0 -> \
             preemptstat_main::wakeup::wakeup_thread+0xe4/0xad0 [preemptstat] 7.48 ms (98 %)\n\
             \x20      by class: irq 64.0 us (1 %), timer 52.0 us (1 %), softirq 25.0 us (<1 %), \
             preemptoff 7.48 ms (98 %), switch 30.9 us (<1 %), unaccounted 15.0 us (<1 %)\n\
             \x20      part 2: irq 11 virtio0 64.0 us (1 %)\n\
             \x20      part 3: timer 52.0 us (1 %)\n\
             \x20      part 4: switch 30.9 us (<1 %)\n\
             \x20  4    1 "
        ),
        "{worst}"
    );
    // Only that one.
    assert_eq!(worst.matches("       cause: ").count(), 1, "{worst}");
    assert!(!out[..out.find("\nWorst spikes ").unwrap()].contains("kworker/1:1/41"));
}

#[test]
fn wakeup_hist_text() {
    let out = live_ok(&["wakeup", "--hist", "--cpu", "0"]);
    assert_golden("wakeup-hist-cpu-0.txt", &out);
    assert!(out.starts_with(&live_ok(&["wakeup", "--cpu", "0"])));
    assert!(
        out.contains("\nCPU 0 irq latency: 1182 wakeups\n  [   3,    4) us    1  #\n"),
        "{out}"
    );
    assert!(
        out.contains("\nCPU 0 thread latency: 1175 wakeups\n  [  52,   56) us    1  #\n"),
        "{out}"
    );
    assert!(out.ends_with("\n  [8192, 9216) us    1  #\n"), "{out}");
    // The largest bucket gets the whole bar.
    assert!(
        out.contains(
            "  [ 128,  144) us  245  ##################################################\n"
        ),
        "{out}"
    );
    let all = live_ok(&["wakeup", "--hist"]);
    assert_eq!(all.matches(" latency: ").count(), 4, "{all}");
}

/// The `wakeup` member of the JSON output, whose shape is a contract.
#[test]
fn wakeup_json_contract() {
    let json = live_json(&["wakeup", "--json"]);
    let obj = json.as_object().unwrap();
    assert_eq!(obj.keys().collect::<Vec<_>>(), ["version", "wakeup"]);
    let w = json["wakeup"].as_object().unwrap();
    assert_eq!(
        w.keys().collect::<Vec<_>>(),
        [
            "cpus",
            "enabled",
            "period_us",
            "spikes",
            "spikes_worst",
            "threshold_us"
        ]
    );
    assert_eq!(w["enabled"], Value::Bool(false));
    assert_eq!(w["period_us"].as_u64(), Some(1000));
    assert_eq!(w["threshold_us"].as_u64(), Some(3000));

    let cpus = w["cpus"].as_array().unwrap();
    assert_eq!(cpus.len(), 2);
    for (i, c) in cpus.iter().enumerate() {
        assert_eq!(c["cpu"].as_u64(), Some(i as u64));
        for latency in ["irq", "thread"] {
            let l = c[latency].as_object().unwrap();
            assert_eq!(
                l.keys().collect::<Vec<_>>(),
                ["avg_ns", "count", "max_ns", "min_ns"],
                "{latency}"
            );
            assert!(l.values().all(Value::is_u64), "{l:?}");
            let hist = c["hist"][latency].as_array().unwrap();
            assert!(!hist.is_empty());
            let mut total = 0;
            for bucket in hist {
                let b = bucket.as_array().unwrap();
                assert_eq!(b.len(), 3, "{bucket}");
                assert!(
                    b[0].is_u64() && (b[1].is_u64() || b[1].is_null()),
                    "{bucket}"
                );
                // Only non-empty buckets.
                assert!(b[2].as_u64().unwrap() > 0, "{bucket}");
                total += b[2].as_u64().unwrap();
            }
            assert_eq!(total, l["count"].as_u64().unwrap());
        }
        assert!(c["missed"].is_u64() && c["spikes"].is_u64());
    }
    assert_eq!(
        cpus[0]["irq"],
        serde_json::json!({"count": 1182, "min_ns": 3808, "avg_ns": 209844, "max_ns": 8793756})
    );
    assert_eq!(cpus[1]["thread"]["max_ns"], 9318454);
    assert_eq!(cpus[1]["spikes"], 16);
    assert_eq!(cpus[0]["hist"]["irq"][0], serde_json::json!([3, 4, 1]));

    let spikes = w["spikes"].as_array().unwrap();
    assert_eq!(spikes.len(), 23);
    for s in spikes {
        for key in ["cpu", "expiry_ns", "irq_latency_ns", "thread_latency_ns"] {
            assert!(s[key].is_u64(), "{key}: {s}");
        }
        assert!(
            s["task"]["comm"].is_string() && s["task"]["pid"].is_u64(),
            "{s}"
        );
        match &s["blame"] {
            Value::Null => {}
            Value::Object(b) => {
                assert_eq!(
                    b.keys().collect::<Vec<_>>(),
                    ["context", "end", "kind", "open_ns", "start"]
                );
                assert!(b["kind"] == "preempt" || b["kind"] == "irq", "{s}");
                assert!(b["context"].is_string() && b["start"].is_string(), "{s}");
                assert!(b["end"].is_string() || b["end"].is_null(), "{s}");
                assert!(b["open_ns"].is_u64(), "{s}");
            }
            other => panic!("blame {other}"),
        }
        match &s["other"] {
            Value::Null => {}
            Value::Object(o) => {
                assert_eq!(
                    o.keys().collect::<Vec<_>>(),
                    ["duration_ns", "end", "start"]
                );
                assert!(o["start"].is_string() && o["end"].is_string());
                assert!(o["duration_ns"].is_u64());
            }
            other => panic!("other {other}"),
        }
    }
    let injected: Vec<&Value> = spikes
        .iter()
        .filter(|s| {
            s["blame"]["start"]
                .as_str()
                .is_some_and(|start| start.contains("preemptstat_inject::inject_"))
        })
        .collect();
    assert_eq!(injected.len(), 4);
    assert_eq!(
        *injected[2],
        serde_json::json!({
            "cpu": 1,
            "expiry_ns": 11557993136u64,
            "irq_latency_ns": 126642,
            "thread_latency_ns": 4695266,
            "task": {"comm": "ps_inject/1", "pid": 92},
            "blame": {
                "kind": "preempt",
                "context": "task",
                "start": "preemptstat_inject::inject_preempt+0x13/0x80 [preemptstat_inject]",
                "end": "preemptstat_inject::inject_preempt+0x69/0x80 [preemptstat_inject]",
                "open_ns": 414795,
            },
            "other": {
                "start": "preempt_schedule+0x28/0x30",
                "end": "preemptstat_main::wakeup::wakeup_thread+0xe4/0xad0 [preemptstat]",
                "duration_ns": 20661,
            },
            "cause": {
                "class": "preemptoff",
                "id": "preemptstat_inject::inject_preempt+0x13/0x80 [preemptstat_inject]",
                "name": "preemptstat_inject::inject_preempt+0x69/0x80 [preemptstat_inject]",
                "extra": null,
                "ns": 4420000,
                "pct": 94.1,
            },
            "breakdown": {
                "nmi": 0, "irq": 0, "timer": 26314, "softirq": 52110, "irqsoff": 0,
                "preemptoff": 4420000, "task": 0, "idle": 0, "switch": 70200,
                "unaccounted": 126642,
            },
            "parts": [
                {
                    "rank": 1, "class": "preemptoff",
                    "id": "preemptstat_inject::inject_preempt+0x13/0x80 [preemptstat_inject]",
                    "name": "preemptstat_inject::inject_preempt+0x69/0x80 [preemptstat_inject]",
                    "extra": null, "ns": 4420000,
                },
                {"rank": 2, "class": "unaccounted", "id": null, "name": null, "extra": null,
                 "ns": 126642},
                {"rank": 3, "class": "switch", "id": null, "name": null, "extra": null,
                 "ns": 70200},
                {"rank": 4, "class": "softirq", "id": "TIMER", "name": null, "extra": null,
                 "ns": 52110},
            ],
            "stack": [],
        })
    );
    assert_eq!(spikes.iter().filter(|s| s["blame"].is_null()).count(), 18);
    // Every spike's breakdown adds up to its thread latency, and its cause
    // is its rank 1 part.
    for s in spikes {
        let b = s["breakdown"].as_object().unwrap();
        assert_eq!(
            b.keys().collect::<Vec<_>>(),
            [
                "idle",
                "irq",
                "irqsoff",
                "nmi",
                "preemptoff",
                "softirq",
                "switch",
                "task",
                "timer",
                "unaccounted"
            ]
        );
        let sum: u64 = b.values().map(|v| v.as_u64().unwrap()).sum();
        assert_eq!(sum, s["thread_latency_ns"].as_u64().unwrap(), "{s}");
        assert_eq!(s["cause"]["class"], s["parts"][0]["class"], "{s}");
        assert_eq!(s["cause"]["ns"], s["parts"][0]["ns"], "{s}");
        assert!(s["cause"]["pct"].is_f64(), "{s}");
    }
    // The class keys come in class order in the output itself.
    assert!(live_ok(&["wakeup", "--json"]).contains(
        r#""breakdown":{"nmi":0,"irq":0,"timer":61240,"softirq":0,"irqsoff":5027160,"preemptoff":0,"task":0,"idle":0,"switch":68543,"unaccounted":35000}"#
    ));
    // The spike where a task ran before the thread: a task part with its
    // policy, and the stack.
    let migration = spikes
        .iter()
        .find(|s| s["expiry_ns"] == 12689993136u64)
        .unwrap();
    assert_eq!(
        migration["parts"][2],
        serde_json::json!({
            "rank": 3, "class": "task", "id": "21", "name": "migration/1", "extra": "FIFO:99",
            "ns": 380000
        })
    );
    assert_eq!(
        migration["stack"],
        serde_json::json!([
            "__schedule+0x86/0xd80",
            "schedule+0x4a/0x100",
            "smpboot_thread_fn+0x1e4/0x280",
            "kthread+0x116/0x150",
            "ret_from_fork+0x115/0x210",
            "ret_from_fork_asm+0x1a/0x30",
        ])
    );
    assert_eq!(
        migration["cause"],
        serde_json::json!({
            "class": "idle", "id": null, "name": null, "extra": null, "ns": 5200000, "pct": 73.4
        })
    );

    // Each CPU's cause totals: every class, in class order.
    assert_eq!(
        cpus[1]["causes"]["preemptoff"],
        serde_json::json!({"spikes": 3, "dominant": 3, "total_ns": 16110000})
    );
    assert_eq!(
        cpus[0]["causes"]["irqsoff"],
        serde_json::json!({"spikes": 0, "dominant": 0, "total_ns": 0})
    );
    for c in cpus {
        let causes = c["causes"].as_object().unwrap();
        assert_eq!(causes.len(), 10);
        let dominant: u64 = causes
            .values()
            .map(|t| t["dominant"].as_u64().unwrap())
            .sum();
        // Every spike has one cause (none was merged or overwritten).
        assert_eq!(dominant, c["spikes"].as_u64().unwrap(), "{c}");
    }

    // The worst spikes: the same spikes, worst first.
    let worst = w["spikes_worst"].as_array().unwrap();
    assert_eq!(worst.len(), 23);
    let latencies: Vec<u64> = worst
        .iter()
        .map(|s| s["thread_latency_ns"].as_u64().unwrap())
        .collect();
    assert_eq!(latencies[..3], [9318454, 8911872, 7666943]);
    assert!(latencies.windows(2).all(|p| p[0] >= p[1]));
    for s in worst {
        let same = spikes
            .iter()
            .find(|x| x["cpu"] == s["cpu"] && x["expiry_ns"] == s["expiry_ns"])
            .unwrap();
        assert_eq!(same, s);
    }

    // --cpu keeps only that CPU's statistics and spikes.
    let one = live_json(&["wakeup", "--cpu", "0", "--json"]);
    assert_eq!(one["wakeup"]["cpus"].as_array().unwrap().len(), 1);
    assert_eq!(one["wakeup"]["cpus"][0], cpus[0]);
    let spikes0 = one["wakeup"]["spikes"].as_array().unwrap();
    assert_eq!(spikes0.len(), 7);
    assert!(spikes0.iter().all(|s| s["cpu"] == 0));
    let worst0 = one["wakeup"]["spikes_worst"].as_array().unwrap();
    assert_eq!(worst0.len(), 7);
    assert!(worst0.iter().all(|s| s["cpu"] == 0));
    // --hist changes only the text.
    assert_eq!(live_json(&["wakeup", "--hist", "--json"]), json);
}

#[test]
fn wakeup_unknown_cpu_is_an_error() {
    let root = live();
    assert_failure(
        &run_on(&root, &["wakeup", "--cpu", "2"]),
        &[
            &format!("CPU 2 is not in {}", root.join("wakeup").display()),
            "(it lists CPUs 0, 1)",
        ],
    );
    assert_failure(
        &run_on(&root, &["wakeup", "--cpu", "2", "--json"]),
        &["CPU 2"],
    );
}

#[test]
fn report_has_a_wakeup_part() {
    let out = live_ok(&["report"]);
    let part = &out[out.find("\nwakeup probe: ").expect("wakeup part") + 1..];
    let lines: Vec<&str> = part.lines().collect();
    assert_eq!(
        lines[1],
        "CPU 0: irq max 8.79 ms, thread max 8.91 ms, 7 spikes"
    );
    assert_eq!(
        lines[2],
        "CPU 1: irq max 9.15 ms, thread max 9.32 ms, 16 spikes"
    );
    assert_eq!(lines[4], "Top 5 spikes by thread latency:");
    // The 5 latest-running threads, largest first.
    let threads: Vec<&str> = lines[6..]
        .iter()
        .map(|l| l.split_whitespace().nth(3).unwrap())
        .collect();
    assert_eq!(threads, ["9.32", "8.91", "7.67", "7.08", "5.19"]);
    assert_eq!(lines.len(), 6 + 5);
}

/// The brief's example: a period below 100 us is refused before anything
/// is written.
#[test]
fn set_period_us_50_writes_nothing() {
    let dir = copy_fixture("v2-live");
    let root = dir.path();
    let out = run_on(root, &["set", "period_us", "50"]);
    let line = assert_failure(&out, &[]);
    assert_eq!(
        line,
        "preemptstat: invalid value \"50\" for period_us: expected an integer from 100 to \
         1000000 (nothing was written)"
    );
    assert_eq!(
        fs::read_to_string(root.join("period_us")).unwrap(),
        "1000\n"
    );
}

#[test]
fn hist_per_site() {
    let text = live_ok(&[
        "hist",
        "--site",
        "preemptstat_inject::inject_irq+",
        "--kind",
        "irq",
    ]);
    let first = text.lines().next().unwrap_or_default();
    assert!(
        first.starts_with("irq preemptstat_inject::inject_irq+") && first.contains(" -> "),
        "{text}"
    );
    assert!(text.contains('#'), "no bars: {text}");
    let json = live_json(&["hist", "--site", "inject_irq+", "--limit", "1", "--json"]);
    let sections = json["sections"].as_array().expect("sections");
    assert_eq!(sections.len(), 1, "{json}");
    assert!(sections[0]["start"]
        .as_str()
        .unwrap_or_default()
        .contains("inject_irq+"));
    assert_eq!(
        live_ok(&["hist", "--site", "no-such-function"]).trim(),
        "no site"
    );
    let out = common::run_on(&live(), &["hist", "--limit", "3"]);
    common::assert_failure(&out, &["--site"]);
}
