//! From matches to answers: report rows, incidents ranked by impact, predictions, novel
//! anomalies and playbook recommendations — all for one case at a time.

pub mod notices;

use std::collections::{BTreeMap, BTreeSet, HashMap};

use loglens_shared::Priority;
use loglens_shared::report::{
    Incident, Level, Link, LogRef, LogTime, MatchEvidence, Method, NovelAnomaly,
    PlaybookRecommendation, Prediction, PredictionKind,
};

use crate::engine::input::kb::KnowledgeBase;
use crate::engine::input::playbooks::Playbooks;
use crate::engine::matching::{CaseMatches, RawLink, ScannedFile, SigRef};
use crate::engine::normalize::normalize;
use crate::engine::patterns;

/// A WARNING this soon after a known ERROR is reported as a probable new anomaly of that problem.
pub const NOVEL_WINDOW_SECONDS: i64 = 5 * 60;

/// An anomaly linked to at least this many problems is generic: seeing it predicts no
/// particular problem.
pub const GENERIC_ANOMALY_PROBLEMS: usize = 5;

/// An incident keeps at most this many of its ERROR lines (each with its context) in the
/// report; beyond it, an even sample with the first and the last, and the full count. Keeps the
/// dashboard's JSON and timeline bounded when one ERROR repeats all day.
pub const MAX_ERRORS_PER_INCIDENT: usize = 200;

/// At most `max` items of `items`, evenly spread, always the first and the last (in order).
fn sample<T>(items: &[T], max: usize) -> impl Iterator<Item = &T> {
    let n = items.len();
    let keep = n.min(max);
    (0..keep).map(move |k| {
        let i = if keep <= 1 {
            0
        } else {
            k * (n - 1) / (keep - 1)
        };
        &items[i]
    })
}

/// Where a kept line stands in time: its timestamp, then file and line for equal ones. Borrowed
/// from the scan, so sorting by it allocates nothing.
fn time_order(files: &[ScannedFile], at: SigRef) -> (&LogTime, usize, u64) {
    let s = at.get(files);
    (&s.timestamp, at.file, s.line)
}

/// Everything derived for one case.
#[derive(Debug, Default)]
pub struct CaseFindings {
    pub links: Vec<Link>,
    pub incidents: Vec<Incident>,
    pub predictions: Vec<Prediction>,
    pub novel: Vec<NovelAnomaly>,
}

pub fn log_ref(files: &[ScannedFile], at: SigRef) -> LogRef {
    let s = at.get(files);
    LogRef {
        file: files[at.file].name.clone(),
        line: s.line,
        last_line: (s.last_line > s.line).then_some(s.last_line),
        timestamp: Some(s.timestamp.clone()),
        level: s.level,
        level_raw: s.level_raw.clone(),
        level_inferred: s.level_inferred,
        message: s.message.clone(),
        raw: s.raw.clone(),
        context: s.context.clone(),
    }
}

pub fn derive_case(
    scenario_id: u32,
    kb: &KnowledgeBase,
    files: &[ScannedFile],
    m: &CaseMatches,
    raw_links: &[RawLink],
    playbooks: &Playbooks,
) -> CaseFindings {
    let problems = kb.problem_list();
    let evidence = |method: Method,
                    score: f32,
                    runner_up: Option<(usize, f32)>,
                    text: &dyn Fn(usize) -> String| {
        method.by_meaning().then(|| MatchEvidence {
            score,
            runner_up: runner_up.map(|(i, _)| text(i)),
            runner_up_score: runner_up.map(|(_, s)| s),
        })
    };
    let links: Vec<Link> = raw_links
        .iter()
        .map(|l| Link {
            scenario_id,
            anomaly_id: l.anomaly_id,
            problem_id: l.problem_id,
            error: log_ref(files, l.error),
            warning: log_ref(files, l.warning),
            method: l.method,
            score: l.score,
            anomaly_text: kb.anomalies[l.anomaly].clone(),
            problem_text: kb.problems.get(&l.problem_id).cloned().unwrap_or_default(),
            warning_match: evidence(
                l.warning_hit.method,
                l.warning_hit.score,
                l.warning_hit.runner_up,
                &|i| kb.anomalies[i].clone(),
            ),
            error_match: evidence(
                l.error_hit.method,
                l.error_hit.score,
                l.error_hit.runner_up,
                &|i| problems.get(i).map_or_else(String::new, |p| p.1.to_owned()),
            ),
        })
        .collect();
    CaseFindings {
        incidents: incidents(scenario_id, kb, files, m, raw_links, playbooks),
        predictions: predictions(scenario_id, kb, files, m),
        novel: novel(scenario_id, kb, files, m),
        links,
    }
}

fn incidents(
    scenario_id: u32,
    kb: &KnowledgeBase,
    files: &[ScannedFile],
    m: &CaseMatches,
    links: &[RawLink],
    playbooks: &Playbooks,
) -> Vec<Incident> {
    let mut by_problem: BTreeMap<u32, Vec<SigRef>> = BTreeMap::new();
    // How each problem was found: exact if any of its ERRORs matched exactly.
    let mut method: BTreeMap<u32, Method> = BTreeMap::new();
    for h in &m.problems {
        by_problem.entry(h.problem_id).or_default().push(h.at);
        let found = method.entry(h.problem_id).or_insert(h.method);
        if h.method == Method::Exact {
            *found = Method::Exact;
        } else if *found != Method::Exact {
            *found = Method::combine(*found, h.method);
        }
    }
    let mut out: Vec<Incident> = by_problem
        .into_iter()
        .map(|(problem_id, mut errors)| {
            errors.sort_by_key(|at| time_order(files, *at));
            errors.dedup();
            let error_count = lines_of(files, &errors);
            let mine: Vec<&RawLink> = links
                .iter()
                .filter(|l| l.problem_id == problem_id)
                .collect();
            let anomaly_ids: BTreeSet<u32> = mine.iter().map(|l| l.anomaly_id).collect();
            let file_set: BTreeSet<String> = errors
                .iter()
                .map(|e| files[e.file].name.clone())
                .chain(mine.iter().map(|l| files[l.warning.file].name.clone()))
                .collect();
            let times: Vec<&LogTime> = errors
                .iter()
                .map(|e| &e.get(files).timestamp)
                .chain(mine.iter().map(|l| &l.warning.get(files).timestamp))
                .collect();
            let first_seen = times.iter().min().map(|t| (*t).clone());
            let last_seen = times.iter().max().map(|t| (*t).clone());
            Incident {
                scenario_id,
                problem_id,
                problem: kb.problems.get(&problem_id).cloned().unwrap_or_default(),
                priority: playbooks
                    .get(problem_id)
                    .map(|p| p.priority)
                    .unwrap_or_default(),
                errors: sample(&errors, MAX_ERRORS_PER_INCIDENT)
                    .map(|e| log_ref(files, *e))
                    .collect(),
                error_count,
                impact: anomaly_ids.len() as u64 * file_set.len() as u64,
                anomaly_ids: anomaly_ids.into_iter().collect(),
                files: file_set.into_iter().collect(),
                first_seen,
                last_seen,
                method: method.get(&problem_id).copied().unwrap_or_default(),
            }
        })
        .collect();
    out.sort_by(Incident::by_impact);
    out
}

/// How many log lines the kept lines `at` stand for: themselves when every line was kept,
/// else the counts of their groups (each group once).
fn lines_of(files: &[ScannedFile], at: &[SigRef]) -> u64 {
    let mut groups: BTreeSet<(usize, u32)> = BTreeSet::new();
    let mut lines = 0;
    for a in at {
        let scan = &files[a.file].scan;
        if scan.complete {
            lines += 1;
        } else if groups.insert((a.file, a.get(files).group)) {
            lines += scan.groups[a.get(files).group as usize].count;
        }
    }
    lines
}

fn predictions(
    scenario_id: u32,
    kb: &KnowledgeBase,
    files: &[ScannedFile],
    m: &CaseMatches,
) -> Vec<Prediction> {
    let present = m.present_problems();
    let seen: BTreeSet<usize> = m.anomalies.iter().map(|h| h.anomaly).collect();
    let mut out = Vec::new();
    // The problem occurred: its linked anomalies not seen yet are expected next.
    for &problem_id in &present {
        let Some(trigger) = m
            .problems
            .iter()
            .filter(|h| h.problem_id == problem_id)
            .min_by_key(|h| time_order(files, h.at))
        else {
            continue;
        };
        for (idx, links) in kb.anomaly_links.iter().enumerate() {
            if seen.contains(&idx) {
                continue;
            }
            for &(anomaly_id, p) in links {
                if p == problem_id {
                    out.push(Prediction {
                        kind: PredictionKind::ExpectedAnomaly,
                        scenario_id,
                        problem_id,
                        problem: kb.problems.get(&problem_id).cloned().unwrap_or_default(),
                        anomaly_id,
                        anomaly: kb.anomalies[idx].clone(),
                        trigger_time: Some(trigger.at.get(files).timestamp.clone()),
                        trigger: log_ref(files, trigger.at),
                        score: trigger.score,
                    });
                }
            }
        }
    }
    // A known, specific anomaly appeared but its problem has not: the problem may follow.
    let mut first_hit: HashMap<usize, &crate::engine::matching::AnomalyHit> = HashMap::new();
    for h in &m.anomalies {
        let cur = first_hit.entry(h.anomaly).or_insert(h);
        if h.at.get(files).timestamp < cur.at.get(files).timestamp {
            *cur = h;
        }
    }
    let mut hits: Vec<_> = first_hit.into_values().collect();
    hits.sort_by_key(|h| (&h.at.get(files).timestamp, h.anomaly));
    for h in hits {
        let links = &kb.anomaly_links[h.anomaly];
        let problems: BTreeSet<u32> = links.iter().map(|(_, p)| *p).collect();
        if problems.len() >= GENERIC_ANOMALY_PROBLEMS {
            continue;
        }
        for &(anomaly_id, problem_id) in links {
            if present.contains(&problem_id) {
                continue;
            }
            out.push(Prediction {
                kind: PredictionKind::ProblemMayFollow,
                scenario_id,
                problem_id,
                problem: kb.problems.get(&problem_id).cloned().unwrap_or_default(),
                anomaly_id,
                anomaly: kb.anomalies[h.anomaly].clone(),
                trigger_time: Some(h.at.get(files).timestamp.clone()),
                trigger: log_ref(files, h.at),
                score: h.score,
            });
        }
    }
    out
}

fn novel(
    scenario_id: u32,
    kb: &KnowledgeBase,
    files: &[ScannedFile],
    m: &CaseMatches,
) -> Vec<NovelAnomaly> {
    let error_times: Vec<(i64, u32)> = m
        .problems
        .iter()
        .map(|h| (h.at.get(files).timestamp.ms, h.problem_id))
        .collect();
    let related = |at: SigRef| -> Option<u32> {
        let t = at.get(files).timestamp.ms;
        error_times
            .iter()
            .filter(|(et, _)| (0..=NOVEL_WINDOW_SECONDS * 1000).contains(&(t - *et)))
            .max_by_key(|(et, _)| *et)
            .map(|(_, p)| *p)
    };
    let mut groups: BTreeMap<String, NovelAnomaly> = BTreeMap::new();
    let mut members: BTreeMap<String, Vec<SigRef>> = BTreeMap::new();
    let mut ordered: Vec<&(SigRef, Option<(usize, f32)>)> = m.unmatched_warnings.iter().collect();
    ordered.sort_by_key(|(at, _)| time_order(files, *at));
    for (at, nearest) in ordered {
        debug_assert_eq!(at.get(files).level, Level::Warning);
        let norm = normalize(&at.get(files).message);
        // One novel anomaly per pattern (per normalised message where there is none).
        let pattern = files[at.file]
            .scan
            .groups
            .get(at.get(files).group as usize)
            .and_then(|g| g.pattern);
        let key = pattern.map_or_else(|| norm.clone(), |p| format!("\u{1}{p:020}"));
        let g = groups.entry(key.clone()).or_insert_with(|| NovelAnomaly {
            scenario_id,
            pattern: pattern.map(patterns::label),
            normalized: norm,
            count: 0,
            first: log_ref(files, *at),
            related_problem_id: None,
            nearest_anomaly: nearest.map(|(i, _)| kb.anomalies[i].clone()),
            nearest_score: nearest.map(|(_, s)| s),
        });
        members.entry(key).or_default().push(*at);
        if g.related_problem_id.is_none() {
            g.related_problem_id = related(*at);
        }
    }
    for (key, at) in members {
        if let Some(g) = groups.get_mut(&key) {
            g.count = lines_of(files, &at);
        }
    }
    groups.into_values().collect()
}

/// One recommendation per problem that occurred anywhere, most urgent first. A problem without
/// a playbook is named as its incidents name it — each case's own knowledge base, not the
/// first case's (the first incident in report order wins when they differ).
pub fn recommendations(
    incidents: &[Incident],
    playbooks: &Playbooks,
) -> Vec<PlaybookRecommendation> {
    let mut scenarios: BTreeMap<u32, BTreeSet<u32>> = BTreeMap::new();
    let mut names: BTreeMap<u32, &str> = BTreeMap::new();
    for i in incidents {
        scenarios
            .entry(i.problem_id)
            .or_default()
            .insert(i.scenario_id);
        names.entry(i.problem_id).or_insert(&i.problem);
    }
    let kb_problem_text = |id: u32| names.get(&id).map_or_else(String::new, |n| (*n).to_owned());
    let mut out: Vec<PlaybookRecommendation> = scenarios
        .into_iter()
        .map(|(problem_id, sc)| match playbooks.for_problem(problem_id, &kb_problem_text(problem_id)) {
            Some(p) => PlaybookRecommendation {
                problem_id,
                problem: p.problem.clone(),
                priority: p.priority,
                summary: p.summary.clone(),
                steps: p.steps.clone(),
                scenario_ids: sc.into_iter().collect(),
                summary_ru: p.summary_ru.clone(),
                steps_ru: p.steps_ru.clone(),
            },
            None => PlaybookRecommendation {
                problem_id,
                problem: kb_problem_text(problem_id),
                priority: Priority::default(),
                summary: format!("No playbook for problem {problem_id} in {}.", playbooks.source),
                steps: vec!["Investigate the root-cause ERROR line and its log context; add a playbook for this problem.".into()],
                scenario_ids: sc.into_iter().collect(),
                summary_ru: Some(format!("Нет плейбука для проблемы {problem_id} в {}.", playbooks.source)),
                steps_ru: vec!["Изучите строку ERROR первопричины и её контекст в логе; добавьте плейбук для этой проблемы.".into()],
            },
        })
        .collect();
    out.sort_by_key(|p| (p.priority, p.problem_id));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn samples_keep_the_ends_and_spread_evenly() {
        let all: Vec<u32> = (0..1000).collect();
        let kept: Vec<u32> = sample(&all, 5).copied().collect();
        assert_eq!(kept, [0, 249, 499, 749, 999]);
        assert_eq!(
            sample(&all, 2000).count(),
            1000,
            "nothing dropped under the cap"
        );
        assert_eq!(sample(&all[..1], 5).copied().collect::<Vec<_>>(), [0]);
        assert_eq!(sample(&all[..0], 5).count(), 0);
        let kept: Vec<u32> = sample(&all, MAX_ERRORS_PER_INCIDENT).copied().collect();
        assert_eq!(kept.len(), MAX_ERRORS_PER_INCIDENT);
        assert!(kept.windows(2).all(|w| w[0] < w[1]), "in order, no repeats");
    }
}
