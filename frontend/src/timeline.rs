//! Log time as the dashboard draws it, and the time machine's replay state. The server parsed
//! every timestamp once ([`LogTime`]: the text as written and its wall-clock milliseconds); the
//! web app reads the milliseconds and never log text.
//!
//! Pure: tested natively. Values handed to ECharts are `YYYY-MM-DD HH:MM:SS.mmm` strings, which
//! ECharts reads as local wall-clock time and labels the same way, so the axis shows exactly
//! what the log lines say whatever the browser's zone.

use chrono::{DateTime, NaiveDateTime};
use loglens_shared::LogTime;
use loglens_shared::report::AnalysisReport;

/// The milliseconds of a timestamp, if the line had one.
pub fn millis(t: Option<&LogTime>) -> Option<i64> {
    t.map(|t| t.ms)
}

fn from_millis(ms: i64) -> NaiveDateTime {
    DateTime::from_timestamp_millis(ms)
        .unwrap_or_default()
        .naive_utc()
}

/// `2025-10-06 11:41:12` for people.
pub fn label(ms: i64) -> String {
    from_millis(ms).format("%Y-%m-%d %H:%M:%S").to_string()
}

/// `6 окт 2025, 11:41:12` with the language's month names, from wall-clock milliseconds.
pub fn readable(ms: i64, months: &[&str; 12]) -> String {
    use chrono::{Datelike, Timelike};
    let t = from_millis(ms);
    clock(
        (t.year(), t.month(), t.day()),
        (t.hour(), t.minute(), t.second()),
        months,
    )
}

/// `6 окт 2025, 11:41:12` from calendar parts (the browser's local time, or a log's own).
pub fn clock(
    (year, month, day): (i32, u32, u32),
    (hour, minute, second): (u32, u32, u32),
    months: &[&str; 12],
) -> String {
    let name = months
        .get(month.saturating_sub(1) as usize)
        .copied()
        .unwrap_or("?");
    format!("{day} {name} {year}, {hour:02}:{minute:02}:{second:02}")
}

/// `2025-10-06 11:41:12.123` for ECharts' time axis.
pub fn axis_value(ms: i64) -> String {
    from_millis(ms).format("%Y-%m-%d %H:%M:%S%.3f").to_string()
}

/// What the time machine replays: when each incident appeared (its first ERROR line) and when
/// each link became complete (both of its lines seen).
#[derive(Debug, Clone, PartialEq)]
pub struct Replay {
    pub start: i64,
    pub end: i64,
    /// (moment, "scenario · problem"), by moment.
    incidents: Vec<(i64, String)>,
    /// Moments, sorted.
    links: Vec<i64>,
}

impl Replay {
    /// The moments incidents appeared (their first ERROR lines), each once: the marks on the
    /// time machine's scale.
    pub fn error_moments(&self) -> Vec<i64> {
        let mut at: Vec<i64> = self.incidents.iter().map(|(t, _)| *t).collect();
        at.dedup();
        at
    }

    /// A moment asked for (the address's `?at=`), inside the replay's span; `None` outside.
    pub fn moment(&self, ms: i64) -> Option<i64> {
        (self.start..=self.end).contains(&ms).then_some(ms)
    }
}

/// The state at one moment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Moment {
    pub incidents: Vec<String>,
    pub links: usize,
}

impl Replay {
    /// `None` when nothing in the report has a timestamp.
    pub fn new(report: &AnalysisReport) -> Option<Self> {
        let mut incidents: Vec<(i64, String)> = report
            .incidents
            .iter()
            .filter_map(|i| {
                let t = millis(i.first_seen.as_ref())?;
                Some((t, format!("{} · {}", i.scenario_id, i.problem)))
            })
            .collect();
        incidents.sort();
        let mut links: Vec<i64> = report
            .links
            .iter()
            .filter_map(|l| {
                let e = millis(l.error.timestamp.as_ref())?;
                let w = millis(l.warning.timestamp.as_ref())?;
                Some(e.max(w))
            })
            .collect();
        links.sort_unstable();
        let moments = incidents
            .iter()
            .map(|(t, _)| *t)
            .chain(links.iter().copied());
        let start = moments.clone().min()?;
        let end = moments.max()?;
        Some(Self {
            start,
            end,
            incidents,
            links,
        })
    }

    /// Everything that had happened at `at` (inclusive).
    pub fn at(&self, at: i64) -> Moment {
        Moment {
            incidents: self
                .incidents
                .iter()
                .take_while(|(t, _)| *t <= at)
                .map(|(_, s)| s.clone())
                .collect(),
            links: self.links.partition_point(|t| *t <= at),
        }
    }

    /// The next moment of playback: a whole replay at 1× lasts `replay_ms`, whatever the span of
    /// the logs (minutes or days); never past the end.
    pub fn advance(&self, at: i64, speed: f64, tick_ms: f64, replay_ms: f64) -> i64 {
        let span = (self.end - self.start).max(1) as f64;
        let step = (span * tick_ms / replay_ms * speed).max(1.0);
        ((at as f64 + step) as i64).min(self.end)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // in tests a panic is the failure message
mod tests {
    use super::*;
    use loglens_shared::report::{Incident, Link, LogRef};

    fn ms(raw: &str) -> i64 {
        LogTime::parse(raw).unwrap().ms
    }

    #[test]
    fn timestamps_read_as_people_write_them() {
        let ru = &crate::i18n::RU.months;
        assert_eq!(
            readable(ms("2025-10-06T11:41:12"), ru),
            "6 окт 2025, 11:41:12"
        );
        assert_eq!(
            readable(ms("2025-01-31 01:02:03.456"), &crate::i18n::EN.months),
            "31 Jan 2025, 01:02:03"
        );
        // a zone suffix is kept in the text, not applied: the log's own wall clock
        let zoned = LogTime::parse("2025-10-06T11:41:12+03:00").unwrap();
        assert_eq!(crate::i18n::RU.log_time(&zoned), "6 окт 2025, 11:41:12");
    }

    fn at(ts: &str) -> LogRef {
        LogRef {
            timestamp: LogTime::parse(ts),
            ..LogRef::default()
        }
    }

    fn report() -> AnalysisReport {
        let incident = |s, p, first: &str| Incident {
            scenario_id: s,
            problem_id: p,
            problem: format!("P{p}"),
            first_seen: LogTime::parse(first),
            ..Incident::default()
        };
        let link = |e: &str, w: &str| Link {
            error: at(e),
            warning: at(w),
            ..Link::default()
        };
        AnalysisReport {
            incidents: vec![
                incident(2, 7, "2025-10-07 09:00:00"),
                incident(1, 3, "2025-10-06T11:41:12.500"),
                incident(3, 9, ""),
            ],
            links: vec![
                link("2025-10-06 11:41:12,500", "2025-10-06 11:40:00"),
                link("2025-10-07 09:00:00", "2025-10-07 09:30:00"),
            ],
            ..AnalysisReport::default()
        }
    }

    #[test]
    fn labels_keep_the_logs_wall_clock() {
        let ms = ms("2025-10-06 23:59:58.250");
        assert_eq!(label(ms), "2025-10-06 23:59:58");
        assert_eq!(axis_value(ms), "2025-10-06 23:59:58.250");
    }

    #[test]
    fn replay_spans_days_and_counts_what_existed_at_each_moment() {
        let r = Replay::new(&report()).unwrap();
        assert_eq!(label(r.start), "2025-10-06 11:41:12");
        assert_eq!(label(r.end), "2025-10-07 09:30:00", "spans the next day");
        assert_eq!(
            r.at(r.start - 1),
            Moment {
                incidents: vec![],
                links: 0
            }
        );
        let first = r.at(r.start);
        assert_eq!(
            (first.incidents, first.links),
            (vec!["1 · P3".to_string()], 1)
        );
        let next_day = r.at(ms("2025-10-07 09:00:00"));
        assert_eq!(next_day.incidents.len(), 2);
        assert_eq!(next_day.links, 1, "the second link completes at 09:30");
        assert_eq!(r.at(r.end).links, 2);
    }

    #[test]
    fn playback_covers_the_span_in_the_replay_time_and_stops_at_the_end() {
        let r = Replay::new(&report()).unwrap();
        let mut t = r.start;
        let mut ticks = 0;
        while t < r.end {
            t = r.advance(t, 1.0, 100.0, 10_000.0);
            ticks += 1;
        }
        assert_eq!(t, r.end);
        assert!(
            (99..=101).contains(&ticks),
            "{ticks} ticks of 100 ms for 10 s"
        );
        let fast = r.advance(r.start, 4.0, 100.0, 10_000.0) - r.start;
        let slow = r.advance(r.start, 1.0, 100.0, 10_000.0) - r.start;
        assert!((fast - 4 * slow).abs() <= 4, "{fast} vs 4×{slow}");
    }

    #[test]
    fn nothing_timed_means_no_replay() {
        assert_eq!(Replay::new(&AnalysisReport::default()), None);
    }
}
