// SPDX-License-Identifier: GPL-2.0
//! `plot`: SVG charts of the section histograms and of the wakeup probe's late wakeups, written by hand as a few escaped SVG elements.
//!
//! Every bar is a `<rect class="bar">`, every spike a
//! `<circle class="spike">`, the threshold a `<line class="threshold">`;
//! bar heights use a log10 scale (count 1 is the smallest visible bar).
//! The wakeup chart's breakdown panel stacks one `<rect class="cause">` per
//! class with time for every spike, coloured by class ([`CAUSE_COLORS`]),
//! with a `<rect class="legend">` per class shown.

use std::fmt::Write as _;

use preemptstat_core::{
    bucket_hi_us, bucket_lo_us, wakeup_bucket_hi_us, wakeup_bucket_lo_us, Cause, Kind, Latency,
    LatencyHistogram, Snapshot, Spike, CAUSES, WAKEUP_HIST_BUCKETS,
};

use crate::units::{format_ns, format_pct};

/// The fill of each cause class in the breakdown panel, in class order
/// (nmi, irq, timer, softirq, irqsoff, preemptoff, task, idle, switch,
/// unaccounted).
pub const CAUSE_COLORS: [&str; CAUSES] = [
    "#9c755f", "#e15759", "#f28e2b", "#edc948", "#b07aa1", "#ff9da7", "#4e79a7", "#bab0ac",
    "#59a14f", "#76b7b2",
];

/// The width of the image.
const WIDTH: f64 = 900.0;
/// The height of one panel, axes and labels included.
const PANEL_HEIGHT: f64 = 320.0;
/// The margin left of the plot area (y labels).
const LEFT: f64 = 70.0;
/// The margin right of the plot area.
const RIGHT: f64 = 20.0;
/// The space above the plot area in a panel (title).
const TOP: f64 = 40.0;
/// The space below the plot area in a panel (x labels).
const BOTTOM: f64 = 60.0;

/// Escapes `&`, `<`, `>`, `"` and `'` for XML text and attributes.
pub fn xml_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c => out.push(c),
        }
    }
    out
}

/// An SVG document under construction.
struct Svg {
    body: String,
    height: f64,
}

impl Svg {
    /// An empty image with `panels` panels.
    fn new(panels: usize) -> Self {
        Svg {
            body: String::new(),
            height: PANEL_HEIGHT * panels.max(1) as f64,
        }
    }

    /// Adds text at (x, y) with the given anchor and size.
    fn text(&mut self, x: f64, y: f64, anchor: &str, size: u32, text: &str) {
        let _ = writeln!(
            self.body,
            r#"<text x="{x:.1}" y="{y:.1}" text-anchor="{anchor}" font-size="{size}">{}</text>"#,
            xml_escape(text)
        );
    }

    /// Adds a line with the given class and stroke.
    fn line(&mut self, (x1, y1): (f64, f64), (x2, y2): (f64, f64), class: &str, style: &str) {
        let _ = writeln!(
            self.body,
            r#"<line class="{class}" x1="{x1:.1}" y1="{y1:.1}" x2="{x2:.1}" y2="{y2:.1}" {style}/>"#
        );
    }

    /// Draws the axes of the panel starting at `top` and returns its plot
    /// area as (x0, y0 = bottom, width, height).
    fn axes(&mut self, top: f64, title: &str, y_label: &str) -> (f64, f64, f64, f64) {
        let (x0, y0) = (LEFT, top + PANEL_HEIGHT - BOTTOM);
        let (w, h) = (WIDTH - LEFT - RIGHT, PANEL_HEIGHT - TOP - BOTTOM);
        self.text(WIDTH / 2.0, top + 22.0, "middle", 15, title);
        self.line((x0, y0), (x0 + w, y0), "axis", r#"stroke="black""#);
        self.line((x0, y0), (x0, y0 - h), "axis", r#"stroke="black""#);
        let _ = writeln!(
            self.body,
            r#"<text x="16" y="{:.1}" font-size="12" transform="rotate(-90 16 {:.1})" text-anchor="middle">{}</text>"#,
            y0 - h / 2.0,
            y0 - h / 2.0,
            xml_escape(y_label)
        );
        (x0, y0, w, h)
    }

    /// Draws `bars` as (label, count) with log10 heights in the panel at
    /// `top`; labels of every few bars go under the x axis.
    fn bars(&mut self, top: f64, title: &str, x_label: &str, bars: &[(String, u64)]) {
        let (x0, y0, w, h) = self.axes(top, title, "count (log scale)");
        self.text(x0 + w / 2.0, y0 + 45.0, "middle", 12, x_label);
        let max = bars.iter().map(|b| b.1).max().unwrap_or(0);
        if max == 0 {
            self.text(x0 + w / 2.0, y0 - h / 2.0, "middle", 14, "no data");
            return;
        }
        let scale = (max as f64).log10() + 1.0;
        self.text(x0 - 6.0, y0 - h + 4.0, "end", 11, &max.to_string());
        self.text(x0 - 6.0, y0 + 4.0, "end", 11, "0");
        let slot = w / bars.len() as f64;
        let every = bars.len().div_ceil(12).max(1);
        for (i, (label, count)) in bars.iter().enumerate() {
            let x = x0 + slot * i as f64;
            if *count > 0 {
                let bh = h * ((*count as f64).log10() + 1.0) / scale;
                let _ = writeln!(
                    self.body,
                    r##"<rect class="bar" x="{:.1}" y="{:.1}" width="{:.1}" height="{bh:.1}" fill="#4878a8"><title>{}: {count}</title></rect>"##,
                    x + slot * 0.1,
                    y0 - bh,
                    slot * 0.8,
                    xml_escape(label)
                );
            }
            if i % every == 0 {
                self.text(x + slot / 2.0, y0 + 16.0, "middle", 10, label);
            }
        }
    }

    /// The finished document.
    fn finish(self) -> String {
        format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
             <svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{WIDTH}\" height=\"{}\" viewBox=\"0 0 {WIDTH} {}\">\n\
             <rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n{}</svg>",
            self.height, self.height, self.body
        )
    }
}

/// The label of a bucket `[lo, hi)` in µs.
fn bucket_label(lo: u64, hi: Option<u64>) -> String {
    match hi {
        Some(hi) => format!("{lo}-{hi}"),
        None => format!("{lo}+"),
    }
}

/// The histograms of `kinds`, one panel each, showing the buckets from the
/// first to the last non-empty one.
pub fn hist_svg(snapshot: &Snapshot, kinds: &[Kind]) -> String {
    let mut svg = Svg::new(kinds.len());
    for (p, &kind) in kinds.iter().enumerate() {
        let h = snapshot.hist.get(kind);
        let bars: Vec<(String, u64)> = match h.nonzero_range() {
            Some((first, last)) => (first..=last)
                .map(|b| (bucket_label(bucket_lo_us(b), bucket_hi_us(b)), h.get(b)))
                .collect(),
            None => Vec::new(),
        };
        let title = format!("{kind} sections: {} by duration", h.total());
        svg.bars(
            PANEL_HEIGHT * p as f64,
            &title,
            "section duration (us)",
            &bars,
        );
    }
    svg.finish()
}

/// Draws the breakdown panel at `top`: one bar per spike of `spikes`, in
/// their order, its height the thread latency, stacked from the bottom with
/// the time of each class in class order; a legend of the classes shown
/// goes under the x axis.
fn breakdown_panel(svg: &mut Svg, top: f64, which: &str, spikes: &[&Spike]) {
    let title = format!("{which}: thread latency of each late wakeup by cause");
    let (x0, y0, w, h) = svg.axes(top, &title, "thread latency (us)");
    svg.text(
        x0 + w / 2.0,
        y0 + 18.0,
        "middle",
        12,
        &format!("late wakeups, oldest first ({})", spikes.len()),
    );
    let y_max = spikes
        .iter()
        .map(|s| s.thread_latency_ns as f64 / 1e3)
        .fold(1.0, f64::max)
        * 1.1;
    svg.text(x0 - 6.0, y0 - h + 4.0, "end", 11, &format!("{y_max:.0}"));
    svg.text(x0 - 6.0, y0 + 4.0, "end", 11, "0");
    if spikes.is_empty() {
        svg.text(x0 + w / 2.0, y0 - h / 2.0, "middle", 14, "no data");
        return;
    }
    let slot = w / spikes.len() as f64;
    let mut shown = [false; CAUSES];
    for (i, s) in spikes.iter().enumerate() {
        let x = x0 + slot * i as f64 + slot * 0.1;
        let mut bottom_us = 0.0;
        for (cause, ns) in s.breakdown.nonzero() {
            shown[cause.index()] = true;
            let us = ns as f64 / 1e3;
            let (y_lo, y_hi) = (
                y0 - h * bottom_us / y_max,
                y0 - h * (bottom_us + us) / y_max,
            );
            bottom_us += us;
            let _ = writeln!(
                svg.body,
                r#"<rect class="cause" data-cause="{cause}" x="{x:.1}" y="{y_hi:.2}" width="{:.1}" height="{:.2}" fill="{}"><title>CPU {} at {:.6} s: {cause} {} ({})</title></rect>"#,
                slot * 0.8,
                y_lo - y_hi,
                CAUSE_COLORS[cause.index()],
                s.cpu,
                s.expiry_ns as f64 / 1e9,
                xml_escape(&format_ns(ns)),
                xml_escape(&format_pct(ns, s.thread_latency_ns)),
            );
        }
    }
    let mut x = x0;
    for cause in Cause::ALL.into_iter().filter(|c| shown[c.index()]) {
        let _ = writeln!(
            svg.body,
            r#"<rect class="legend" data-cause="{cause}" x="{x:.1}" y="{:.1}" width="10" height="10" fill="{}"/>"#,
            y0 + 31.0,
            CAUSE_COLORS[cause.index()]
        );
        svg.text(x + 14.0, y0 + 40.0, "start", 11, cause.name());
        x += 26.0 + 7.0 * cause.name().len() as f64;
    }
}

/// The late wakeups of `cpus` as points (expiry in s, thread latency in
/// µs) with a threshold line at `threshold_us` (none if 0), their latency
/// split by cause as stacked bars in a second panel, and the thread
/// latency histogram of those CPUs summed as a third.
pub fn wakeup_svg(snapshot: &Snapshot, cpus: &[u32], threshold_us: u64) -> String {
    let mut svg = Svg::new(3);
    let spikes: Vec<_> = snapshot
        .spikes
        .iter()
        .filter(|s| cpus.contains(&s.cpu))
        .collect();
    let which = match cpus {
        [one] => format!("CPU {one}"),
        _ => "all CPUs".to_string(),
    };
    let title = format!(
        "{which}: {} late wakeups (thread latency), threshold {threshold_us} us",
        spikes.len()
    );
    let (x0, y0, w, h) = svg.axes(0.0, &title, "thread latency (us)");
    svg.text(
        x0 + w / 2.0,
        y0 + 45.0,
        "middle",
        12,
        "expiry (s since boot)",
    );
    let y_max = spikes
        .iter()
        .map(|s| s.thread_latency_ns as f64 / 1e3)
        .fold(threshold_us as f64, f64::max)
        .max(1.0)
        * 1.1;
    let t_min = spikes.iter().map(|s| s.expiry_ns).min().unwrap_or(0) as f64 / 1e9;
    let t_max = spikes.iter().map(|s| s.expiry_ns).max().unwrap_or(0) as f64 / 1e9;
    let span = (t_max - t_min).max(1e-3);
    let (t_min, span) = (t_min - span * 0.05, span * 1.1);
    svg.text(x0 - 6.0, y0 - h + 4.0, "end", 11, &format!("{y_max:.0}"));
    svg.text(x0 - 6.0, y0 + 4.0, "end", 11, "0");
    svg.text(x0, y0 + 16.0, "start", 10, &format!("{t_min:.3}"));
    svg.text(
        x0 + w,
        y0 + 16.0,
        "end",
        10,
        &format!("{:.3}", t_min + span),
    );
    let y_of = |us: f64| y0 - h * us / y_max;
    if threshold_us > 0 {
        let y = y_of(threshold_us as f64);
        svg.line(
            (x0, y),
            (x0 + w, y),
            "threshold",
            r##"stroke="#c03030" stroke-dasharray="6 4""##,
        );
        svg.text(
            x0 + w - 4.0,
            y - 4.0,
            "end",
            11,
            &format!("threshold {threshold_us} us"),
        );
    }
    for s in &spikes {
        let x = x0 + w * (s.expiry_ns as f64 / 1e9 - t_min) / span;
        let y = y_of(s.thread_latency_ns as f64 / 1e3);
        let _ = writeln!(
            svg.body,
            r##"<circle class="spike" cx="{x:.1}" cy="{y:.1}" r="4" fill="#d07020"><title>CPU {} at {:.6} s: thread {}, irq {}</title></circle>"##,
            s.cpu,
            s.expiry_ns as f64 / 1e9,
            xml_escape(&format_ns(s.thread_latency_ns)),
            xml_escape(&format_ns(s.irq_latency_ns))
        );
    }

    breakdown_panel(&mut svg, PANEL_HEIGHT, &which, &spikes);

    let mut sum = LatencyHistogram::from_counts([0; WAKEUP_HIST_BUCKETS]);
    for &cpu in cpus {
        if let Some(hist) = snapshot.wakeup_hist.get(cpu, Latency::Thread) {
            for (b, n) in hist.nonzero() {
                sum.set(b, sum.get(b).saturating_add(n));
            }
        }
    }
    let bars: Vec<(String, u64)> = match sum.nonzero_range() {
        Some((first, last)) => (first..=last.min(WAKEUP_HIST_BUCKETS - 1))
            .map(|b| {
                (
                    bucket_label(wakeup_bucket_lo_us(b), wakeup_bucket_hi_us(b)),
                    sum.get(b),
                )
            })
            .collect(),
        None => Vec::new(),
    };
    svg.bars(
        PANEL_HEIGHT * 2.0,
        &format!(
            "{which}: thread latency histogram ({} wakeups)",
            sum.total()
        ),
        "thread latency (us)",
        &bars,
    );
    svg.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xml_special_characters_are_escaped() {
        assert_eq!(
            xml_escape(r#"<a & 'b' "c">"#),
            "&lt;a &amp; &apos;b&apos; &quot;c&quot;&gt;"
        );
    }
}
