//! Two runs side by side: the figures compared (with the change from the first to the
//! second) and the links each has, named. Pure: tested natively.

use loglens_shared::report::{Comparison, LinkKey, LinkName};

/// A figure both runs have.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Figure {
    Links,
    Incidents,
    Anomalies,
    Predictions,
    Novel,
    Lines,
    DurationMs,
}

/// One row of the figures table: the first run's value, the second's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Row {
    pub figure: Figure,
    pub a: u64,
    pub b: u64,
}

impl Row {
    /// From the first run to the second.
    pub fn delta(&self) -> i64 {
        self.b as i64 - self.a as i64
    }
}

pub fn rows(c: &Comparison) -> Vec<Row> {
    let (a, b) = (&c.summary_a, &c.summary_b);
    let row = |figure, a: u64, b: u64| Row { figure, a, b };
    vec![
        row(Figure::Links, a.links as u64, b.links as u64),
        row(
            Figure::Incidents,
            c.incidents_a as u64,
            c.incidents_b as u64,
        ),
        row(Figure::Anomalies, a.anomalies as u64, b.anomalies as u64),
        row(
            Figure::Predictions,
            a.predictions as u64,
            b.predictions as u64,
        ),
        row(
            Figure::Novel,
            a.novel_anomalies as u64,
            b.novel_anomalies as u64,
        ),
        row(Figure::Lines, a.lines, b.lines),
        row(Figure::DurationMs, a.duration_ms, b.duration_ms),
    ]
}

/// The comparison with the older run first (`a_created`, `b_created`: RFC 3339, which
/// order as text), so "first" and "second" mean what they say whichever way it was asked.
pub fn older_first(c: Comparison, a_created: &str, b_created: &str) -> Comparison {
    if b_created >= a_created {
        return c;
    }
    Comparison {
        a: c.b,
        b: c.a,
        summary_a: c.summary_b,
        summary_b: c.summary_a,
        only_a: c.only_b,
        only_b: c.only_a,
        both: c.both,
        incidents_a: c.incidents_b,
        incidents_b: c.incidents_a,
        names: c.names,
    }
}

/// A change as people write it: `+3`, `−2` (a real minus), `0`.
pub fn signed(n: i64) -> String {
    signed_with(n, |m| m.to_string())
}

/// The same, the amount written by `amount` (grouped digits, say).
pub fn signed_with(n: i64, amount: impl Fn(u64) -> String) -> String {
    match n {
        0 => "0".into(),
        n if n > 0 => format!("+{}", amount(n.unsigned_abs())),
        n => format!("\u{2212}{}", amount(n.unsigned_abs())),
    }
}

/// What a link's ids stand for, when the comparison knows it.
pub fn name_of(c: &Comparison, key: LinkKey) -> Option<&LinkName> {
    c.names.iter().find(|n| n.key == key)
}

#[cfg(test)]
mod tests {
    use super::*;
    use loglens_shared::report::Summary;

    fn comparison() -> Comparison {
        let key = |s, a, p| LinkKey {
            scenario_id: s,
            anomaly_id: a,
            problem_id: p,
        };
        Comparison {
            a: "a".into(),
            b: "b".into(),
            summary_a: Summary {
                links: 8,
                anomalies: 8,
                lines: 100,
                duration_ms: 1500,
                ..Summary::default()
            },
            summary_b: Summary {
                links: 6,
                anomalies: 9,
                lines: 100,
                duration_ms: 1200,
                ..Summary::default()
            },
            only_a: vec![key(1, 481, 21)],
            only_b: vec![],
            both: vec![key(2, 267, 34)],
            incidents_a: 4,
            incidents_b: 3,
            names: vec![LinkName {
                key: key(1, 481, 21),
                anomaly: "Network interface flapping".into(),
                problem: "Network interface eth0 link failure".into(),
            }],
        }
    }

    #[test]
    fn figures_and_their_changes() {
        let c = comparison();
        let r = rows(&c);
        let links = r.iter().find(|r| r.figure == Figure::Links).expect("links");
        assert_eq!((links.a, links.b, links.delta()), (8, 6, -2));
        let inc = r
            .iter()
            .find(|r| r.figure == Figure::Incidents)
            .expect("incidents");
        assert_eq!(inc.delta(), -1);
        assert_eq!(signed(-2), "\u{2212}2");
        assert_eq!(signed(3), "+3");
        assert_eq!(signed(0), "0");
        assert_eq!(signed_with(-65492, |n| format!("{n}!")), "\u{2212}65492!");
    }

    #[test]
    fn the_older_run_comes_first() {
        let c = comparison();
        let kept = older_first(c.clone(), "2026-12-01T10:00:00Z", "2026-12-02T10:00:00Z");
        assert_eq!(kept, c);
        let swapped = older_first(c.clone(), "2026-12-02T10:00:00Z", "2026-12-01T10:00:00Z");
        assert_eq!((swapped.a.as_str(), swapped.b.as_str()), ("b", "a"));
        assert_eq!(swapped.only_b, c.only_a);
        assert_eq!((swapped.incidents_a, swapped.incidents_b), (3, 4));
        let links = rows(&swapped)[0];
        assert_eq!((links.a, links.b, links.delta()), (6, 8, 2));
    }

    #[test]
    fn links_are_named_by_the_knowledge_base() {
        let c = comparison();
        assert_eq!(
            name_of(&c, c.only_a[0]).map(|n| n.problem.as_str()),
            Some("Network interface eth0 link failure")
        );
        assert!(name_of(&c, c.both[0]).is_none());
    }
}
