//! The incidents table as data: which rows a filter keeps and in what order a column sorts them.
//! Pure, tested natively; the dashboard renders what [`rows`] returns.

use std::cmp::Ordering;

use loglens_shared::report::{Incident, Method};

/// A sortable column of the incidents table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Column {
    Scenario,
    Problem,
    Priority,
    Impact,
    Anomalies,
    Systems,
    FirstSeen,
    Method,
}

impl Column {
    pub const ALL: [Column; 8] = [
        Column::Scenario,
        Column::Problem,
        Column::Priority,
        Column::Impact,
        Column::Anomalies,
        Column::Systems,
        Column::FirstSeen,
        Column::Method,
    ];

    /// The direction a first click sorts in: biggest, most severe, earliest first.
    pub fn first_direction(self) -> Direction {
        match self {
            Column::Priority | Column::Impact | Column::Anomalies | Column::Systems => {
                Direction::Descending
            }
            _ => Direction::Ascending,
        }
    }

    fn compare(self, a: &Incident, b: &Incident) -> Ordering {
        match self {
            Column::Scenario => a.scenario_id.cmp(&b.scenario_id),
            Column::Problem => a.problem_id.cmp(&b.problem_id),
            // Ascending = the least urgent first, so that the default (descending) shows critical first.
            Column::Priority => b.priority.cmp(&a.priority),
            Column::Impact => a.impact.cmp(&b.impact),
            Column::Anomalies => a.anomaly_ids.len().cmp(&b.anomaly_ids.len()),
            Column::Systems => a.files.len().cmp(&b.files.len()),
            // Untimed incidents sort after timed ones either way round.
            Column::FirstSeen => {
                let t = |i: &Incident| i.first_seen.as_ref().map(|t| t.ms);
                match (t(a), t(b)) {
                    (Some(x), Some(y)) => x.cmp(&y),
                    (Some(_), None) => Ordering::Less,
                    (None, Some(_)) => Ordering::Greater,
                    (None, None) => Ordering::Equal,
                }
            }
            Column::Method => method_rank(a.method).cmp(&method_rank(b.method)),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    Ascending,
    Descending,
}

impl Direction {
    /// The `aria-sort` value.
    pub fn aria(self) -> &'static str {
        match self {
            Direction::Ascending => "ascending",
            Direction::Descending => "descending",
        }
    }

    pub fn arrow(self) -> &'static str {
        match self {
            Direction::Ascending => "▲",
            Direction::Descending => "▼",
        }
    }
}

/// Which incidents to show and how.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Query {
    /// Only this scenario.
    pub scenario: Option<u32>,
    /// Words that must all appear (any case) in the problem, its id, priority, files or
    /// anomaly ids.
    pub text: String,
    /// `None`: the report's order (impact, as ranked by the engine).
    pub sort: Option<(Column, Direction)>,
}

impl Query {
    /// A click on a column header: sort by it, or reverse it if it is already the sort.
    pub fn clicked(&self, column: Column) -> Self {
        let sort = match self.sort {
            Some((c, d)) if c == column => Some((
                c,
                match d {
                    Direction::Ascending => Direction::Descending,
                    Direction::Descending => Direction::Ascending,
                },
            )),
            _ => Some((column, column.first_direction())),
        };
        Self {
            sort,
            ..self.clone()
        }
    }

    /// The direction `column` is sorted in, if it is the sort.
    pub fn direction(&self, column: Column) -> Option<Direction> {
        self.sort.filter(|(c, _)| *c == column).map(|(_, d)| d)
    }
}

fn method_rank(m: Method) -> u8 {
    match m {
        Method::Exact => 0,
        Method::Semantic => 1,
        Method::Glossary => 2,
    }
}

/// Whether all `words` (lower-cased) occur in the incident's problem (id and text), priority,
/// files or anomaly ids.
pub(crate) fn matches(i: &Incident, words: &[String]) -> bool {
    if words.is_empty() {
        return true;
    }
    let haystack = format!(
        "{} {} {} {} {}",
        i.problem_id,
        i.problem,
        i.priority,
        i.files.join(" "),
        i.anomaly_ids
            .iter()
            .map(u32::to_string)
            .collect::<Vec<_>>()
            .join(" ")
    )
    .to_lowercase();
    words.iter().all(|w| haystack.contains(w.as_str()))
}

/// The rows the table shows, in order. Sorting is stable: ties keep the report's ranking.
pub fn rows(incidents: &[Incident], query: &Query) -> Vec<Incident> {
    let words: Vec<String> = query
        .text
        .split_whitespace()
        .map(str::to_lowercase)
        .collect();
    let mut rows: Vec<Incident> = incidents
        .iter()
        .filter(|i| query.scenario.is_none_or(|s| i.scenario_id == s))
        .filter(|i| matches(i, &words))
        .cloned()
        .collect();
    if let Some((column, direction)) = query.sort {
        rows.sort_by(|a, b| {
            let o = column.compare(a, b);
            match direction {
                Direction::Ascending => o,
                // Untimed first-seen stays last when reversed, too.
                Direction::Descending if column == Column::FirstSeen => {
                    match (a.first_seen.is_some(), b.first_seen.is_some()) {
                        (true, true) => o.reverse(),
                        _ => o,
                    }
                }
                Direction::Descending => o.reverse(),
            }
        });
    }
    rows
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // in tests a panic is the failure message
mod tests {
    use super::*;
    use loglens_shared::LogTime;

    fn incident(s: u32, p: u32, priority: &str, impact: u64, first: Option<&str>) -> Incident {
        Incident {
            scenario_id: s,
            problem_id: p,
            problem: format!("Problem {p} on disk"),
            priority: priority.parse().unwrap(),
            impact,
            first_seen: first.and_then(LogTime::parse),
            files: vec![format!("host{s}.log")],
            anomaly_ids: vec![p * 10],
            ..Incident::default()
        }
    }

    /// In the report's order (impact first).
    fn report() -> Vec<Incident> {
        vec![
            incident(2, 34, "major", 12, Some("2025-10-06 08:42:23")),
            incident(3, 46, "critical", 12, Some("2025-10-06T11:41:12")),
            incident(3, 49, "minor", 2, None),
            incident(1, 21, "MAJOR", 1, Some("2025-10-03 00:18:00")),
        ]
    }

    fn keys(rows: &[Incident]) -> Vec<u32> {
        rows.iter().map(|i| i.problem_id).collect()
    }

    #[test]
    fn by_default_the_report_order_is_kept() {
        assert_eq!(keys(&rows(&report(), &Query::default())), [34, 46, 49, 21]);
    }

    #[test]
    fn a_first_click_sorts_the_natural_way_and_a_second_reverses() {
        let q = Query::default().clicked(Column::Priority);
        assert_eq!(q.direction(Column::Priority), Some(Direction::Descending));
        assert_eq!(
            keys(&rows(&report(), &q)),
            [46, 34, 21, 49],
            "critical, major (any case, ties in report order), minor"
        );
        let q = q.clicked(Column::Priority);
        assert_eq!(keys(&rows(&report(), &q)), [49, 34, 21, 46]);
        let q = q.clicked(Column::Scenario);
        assert_eq!(q.direction(Column::Priority), None);
        assert_eq!(keys(&rows(&report(), &q)), [21, 34, 46, 49]);
    }

    #[test]
    fn first_seen_sorts_by_real_time_across_timestamp_shapes_untimed_last() {
        let q = Query::default().clicked(Column::FirstSeen);
        assert_eq!(keys(&rows(&report(), &q)), [21, 34, 46, 49]);
        let q = q.clicked(Column::FirstSeen);
        assert_eq!(keys(&rows(&report(), &q)), [46, 34, 21, 49]);
    }

    #[test]
    fn filters_by_scenario_and_by_every_word_in_any_case() {
        let only3 = Query {
            scenario: Some(3),
            ..Query::default()
        };
        assert_eq!(keys(&rows(&report(), &only3)), [46, 49]);
        let words = Query {
            text: "  DISK  critical ".into(),
            ..Query::default()
        };
        assert_eq!(keys(&rows(&report(), &words)), [46]);
        let by_file = Query {
            text: "host1.log".into(),
            ..Query::default()
        };
        assert_eq!(keys(&rows(&report(), &by_file)), [21]);
        let by_anomaly = Query {
            text: "490".into(),
            ..Query::default()
        };
        assert_eq!(keys(&rows(&report(), &by_anomaly)), [49]);
        let none = Query {
            text: "nothing-like-this".into(),
            ..only3
        };
        assert!(rows(&report(), &none).is_empty());
    }

    #[test]
    fn directions_name_themselves_for_screen_readers() {
        assert_eq!(Direction::Ascending.aria(), "ascending");
        assert_eq!(Column::Impact.first_direction(), Direction::Descending);
        assert_eq!(Column::ALL.len(), 8);
    }
}
