//! Which known anomalies and problems occur in a case, and how they link.
//!
//! First the organizers' rule, exactly: a WARNING whose message equals a KB anomaly text, an
//! ERROR whose message equals a KB problem text. Then, for what is left and when enabled, by
//! meaning: ERRORs against KB problems, WARNINGs against the anomalies of the problems present,
//! remaining WARNINGs against the whole KB (predictions and novelty only).
//!
//! Matching by meaning compares texts after the glossary ([`crate::engine::glossary`]: ИБП →
//! UPS, «сбой» → failure), on both sides. Similarity is `max(cosine, (cosine + lexical) / 2)`:
//! embeddings rank candidates well, and shared words (in the KB's language, thanks to the
//! glossary) are strong evidence. A candidate is taken by a rule per line, not one global
//! threshold ([`Thresholds`]): a high score, or a score that stands out — margin over the
//! runner-up, z-score against the whole KB. A WARNING is linked to an anomaly of a present
//! problem only if no anomaly of an absent problem is clearly closer (a lookalike must not
//! produce a row), and never when [`vetoes`] say the line names another instance, states the
//! opposite condition, or names no fault at all; a KB text saying a quantity went the other way
//! than the line says is no candidate for it.

use std::collections::{BTreeMap, BTreeSet, HashMap};

pub mod vetoes;

use loglens_shared::report::{Level, LogTime, Method};

use crate::engine::embed::models::ModelKind;
use crate::engine::glossary::Glossary;
use crate::engine::input::kb::KnowledgeBase;
use crate::engine::normalize::{lexical_similarity, normalize};
use crate::engine::patterns::PatternId;
use crate::engine::scan::{FileScan, SignalLine};
use vetoes::Direction;

/// The decision rule of one model: when the best KB text for a line is taken.
///
/// A line is taken for its best candidate when the score reaches the absolute threshold, or,
/// above a floor, when the candidate stands out: ahead of the runner-up by the margin, or far
/// above the line's scores against the whole KB (z-score). Embedding scores sit in a narrow,
/// model-specific band (multilingual-e5 rates almost any two log lines 0.8+), so how far the
/// best stands out says more than where it lies. Calibrated per model on the dev set
/// (`scripts/calibrate_semantic.py`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Thresholds {
    /// ERROR → KB problem: taken at or above this score whatever the runner-up.
    pub error: f32,
    /// ERROR → KB problem: the least score the relative rule considers.
    pub error_floor: f32,
    /// ERROR → KB problem: margin over the runner-up that suffices above the floor.
    pub error_margin: f32,
    /// ERROR → KB problem: z-score against all KB problems that suffices above the floor.
    pub error_z: f32,
    /// WARNING → anomaly (of a present problem, or of the whole KB): the same four.
    pub warning: f32,
    pub warning_floor: f32,
    pub warning_margin: f32,
    pub warning_z: f32,
    /// How much closer an anomaly of an absent problem must be to veto a candidate: ahead by
    /// `veto_margin` and a confident match of its own (at least `warning`), or ahead by
    /// `veto_wide` whatever its score.
    pub veto_margin: f32,
    pub veto_wide: f32,
}

/// A log file of a case after scanning.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ScannedFile {
    pub name: String,
    pub scan: FileScan,
}

/// Position of a signal line: (file index, signal index) within a case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SigRef {
    pub file: usize,
    pub sig: usize,
}

impl SigRef {
    pub fn get<'a>(&self, files: &'a [ScannedFile]) -> &'a SignalLine {
        &files[self.file].scan.signals[self.sig]
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ProblemHit {
    pub problem_id: u32,
    pub at: SigRef,
    pub method: Method,
    pub score: f32,
    /// By similarity: the closest other problem (index into `problem_list()`) and its score.
    pub runner_up: Option<(usize, f32)>,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AnomalyHit {
    /// Index into [`KnowledgeBase::anomalies`].
    pub anomaly: usize,
    pub at: SigRef,
    pub method: Method,
    pub score: f32,
    /// By similarity: the closest anomaly of another text, and its score.
    pub runner_up: Option<(usize, f32)>,
}

/// What one case's signal lines matched.
#[derive(Debug, Clone, Default)]
pub struct CaseMatches {
    pub problems: Vec<ProblemHit>,
    /// WARNINGs matched to a KB anomaly (exactly, or semantically among present problems'
    /// anomalies, or semantically to the whole KB).
    pub anomalies: Vec<AnomalyHit>,
    /// WARNINGs that matched nothing, with the nearest KB anomaly and its score if known.
    pub unmatched_warnings: Vec<(SigRef, Option<(usize, f32)>)>,
    /// ERRORs that matched no problem.
    pub unmatched_errors: Vec<SigRef>,
}

impl CaseMatches {
    pub fn present_problems(&self) -> BTreeSet<u32> {
        self.problems.iter().map(|h| h.problem_id).collect()
    }
}

/// Normalised KB texts and their vectors, built once per (model, KB).
#[derive(Debug, Clone)]
pub struct KbVectors {
    /// Aligned with `KnowledgeBase::problem_list()`.
    pub problem_ids: Vec<u32>,
    /// [`semantic_text`] of each problem and anomaly.
    pub problem_norm: Vec<String>,
    pub problem_vecs: Vec<Vec<f32>>,
    /// Aligned with `KnowledgeBase::anomalies`.
    pub anomaly_norm: Vec<String>,
    pub anomaly_vecs: Vec<Vec<f32>>,
}

impl KbVectors {
    /// The KB's own text of the problem at `index` (as written, for the vetoes).
    fn problem_raw<'k>(&self, kb: &'k KnowledgeBase, index: usize) -> &'k str {
        kb.problems
            .get(&self.problem_ids[index])
            .map_or("", String::as_str)
    }
}

/// Semantic inputs: the KB's vectors and the vectors of the case's normalised messages.
pub struct Semantic<'a> {
    pub kb: &'a KbVectors,
    /// Keyed by [`semantic_text`].
    pub messages: &'a HashMap<String, Vec<f32>>,
    pub thresholds: Thresholds,
    pub glossary: &'a Glossary,
}

/// The text matching by meaning compares: normalised, then rewritten by the glossary.
pub fn semantic_text(glossary: &Glossary, text: &str) -> String {
    glossary.apply(&normalize(text))
}

impl Thresholds {
    /// Calibrated for each model (see ARCHITECTURE.md, "Matching").
    pub fn of(model: ModelKind) -> Thresholds {
        match model {
            // Found by `scripts/calibrate_semantic.py --search` on the dev set (the figures are
            // in ARCHITECTURE.md, "Matching by meaning"). An infinite margin: for this model the
            // margin over the runner-up alone never suffices, the z-score decides.
            ModelKind::Light => Thresholds {
                error: 0.90,
                error_floor: 0.30,
                error_margin: f32::INFINITY,
                error_z: 4.0,
                warning: 0.85,
                warning_floor: 0.30,
                warning_margin: 0.01,
                warning_z: 3.0,
                // The KB words one symptom alike under several problems ("Driver crash logged"
                // of 17, "Driver crash error" of 8): a line 0.05 closer to the absent one is no
                // lookalike of it unless it is a confident match of its own ("Database
                // performance is slow" at 0.99 to absent 38's "Slow database performance",
                // 0.91 to present 34's "Database performance degraded": tests/engine/semantic.rs).
                veto_margin: 0.03,
                veto_wide: 0.10,
            },
            ModelKind::Heavy => Thresholds {
                error: 0.95,
                error_floor: 0.30,
                error_margin: f32::INFINITY,
                error_z: 3.0,
                warning: 0.95,
                warning_floor: 0.30,
                warning_margin: 0.005,
                warning_z: 4.0,
                // Any anomaly of an absent problem 0.05 closer vetoes (the dev set: a wide
                // margin costs precision with this model).
                veto_margin: 0.05,
                veto_wide: 0.05,
            },
        }
    }

    fn takes_error(&self, c: &Candidate) -> bool {
        c.score >= self.error
            || (c.score >= self.error_floor
                && (c.margin() >= self.error_margin || c.z >= self.error_z))
    }

    /// An anomaly of an absent problem (`elsewhere`) is clearly closer than `scoped`.
    fn closer_elsewhere(&self, scoped: &Candidate, elsewhere: &Candidate) -> bool {
        let ahead = elsewhere.score - scoped.score;
        ahead > self.veto_margin && (elsewhere.score >= self.warning || ahead > self.veto_wide)
    }

    fn takes_warning(&self, c: &Candidate) -> bool {
        c.score >= self.warning
            || (c.score >= self.warning_floor
                && (c.margin() >= self.warning_margin || c.z >= self.warning_z))
    }
}

/// The best KB text among some candidates for one line, with what the rule weighs.
#[derive(Debug, Clone, Copy)]
struct Candidate {
    index: usize,
    score: f32,
    runner_up: Option<(usize, f32)>,
    /// Standard scores of `score` among the line's scores against every KB text considered.
    z: f32,
}

impl Candidate {
    fn margin(&self) -> f32 {
        self.score - self.runner_up.map_or(0.0, |(_, s)| s)
    }
}

/// Mean and standard deviation of one line's scores against the whole KB: how the line
/// relates to everything it could be (the z-scores of its candidates).
struct Spread {
    mean: f32,
    sd: f32,
}

impl Spread {
    fn of(scores: &[f32]) -> Spread {
        let n = scores.len() as f32;
        let mean = scores.iter().sum::<f32>() / n;
        let sd = (scores.iter().map(|s| (s - mean).powi(2)).sum::<f32>() / n).sqrt();
        Spread { mean, sd }
    }

    fn z(&self, score: f32) -> f32 {
        if self.sd > f32::EPSILON {
            (score - self.mean) / self.sd
        } else {
            0.0
        }
    }
}

/// The best of `scores` restricted to `keep`, its runner-up there (another text), and its
/// z-score in `spread` (of all of `scores`).
fn candidate(
    scores: &[f32],
    texts: &[String],
    spread: &Spread,
    keep: impl Fn(usize) -> bool,
) -> Option<Candidate> {
    let (index, score) = best_of(scores.iter().copied().enumerate().filter(|(i, _)| keep(*i)))?;
    let runner_up = best_of(
        scores
            .iter()
            .copied()
            .enumerate()
            .filter(|(i, _)| keep(*i) && *i != index && texts[*i] != texts[index]),
    );
    Some(Candidate {
        index,
        score,
        runner_up,
        z: spread.z(score),
    })
}

/// Combined similarity of a message to a KB text (see the module docs).
pub fn similarity(msg_vec: &[f32], msg_norm: &str, kb_vec: &[f32], kb_norm: &str) -> f32 {
    let cos = crate::engine::embed::cosine(msg_vec, kb_vec);
    let lex = lexical_similarity(msg_norm, kb_norm);
    cos.max((cos + lex) / 2.0)
}

/// Messages (normalised) of a case's signal lines that exact matching leaves open, each with
/// its pattern: these are what semantic matching needs embedded (one vector per pattern).
pub fn open_messages(
    kb: &KnowledgeBase,
    files: &[ScannedFile],
    glossary: &Glossary,
) -> BTreeMap<String, Option<PatternId>> {
    let mut out = BTreeMap::new();
    for f in files {
        for s in &f.scan.signals {
            if exact_ids(kb, s).is_none() {
                let pattern = f.scan.groups.get(s.group as usize).and_then(|g| g.pattern);
                out.entry(semantic_text(glossary, &s.message))
                    .or_insert(pattern);
            }
        }
    }
    out
}

/// What the organizers' exact rule makes of a signal line: the problems an ERROR names, the
/// anomaly a WARNING is; `None` when it names none — or when its level was only inferred
/// (the rule reads levels as written).
fn exact_ids<'k>(kb: &'k KnowledgeBase, s: &SignalLine) -> Option<Exact<'k>> {
    if s.level_inferred {
        return None;
    }
    match s.level {
        Level::Error => {
            let ids = kb.problem_ids(&s.message);
            (!ids.is_empty()).then_some(Exact::Problems(ids))
        }
        Level::Warning => kb.anomaly(&s.message).map(Exact::Anomaly),
        Level::Info => None,
    }
}

enum Exact<'k> {
    Problems(&'k [u32]),
    Anomaly(usize),
}

/// Matches one case's signal lines against the KB.
pub fn match_case(
    kb: &KnowledgeBase,
    files: &[ScannedFile],
    semantic: Option<&Semantic<'_>>,
) -> CaseMatches {
    let mut m = CaseMatches::default();
    let mut open_errors = Vec::new();
    let mut open_warnings = Vec::new();
    for (fi, f) in files.iter().enumerate() {
        for (si, s) in f.scan.signals.iter().enumerate() {
            let at = SigRef { file: fi, sig: si };
            match (s.level, exact_ids(kb, s)) {
                (_, Some(Exact::Problems(ids))) => {
                    for &problem_id in ids {
                        m.problems.push(ProblemHit {
                            problem_id,
                            at,
                            method: Method::Exact,
                            score: 1.0,
                            runner_up: None,
                        });
                    }
                }
                (_, Some(Exact::Anomaly(anomaly))) => m.anomalies.push(AnomalyHit {
                    anomaly,
                    at,
                    method: Method::Exact,
                    score: 1.0,
                    runner_up: None,
                }),
                (Level::Error, None) => open_errors.push(at),
                (Level::Warning, None) => open_warnings.push(at),
                (Level::Info, None) => {}
            }
        }
    }
    let Some(sem) = semantic else {
        m.unmatched_errors = open_errors;
        m.unmatched_warnings = open_warnings.into_iter().map(|w| (w, None)).collect();
        return m;
    };
    let t = sem.thresholds;
    // The line as matched ([`semantic_text`], normalised once), its vector, and the method a
    // hit reports: `glossary` when an alias rewrote the line.
    let open_line = |at: SigRef| -> Option<(String, &Vec<f32>, Method)> {
        let norm = normalize(&at.get(files).message);
        let key = sem.glossary.apply(&norm);
        let method = if key == norm {
            Method::Semantic
        } else {
            Method::Glossary
        };
        sem.messages.get(&key).map(|v| (key, v, method))
    };
    // Which way each KB text says a quantity went: a line saying the other way is not it.
    // Texts as matched (normalised, glossary applied), so a line's direction is known per
    // distinct text: lines repeat, the regexes would cost more than the rest of the match.
    let problem_dir: Vec<Direction> = sem
        .kb
        .problem_norm
        .iter()
        .map(|t| Direction::of(t))
        .collect();
    let anomaly_dir: Vec<Direction> = sem
        .kb
        .anomaly_norm
        .iter()
        .map(|t| Direction::of(t))
        .collect();
    let mut line_dirs: HashMap<String, Direction> = HashMap::new();
    let mut direction = |key: &str| match line_dirs.get(key) {
        Some(d) => *d,
        None => *line_dirs
            .entry(key.to_owned())
            .or_insert_with(|| Direction::of(key)),
    };
    for at in open_errors {
        let line = at.get(files).message.as_str();
        let best = open_line(at).and_then(|(key, v, method)| {
            let scores: Vec<f32> = (0..sem.kb.problem_ids.len())
                .map(|i| similarity(v, &key, &sem.kb.problem_vecs[i], &sem.kb.problem_norm[i]))
                .collect();
            let spread = Spread::of(&scores);
            let dir = direction(&key);
            candidate(&scores, &sem.kb.problem_norm, &spread, |i| {
                !dir.opposes(problem_dir[i])
            })
            .map(|c| (c, method))
        });
        match best {
            Some((c, method))
                if t.takes_error(&c)
                    && !vetoes::states_recovery(line)
                    && !vetoes::other_instance(line, sem.kb.problem_raw(kb, c.index)) =>
            {
                m.problems.push(ProblemHit {
                    problem_id: sem.kb.problem_ids[c.index],
                    at,
                    method,
                    score: c.score,
                    runner_up: c.runner_up,
                });
            }
            _ => m.unmatched_errors.push(at),
        }
    }
    let present = m.present_problems();
    let in_scope: Vec<bool> = kb
        .anomaly_links
        .iter()
        .map(|links| links.iter().any(|(_, p)| present.contains(p)))
        .collect();
    for at in open_warnings {
        let Some((key, v, method)) = open_line(at) else {
            m.unmatched_warnings.push((at, None));
            continue;
        };
        let line = at.get(files).message.as_str();
        let scores: Vec<f32> = (0..kb.anomalies.len())
            .map(|i| similarity(v, &key, &sem.kb.anomaly_vecs[i], &sem.kb.anomaly_norm[i]))
            .collect();
        let texts = &sem.kb.anomaly_norm;
        let spread = Spread::of(&scores);
        let dir = direction(&key);
        let overall = candidate(&scores, texts, &spread, |i| !dir.opposes(anomaly_dir[i]));
        let scoped = candidate(&scores, texts, &spread, |i| {
            in_scope[i] && !dir.opposes(anomaly_dir[i])
        });
        let stands = |c: &Candidate| {
            t.takes_warning(c)
                // A neutral line is no evidence of a fault; of an anomaly the KB itself words
                // neutrally ("UPS switched to battery power") it may be, when it says the
                // same (a high absolute score: "GPU driver loaded" is not "GPU temp 95C").
                && (vetoes::names_a_fault(line, &key)
                    || (c.score >= t.warning
                        && !vetoes::names_a_fault(&kb.anomalies[c.index], &texts[c.index])))
                && !vetoes::states_recovery(line)
                && !vetoes::other_instance(line, &kb.anomalies[c.index])
        };
        let hit = |c: Candidate| AnomalyHit {
            anomaly: c.index,
            at,
            method,
            score: c.score,
            runner_up: c.runner_up,
        };
        match (scoped, overall) {
            // An anomaly of a present problem, unless one of an absent problem is clearly
            // closer (the line is more likely that one's lookalike).
            (Some(c), Some(o)) if stands(&c) && !t.closer_elsewhere(&c, &o) => {
                m.anomalies.push(hit(c));
            }
            // Otherwise the whole KB (predictions and novelty only: no problem is present).
            (_, Some(o)) if stands(&o) => m.anomalies.push(hit(o)),
            (_, nearest) => m
                .unmatched_warnings
                .push((at, nearest.map(|o| (o.index, o.score)))),
        }
    }
    m
}

fn best_of(scores: impl Iterator<Item = (usize, f32)>) -> Option<(usize, f32)> {
    scores.fold(None, |best, (i, s)| match best {
        Some((_, b)) if b >= s => best,
        _ => Some((i, s)),
    })
}

/// One report row before it is dressed for output.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RawLink {
    pub anomaly_id: u32,
    pub problem_id: u32,
    pub error: SigRef,
    pub warning: SigRef,
    pub anomaly: usize,
    pub method: Method,
    pub score: f32,
    /// The two sides' evidence (scores and runner-ups when matched by similarity).
    pub warning_hit: AnomalyHit,
    pub error_hit: ProblemHit,
}

/// Every (anomaly → problem) link whose both sides occur, one row per ERROR line of the
/// problem; duplicates dropped (the exact or better-scored evidence wins). The WARNING shown
/// is the anomaly's first occurrence in time.
pub fn links(kb: &KnowledgeBase, files: &[ScannedFile], m: &CaseMatches) -> Vec<RawLink> {
    // Best evidence per anomaly text: exact before semantic, then higher score, then earliest.
    let mut anomaly_best: HashMap<usize, AnomalyHit> = HashMap::new();
    for hit in &m.anomalies {
        let better = match anomaly_best.get(&hit.anomaly) {
            None => true,
            Some(cur) => evidence_key(hit, files) < evidence_key(cur, files),
        };
        if better {
            anomaly_best.insert(hit.anomaly, *hit);
        }
    }
    let mut by_problem: HashMap<u32, Vec<&ProblemHit>> = HashMap::new();
    for p in &m.problems {
        by_problem.entry(p.problem_id).or_default().push(p);
    }
    let mut rows: HashMap<(u32, u32, SigRef), RawLink> = HashMap::new();
    for (anomaly, hit) in &anomaly_best {
        for &(anomaly_id, problem_id) in &kb.anomaly_links[*anomaly] {
            let Some(errors) = by_problem.get(&problem_id) else {
                continue;
            };
            for e in errors {
                let method = Method::combine(hit.method, e.method);
                let score = if method == Method::Exact {
                    1.0
                } else {
                    hit.score.min(e.score)
                };
                let row = RawLink {
                    anomaly_id,
                    problem_id,
                    error: e.at,
                    warning: hit.at,
                    anomaly: *anomaly,
                    method,
                    score,
                    warning_hit: *hit,
                    error_hit: **e,
                };
                rows.entry((anomaly_id, problem_id, e.at))
                    .and_modify(|cur| {
                        if (row.method == Method::Exact && cur.method != Method::Exact)
                            || row.score > cur.score
                        {
                            *cur = row;
                        }
                    })
                    .or_insert(row);
            }
        }
    }
    let mut out: Vec<RawLink> = rows.into_values().collect();
    out.sort_by(|a, b| {
        (
            a.problem_id,
            a.anomaly_id,
            a.error.get(files).line,
            &files[a.error.file].name,
        )
            .cmp(&(
                b.problem_id,
                b.anomaly_id,
                b.error.get(files).line,
                &files[b.error.file].name,
            ))
    });
    out
}

fn evidence_key<'a>(hit: &AnomalyHit, files: &'a [ScannedFile]) -> (u8, i64, &'a LogTime, u64) {
    let s = hit.at.get(files);
    let method_rank = u8::from(hit.method != Method::Exact);
    // Higher score first: negate on an integer scale to keep a total order.
    (
        method_rank,
        -((hit.score * 1e6) as i64),
        &s.timestamp,
        s.line,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::scan::scan;

    fn file(name: &str, lines: &[(u64, &str)]) -> ScannedFile {
        let last = lines.iter().map(|l| l.0).max().unwrap_or(0);
        let mut text = String::new();
        for n in 1..=last {
            match lines.iter().find(|l| l.0 == n) {
                Some((_, l)) => text.push_str(l),
                None => text.push_str("2025-10-06T00:00:00 INFO os: tick"),
            }
            text.push('\n');
        }
        ScannedFile {
            name: name.into(),
            scan: scan(text.as_bytes(), 0, |_, _| true).expect("scan"),
        }
    }

    fn exact_links(files: &[ScannedFile]) -> Vec<(u32, u32, String, u64)> {
        let kb = KnowledgeBase::builtin();
        let m = match_case(&kb, files, None);
        links(&kb, files, &m)
            .iter()
            .map(|l| {
                (
                    l.anomaly_id,
                    l.problem_id,
                    files[l.error.file].name.clone(),
                    l.error.get(files).line,
                )
            })
            .collect()
    }

    #[test]
    fn two_id_anomaly_links_only_to_the_problem_present() {
        // "eth0: link down" is 65 → 9 and 161 → 21; only problem 21 occurs.
        let files = [
            file(
                "a.txt",
                &[(3, "2025-10-06T10:00:00 WARNING network: eth0: link down")],
            ),
            file(
                "b.txt",
                &[(
                    5,
                    "2025-10-06T09:00:00 ERROR network: Network interface eth0 link failure",
                )],
            ),
        ];
        assert_eq!(exact_links(&files), vec![(161, 21, "b.txt".into(), 5)]);
    }

    #[test]
    fn error_before_warning_in_another_file_and_repeated_error_lines() {
        let files = [
            file(
                "db.txt",
                &[
                    (
                        2,
                        "2025-10-06T01:00:00 ERROR database: Index corruption on table",
                    ),
                    (
                        9,
                        "2025-10-06T01:00:07 ERROR database: Index corruption on table",
                    ),
                ],
            ),
            file(
                "web.txt",
                &[(
                    4,
                    "2025-10-06T05:00:00 WARNING database: Slow query from index issue",
                )],
            ),
        ];
        let got = exact_links(&files);
        assert_eq!(got.len(), 2, "{got:?}");
        assert!(got.iter().all(|(_, p, f, _)| *p == 34 && f == "db.txt"));
        assert_eq!(got.iter().map(|g| g.3).collect::<Vec<_>>(), vec![2, 9]);
    }

    #[test]
    fn generic_anomaly_links_to_each_present_problem_only() {
        let kb = KnowledgeBase::builtin();
        let generic = kb
            .links
            .iter()
            .find(|l| l.anomaly_id == 481)
            .expect("481")
            .anomaly
            .clone();
        let files = [file(
            "x.txt",
            &[
                (1, &format!("2025-10-06T00:00:01 WARNING os: {generic}")),
                (
                    2,
                    "2025-10-06T00:00:02 ERROR network: Network interface eth0 link failure",
                ),
                (
                    3,
                    "2025-10-06T00:00:03 ERROR database: Index corruption on table",
                ),
            ],
        )];
        let got = exact_links(&files);
        let expected_problems: Vec<u32> = kb
            .links
            .iter()
            .filter(|l| l.anomaly_id == 481 && (l.problem_id == 21 || l.problem_id == 34))
            .map(|l| l.problem_id)
            .collect();
        let got_problems: Vec<u32> = got.iter().filter(|g| g.0 == 481).map(|g| g.1).collect();
        let mut e = expected_problems.clone();
        e.sort_unstable();
        assert_eq!(got_problems, e);
        assert!(!got_problems.is_empty());
    }

    #[test]
    fn no_row_without_both_sides() {
        let files = [file(
            "x.txt",
            &[(1, "2025-10-06T00:00:01 WARNING os: eth0: link down")],
        )];
        assert!(exact_links(&files).is_empty());
        let files = [file(
            "x.txt",
            &[(
                1,
                "2025-10-06T00:00:01 ERROR network: Index corruption on table",
            )],
        )];
        assert!(exact_links(&files).is_empty());
    }

    #[test]
    fn best_of_prefers_first_on_ties() {
        assert_eq!(
            best_of([(0, 0.5), (1, 0.5), (2, 0.4)].into_iter()),
            Some((0, 0.5))
        );
        assert_eq!(best_of(std::iter::empty()), None);
    }
}
