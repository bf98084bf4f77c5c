//! Where the web app finds its backend.
//!
//! The API base URL is fixed at build time (empty = the page's own origin); the WebSocket
//! URL is always derived from it, so the two can never point at different servers.

/// Joins an API base (`""` or `https://host:port/prefix`) and an absolute path (`/api/...`).
pub fn api_url(api_base: &str, path: &str) -> String {
    format!("{}{}", api_base.trim_end_matches('/'), path)
}

/// The WebSocket URL for `path`: the API base with `http`→`ws` and `https`→`wss`; with an
/// empty base, the page's origin (e.g. `http://localhost:8080`) takes its place.
pub fn websocket_url(api_base: &str, page_origin: &str, path: &str) -> String {
    let base = if api_base.trim().is_empty() {
        page_origin
    } else {
        api_base
    };
    let base = base.trim_end_matches('/');
    let ws_base = if let Some(rest) = base.strip_prefix("https://") {
        format!("wss://{rest}")
    } else if let Some(rest) = base.strip_prefix("http://") {
        format!("ws://{rest}")
    } else {
        base.to_owned()
    };
    format!("{ws_base}{path}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_origin_by_default() {
        assert_eq!(api_url("", "/api/version"), "/api/version");
        assert_eq!(
            websocket_url("", "http://127.0.0.1:8080", "/ws/progress/x"),
            "ws://127.0.0.1:8080/ws/progress/x"
        );
        assert_eq!(
            websocket_url("", "https://logs.example", "/ws"),
            "wss://logs.example/ws"
        );
    }

    #[test]
    fn configured_base_wins_and_keeps_its_prefix() {
        assert_eq!(
            api_url("https://api.example/ll/", "/api/version"),
            "https://api.example/ll/api/version"
        );
        assert_eq!(
            websocket_url(
                "https://api.example/ll/",
                "http://localhost:8080",
                "/ws/progress/1"
            ),
            "wss://api.example/ll/ws/progress/1"
        );
        assert_eq!(
            websocket_url("http://10.0.0.1:9000", "https://x", "/ws"),
            "ws://10.0.0.1:9000/ws"
        );
    }
}
