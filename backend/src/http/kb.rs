//! New versions of a knowledge base from an analysis: `POST /api/sessions/{id}/kb` with the
//! anomalies an operator promoted (patterns, novel anomalies) answers the scenario's knowledge
//! base with them added, as a CSV download; `POST …/rerun` with the same change runs the
//! analysis again with it (every case then uses it).

use axum::extract::State;
use axum::response::Response;
use loglens_shared::api::KbChange;

use super::error::ApiError;
use super::extract::{OptionalJson, Path};
use super::sessions::finished;
use super::state::AppState;
use crate::engine::input::kb_edit;
use crate::jobs::NewKb;

/// The new version of `change.scenario_id`'s knowledge base in analysis `id`.
pub(super) async fn new_version(
    app: &AppState,
    id: &str,
    change: &KbChange,
) -> Result<NewKb, ApiError> {
    let done = finished(app, id).await?;
    let report = done.report(id).await?;
    let scenario = report
        .scenarios
        .iter()
        .find(|s| s.id == change.scenario_id)
        .ok_or_else(|| {
            ApiError::BadRequest(format!(
                "the analysis has no scenario {}",
                change.scenario_id
            ))
        })?;
    let source = scenario.kb_source.clone();
    let record = done.job.clone();
    let jobs = std::sync::Arc::clone(&app.jobs);
    let base_source = source.clone();
    let base = tokio::task::spawn_blocking(move || jobs.knowledge_base_of(&record, &base_source))
        .await
        .map_err(|e| ApiError::internal("reading a knowledge base", e))??;
    let links = kb_edit::with_additions(&base, &change.additions)
        .map_err(|e| ApiError::BadRequest(e.to_string()))?;
    Ok(NewKb {
        name: version_name(&done.name, &source),
        bytes: kb_edit::to_csv(&links),
    })
}

/// `<analysis>_knowledge_base_v<N>.csv`: one more than the version it grew from (2 from any
/// other knowledge base).
fn version_name(analysis: &str, source: &str) -> String {
    let from = source
        .rsplit(['/', ' '])
        .next()
        .and_then(|f| f.strip_suffix(".csv"))
        .and_then(|f| f.rsplit_once("_knowledge_base_v"))
        .and_then(|(stem, v)| Some((stem.to_owned(), v.parse::<u32>().ok()?)));
    match from {
        Some((stem, v)) => format!("{stem}_knowledge_base_v{}.csv", v + 1),
        None => format!("{analysis}_knowledge_base_v2.csv"),
    }
}

/// `POST /api/sessions/{id}/kb`: the new version, downloaded.
pub async fn download(
    State(app): State<AppState>,
    Path(id): Path<String>,
    OptionalJson(change): OptionalJson<KbChange>,
) -> Result<Response, ApiError> {
    let kb = new_version(&app, &id, &change).await?;
    let len = kb.bytes.len() as u64;
    Ok(super::files::attachment(
        axum::body::Body::from(kb.bytes),
        &kb.name,
        Some(len),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_count_up() {
        assert_eq!(
            version_name("vc", "Validation Cases/case 1/anomalies_problems.csv"),
            "vc_knowledge_base_v2.csv"
        );
        assert_eq!(version_name("vc", "built-in"), "vc_knowledge_base_v2.csv");
        assert_eq!(
            version_name("vc", "uploaded: vc_knowledge_base_v2.csv"),
            "vc_knowledge_base_v3.csv"
        );
    }
}
