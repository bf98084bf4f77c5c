//! LogLens web app (Leptos CSR, built by trunk).
//!
//! Pure modules — `i18n` (texts of both languages), `problems` (server problems and notices in
//! both languages), `timeline` (log time, replay), `charts` (report → ECharts options),
//! `compare` (two runs' figures, changes and named links), `evidence` (predictions grouped per problem), `filter` (the dashboard's one filter and the address's query), `incidents` (table filter and sort), `watch` (the session reducer: events and snapshots from
//! any transport, the outcome once; reconnection backoff), `sections` (the dashboard's sections, table pages, the patterns filter), `promote` (anomalies gathered for a new version of the knowledge base), `urls` (API and socket addresses) — hold the view models and are tested natively with
//! `cargo test -p loglens-frontend`. The rest talks to the browser: `api` (HTTP), `auth` (the token, when the
//! server asks for one), `watcher`
//! (WebSocket → polling), `locale` (language state), `viewport` (chart layout), `components`, `pages`, `app`.

pub mod charts;
pub mod compare;
pub mod evidence;
pub mod filter;
pub mod i18n;
pub mod incidents;
pub mod problems;
pub mod promote;
pub mod sections;
pub mod timeline;
pub mod urls;
pub mod watch;

pub mod api;
pub mod app;
pub mod auth;
pub mod components;
pub mod locale;
pub mod pages;
pub mod routes;
pub mod viewport;
pub mod watcher;
