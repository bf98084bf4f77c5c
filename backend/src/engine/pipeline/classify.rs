//! Stage 7: the organizers' exact rule, then matching by meaning (ERROR → problem, WARNING →
//! anomaly) over the messages that are still open, embedded once for all cases.

use std::collections::{BTreeSet, HashMap};

use super::embedding::KbVectorSets;
use super::knowledge::Knowledge;
use super::notes::Note;
use super::read_logs::Scanned;
use super::run::{Step, ratio};
use crate::engine::EngineError;
use crate::engine::embed::{Embedder, VectorCache};
use crate::engine::matching::{self, CaseMatches, RawLink, Semantic, Thresholds};

/// What matched in each case, in plan order: the hits and the report rows they make.
pub type Classified = Vec<(CaseMatches, Vec<RawLink>)>;

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
) -> Result<(Classified, Note), EngineError> {
    let mut messages = HashMap::new();
    if let Some(m) = meaning {
        let mut open = BTreeSet::new();
        for (files, kb) in scanned.iter().zip(&knowledge.per_case) {
            open.extend(matching::open_messages(kb, files));
        }
        let open: Vec<String> = open.into_iter().collect();
        let total = open.len();
        messages = m.cache.messages(m.model, &open, &mut |done, _| {
            step.progress(0.1 + 0.8 * ratio(done as u64, total as u64), || {
                Note::SemanticMatching { done, total }
            })
        })?;
    }
    let mut out = Classified::with_capacity(scanned.len());
    for (files, kb) in scanned.iter().zip(&knowledge.per_case) {
        let sem = meaning.and_then(|m| {
            m.kb_vectors.get(&kb.content_hash).map(|kbv| Semantic {
                kb: kbv,
                messages: &messages,
                thresholds: m.thresholds,
            })
        });
        let hits = matching::match_case(kb, files, sem.as_ref());
        let links = matching::links(kb, files, &hits);
        out.push((hits, links));
    }
    let links = out.iter().map(|(_, l)| l.len()).sum();
    Ok((out, Note::Matched { links }))
}
