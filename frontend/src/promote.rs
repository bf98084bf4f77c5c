//! Promote to the knowledge base: anomalies an operator picks from an analysis (a pattern's
//! template, a novel anomaly's text), each of a problem the analysis knows or of a new one,
//! gathered until they become a new version of the knowledge base (downloaded, or run again).

use std::collections::BTreeMap;

use loglens_shared::api::{KbAddition, KbChange};
use loglens_shared::report::AnalysisReport;

/// One anomaly waiting to go into the knowledge base.
#[derive(Debug, Clone, PartialEq)]
pub struct Pending {
    /// The scenario whose knowledge base it goes into.
    pub scenario_id: u32,
    pub addition: KbAddition,
}

/// The problems the analysis names (its incidents, links and the problems novel anomalies
/// came close to), by id, for the operator to choose from.
pub fn known_problems(r: &AnalysisReport) -> Vec<(u32, String)> {
    let mut out: BTreeMap<u32, String> = BTreeMap::new();
    for i in &r.incidents {
        out.entry(i.problem_id).or_insert_with(|| i.problem.clone());
    }
    for l in &r.links {
        out.entry(l.problem_id)
            .or_insert_with(|| l.problem_text.clone());
    }
    out.into_iter().collect()
}

/// The change the pending anomalies make: to the knowledge base of the first one's scenario
/// (a re-run with it uses it for every case). `None` when nothing waits.
pub fn change_of(pending: &[Pending]) -> Option<KbChange> {
    let first = pending.first()?;
    Some(KbChange {
        scenario_id: first.scenario_id,
        additions: pending.iter().map(|p| p.addition.clone()).collect(),
    })
}

/// The problem an addition names, from the form: an id chosen from the list, or `new` with
/// the new problem's text. `None` when the form says neither.
pub fn addition(anomaly: &str, choice: &str, new_problem: &str) -> Option<KbAddition> {
    let anomaly = anomaly.trim();
    if anomaly.is_empty() {
        return None;
    }
    if choice == NEW_PROBLEM {
        let text = new_problem.trim();
        return (!text.is_empty()).then(|| KbAddition {
            anomaly: anomaly.to_owned(),
            problem_id: None,
            problem: Some(text.to_owned()),
        });
    }
    Some(KbAddition {
        anomaly: anomaly.to_owned(),
        problem_id: Some(choice.parse().ok()?),
        problem: None,
    })
}

/// The problem list's choice that asks for a new problem.
pub const NEW_PROBLEM: &str = "new";

#[cfg(test)]
mod tests {
    use super::*;
    use loglens_shared::report::{Incident, Link};

    #[test]
    fn problems_come_from_incidents_and_links_once() {
        let r = AnalysisReport {
            incidents: vec![Incident {
                problem_id: 7,
                problem: "Disk failed".into(),
                ..Incident::default()
            }],
            links: vec![
                Link {
                    problem_id: 7,
                    problem_text: "Disk failed".into(),
                    ..Link::default()
                },
                Link {
                    problem_id: 3,
                    problem_text: "Overheating".into(),
                    ..Link::default()
                },
            ],
            ..AnalysisReport::default()
        };
        assert_eq!(
            known_problems(&r),
            [(3, "Overheating".to_owned()), (7, "Disk failed".to_owned())]
        );
    }

    #[test]
    fn the_form_makes_an_addition_of_a_known_or_a_new_problem() {
        assert_eq!(
            addition(" Fan noisy ", "7", ""),
            Some(KbAddition {
                anomaly: "Fan noisy".into(),
                problem_id: Some(7),
                problem: None
            })
        );
        assert_eq!(
            addition("Fan noisy", NEW_PROBLEM, " Cooling lost "),
            Some(KbAddition {
                anomaly: "Fan noisy".into(),
                problem_id: None,
                problem: Some("Cooling lost".into())
            })
        );
        assert_eq!(addition("", "7", ""), None);
        assert_eq!(addition("Fan", NEW_PROBLEM, " "), None);
        assert_eq!(addition("Fan", "", ""), None);
        let pending = |s| Pending {
            scenario_id: s,
            addition: addition("a", "1", "").unwrap(),
        };
        assert_eq!(change_of(&[]), None);
        let change = change_of(&[pending(2), pending(3)]).unwrap();
        assert_eq!((change.scenario_id, change.additions.len()), (2, 2));
    }
}
