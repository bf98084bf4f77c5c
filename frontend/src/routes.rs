//! The web app's own addresses, written in one place (the server's are in [`crate::api`]).

use loglens_shared::IncidentKey;

/// The upload page.
pub const HOME: &str = "/";

/// The dashboard of analysis `id`.
pub fn dashboard(id: &str) -> String {
    format!("/dashboard/{id}")
}

/// `/dashboard` without an id (the prototype's upload page redirects there): the dashboard
/// of the latest finished analysis, with the same query (`from_analysis=true` shows the toast).
pub fn latest_dashboard(id: &str, query: &str) -> String {
    let query = query.trim_start_matches('?');
    if query.is_empty() {
        dashboard(id)
    } else {
        format!("/dashboard/{id}?{query}")
    }
}

/// The dashboard of `id` right after its analysis finished: it shows the completion toast.
pub fn dashboard_after_analysis(id: &str) -> String {
    format!("/dashboard/{id}?from_analysis=true")
}

/// The dashboard of `id` with the explorer open on `incident`.
pub fn incident(id: &str, incident: IncidentKey) -> String {
    format!("/dashboard/{id}?incident={incident}")
}

/// Two analyses side by side.
pub fn compare(a: &str, b: &str) -> String {
    format!("/compare?a={a}&b={b}")
}

/// The upload page watching analysis `id` (its progress overlay).
pub fn watch(id: &str) -> String {
    format!("/?watch={id}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses() {
        assert_eq!(dashboard("a"), "/dashboard/a");
        assert_eq!(
            incident("a", IncidentKey::new(3, 12)),
            "/dashboard/a?incident=3-12"
        );
        assert_eq!(watch("a"), "/?watch=a");
        assert_eq!(
            latest_dashboard("a", "?auto_load=true&from_analysis=true"),
            "/dashboard/a?auto_load=true&from_analysis=true"
        );
        assert_eq!(latest_dashboard("a", ""), "/dashboard/a");
        assert_eq!(
            dashboard_after_analysis("a"),
            "/dashboard/a?from_analysis=true"
        );
    }
}
