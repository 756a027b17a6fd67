// SPDX-License-Identifier: GPL-2.0
//! [`SiteQuery`]: which sites `preemptstat sites` and `report` show, in which order.

use clap::ValueEnum;
use preemptstat_core::{Kind, Site};

/// What to sort sites by, largest first.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, ValueEnum)]
pub enum SortKey {
    /// The longest section (`max_ns`).
    #[default]
    Max,
    /// The total time of all sections (`total_ns`).
    Total,
    /// The number of sections (`count`).
    Count,
    /// The mean section (`total_ns / count`).
    Mean,
    /// The late wakeups blamed on the site (`spikes`).
    Spikes,
}

impl SortKey {
    /// The value sorted by.
    pub fn key(self, site: &Site) -> u64 {
        match self {
            SortKey::Max => site.max_ns,
            SortKey::Total => site.total_ns,
            SortKey::Count => site.count,
            SortKey::Mean => site.mean_ns(),
            SortKey::Spikes => site.spikes,
        }
    }
}

/// A kind on the command line: `preempt`, `irq` or `any`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum KindArg {
    /// Preempt-off sections.
    Preempt,
    /// Irqs-off sections.
    Irq,
    /// Sections with preemption or interrupts off.
    Any,
}

impl From<KindArg> for Kind {
    fn from(k: KindArg) -> Self {
        match k {
            KindArg::Preempt => Kind::Preempt,
            KindArg::Irq => Kind::Irq,
            KindArg::Any => Kind::Any,
        }
    }
}

/// A selection of sites: filter, sort (stable, largest first), limit.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SiteQuery {
    /// Only sites of this kind.
    pub kind: Option<Kind>,
    /// The sort order.
    pub sort: SortKey,
    /// At most this many sites.
    pub limit: Option<usize>,
    /// Only sites whose start or end, demangled and with its module
    /// (`function+0xoff/0xsize [module]`), contains this text.
    pub filter: Option<String>,
}

impl SiteQuery {
    /// Whether `site` passes the kind and text filters.
    pub fn matches(&self, site: &Site) -> bool {
        self.kind.is_none_or(|k| k == site.kind)
            && self.filter.as_deref().is_none_or(|text| {
                site.start.to_string().contains(text) || site.end.to_string().contains(text)
            })
    }

    /// The selected sites, in order. Sites with equal keys keep their file
    /// order (longest section first).
    pub fn select<'a>(&self, sites: &'a [Site]) -> Vec<&'a Site> {
        let mut selected: Vec<&Site> = sites.iter().filter(|s| self.matches(s)).collect();
        selected.sort_by_key(|s| std::cmp::Reverse(self.sort.key(s)));
        if let Some(limit) = self.limit {
            selected.truncate(limit);
        }
        selected
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use preemptstat_core::parse_sites;

    const SITES: &str = "\
preempt 1 900 900 900 task 0 1 a 5 9:1 0 0 f+0x1/0x9 [m] f+0x2/0x9 [m]
irq 10 5000 100 800 task 0 1 a 5 9:1 0 0 g+0x1/0x9 g+0x2/0x9
any 3 3000 500 700 task 0 1 a 5 9:1 2 4000 _RNvCs57rNj5LhXbl_18preemptstat_inject10inject_irq+0x1/0x9 [inj] ?
";

    fn starts(q: &SiteQuery) -> Vec<String> {
        let sites = parse_sites(SITES).unwrap();
        q.select(&sites)
            .iter()
            .map(|s| s.start.to_string())
            .collect()
    }

    #[test]
    fn sorting() {
        let q = |sort| SiteQuery {
            sort,
            ..SiteQuery::default()
        };
        assert_eq!(starts(&q(SortKey::Max))[0], "f+0x1/0x9 [m]");
        assert_eq!(starts(&q(SortKey::Total))[0], "g+0x1/0x9");
        assert_eq!(starts(&q(SortKey::Count))[0], "g+0x1/0x9");
        assert_eq!(
            starts(&q(SortKey::Mean))[0],
            "preemptstat_inject::inject_irq+0x1/0x9 [inj]"
        );
        assert_eq!(
            starts(&q(SortKey::Spikes)),
            [
                "preemptstat_inject::inject_irq+0x1/0x9 [inj]",
                "f+0x1/0x9 [m]",
                "g+0x1/0x9"
            ]
        );
    }

    #[test]
    fn filtering_and_limit() {
        let q = SiteQuery {
            filter: Some("preemptstat_inject::".into()),
            ..SiteQuery::default()
        };
        assert_eq!(starts(&q).len(), 1);
        let q = SiteQuery {
            filter: Some("[m]".into()),
            ..SiteQuery::default()
        };
        assert_eq!(starts(&q), ["f+0x1/0x9 [m]"]);
        let q = SiteQuery {
            kind: Some(Kind::Irq),
            ..SiteQuery::default()
        };
        assert_eq!(starts(&q), ["g+0x1/0x9"]);
        let q = SiteQuery {
            limit: Some(2),
            ..SiteQuery::default()
        };
        assert_eq!(starts(&q).len(), 2);
    }
}
