// SPDX-License-Identifier: GPL-2.0
//! `record` and `diff`: saving a snapshot as the `report --json` object and comparing two saved snapshots site by site.

use std::collections::BTreeMap;
use std::io::{self, Write};
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::error::Error;
use crate::table::{Align, Table};
use crate::units::format_ns;

/// A relative change of more than this (10 %) in a site's max or mean
/// flags it `worse` or `better`.
pub const FLAG_RATIO: f64 = 0.10;

/// Writes `json` (plus a newline) to `path` atomically
/// ([`crate::atomic::write_atomic`]).
///
/// # Errors
///
/// [`Error::WriteFile`] naming `path` if any step fails. `record` and
/// `plot` use it.
pub fn write_atomic(path: &Path, json: &str) -> Result<(), Error> {
    crate::atomic::write_atomic(path, format!("{json}\n").as_bytes())
}

/// The parts of a recorded snapshot that `diff` reads.
#[derive(Debug, Clone, Deserialize)]
pub struct Recorded {
    /// The debugfs format version of the capture.
    pub version: u32,
    /// Every site.
    pub sections: Vec<RecordedSite>,
}

/// The fields of one recorded site that `diff` compares.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct RecordedSite {
    /// `preempt`, `irq` or `any`.
    pub kind: String,
    /// Where the sections started.
    pub start: String,
    /// Where they ended.
    pub end: String,
    /// How many sections there were.
    pub count: u64,
    /// Their total duration.
    pub total_ns: u64,
    /// The longest.
    pub max_ns: u64,
}

impl RecordedSite {
    /// The mean duration (0 without sections).
    pub fn mean_ns(&self) -> u64 {
        self.total_ns.checked_div(self.count).unwrap_or(0)
    }
}

/// Reads the snapshot `path` that `record` (or `report --json`) wrote.
///
/// # Errors
///
/// [`Error::SnapshotFile`] naming `path` if it cannot be read or is not such
/// a snapshot.
pub fn read_recorded(path: &Path) -> Result<Recorded, Error> {
    let fail = |reason: String| Error::SnapshotFile {
        path: path.to_path_buf(),
        reason,
    };
    let text = std::fs::read_to_string(path).map_err(|e| fail(format!("cannot read: {e}")))?;
    serde_json::from_str(&text).map_err(|e| {
        fail(format!(
            "not a snapshot from 'preemptstat record': {}",
            e.to_string().replace('\n', " ")
        ))
    })
}

/// How a site changed between the two snapshots.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Change {
    /// Only in B.
    New,
    /// Only in A.
    Gone,
    /// In both, with different statistics.
    Changed,
}

/// `worse` or `better`: the max or mean moved by more than [`FLAG_RATIO`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Flag {
    /// The max or the mean grew by more than 10 %.
    Worse,
    /// Neither grew by more than 10 %, and one shrank by more than 10 %.
    Better,
}

/// One line of the comparison.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SiteDiff {
    /// New, gone or changed.
    pub change: Change,
    /// `preempt`, `irq` or `any`.
    pub kind: String,
    /// Where the sections started.
    pub start: String,
    /// Where they ended.
    pub end: String,
    /// B's count minus A's (a missing site counts 0).
    pub delta_count: i128,
    /// B's total minus A's.
    pub delta_total_ns: i128,
    /// The max in A (`null` if new).
    pub max_ns_a: Option<u64>,
    /// The max in B (`null` if gone).
    pub max_ns_b: Option<u64>,
    /// The mean in A (`null` if new).
    pub mean_ns_a: Option<u64>,
    /// The mean in B (`null` if gone).
    pub mean_ns_b: Option<u64>,
    /// For changed sites, whether they got worse or better.
    pub flag: Option<Flag>,
}

/// The comparison of two snapshots.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Diff {
    /// Sites only in B.
    pub new: usize,
    /// Sites only in A.
    pub gone: usize,
    /// Sites in both with different statistics.
    pub changed: usize,
    /// The differing sites, largest |delta total_ns| first (then by kind,
    /// start, end), at most `--limit`.
    pub sites: Vec<SiteDiff>,
}

/// Whether `b` is more than [`FLAG_RATIO`] above (1) or below (-1) `a`.
fn direction(a: u64, b: u64) -> i8 {
    let (a, b) = (a as f64, b as f64);
    if b > a * (1.0 + FLAG_RATIO) {
        1
    } else if b < a * (1.0 - FLAG_RATIO) {
        -1
    } else {
        0
    }
}

/// The flag of a site that is in both snapshots.
pub fn flag(a: &RecordedSite, b: &RecordedSite) -> Option<Flag> {
    let dirs = [
        direction(a.max_ns, b.max_ns),
        direction(a.mean_ns(), b.mean_ns()),
    ];
    if dirs.contains(&1) {
        Some(Flag::Worse)
    } else if dirs.contains(&-1) {
        Some(Flag::Better)
    } else {
        None
    }
}

/// Compares the sites of `a` and `b` by (kind, start, end); keeps at most
/// `limit` lines.
pub fn diff(a: &Recorded, b: &Recorded, limit: Option<usize>) -> Diff {
    type Key<'a> = (&'a str, &'a str, &'a str);
    let index = |r: &'_ Recorded| -> BTreeMap<(String, String, String), RecordedSite> {
        r.sections
            .iter()
            .map(|s| ((s.kind.clone(), s.start.clone(), s.end.clone()), s.clone()))
            .collect()
    };
    let (ia, ib) = (index(a), index(b));
    let mut sites = Vec::new();
    let (mut new, mut gone, mut changed) = (0, 0, 0);
    let line = |key: Key<'_>, sa: Option<&RecordedSite>, sb: Option<&RecordedSite>| {
        let count = |s: Option<&RecordedSite>| s.map_or(0, |s| i128::from(s.count));
        let total = |s: Option<&RecordedSite>| s.map_or(0, |s| i128::from(s.total_ns));
        SiteDiff {
            change: match (sa, sb) {
                (None, _) => Change::New,
                (_, None) => Change::Gone,
                _ => Change::Changed,
            },
            kind: key.0.to_string(),
            start: key.1.to_string(),
            end: key.2.to_string(),
            delta_count: count(sb) - count(sa),
            delta_total_ns: total(sb) - total(sa),
            max_ns_a: sa.map(|s| s.max_ns),
            max_ns_b: sb.map(|s| s.max_ns),
            mean_ns_a: sa.map(RecordedSite::mean_ns),
            mean_ns_b: sb.map(RecordedSite::mean_ns),
            flag: sa.zip(sb).and_then(|(sa, sb)| flag(sa, sb)),
        }
    };
    for (key, sa) in &ia {
        let k = (key.0.as_str(), key.1.as_str(), key.2.as_str());
        match ib.get(key) {
            None => {
                gone += 1;
                sites.push(line(k, Some(sa), None));
            }
            Some(sb) if sb != sa => {
                changed += 1;
                sites.push(line(k, Some(sa), Some(sb)));
            }
            Some(_) => {}
        }
    }
    for (key, sb) in &ib {
        if !ia.contains_key(key) {
            new += 1;
            let k = (key.0.as_str(), key.1.as_str(), key.2.as_str());
            sites.push(line(k, None, Some(sb)));
        }
    }
    sites.sort_by(|x, y| {
        y.delta_total_ns
            .abs()
            .cmp(&x.delta_total_ns.abs())
            .then_with(|| (&x.kind, &x.start, &x.end).cmp(&(&y.kind, &y.start, &y.end)))
    });
    if let Some(limit) = limit {
        sites.truncate(limit);
    }
    Diff {
        new,
        gone,
        changed,
        sites,
    }
}

/// A signed nanosecond delta in the units of [`format_ns`], with a sign.
fn signed_ns(delta: i128) -> String {
    let sign = if delta < 0 { "-" } else { "+" };
    let abs = u64::try_from(delta.unsigned_abs()).unwrap_or(u64::MAX);
    format!("{sign}{}", format_ns(abs))
}

/// `A -> B` with `-` for a missing side.
fn arrow(a: Option<u64>, b: Option<u64>) -> String {
    let f = |v: Option<u64>| v.map_or_else(|| "-".to_string(), format_ns);
    format!("{} -> {}", f(a), f(b))
}

/// Writes the comparison as text:
///
/// ```text
/// 1 new, 1 gone, 2 changed sites (largest change of total time first)
/// CHANGE   KIND     COUNT    TOTAL        MAX                  MEAN  FLAG    START -> END
/// changed  irq      +4994  +57.4 ms  5.00 ms -> 7.14 ms  ...
/// ```
pub fn write_diff(out: &mut dyn Write, d: &Diff) -> io::Result<()> {
    writeln!(
        out,
        "{} new, {} gone, {} changed sites (largest change of total time first)",
        d.new, d.gone, d.changed
    )?;
    if d.sites.is_empty() {
        return Ok(());
    }
    let mut table = Table::new(&[
        ("CHANGE", Align::Left),
        ("KIND", Align::Left),
        ("COUNT", Align::Right),
        ("TOTAL", Align::Right),
        ("MAX", Align::Right),
        ("MEAN", Align::Right),
        ("FLAG", Align::Left),
        ("START -> END", Align::Left),
    ]);
    for s in &d.sites {
        let change = match s.change {
            Change::New => "new",
            Change::Gone => "gone",
            Change::Changed => "changed",
        };
        let flag = match s.flag {
            Some(Flag::Worse) => "worse",
            Some(Flag::Better) => "better",
            None => "",
        };
        table.row(vec![
            change.to_string(),
            s.kind.clone(),
            format!("{:+}", s.delta_count),
            signed_ns(s.delta_total_ns),
            arrow(s.max_ns_a, s.max_ns_b),
            arrow(s.mean_ns_a, s.mean_ns_b),
            flag.to_string(),
            format!("{} -> {}", s.start, s.end),
        ]);
    }
    for line in table.render() {
        writeln!(out, "{line}")?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn site(kind: &str, start: &str, count: u64, total_ns: u64, max_ns: u64) -> RecordedSite {
        RecordedSite {
            kind: kind.into(),
            start: start.into(),
            end: "e".into(),
            count,
            total_ns,
            max_ns,
        }
    }

    #[test]
    fn flags_use_ten_percent() {
        let a = site("irq", "f", 10, 1000, 200);
        assert_eq!(flag(&a, &site("irq", "f", 10, 1000, 220)), None);
        assert_eq!(
            flag(&a, &site("irq", "f", 10, 1000, 221)),
            Some(Flag::Worse)
        );
        assert_eq!(
            flag(&a, &site("irq", "f", 10, 800, 200)),
            Some(Flag::Better)
        );
        // Growth wins over shrinkage.
        assert_eq!(flag(&a, &site("irq", "f", 10, 500, 300)), Some(Flag::Worse));
    }

    #[test]
    fn diff_classifies_and_sorts() {
        let a = Recorded {
            version: 1,
            sections: vec![
                site("irq", "f", 1, 10, 10),
                site("irq", "g", 1, 10, 10),
                site("any", "h", 1, 10, 10),
            ],
        };
        let b = Recorded {
            version: 1,
            sections: vec![
                site("irq", "f", 3, 1000, 900),
                site("any", "h", 1, 10, 10),
                site("preempt", "n", 2, 50, 30),
            ],
        };
        let d = diff(&a, &b, None);
        assert_eq!((d.new, d.gone, d.changed), (1, 1, 1));
        let order: Vec<(&str, Change)> = d
            .sites
            .iter()
            .map(|s| (s.start.as_str(), s.change))
            .collect();
        assert_eq!(
            order,
            [
                ("f", Change::Changed),
                ("n", Change::New),
                ("g", Change::Gone)
            ]
        );
        assert_eq!(d.sites[0].delta_count, 2);
        assert_eq!(d.sites[2].delta_total_ns, -10);
        assert_eq!(diff(&a, &b, Some(1)).sites.len(), 1);
        assert_eq!(diff(&a, &a, None).sites, []);
    }
}
