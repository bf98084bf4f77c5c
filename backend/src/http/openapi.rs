//! The OpenAPI 3.1 document of the API (`GET /api/openapi.json`). Paths are described here;
//! every body schema is generated from the `shared` wire types (schemars), so the document
//! cannot drift from what the server actually sends.

use schemars::generate::SchemaSettings;
use serde_json::{Map, Value, json};

use loglens_shared::report::{AnalysisReport, Comparison};
use loglens_shared::session::{JobState, ProcessAccepted, ServerMessage, SessionList, Snapshot};
use loglens_shared::{ExportFormat, ProblemDetails, ReportFile, VersionInfo};

fn reference(name: &str) -> Value {
    json!({ "$ref": format!("#/components/schemas/{name}") })
}

fn ok_json(schema: &str, what: &str) -> Value {
    json!({ "description": what, "content": { "application/json": { "schema": reference(schema) } } })
}

fn problem(what: &str) -> Value {
    json!({ "description": what, "content": { "application/problem+json": { "schema": reference("ProblemDetails") } } })
}

/// `?lang=`: the words of a workbook or the PDF (the official sheet's six headers stay).
fn lang_param() -> Value {
    json!({ "name": "lang", "in": "query", "description": "ru (default) or en: the language of a workbook's or the PDF's words",
        "schema": { "type": "string", "enum": ["ru", "en"] } })
}

/// A knowledge base's content hash in a path.
fn kb_hash_param() -> Value {
    json!({ "name": "hash", "in": "path", "required": true, "schema": { "type": "string", "pattern": "^[0-9a-f]{1,128}$" } })
}

/// A not-relevant mark's path: the knowledge base, the anomaly and the problem.
fn mark_params() -> Value {
    json!([kb_hash_param(),
        { "name": "anomaly", "in": "path", "required": true, "schema": { "type": "integer", "minimum": 0, "maximum": 4294967295u64 } },
        { "name": "problem", "in": "path", "required": true, "schema": { "type": "integer", "minimum": 0, "maximum": 4294967295u64 } }])
}

/// The tus protocol version every resumable-upload request names.
fn tus_param() -> Value {
    json!({ "name": "Tus-Resumable", "in": "header", "required": true, "schema": { "type": "string", "enum": ["1.0.0"] } })
}

fn id_param() -> Value {
    json!({ "name": "id", "in": "path", "required": true, "schema": { "type": "string", "format": "uuid" } })
}

/// A download in one of `types` (each described as bytes).
fn file_response(what: &str, types: &[&str]) -> Value {
    let content: Map<String, Value> = types
        .iter()
        .map(|t| {
            (
                (*t).to_owned(),
                json!({ "schema": { "type": "string", "format": "binary" } }),
            )
        })
        .collect();
    json!({ "description": what, "content": content })
}

/// Content types of the report files.
fn schemas() -> Map<String, Value> {
    let mut generator = SchemaSettings::openapi3().into_generator();
    generator.subschema_for::<VersionInfo>();
    generator.subschema_for::<ProblemDetails>();
    generator.subschema_for::<ProcessAccepted>();
    generator.subschema_for::<loglens_shared::api::RerunRequest>();
    generator.subschema_for::<loglens_shared::api::KbChange>();
    generator.subschema_for::<loglens_shared::api::NotRelevant>();
    generator.subschema_for::<Snapshot>();
    generator.subschema_for::<SessionList>();
    generator.subschema_for::<ServerMessage>();
    generator.subschema_for::<AnalysisReport>();
    generator.subschema_for::<Comparison>();
    generator.take_definitions(true).into_iter().collect()
}

/// The whole document.
pub fn document() -> Value {
    let not_found = problem("No such session");
    let gone = problem("The session was deleted");
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "LogLens API",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "Upload a ZIP of log cases, follow the analysis live, fetch the reports. \
                Errors are application/problem+json with a stable `code`. With LOGLENS_API_TOKEN set, \
                send `Authorization: Bearer <token>` (WebSocket: `?token=` or sub-protocols `bearer, <token>`)."
        },
        "components": {
            "schemas": schemas(),
            "securitySchemes": { "bearer": { "type": "http", "scheme": "bearer" } }
        },
        "security": [{ "bearer": [] }],
        "paths": {
            "/process": { "post": {
                "summary": "Upload an archive and queue its analysis",
                "requestBody": { "required": true, "content": { "multipart/form-data": { "schema": {
                    "type": "object",
                    "properties": {
                        "file": { "type": "string", "format": "binary", "description": "the .zip of log cases (or `upload`)" },
                        "upload": { "type": "string", "description": "instead of `file`: the address (or id) of a finished resumable upload (/api/uploads)" },
                        "model": { "type": "string", "enum": ["light", "heavy"], "default": "light" },
                        "kb": { "type": "string", "format": "binary", "description": "knowledge base for cases without one" },
                        "playbooks": { "type": "string", "format": "binary", "description": "custom playbooks (TOML or JSON)" },
                        "formats": { "type": "string", "format": "binary", "description": "log formats (TOML) for logs the built-in catalogue does not read" },
                        "glossary": { "type": "string", "format": "binary", "description": "glossary of aliases (CSV `alias,canonical`) for matching by meaning, read before the built-in one" },
                        "exact_only": { "type": "boolean", "description": "only the organizers' exact rule" }
                    } } } } },
                "responses": {
                    "202": { "description": "Queued; `Location` names the session",
                        "headers": { "Location": { "schema": { "type": "string" } } },
                        "content": { "application/json": { "schema": reference("ProcessAccepted") } } },
                    "400": problem("Not a usable upload: the archive (not a zip, empty, bomb, unsafe path, no logs) or a knowledge base, playbook, formats or glossary file beside it (`file`, `line`)"),
                    "401": problem("Token missing or wrong"),
                    "404": problem("`upload` names no resumable upload"),
                    "408": problem("The body stalled or crawled and was dropped"),
                    "409": problem("`upload` names a resumable upload not finished yet"),
                    "423": problem("Another request is writing the resumable upload"),
                    "413": problem("Larger than the upload limit"),
                    "429": problem("Queue full, too many uploads from this client, or too many at once (see Retry-After)"),
                    "507": problem("Not enough free disk space for the upload")
                } } },
            "/api/uploads": {
                "options": { "summary": "What the resumable uploads speak (tus 1.0)",
                    "responses": { "204": { "description": "Tus-Version, Tus-Extension (creation, termination) and Tus-Max-Size",
                        "headers": { "Tus-Version": { "schema": { "type": "string" } }, "Tus-Extension": { "schema": { "type": "string" } }, "Tus-Max-Size": { "schema": { "type": "integer" } } } },
                        "401": problem("Token missing or wrong"),
                        "429": problem("Too many requests in a row (the rate limit of uploads)") } },
                "post": { "summary": "Create a resumable upload (tus 1.0 creation); send it with PATCH, then name it in POST /process (`upload`)",
                    "parameters": [tus_param(),
                        { "name": "Upload-Length", "in": "header", "required": true, "schema": { "type": "integer", "minimum": 1 } },
                        { "name": "Upload-Metadata", "in": "header", "description": "`filename <base64>` (and others, ignored)", "schema": { "type": "string" } }],
                    "responses": {
                        "201": { "description": "Created; `Location` names it", "headers": { "Location": { "schema": { "type": "string" } } } },
                        "400": problem("No usable Upload-Length or Upload-Metadata, a file name an upload may not have, or an empty one"),
                        "401": problem("Token missing or wrong"),
                        "412": problem("Not Tus-Resumable: 1.0.0"),
                        "413": problem("Larger than the upload limit"),
                        "429": problem("Too many uploads (open, or created in a row)"),
                        "507": problem("Not enough free disk space for the upload")
                    } } },
            "/api/uploads/{id}": {
                "head": { "summary": "The bytes a resumable upload holds (Upload-Offset of Upload-Length)",
                    "parameters": [id_param(), tus_param()],
                    "responses": {
                        "200": { "description": "Upload-Offset and Upload-Length", "headers": { "Upload-Offset": { "schema": { "type": "integer" } }, "Upload-Length": { "schema": { "type": "integer" } } } },
                        "400": { "description": "Malformed request" },
                        "401": { "description": "Token missing or wrong" },
                        "404": { "description": "No such upload" },
                        "412": { "description": "Not Tus-Resumable: 1.0.0" } } },
                "patch": { "summary": "Append bytes at Upload-Offset (what arrives before a broken connection is kept)",
                    "parameters": [id_param(), tus_param(),
                        { "name": "Upload-Offset", "in": "header", "required": true, "schema": { "type": "integer", "minimum": 0 } }],
                    "requestBody": { "required": true, "content": { "application/offset+octet-stream": { "schema": { "type": "string", "format": "binary" } } } },
                    "responses": {
                        "204": { "description": "Stored; Upload-Offset is the new offset", "headers": { "Upload-Offset": { "schema": { "type": "integer" } } } },
                        "400": problem("Malformed headers, past Upload-Length, or a .zip that is no ZIP"),
                        "401": problem("Token missing or wrong"),
                        "404": problem("No such upload"),
                        "408": problem("The body stalled or crawled"),
                        "409": problem("Upload-Offset is not the offset the server holds"),
                        "412": problem("Not Tus-Resumable: 1.0.0"),
                        "415": problem("Not application/offset+octet-stream"),
                        "423": problem("Another request is writing this upload"),
                        "429": problem("Too many uploads from this client at once"),
                        "507": problem("Not enough free disk space")
                    } },
                "delete": { "summary": "Forget a resumable upload (tus termination)",
                    "parameters": [id_param(), tus_param()],
                    "responses": {
                        "204": { "description": "Forgotten" },
                        "400": problem("Malformed request"),
                        "401": problem("Token missing or wrong"),
                        "404": problem("No such upload"),
                        "412": problem("Not Tus-Resumable: 1.0.0"),
                        "423": problem("Another request is writing this upload")
                    } } },
            "/api/version": { "get": { "summary": "What is running", "security": [],
                "responses": { "200": ok_json("VersionInfo", "Name and version") } } },
            "/api/sessions": { "get": {
                "summary": "History of analyses, newest first",
                "parameters": [
                    { "name": "state", "in": "query", "schema": { "type": "string", "enum": JobState::ALL.map(JobState::as_str) } },
                    { "name": "q", "in": "query", "description": "Words the upload's name holds (any case)", "schema": { "type": "string" } },
                    { "name": "limit", "in": "query", "schema": { "type": "integer", "minimum": 1, "maximum": 500, "default": 50 } },
                    { "name": "offset", "in": "query", "schema": { "type": "integer", "minimum": 0, "default": 0 } }
                ],
                "responses": { "200": ok_json("SessionList", "One page of sessions"), "400": problem("Unknown state") } } },
            "/api/sessions/compare": { "get": {
                "summary": "Compare the links of two finished analyses",
                "parameters": [{ "name": "ids", "in": "query", "required": true, "schema": { "type": "string" }, "description": "two session ids, comma-separated" }],
                "responses": { "200": ok_json("Comparison", "Links in both, only in a, only in b"), "400": problem("Not two ids"), "404": not_found.clone(), "409": problem("Not finished"), "410": gone.clone() } } },
            "/api/sessions/{id}": {
                "get": { "summary": "Snapshot of a session (the polling endpoint)", "parameters": [id_param(),
                        { "name": "If-None-Match", "in": "header", "schema": { "type": "string" } }],
                    "responses": {
                        "200": { "description": "The snapshot; `Retry-After` while not finished",
                            "headers": { "ETag": { "schema": { "type": "string" } }, "Retry-After": { "schema": { "type": "integer" } } },
                            "content": { "application/json": { "schema": reference("Snapshot") } } },
                        "304": { "description": "Unchanged since the ETag given" },
                        "404": not_found.clone(), "410": gone.clone() } },
                "delete": { "summary": "Cancel if needed and delete everything of a session", "parameters": [id_param()],
                    "responses": { "204": { "description": "Deleted" }, "404": not_found.clone(), "410": gone.clone() } } },
            "/api/sessions/{id}/events": { "get": {
                "summary": "Persisted events after a sequence number",
                "parameters": [id_param(), { "name": "after_seq", "in": "query", "schema": { "type": "integer", "minimum": 0, "default": 0 } }],
                "responses": { "200": { "description": "Events in order", "content": { "application/json": { "schema": { "type": "array", "items": reference("ServerMessage") } } } },
                    "400": problem("Malformed query"), "404": not_found.clone(), "410": gone.clone() } } },
            "/api/sessions/{id}/result": { "get": { "summary": "Dashboard data of a finished analysis", "parameters": [id_param()],
                "responses": { "200": ok_json("AnalysisReport", "Everything the analysis found"), "404": not_found.clone(), "409": problem("Not finished"), "410": gone.clone() } } },
            "/api/sessions/{id}/reports/{name}": { "get": { "summary": "One report file",
                "parameters": [id_param(), { "name": "name", "in": "path", "required": true, "schema": { "type": "string", "enum": ReportFile::ALL.map(ReportFile::file_name) } }, lang_param()],
                "responses": { "200": file_response("The file (RFC 6266 Content-Disposition)", &ReportFile::ALL.map(ReportFile::content_type)), "400": problem("Unknown language"), "404": problem("Unknown session or report"), "409": problem("Not finished"), "410": gone.clone() } } },
            "/api/sessions/{id}/download": { "get": { "summary": "The results zip", "parameters": [id_param()],
                "responses": { "200": file_response("<name>_Results_<Light|Heavy>.zip", &["application/zip"]), "404": not_found.clone(), "409": problem("Not finished"), "410": gone.clone() } } },
            "/api/sessions/{id}/export/{format}": { "get": { "summary": "The analysis as JSON, XML or a PDF summary",
                "parameters": [id_param(), { "name": "format", "in": "path", "required": true, "schema": { "type": "string", "enum": ExportFormat::ALL.map(ExportFormat::as_str) } }, lang_param()],
                "responses": { "200": file_response("The export", &ExportFormat::ALL.map(ExportFormat::content_type)), "400": problem("Unknown language"), "404": problem("Unknown session or format"), "409": problem("Not finished"), "410": gone.clone() } } },
            "/api/sessions/{id}/cancel": { "post": { "summary": "Stop a queued or running analysis", "parameters": [id_param()],
                "responses": { "202": ok_json("Snapshot", "Cancellation requested"), "404": not_found.clone(), "410": gone.clone() } } },
            "/api/sessions/{id}/pause": { "post": { "summary": "Pause a queued or running analysis until resumed (it frees its worker and stays paused through restarts)",
                "parameters": [id_param()],
                "responses": { "202": ok_json("Snapshot", "Paused"), "404": not_found.clone(), "409": problem("Already finished"), "410": gone.clone() } } },
            "/api/sessions/{id}/resume": { "post": { "summary": "Put a paused analysis back in the queue (it runs again from its first stage)",
                "parameters": [id_param()],
                "responses": { "202": ok_json("Snapshot", "Back in the queue"), "404": not_found.clone(), "409": problem("Not paused"),
                    "410": gone.clone(), "429": problem("Queue full") } } },
            "/api/sessions/{id}/rerun": { "post": { "summary": "Analyse the same upload again as a new session (optionally with the other model)",
                "parameters": [id_param()],
                "requestBody": { "required": false, "content": { "application/json": { "schema": reference("RerunRequest") } } },
                "responses": {
                    "202": { "description": "Queued; `Location` names the new session",
                        "headers": { "Location": { "schema": { "type": "string" } } },
                        "content": { "application/json": { "schema": reference("ProcessAccepted") } } },
                    "400": problem("Unknown model, or a knowledge base change that cannot be made (which addition, what)"), "404": not_found.clone(), "409": problem("Not finished yet"),
                    "410": gone.clone(), "429": problem("Queue full") } } },
            "/api/sessions/{id}/kb": { "post": { "summary": "A new version of a scenario's knowledge base: its rows and the anomalies promoted from the analysis, as CSV",
                "parameters": [id_param()],
                "requestBody": { "required": true, "content": { "application/json": { "schema": reference("KbChange") } } },
                "responses": {
                    "200": file_response("The knowledge base, `<analysis>_knowledge_base_v<N>.csv` (RFC 6266 Content-Disposition)", &["text/csv; charset=utf-8"]),
                    "400": problem("No such scenario, or an addition that cannot be made (which one, what)"),
                    "404": not_found.clone(), "409": problem("Not finished"), "410": gone.clone() } } },
            "/api/kb/{hash}/not-relevant": { "get": { "summary": "Links marked not relevant under a knowledge base (its content hash, as a report's scenarios give it)",
                "parameters": [kb_hash_param()],
                "responses": {
                    "200": { "description": "The marks", "content": { "application/json": { "schema": { "type": "array", "items": reference("NotRelevant") } } } },
                    "400": problem("Not a knowledge base's hash") } } },
            "/api/kb/{hash}/not-relevant/{anomaly}/{problem}": {
                "put": { "summary": "Mark a link not relevant: later analyses with this knowledge base leave it out where only meaning makes it",
                    "parameters": mark_params(),
                    "responses": { "204": { "description": "Marked" }, "400": problem("Not a knowledge base's hash, or ids that are not numbers") } },
                "delete": { "summary": "Take a not-relevant mark back",
                    "parameters": mark_params(),
                    "responses": { "204": { "description": "Taken back" }, "400": problem("Not a knowledge base's hash, or ids that are not numbers") } } },
            "/api/templates/{name}": { "get": { "summary": "The built-in knowledge base, playbooks or glossary, or an example log formats file, as a template for one's own",
                "parameters": [{ "name": "name", "in": "path", "required": true, "schema": { "type": "string", "enum": crate::http::files::TEMPLATES.map(|(n, _)| n) } }],
                "responses": { "200": file_response("The file", &["text/csv; charset=utf-8", "application/toml"]), "404": problem("Unknown template") } } },
            "/ws/progress/{id}": { "get": {
                "summary": "Live progress (WebSocket): replay after `after_seq`, a snapshot, then live events",
                "description": "Messages are ServerMessage JSON texts. Send `ping` for `{\"type\":\"pong\"}`. \
                    The server sends `{\"type\":\"heartbeat\"}` every 15 s and protocol pings every 20 s, \
                    closes with 1000 after the terminal message, 1008 for unknown sessions, 1001 on shutdown.",
                "parameters": [id_param(), { "name": "after_seq", "in": "query", "schema": { "type": "integer", "minimum": 0 } }],
                "responses": { "101": { "description": "Switching protocols", "content": { "application/json": { "schema": reference("ServerMessage") } } } } } },
            "/healthz": { "get": { "summary": "Liveness", "security": [], "responses": { "200": { "description": "Alive" } } } },
            "/readyz": { "get": { "summary": "Readiness (the job store answers)", "security": [], "responses": { "200": { "description": "Ready" } } } },
            "/metrics": { "get": { "summary": "Prometheus metrics", "security": [], "responses": { "200": { "description": "Text exposition format" } } } }
        }
    })
}
