//! What a browser on another site must not be able to do: reach this server under a name it
//! does not serve (DNS rebinding: `Host: evil.test` resolving to 127.0.0.1 → 421), open a
//! progress socket from a foreign page (`Origin` checked on upgrades), frame the app, run
//! script the app did not ship (a Content-Security-Policy built from the app's own
//! `index.html`).

use std::collections::BTreeSet;
use std::net::SocketAddr;
use std::path::Path;

use axum::extract::{Request, State};
use axum::http::{HeaderValue, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};

use super::ApiError;

/// Host names the server answers to.
#[derive(Debug, Clone)]
pub struct AllowedHosts {
    /// `None` = any (`*` configured).
    names: Option<BTreeSet<String>>,
    /// Origins of other sites allowed by CORS, also allowed to open sockets.
    cors: Vec<String>,
}

impl AllowedHosts {
    /// The bind address, `localhost`, `127.0.0.1`, `[::1]`, plus the configured names;
    /// `*` among them turns the check off.
    pub fn new(bind: SocketAddr, configured: &[String], cors: &[String]) -> Self {
        let configured: Vec<String> = configured
            .iter()
            .map(|h| h.trim().to_ascii_lowercase())
            .filter(|h| !h.is_empty())
            .collect();
        let cors = cors
            .iter()
            .map(|o| o.trim().trim_end_matches('/').to_ascii_lowercase())
            .filter(|o| !o.is_empty())
            .collect();
        if configured.iter().any(|h| h == "*") {
            return Self { names: None, cors };
        }
        let mut names: BTreeSet<String> = ["localhost", "127.0.0.1", "::1"]
            .into_iter()
            .map(str::to_owned)
            .collect();
        names.insert(bind.ip().to_string());
        names.extend(configured.into_iter().map(|h| host_name(&h).to_owned()));
        Self {
            names: Some(names),
            cors,
        }
    }

    /// Whether a `Host` header (name, optional port) names this server.
    pub fn allows_host(&self, host: &str) -> bool {
        match &self.names {
            None => true,
            Some(names) => names.contains(&host_name(&host.to_ascii_lowercase()).to_owned()),
        }
    }

    /// Whether a page of `origin` may open a socket here: the same allowed hosts, or a CORS
    /// origin.
    pub fn allows_origin(&self, origin: &str) -> bool {
        let origin = origin.trim().trim_end_matches('/').to_ascii_lowercase();
        if self.names.is_none() || self.cors.iter().any(|o| o == "*" || *o == origin) {
            return true;
        }
        let authority = origin
            .split_once("://")
            .map_or(origin.as_str(), |(_, rest)| rest);
        self.allows_host(authority)
    }
}

/// The name of a `host[:port]` or `[v6]:port` authority, without port and brackets.
pub fn host_name(authority: &str) -> &str {
    if let Some(rest) = authority.strip_prefix('[') {
        return rest.split(']').next().unwrap_or(rest);
    }
    match authority.rsplit_once(':') {
        // one colon: a port; several: a bare IPv6 address
        Some((name, port)) if !name.contains(':') && port.chars().all(|c| c.is_ascii_digit()) => {
            name
        }
        _ => authority,
    }
}

/// Middleware: 421 for a `Host` this server does not serve; 403 for a socket opened from a
/// foreign page.
pub async fn guard(State(hosts): State<AllowedHosts>, request: Request, next: Next) -> Response {
    let host = request
        .headers()
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .or_else(|| request.uri().authority().map(|a| a.as_str()))
        .unwrap_or_default()
        .to_owned();
    if !hosts.allows_host(&host) {
        return ApiError::MisdirectedHost(host).into_response();
    }
    let upgrade = request
        .headers()
        .get(header::UPGRADE)
        .is_some_and(|v| v.as_bytes().eq_ignore_ascii_case(b"websocket"));
    if upgrade
        && let Some(origin) = request.headers().get(header::ORIGIN)
        && !origin.to_str().is_ok_and(|o| hosts.allows_origin(o))
    {
        return ApiError::ForeignOrigin(String::from_utf8_lossy(origin.as_bytes()).into_owned())
            .into_response();
    }
    next.run(request).await
}

/// The headers every response of the web app carries.
#[derive(Debug, Clone)]
pub struct SecurityHeaders {
    csp: HeaderValue,
}

impl SecurityHeaders {
    /// A policy as strict as the app allows: its own scripts only (the inline loader trunk
    /// writes into `index.html` admitted by hash), WebAssembly, no plugins, no framing.
    pub fn for_app(index_html: &Path, cors: &[String]) -> Self {
        let hashes: Vec<String> = std::fs::read_to_string(index_html)
            .map(|html| inline_script_hashes(&html))
            .unwrap_or_default();
        let connect: Vec<&str> = cors
            .iter()
            .map(|o| o.trim())
            .filter(|o| !o.is_empty() && *o != "*")
            .collect();
        let csp = format!(
            "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'{}; style-src 'self' 'unsafe-inline'; \
             img-src 'self' data:; font-src 'self'; connect-src 'self'{}; object-src 'none'; \
             base-uri 'self'; form-action 'self'; frame-ancestors 'none'",
            hashes.iter().map(|h| format!(" '{h}'")).collect::<String>(),
            connect.iter().map(|o| format!(" {o}")).collect::<String>(),
        );
        Self {
            csp: HeaderValue::from_str(&csp)
                .unwrap_or_else(|_| HeaderValue::from_static("frame-ancestors 'none'")),
        }
    }
}

/// `sha256-…` of every inline `<script>` of a page (those without `src`).
pub fn inline_script_hashes(html: &str) -> Vec<String> {
    use base64::Engine;
    let mut out = Vec::new();
    let mut rest = html;
    while let Some(start) = rest.find("<script") {
        rest = &rest[start..];
        let Some(open_end) = rest.find('>') else {
            break;
        };
        let attrs = &rest[..open_end];
        let body_start = open_end + 1;
        let Some(close) = rest[body_start..].find("</script>") else {
            break;
        };
        let body = &rest[body_start..body_start + close];
        if !attrs.contains("src=") {
            let digest = Sha256::digest(body.as_bytes());
            out.push(format!(
                "sha256-{}",
                base64::engine::general_purpose::STANDARD.encode(digest)
            ));
        }
        rest = &rest[body_start + close..];
    }
    out
}

/// Middleware: the security headers on every response.
pub async fn headers(State(sec): State<SecurityHeaders>, request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    let h = response.headers_mut();
    h.insert(header::CONTENT_SECURITY_POLICY, sec.csp.clone());
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hosts(configured: &[&str]) -> AllowedHosts {
        let configured: Vec<String> = configured.iter().map(|s| (*s).to_owned()).collect();
        AllowedHosts::new(
            "127.0.0.1:8080".parse().expect("addr"),
            &configured,
            &["https://app.example.com".to_owned()],
        )
    }

    #[test]
    fn only_the_servers_own_names_pass() {
        let h = hosts(&[]);
        for ok in [
            "127.0.0.1:8080",
            "localhost",
            "LOCALHOST:1",
            "[::1]:8080",
            "::1",
        ] {
            assert!(h.allows_host(ok), "{ok}");
        }
        for bad in ["evil.test", "evil.test:8080", "127.0.0.2", ""] {
            assert!(!h.allows_host(bad), "{bad}");
        }
        let h = hosts(&["loglens.example.com"]);
        assert!(h.allows_host("loglens.example.com:443"));
        assert!(hosts(&["*"]).allows_host("anything.test"));
    }

    #[test]
    fn sockets_open_from_the_app_or_a_cors_origin_only() {
        let h = hosts(&[]);
        assert!(h.allows_origin("http://127.0.0.1:8080"));
        assert!(h.allows_origin("https://app.example.com/"));
        assert!(!h.allows_origin("http://evil.test"));
        assert!(!h.allows_origin("null"));
    }

    #[test]
    fn the_inline_loader_is_admitted_by_its_hash() {
        let html =
            "<script type=\"module\">\nimport init;\n</script><script src=\"/e.js\"></script>";
        let hashes = inline_script_hashes(html);
        assert_eq!(hashes.len(), 1, "only the inline one");
        use base64::Engine;
        let expected =
            base64::engine::general_purpose::STANDARD.encode(Sha256::digest(b"\nimport init;\n"));
        assert_eq!(hashes[0], format!("sha256-{expected}"));
    }
}
