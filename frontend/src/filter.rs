//! The dashboard's one filter — a scenario and words — which the timeline, the links, the
//! incidents and the predictions all follow, kept in the address (`?scenario=2&q=disk`), and
//! the query-string edits that keep the rest of the address as it is. Pure: tested natively.

use loglens_shared::report::{Incident, Link};

use crate::evidence::PredictionGroup;

/// A scenario (none: all) and words that must all occur (any case).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DashFilter {
    pub scenario: Option<u32>,
    pub words: String,
}

impl DashFilter {
    /// From the address's `scenario` and `q` (a scenario that is not a number is ignored).
    pub fn from_query(scenario: Option<&str>, q: Option<&str>) -> Self {
        DashFilter {
            scenario: scenario.and_then(|s| s.trim().parse().ok()),
            words: q.unwrap_or_default().to_owned(),
        }
    }

    pub fn is_active(&self) -> bool {
        self.scenario.is_some() || !self.words.trim().is_empty()
    }

    fn words(&self) -> Vec<String> {
        self.words
            .split_whitespace()
            .map(str::to_lowercase)
            .collect()
    }

    fn keeps(&self, scenario: u32, text: impl FnOnce() -> String) -> bool {
        if self.scenario.is_some_and(|s| s != scenario) {
            return false;
        }
        let words = self.words();
        if words.is_empty() {
            return true;
        }
        let text = text().to_lowercase();
        words.iter().all(|w| text.contains(w.as_str()))
    }

    /// Its problem (id and text), priority, files or anomaly ids hold the words.
    pub fn keeps_incident(&self, i: &Incident) -> bool {
        // The incidents table's own word match, so both agree on what a word finds.
        self.scenario.is_none_or(|s| s == i.scenario_id)
            && crate::incidents::matches(i, &self.words())
    }

    /// Its ids, the knowledge base's texts, its files or its ERROR and WARNING lines hold them.
    pub fn keeps_link(&self, l: &Link) -> bool {
        self.keeps(l.scenario_id, || {
            format!(
                "{} {} {} {} {} {} {} {}",
                l.anomaly_id,
                l.problem_id,
                l.anomaly_text,
                l.problem_text,
                l.error.file,
                l.error.raw,
                l.warning.file,
                l.warning.raw
            )
        })
    }

    /// Its problem or the anomalies it names hold them.
    pub fn keeps_prediction(&self, p: &PredictionGroup) -> bool {
        self.keeps(p.scenario_id, || {
            let anomalies: Vec<String> = p
                .anomalies
                .iter()
                .map(|(id, text)| format!("{id} {text}"))
                .collect();
            format!(
                "{} {} {} {}",
                p.problem_id,
                p.problem,
                anomalies.join(" "),
                p.trigger.file
            )
        })
    }
}

/// `search` (`?a=1&b=2`, or empty) with `key` set to `value`, or removed for `None`; the
/// other pairs keep their order. Returns `?…`, or an empty string when nothing is left.
pub fn set_query(search: &str, key: &str, value: Option<&str>) -> String {
    let mut pairs: Vec<(String, String)> = search
        .trim_start_matches('?')
        .split('&')
        .filter(|kv| !kv.is_empty())
        .map(|kv| match kv.split_once('=') {
            Some((k, v)) => (k.to_owned(), v.to_owned()),
            None => (kv.to_owned(), String::new()),
        })
        .collect();
    let encoded = value.map(|v| {
        v.bytes()
            .map(|b| match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                    (b as char).to_string()
                }
                _ => format!("%{b:02X}"),
            })
            .collect::<String>()
    });
    match (pairs.iter().position(|(k, _)| k == key), encoded) {
        (Some(i), Some(v)) => pairs[i].1 = v,
        (Some(i), None) => {
            pairs.remove(i);
        }
        (None, Some(v)) => pairs.push((key.to_owned(), v)),
        (None, None) => {}
    }
    if pairs.is_empty() {
        return String::new();
    }
    let joined: Vec<String> = pairs.iter().map(|(k, v)| format!("{k}={v}")).collect();
    format!("?{}", joined.join("&"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use loglens_shared::report::LogRef;

    fn link(scenario: u32, warning: &str) -> Link {
        Link {
            scenario_id: scenario,
            anomaly_id: 481,
            problem_id: 21,
            anomaly_text: "Network flapping".into(),
            problem_text: "Link failure".into(),
            warning: LogRef {
                raw: warning.into(),
                file: "switch1_log.txt".into(),
                ..LogRef::default()
            },
            ..Link::default()
        }
    }

    #[test]
    fn one_filter_for_links_incidents_and_predictions() {
        let f = DashFilter::from_query(Some("2"), Some("FLAPPING switch1"));
        assert!(f.is_active());
        assert!(f.keeps_link(&link(2, "WARNING eth0 down")));
        assert!(
            !f.keeps_link(&link(1, "WARNING eth0 down")),
            "another scenario"
        );
        let words = DashFilter::from_query(None, Some("eth0 down"));
        assert!(words.keeps_link(&link(1, "WARNING eth0 down")));
        assert!(!words.keeps_link(&link(1, "WARNING disk full")));
        let incident = Incident {
            scenario_id: 2,
            problem_id: 21,
            problem: "Link failure".into(),
            ..Incident::default()
        };
        assert!(DashFilter::from_query(Some("2"), Some("link")).keeps_incident(&incident));
        assert!(!DashFilter::from_query(Some("3"), None).keeps_incident(&incident));
        assert!(
            !DashFilter::from_query(Some("x"), None).is_active(),
            "not a number"
        );
    }

    #[test]
    fn the_address_keeps_its_other_parts() {
        assert_eq!(set_query("", "q", Some("disk full")), "?q=disk%20full");
        assert_eq!(
            set_query("?incident=3-12&lang=en", "scenario", Some("2")),
            "?incident=3-12&lang=en&scenario=2"
        );
        assert_eq!(
            set_query("?scenario=2&incident=3-12", "scenario", Some("3")),
            "?scenario=3&incident=3-12"
        );
        assert_eq!(
            set_query("?scenario=2&incident=3-12", "incident", None),
            "?scenario=2"
        );
        assert_eq!(set_query("?incident=3-12", "incident", None), "");
        assert_eq!(
            set_query("?a=1", "q", Some("диск")),
            "?a=1&q=%D0%B4%D0%B8%D1%81%D0%BA"
        );
    }
}
