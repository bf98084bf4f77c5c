//! "Not relevant" marks on links, kept per knowledge base (its content hash, as the report's
//! scenarios name it): `GET /api/kb/{hash}/not-relevant` lists them, `PUT` and `DELETE` on
//! `/api/kb/{hash}/not-relevant/{anomaly}/{problem}` set and take back one. Later analyses
//! with that knowledge base leave such a link out where only meaning would make it
//! (`engine::pipeline::classify`); the organizers' exact rule is never overruled.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use loglens_shared::api::NotRelevant;

use super::error::ApiError;
use super::extract::Path;
use super::state::AppState;

/// The longest knowledge-base hash accepted (a SHA-256 is 64 hex digits).
const MAX_HASH_CHARS: usize = 128;

/// A knowledge base's content hash: lowercase hex, as the report gives it.
fn kb_hash(raw: &str) -> Result<String, ApiError> {
    if raw.is_empty()
        || raw.len() > MAX_HASH_CHARS
        || !raw
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    {
        return Err(ApiError::BadRequest(format!(
            "{raw:?} is not a knowledge base's hash (lowercase hex, as a report's scenarios give it)"
        )));
    }
    Ok(raw.to_owned())
}

/// `GET /api/kb/{hash}/not-relevant`.
pub async fn list(
    State(app): State<AppState>,
    Path(hash): Path<String>,
) -> Result<Json<Vec<NotRelevant>>, ApiError> {
    Ok(Json(app.jobs.not_relevant(kb_hash(&hash)?).await?))
}

/// `PUT` (mark) and `DELETE` (take back) `/api/kb/{hash}/not-relevant/{anomaly}/{problem}`.
async fn set(
    app: AppState,
    (hash, anomaly_id, problem_id): (String, u32, u32),
    marked: bool,
) -> Result<Response, ApiError> {
    let mark = NotRelevant {
        kb_hash: kb_hash(&hash)?,
        anomaly_id,
        problem_id,
    };
    tracing::info!(kb = %mark.kb_hash, anomaly_id, problem_id, marked, "link marked");
    app.jobs.set_not_relevant(mark, marked).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

pub async fn mark(
    State(app): State<AppState>,
    Path(key): Path<(String, u32, u32)>,
) -> Result<Response, ApiError> {
    set(app, key, true).await
}

pub async fn unmark(
    State(app): State<AppState>,
    Path(key): Path<(String, u32, u32)>,
) -> Result<Response, ApiError> {
    set(app, key, false).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_hex_hashes_name_a_knowledge_base() {
        assert!(kb_hash("0a9f").is_ok());
        for bad in ["", "0A9F", "../x", &"a".repeat(129)] {
            assert!(kb_hash(bad).is_err(), "{bad}");
        }
    }
}
