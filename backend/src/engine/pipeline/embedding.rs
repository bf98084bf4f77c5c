//! Stages 3 and 5: the model (only when matching by meaning), then the vectors of every
//! distinct knowledge base (cached per model and knowledge-base content).

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Instant;

use super::knowledge::Knowledge;
use super::notes::Note;
use super::run::{Step, ratio};
use crate::engine::embed::models::ModelRegistry;
use crate::engine::embed::pending::PendingModel;
use crate::engine::embed::{Embedder, VectorCache};
use crate::engine::matching::KbVectors;
use crate::engine::{AnalysisRequest, EngineError};

/// Stage 3: the model of the request (loaded once per process); `None` for exact matching.
/// When the process has it already, it is ready; otherwise it loads on its own thread while
/// the knowledge base and the logs are read ([`PendingModel`]), and a missing model fails
/// this stage.
pub fn load_model(
    models: &Arc<ModelRegistry>,
    req: &AnalysisRequest,
) -> Result<(Option<Arc<dyn Embedder>>, Note), EngineError> {
    if !req.semantic {
        return Ok((None, Note::NoModelNeeded));
    }
    let t = Instant::now();
    if let Some(model) = models.loaded(req.model) {
        let note = Note::ModelReady {
            model: req.model,
            ms: t.elapsed().as_millis(),
        };
        return Ok((Some(model), note));
    }
    let model = PendingModel::start(models, req.model)?;
    Ok((
        Some(Arc::new(model)),
        Note::ModelLoadingAlongside(req.model),
    ))
}

/// KB vectors by knowledge-base content hash.
pub type KbVectorSets = HashMap<String, Arc<KbVectors>>;

/// Stage 5: the vectors of each distinct knowledge base.
pub fn embed_knowledge(
    step: &Step<'_>,
    cache: &VectorCache,
    model: Option<&dyn Embedder>,
    knowledge: &Knowledge,
) -> Result<(KbVectorSets, Note), EngineError> {
    let Some(model) = model else {
        return Ok((KbVectorSets::new(), Note::NoEmbeddingsNeeded));
    };
    let total = knowledge.texts();
    let mut sets = KbVectorSets::new();
    let mut base = 0;
    for kb in &knowledge.distinct {
        let v = cache.kb_vectors(model, kb, &knowledge.glossary, &mut |done, _| {
            let done = base + done;
            step.progress(ratio(done as u64, total as u64), || {
                Note::EmbeddingKnowledgeBase { done, total }
            })
        })?;
        base += kb.problems.len() + kb.anomalies.len();
        sets.insert(kb.content_hash.clone(), v);
    }
    Ok((sets, Note::KnowledgeBaseEmbedded { texts: total }))
}
