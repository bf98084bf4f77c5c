//! Request and response bodies of the HTTP API.

use serde::{Deserialize, Serialize};

/// `GET /api/version`: what is running.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct VersionInfo {
    /// Product name, always `LogLens`.
    pub name: String,
    /// Semantic version of the backend crate.
    pub version: String,
}

/// An RFC 9457 `application/problem+json` body: every API error has this shape.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ProblemDetails {
    /// A URI reference naming the problem type (`about:blank` when the status says it all).
    #[serde(rename = "type")]
    pub kind: String,
    /// Short human-readable summary, the same for every occurrence of this `code`.
    pub title: String,
    /// HTTP status code, repeated for clients that only see the body.
    pub status: u16,
    /// What went wrong this time, for a person to read.
    pub detail: String,
    /// Stable machine-readable error code (`not_found`, `bad_upload`, ...).
    pub code: String,
}

/// Media type of [`ProblemDetails`] responses.
pub const PROBLEM_JSON: &str = "application/problem+json";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn problem_details_uses_rfc9457_field_names() {
        let p = ProblemDetails {
            kind: "about:blank".into(),
            title: "Not Found".into(),
            status: 404,
            detail: "no route for /api/nope".into(),
            code: "not_found".into(),
        };
        let v = serde_json::to_value(&p).expect("serialises");
        assert_eq!(v["type"], "about:blank");
        assert_eq!(v["status"], 404);
        assert_eq!(v["code"], "not_found");
        let back: ProblemDetails = serde_json::from_value(v).expect("round-trips");
        assert_eq!(back, p);
    }
}
