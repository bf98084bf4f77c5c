//! Stage 7: the organizers' exact rule, then matching by meaning (ERROR → problem, WARNING →
//! anomaly) over the messages that are still open, embedded once per pattern for all cases.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use super::embedding::KbVectorSets;
use super::knowledge::Knowledge;
use super::notes::Note;
use super::read_logs::Scanned;
use super::run::{Step, ratio};
use crate::engine::EngineError;
use crate::engine::embed::{Embedder, VectorCache};
use crate::engine::glossary::UsedAlias;
use crate::engine::matching::{self, CaseMatches, RawLink, Semantic, Thresholds};
use crate::engine::normalize::normalize;
use crate::engine::patterns::PatternId;
use loglens_shared::api::NotRelevant;
use loglens_shared::report::Method;

/// `link` is one an operator marked not relevant for the knowledge base `kb_hash`, and only
/// meaning makes it: the organizers' exact rule is never overruled.
fn marked_out(link: &RawLink, kb_hash: &str, marks: &[NotRelevant]) -> bool {
    link.method != Method::Exact
        && marks.iter().any(|m| {
            m.kb_hash == kb_hash
                && m.anomaly_id == link.anomaly_id
                && m.problem_id == link.problem_id
        })
}

/// What matched in each case, in plan order: the hits and the report rows they make; and the
/// glossary's aliases that rewrote a message matched by meaning.
pub struct Classified {
    pub cases: Vec<(CaseMatches, Vec<RawLink>)>,
    pub aliases_used: BTreeSet<UsedAlias>,
    /// Links left out because they were marked not relevant.
    pub left_out: usize,
}

/// The semantic side of stage 7: the model, its vector caches and thresholds.
pub struct Meaning<'a> {
    pub model: &'a dyn Embedder,
    pub cache: &'a VectorCache,
    pub kb_vectors: &'a KbVectorSets,
    pub thresholds: Thresholds,
}

pub fn classify(
    step: &Step<'_>,
    knowledge: &Knowledge,
    scanned: &Scanned,
    meaning: Option<&Meaning<'_>>,
    not_relevant: &[NotRelevant],
) -> Result<(Classified, Note), EngineError> {
    let mut messages = HashMap::new();
    if let Some(m) = meaning {
        // One vector per pattern: each open message takes the vector of its pattern's first
        // message (a real line, which keeps the specifics a template's `<*>` would blur:
        // `CPU0`), so thousands of variants of a message cost one embedding.
        let mut open: BTreeMap<String, Option<PatternId>> = BTreeMap::new();
        for (files, kb) in scanned.iter().zip(&knowledge.per_case) {
            open.extend(matching::open_messages(kb, files, &knowledge.glossary));
        }
        let mut first_of: HashMap<PatternId, &String> = HashMap::new();
        for (norm, pattern) in &open {
            if let Some(p) = pattern {
                first_of.entry(*p).or_insert(norm);
            }
        }
        let text_of = |norm: &String, pattern: &Option<PatternId>| -> String {
            pattern
                .and_then(|p| first_of.get(&p))
                .map_or_else(|| norm.clone(), |first| (*first).clone())
        };
        let texts: Vec<String> = open
            .iter()
            .map(|(norm, pattern)| text_of(norm, pattern))
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        let total = texts.len();
        let vectors = m.cache.messages(m.model, &texts, &mut |done, _| {
            step.progress(0.1 + 0.8 * ratio(done as u64, total as u64), || {
                Note::SemanticMatching { done, total }
            })
        })?;
        for (norm, pattern) in &open {
            if let Some(v) = vectors.get(&text_of(norm, pattern)) {
                messages.insert(norm.clone(), v.clone());
            }
        }
    }
    let mut out = Vec::with_capacity(scanned.len());
    let mut left_out = 0;
    for (files, kb) in scanned.iter().zip(&knowledge.per_case) {
        let sem = meaning.and_then(|m| {
            m.kb_vectors.get(&kb.content_hash).map(|kbv| Semantic {
                kb: kbv,
                messages: &messages,
                thresholds: m.thresholds,
                glossary: &knowledge.glossary,
            })
        });
        let hits = matching::match_case(kb, files, sem.as_ref());
        let mut links = matching::links(kb, files, &hits);
        let before = links.len();
        links.retain(|l| !marked_out(l, &kb.content_hash, not_relevant));
        left_out += before - links.len();
        out.push((hits, links));
    }
    let links = out.iter().map(|(_, l)| l.len()).sum();
    let mut aliases_used = BTreeSet::new();
    if meaning.is_some() {
        // Only the lines a hit says the glossary rewrote: the aliases that made a match.
        for ((hits, _), files) in out.iter().zip(scanned) {
            let rewritten = hits
                .problems
                .iter()
                .map(|h| (h.at, h.method))
                .chain(hits.anomalies.iter().map(|h| (h.at, h.method)))
                .filter(|(_, method)| *method == Method::Glossary);
            for (at, _) in rewritten {
                let norm = normalize(&at.get(files).message);
                knowledge.glossary.apply_noting(&norm, &mut aliases_used);
            }
        }
    }
    let out = Classified {
        cases: out,
        aliases_used,
        left_out,
    };
    Ok((out, Note::Matched { links }))
}
