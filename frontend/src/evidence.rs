//! What backs a finding, as the dashboard shows it: predictions grouped per problem (one row
//! per scenario, problem and kind, with every anomaly it names and the earliest line that
//! triggered it) instead of one row per anomaly. Pure: tested natively.

use loglens_shared::report::{LogRef, Prediction, PredictionKind};
use loglens_shared::time::LogTime;

/// The predictions of one problem in one scenario, of one kind.
#[derive(Debug, Clone, PartialEq)]
pub struct PredictionGroup {
    pub scenario_id: u32,
    pub problem_id: u32,
    pub problem: String,
    pub kind: PredictionKind,
    /// (id, text), each once, in id order.
    pub anomalies: Vec<(u32, String)>,
    /// The earliest trigger (by log time; untimed triggers come after timed ones).
    pub trigger_time: Option<LogTime>,
    pub trigger: LogRef,
}

/// Groups predictions by (scenario, problem, kind), in the order their groups first appear.
pub fn group_predictions(predictions: &[Prediction]) -> Vec<PredictionGroup> {
    let mut groups: Vec<PredictionGroup> = Vec::new();
    for p in predictions {
        let at = groups.iter().position(|g| {
            (g.scenario_id, g.problem_id, g.kind) == (p.scenario_id, p.problem_id, p.kind)
        });
        let g = match at {
            Some(i) => &mut groups[i],
            None => {
                groups.push(PredictionGroup {
                    scenario_id: p.scenario_id,
                    problem_id: p.problem_id,
                    problem: p.problem.clone(),
                    kind: p.kind,
                    anomalies: Vec::new(),
                    trigger_time: p.trigger_time.clone(),
                    trigger: p.trigger.clone(),
                });
                groups.last_mut().expect("just pushed")
            }
        };
        if !g.anomalies.iter().any(|(id, _)| *id == p.anomaly_id) {
            g.anomalies.push((p.anomaly_id, p.anomaly.clone()));
        }
        let earlier = match (&p.trigger_time, &g.trigger_time) {
            (Some(a), Some(b)) => a.ms < b.ms,
            (Some(_), None) => true,
            _ => false,
        };
        if earlier {
            g.trigger_time = p.trigger_time.clone();
            g.trigger = p.trigger.clone();
        }
    }
    for g in &mut groups {
        g.anomalies.sort_by_key(|(id, _)| *id);
    }
    groups
}

#[cfg(test)]
mod tests {
    use super::*;

    fn prediction(scenario: u32, problem: u32, anomaly: u32, ms: Option<i64>) -> Prediction {
        Prediction {
            kind: PredictionKind::ExpectedAnomaly,
            scenario_id: scenario,
            problem_id: problem,
            problem: format!("problem {problem}"),
            anomaly_id: anomaly,
            anomaly: format!("anomaly {anomaly}"),
            trigger_time: ms.map(|ms| LogTime {
                raw: format!("t{ms}"),
                ms,
            }),
            trigger: LogRef {
                line: ms.unwrap_or(0) as u64,
                ..LogRef::default()
            },
            score: 1.0,
        }
    }

    #[test]
    fn one_row_per_problem_with_every_anomaly_and_the_earliest_trigger() {
        let ps = vec![
            prediction(1, 21, 482, Some(300)),
            prediction(1, 21, 481, Some(100)),
            prediction(1, 21, 482, Some(50)),
            prediction(2, 34, 267, None),
            prediction(2, 34, 271, Some(900)),
        ];
        let g = group_predictions(&ps);
        assert_eq!(g.len(), 2);
        assert_eq!(
            g[0].anomalies.iter().map(|(id, _)| *id).collect::<Vec<_>>(),
            vec![481, 482]
        );
        assert_eq!(g[0].trigger_time.as_ref().map(|t| t.ms), Some(50));
        assert_eq!(g[0].trigger.line, 50);
        // A timed trigger wins over an untimed one.
        assert_eq!(g[1].trigger_time.as_ref().map(|t| t.ms), Some(900));
        // Another kind of the same problem is its own row.
        let mut other = prediction(1, 21, 481, Some(10));
        other.kind = PredictionKind::ProblemMayFollow;
        let mut more = ps.clone();
        more.push(other);
        assert_eq!(group_predictions(&more).len(), 3);
    }
}
