// SPDX-License-Identifier: GPL-2.0
//! Property tests: the record parsers never panic on any input, and models written out in the module's format parse back unchanged.

use preemptstat_core::{
    escape_comm, parse_causes, parse_enable, parse_hist, parse_log, parse_period_us, parse_sites,
    parse_spike_parts, parse_spikes, parse_spikes_worst, parse_summary, parse_threshold_us,
    parse_wakeup, parse_wakeup_hist, parse_wakeup_threshold_us, parse_worst, summary_keys,
    unescape_comm, wakeup_bucket_hi_us, wakeup_bucket_lo_us, Breakdown, Cause, Comm, Context,
    ContextSet, Histogram, Kind, Label, Latency, LatencyHistogram, ParseError, Setting, Symbol,
    CAUSES, HIST_BUCKETS, WAKEUP_HIST_BUCKETS,
};
use proptest::prelude::*;

/// Few enough cases that the whole file runs in a couple of seconds.
fn config(cases: u32) -> ProptestConfig {
    ProptestConfig {
        cases,
        ..ProptestConfig::default()
    }
}

/// Real lines of every record file, to mutate.
const SAMPLE: &str = "\
# kind count total_ns min_ns max_ns contexts max_cpu max_pid max_comm max_end_ns hist spikes spike_max_ns start end
irq 2 4051724 2003689 2048035 task 1 86 ps_inject/1 7512400620 11:1,12:1 0 0 _RNvCs57rNj5LhXbl_18preemptstat_inject28inject_raw_spin_lock_irqsave+0x15/0x80 [preemptstat_inject] _RNvCs57rNj5LhXbl_18preemptstat_inject28inject_raw_spin_lock_irqsave+0x5c/0x80 [preemptstat_inject]
any 5 3000 10 900 task,softirq 0 0 swapper/0 100 0:3,9:2 2 4621242 ? kthread+0x116/0x150
section 1 any task 2377856 1 88 ps_inject/1 7530024195 _RNvCs57rNj5LhXbl_18preemptstat_inject13inject_nested+0x1b/0x150 [preemptstat_inject] irqentry_exit+0x65/0x6b0
frame 1 0 _RNvCs57rNj5LhXbl_18preemptstat_inject13inject_nested+0x10b/0x150 [preemptstat_inject]
frame 1 1 kthread+0x116/0x150
any task 582779 0 80 guest.sh 7487691316 irqentry_enter+0x69/0xd0 irqentry_exit+0x65/0x6b0
preempt 3 4 8 446
irq 31 1073741824 inf 0
seen_preempt 4592
enabled 0
wakeup_enabled 1
0 1182 3808 209844 8793756 1175 54422 260561 8911872 62 7
1 0 0 0 0 0 0 0 0 0 0
0 irq 17 18 20 2
1 thread 183 31457280 inf 1
1 11521993136 5062160 5191943 91 ps_inject/1 irq task 0 _RNvCs57rNj5LhXbl_18preemptstat_inject10inject_irq+0x1c/0x80 [preemptstat_inject] - 137545 irqentry_enter+0x8a/0xd0 wakeup_thread+0xe4/0xad0 [preemptstat] irqsoff 5027160 0 0 61240 0 5027160 0 0 0 68543 35000
0 11615399543 2507713 3545581 0 swapper/0 - - - - - 73780 io_schedule+0x4c/0x70 schedule_timeout+0xa8/0x120 idle 2100000 0 240000 60000 610000 0 0 0 2100000 127868 407713
1 12089993136 9153468 9318454 0 swapper/1 - - - - - - - - idle 6774000 0 0 55433 0 0 0 0 6774000 109553 2379468
part 1 11521993136 1 irqsoff _RNvCs57rNj5LhXbl_18preemptstat_inject10inject_irq+0x1c/0x80 [preemptstat_inject] - - 5027160
part 1 11521993136 2 task 345 stress FIFO:96 68543
frame 1 11521993136 0 __schedule+0x86/0xd80
part 0 11615399543 1 irq 11 virtio0 - 240000
part 0 11615399543 2 softirq NET_RX - - 60000
0 nmi 0 0 0
0 irq 4 1 270000
";

/// Checks what every result must satisfy whatever the input: a malformed
/// error names a line between 1 and one past the last, and its message is
/// one line.
fn check<T>(input: &str, result: &Result<T, ParseError>) {
    if let Err(err) = result {
        let msg = err.to_string();
        assert!(
            !msg.contains('\n') && !msg.contains('\r'),
            "multi-line message {msg:?} for {input:?}"
        );
        if let ParseError::Malformed { line, .. } = err {
            let max = input.lines().count() + 1;
            assert!(
                (1..=max).contains(line),
                "line {line} outside 1..={max} for {input:?}"
            );
        }
    }
}

/// Runs every file parser on `input`.
fn parse_all(input: &str) {
    check(input, &parse_summary(input));
    check(input, &parse_sites(input));
    check(input, &parse_worst(input));
    check(input, &parse_log(input));
    check(input, &parse_hist(input));
    check(input, &parse_wakeup(input));
    check(input, &parse_wakeup_hist(input));
    check(input, &parse_spikes(input));
    check(input, &parse_spikes_worst(input));
    check(input, &parse_spike_parts(input));
    check(input, &parse_causes(input));
    check(input, &parse_enable(input));
    check(input, &parse_threshold_us(input));
    check(input, &parse_period_us(input));
    check(input, &parse_wakeup_threshold_us(input));
}

/// One edit of a text: delete a range, insert a snippet, or cut it short.
#[derive(Debug, Clone)]
enum Edit {
    Delete(usize, usize),
    Insert(usize, String),
    Truncate(usize),
}

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        (any::<usize>(), 0usize..8).prop_map(|(at, n)| Edit::Delete(at, n)),
        (any::<usize>(), "[ \n:,+/x0-9a-f\\[\\]?\\\\#-]{1,3}")
            .prop_map(|(at, s)| Edit::Insert(at, s)),
        any::<usize>().prop_map(Edit::Truncate),
    ]
}

/// Applies `edit` to `text` at character boundaries.
fn apply(text: &mut String, edit: &Edit) {
    let boundary = |text: &String, at: usize| {
        let mut i = at % (text.len() + 1);
        while !text.is_char_boundary(i) {
            i -= 1;
        }
        i
    };
    match edit {
        Edit::Delete(at, n) => {
            let start = boundary(text, *at);
            let end = boundary(text, start + n);
            if end >= start {
                text.replace_range(start..end, "");
            }
        }
        Edit::Insert(at, s) => {
            let at = boundary(text, *at);
            text.insert_str(at, s);
        }
        Edit::Truncate(at) => {
            let at = boundary(text, *at);
            text.truncate(at);
        }
    }
}

fn kind() -> impl Strategy<Value = Kind> {
    prop::sample::select(Kind::ALL.to_vec())
}

fn context() -> impl Strategy<Value = Context> {
    prop::sample::select(Context::ALL.to_vec())
}

fn contexts() -> impl Strategy<Value = ContextSet> {
    prop::collection::vec(context(), 0..6).prop_map(|v| v.into_iter().collect())
}

/// A task name; not `-`, which the format cannot tell from the empty name.
fn comm() -> impl Strategy<Value = Comm> {
    prop::collection::vec(any::<u8>(), 0..16)
        .prop_filter("`-` reads back as the empty name", |b| b != b"-")
        .prop_map(Comm::from_bytes)
}

fn symbol() -> impl Strategy<Value = Symbol> {
    prop_oneof![
        1 => Just(Symbol::Unknown),
        4 => (
            "[A-Za-z_][A-Za-z0-9_.$]{0,40}",
            any::<u64>(),
            any::<u64>(),
            prop::option::of("[a-z_][a-z0-9_]{0,20}"),
        )
            .prop_map(|(name, offset, size, module)| Symbol::Resolved {
                name,
                offset,
                size,
                module,
            }),
    ]
}

fn histogram() -> impl Strategy<Value = Histogram> {
    prop::collection::vec(
        prop_oneof![3 => Just(0u64), 1 => any::<u64>()],
        HIST_BUCKETS,
    )
    .prop_map(|v| {
        let mut counts = [0u64; HIST_BUCKETS];
        counts.copy_from_slice(&v);
        Histogram::from_counts(counts)
    })
}

/// A `Site` with the values it should parse back to, written as a line.
#[derive(Debug, Clone)]
struct SiteLine {
    kind: Kind,
    numbers: [u64; 7],
    small: [u32; 2],
    contexts: ContextSet,
    comm: Comm,
    hist: Histogram,
    start: Symbol,
    end: Symbol,
}

impl SiteLine {
    fn text(&self) -> String {
        let [count, total, min, max, end_ns, spikes, spike_max] = self.numbers;
        format!(
            "{} {count} {total} {min} {max} {} {} {} {} {end_ns} {} {spikes} {spike_max} {} {}\n",
            self.kind,
            self.contexts,
            self.small[0],
            self.small[1],
            self.comm.escaped(),
            self.hist.sparse(),
            self.start.raw(),
            self.end.raw()
        )
    }
}

fn site_line() -> impl Strategy<Value = SiteLine> {
    (
        kind(),
        any::<[u64; 7]>(),
        any::<[u32; 2]>(),
        contexts(),
        comm(),
        histogram(),
        symbol(),
        symbol(),
    )
        .prop_map(
            |(kind, numbers, small, contexts, comm, hist, start, end)| SiteLine {
                kind,
                numbers,
                small,
                contexts,
                comm,
                hist,
                start,
                end,
            },
        )
}

proptest! {
    #![proptest_config(config(500))]

    #[test]
    fn parsers_never_panic_on_strings(s in any::<String>()) {
        parse_all(&s);
    }

    #[test]
    fn parsers_never_panic_on_near_format_lines(
        lines in prop::collection::vec(
            "(section|frame|preempt|irq|any|thread|task|seen_any|-|\\?|[0-9]{1,21}|[a-z_+/0-9x]{1,12}|\\[[a-z]*\\]?|[0-9]{1,2}:[0-9]{1,3}(,[0-9]{1,2}:[0-9])*)( (section|frame|preempt|irq|any|thread|task|hardirq|-|\\?|inf|[0-9]{1,21}|[a-z_]{1,8}\\+0x[0-9a-f]{1,3}/0x[0-9a-f]{1,3}|\\[[a-z]*\\]?|\\\\x[0-9a-g]{0,2}|[0-9]{1,2}:[0-9]{1,3}(,[0-9]{1,2}:[0-9])*)){0,16}",
            0..6,
        ),
        newline in any::<bool>(),
    ) {
        let mut s = lines.join("\n");
        if newline {
            s.push('\n');
        }
        parse_all(&s);
    }

    #[test]
    fn parsers_never_panic_on_mutated_samples(edits in prop::collection::vec(edit(), 1..6)) {
        let mut s = SAMPLE.to_string();
        for e in &edits {
            apply(&mut s, e);
        }
        parse_all(&s);
    }

    #[test]
    fn field_parsers_never_panic(s in "[ -~\u{e9}]{0,40}") {
        let _ = s.parse::<Symbol>();
        let _ = s.parse::<Comm>();
        let _ = s.parse::<Histogram>();
        let _ = s.parse::<ContextSet>();
        let _ = s.parse::<Kind>();
        let _ = Setting::Enable.validate(&s);
        let _ = Setting::ThresholdUs.validate(&s);
        let _ = Setting::PeriodUs.validate(&s);
        let _ = Setting::WakeupThresholdUs.validate(&s);
        let _ = s.parse::<Latency>();
        let _ = s.parse::<LatencyHistogram>();
    }

    #[test]
    fn wakeup_bucket_bounds_never_panic(b in any::<usize>()) {
        let lo = wakeup_bucket_lo_us(b);
        if let Some(hi) = wakeup_bucket_hi_us(b) {
            prop_assert!(hi > lo);
        }
    }
}

proptest! {
    #![proptest_config(config(256))]

    #[test]
    fn comm_escape_round_trips(bytes in prop::collection::vec(any::<u8>(), 0..16)) {
        let escaped = escape_comm(&bytes);
        prop_assert!(escaped.bytes().all(|b| (b'!'..=b'~').contains(&b)), "{}", escaped);
        prop_assert_eq!(unescape_comm(&escaped).unwrap(), bytes);
    }

    #[test]
    fn canonical_comm_fields_round_trip(
        field in "([!-\\[\\]-~]|\\\\x(0[0-9a-f]|1[0-9a-f]|20|5c|7f|[89a-f][0-9a-f])){1,16}",
    ) {
        let bytes = unescape_comm(&field).unwrap();
        // `-` alone is the empty name, which escapes back to `-`.
        prop_assert_eq!(escape_comm(&bytes), field);
    }

    #[test]
    fn symbols_round_trip(sym in symbol()) {
        let text = sym.raw().to_string();
        prop_assert_eq!(text.parse::<Symbol>().unwrap(), sym);
    }

    #[test]
    fn histograms_round_trip(h in histogram()) {
        let text = h.sparse().to_string();
        prop_assert_eq!(text.parse::<Histogram>().unwrap(), h);
    }

    #[test]
    fn context_sets_round_trip(set in contexts()) {
        prop_assert_eq!(set.to_string().parse::<ContextSet>().unwrap(), set);
    }

    #[test]
    fn site_lines_round_trip(lines in prop::collection::vec(site_line(), 0..4)) {
        let text: String = lines.iter().map(SiteLine::text).collect();
        let sites = parse_sites(&text).unwrap();
        prop_assert_eq!(sites.len(), lines.len());
        for (site, line) in sites.iter().zip(&lines) {
            prop_assert_eq!(site.kind, line.kind);
            prop_assert_eq!(
                [
                    site.count,
                    site.total_ns,
                    site.min_ns,
                    site.max_ns,
                    site.max_end_ns,
                    site.spikes,
                    site.spike_max_ns
                ],
                line.numbers
            );
            prop_assert_eq!([site.max_cpu, site.max_pid], line.small);
            prop_assert_eq!(site.contexts, line.contexts);
            prop_assert_eq!(&site.max_comm, &line.comm);
            prop_assert_eq!(&site.hist, &line.hist);
            prop_assert_eq!(&site.start, &line.start);
            prop_assert_eq!(&site.end, &line.end);
        }
    }

    #[test]
    fn log_lines_round_trip(
        kind in kind(),
        ctx in context(),
        numbers in any::<[u64; 2]>(),
        small in any::<[u32; 2]>(),
        comm in comm(),
        start in symbol(),
        end in symbol(),
    ) {
        let text = format!(
            "{kind} {ctx} {} {} {} {} {} {} {}\n",
            numbers[0], small[0], small[1], comm.escaped(), numbers[1], start.raw(), end.raw()
        );
        let log = parse_log(&text).unwrap();
        let r = &log[0];
        prop_assert_eq!((r.kind, r.context), (kind, ctx));
        prop_assert_eq!([r.duration_ns, r.end_ns], numbers);
        prop_assert_eq!([r.cpu, r.pid], small);
        prop_assert_eq!(&r.comm, &comm);
        prop_assert_eq!((&r.start, &r.end), (&start, &end));
    }

    #[test]
    fn summaries_round_trip(
        values in prop::collection::vec(any::<u64>(), 50),
        enabled in any::<bool>(),
        wakeup_enabled in any::<bool>(),
        extra in prop::collection::btree_map("x_[a-z_]{1,10}", any::<u64>(), 0..4),
    ) {
        let keys = summary_keys();
        let mut text = String::new();
        for (key, value) in keys.iter().zip(&values) {
            let value = match key.as_str() {
                "enabled" => u64::from(enabled),
                "wakeup_enabled" => u64::from(wakeup_enabled),
                _ => *value,
            };
            text += &format!("{key} {value}\n");
        }
        for (key, value) in &extra {
            text += &format!("{key} {value}\n");
        }
        let summary = parse_summary(&text).unwrap();
        prop_assert_eq!(summary.values().len(), keys.len() + extra.len());
        prop_assert_eq!(summary.enabled(), enabled);
        prop_assert_eq!(summary.wakeup_enabled(), wakeup_enabled);
        prop_assert_eq!(summary.seen(Kind::Preempt), values[10]);
        prop_assert_eq!(summary.spikes_merged(), values[48]);
        prop_assert_eq!(summary.breakdown_dropped(), values[49]);
        for (key, value) in &extra {
            prop_assert_eq!(summary.get(key), Some(*value));
        }
    }
}

/// A spike written as the module writes it.
fn spike_text(s: &preemptstat_core::Spike) -> String {
    let mut text = format!(
        "{} {} {} {} {} {}",
        s.cpu,
        s.expiry_ns,
        s.irq_latency_ns,
        s.thread_latency_ns,
        s.pid,
        s.comm.escaped()
    );
    match &s.blame {
        Some(b) => {
            text += &format!(" {} {} {} {}", b.kind, b.context, b.open_ns, b.start.raw());
            match &b.end {
                Some(end) => text += &format!(" {}", end.raw()),
                None => text += " -",
            }
        }
        None => text += " - - - - -",
    }
    match &s.other {
        Some(o) => text += &format!(" {} {} {}", o.duration_ns, o.start.raw(), o.end.raw()),
        None => text += " - - -",
    }
    text += &format!(" {} {}", s.cause, s.cause_ns);
    for ns in s.breakdown.as_array() {
        text += &format!(" {ns}");
    }
    text + "\n"
}

/// A breakdown of up to ten classes whose sum fits a `u64`, with a cause
/// that has time (none when nothing has).
fn breakdown() -> impl Strategy<Value = (Breakdown, Cause, u64)> {
    (
        prop::array::uniform10(prop_oneof![Just(0u64), 0..u64::MAX / 16]),
        any::<usize>(),
        any::<u64>(),
    )
        .prop_map(|(ns, pick, r)| {
            let with_time: Vec<usize> = (0..CAUSES).filter(|&i| ns[i] > 0).collect();
            let (cause, cause_ns) = match with_time.get(pick % with_time.len().max(1)) {
                Some(&i) => (Cause::ALL[i], 1 + r % ns[i]),
                None => (Cause::ALL[pick % CAUSES], 0),
            };
            (Breakdown::new(ns), cause, cause_ns)
        })
}

fn blame() -> impl Strategy<Value = Option<preemptstat_core::Blame>> {
    prop::option::of(
        (
            prop::sample::select(vec![Kind::Preempt, Kind::Irq]),
            context(),
            any::<u64>(),
            symbol(),
            prop::option::of(symbol()),
        )
            .prop_map(
                |(kind, context, open_ns, start, end)| preemptstat_core::Blame {
                    kind,
                    context,
                    open_ns,
                    start,
                    end,
                },
            ),
    )
}

fn other() -> impl Strategy<Value = Option<preemptstat_core::OtherSection>> {
    prop::option::of(
        (any::<u64>(), symbol(), symbol()).prop_map(|(duration_ns, start, end)| {
            preemptstat_core::OtherSection {
                duration_ns,
                start,
                end,
            }
        }),
    )
}

fn spike() -> impl Strategy<Value = preemptstat_core::Spike> {
    (
        any::<[u32; 2]>(),
        any::<[u64; 2]>(),
        comm(),
        blame(),
        other(),
        breakdown(),
    )
        .prop_map(
            |(
                [cpu, pid],
                [expiry_ns, irq_latency_ns],
                comm,
                blame,
                other,
                (breakdown, cause, cause_ns),
            )| {
                preemptstat_core::Spike {
                    cpu,
                    expiry_ns,
                    irq_latency_ns,
                    thread_latency_ns: breakdown.total() as u64,
                    pid,
                    comm,
                    blame,
                    other,
                    cause,
                    cause_ns,
                    breakdown,
                }
            },
        )
}

fn latency_histogram() -> impl Strategy<Value = LatencyHistogram> {
    prop::collection::btree_map(0..WAKEUP_HIST_BUCKETS, 1..u64::MAX, 0..12).prop_map(|m| {
        let mut h = LatencyHistogram::default();
        for (b, n) in m {
            h.set(b, n);
        }
        h
    })
}

proptest! {
    #![proptest_config(config(256))]

    #[test]
    fn spike_lines_round_trip(mut spikes in prop::collection::vec(spike(), 0..4)) {
        // A spike (CPU and expiry) comes once.
        let mut keys = std::collections::BTreeSet::new();
        spikes.retain(|s| keys.insert(s.key()));
        let text: String = spikes.iter().map(spike_text).collect();
        prop_assert_eq!(parse_spikes(&text).unwrap(), spikes);
    }

    /// Spike lines whose blame and other fields are any mix of `-`, numbers,
    /// kinds, contexts and symbols: never a panic, and a line that parses is
    /// exactly how the module would write what it parsed to (so a partial
    /// `-` blame or other section is always rejected).
    #[test]
    fn accepted_spike_lines_are_canonical(
        tail in prop::collection::vec(
            prop::sample::select(vec![
                "-", "irq", "preempt", "any", "task", "hardirq", "0", "123",
                "a+0x1/0x2", "[m]", "?",
            ]),
            5..11,
        ),
    ) {
        let text = format!("1 2 3 4 5 comm {} switch 4 0 0 0 0 0 0 0 0 4 0\n", tail.join(" "));
        let result = parse_spikes(&text);
        check(&text, &result);
        if let Ok(spikes) = result {
            prop_assert_eq!(spike_text(&spikes[0]), text);
        }
    }

    #[test]
    fn wakeup_lines_round_trip(rows in prop::collection::btree_map(any::<u32>(), any::<[u64; 10]>(), 0..4)) {
        let mut text = String::from("# cpu irq_count ...\n");
        for (cpu, v) in &rows {
            // The module writes min 0 when count is 0.
            let irq_min = if v[0] == 0 { 0 } else { v[1] };
            let thread_min = if v[4] == 0 { 0 } else { v[5] };
            text += &format!(
                "{cpu} {} {irq_min} {} {} {} {thread_min} {} {} {} {}\n",
                v[0], v[2], v[3], v[4], v[6], v[7], v[8], v[9]
            );
        }
        let cpus = parse_wakeup(&text).unwrap();
        prop_assert_eq!(cpus.len(), rows.len());
        for (c, (cpu, v)) in cpus.iter().zip(&rows) {
            prop_assert_eq!(c.cpu, *cpu);
            prop_assert_eq!([c.irq.count, c.irq.avg_ns, c.irq.max_ns], [v[0], v[2], v[3]]);
            prop_assert_eq!([c.thread.count, c.thread.avg_ns, c.thread.max_ns], [v[4], v[6], v[7]]);
            prop_assert_eq!([c.missed, c.spikes], [v[8], v[9]]);
        }
    }

    #[test]
    fn wakeup_hist_lines_round_trip(
        hists in prop::collection::btree_map(0u32..64, (latency_histogram(), latency_histogram()), 0..3),
    ) {
        let mut text = String::from("# cpu latency bucket lo_us hi_us count\n");
        for (cpu, (irq, thread)) in &hists {
            for (latency, h) in [(Latency::Irq, irq), (Latency::Thread, thread)] {
                for (b, n) in h.nonzero() {
                    let hi = wakeup_bucket_hi_us(b).map_or("inf".to_string(), |h| h.to_string());
                    text += &format!("{cpu} {latency} {b} {} {hi} {n}\n", wakeup_bucket_lo_us(b));
                }
            }
        }
        let parsed = parse_wakeup_hist(&text).unwrap();
        for (cpu, (irq, thread)) in &hists {
            prop_assert_eq!(&parsed.get_or_empty(*cpu, Latency::Irq), irq);
            prop_assert_eq!(&parsed.get_or_empty(*cpu, Latency::Thread), thread);
        }
    }
}

/// A part's `id name extra` fields as the module writes them.
fn label_text(label: &Label) -> String {
    let sym = |s: &Symbol| s.raw().to_string();
    match label {
        Label::None => "- - -".into(),
        Label::Nmi { handler } => format!("- {} -", sym(handler)),
        Label::Device { irq, name } => format!("{irq} {} -", name.escaped()),
        Label::Vector(v) => format!("{v} - -"),
        Label::Hrtimer { callback } => format!("hrtimer {} -", sym(callback)),
        Label::Softirq(v) => format!("{v} - -"),
        Label::Section { start, end } => format!(
            "{} {} -",
            sym(start),
            end.as_ref().map_or("-".to_string(), sym)
        ),
        Label::Task {
            pid,
            comm,
            policy,
            prio,
        } => format!("{pid} {} {policy}:{prio}", comm.escaped()),
    }
}

proptest! {
    #![proptest_config(config(512))]

    /// Part lines whose class and label fields are any mix of the format's
    /// words: never a panic, and a line that parses is exactly how the
    /// module would write what it parsed to (so a label that does not fit
    /// its class is always rejected).
    #[test]
    fn accepted_part_lines_are_canonical(
        class in prop::sample::select(Cause::ALL.iter().map(|c| c.name()).collect::<Vec<_>>()),
        label in prop::collection::vec(
            prop::sample::select(vec![
                "-", "11", "virtio0", "hrtimer", "local_timer", "NET_RX", "a+0x1/0x2", "[m]",
                "?", "FIFO:96", "OTHER:-5", "RR:0", "?:3", "x\\x20y",
            ]),
            1..6,
        ),
    ) {
        let text = format!("part 0 1 1 {class} {} 5\n", label.join(" "));
        let result = parse_spike_parts(&text);
        check(&text, &result);
        if let Ok(parts) = result {
            let p = &parts.iter().next().unwrap().parts[0];
            prop_assert_eq!(
                format!("part 0 1 1 {} {} {}\n", p.cause, label_text(&p.label), p.ns),
                text
            );
        }
    }
}
