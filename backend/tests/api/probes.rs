use loglens_shared::{ProblemDetails, VersionInfo};

use crate::helpers::{INDEX_MARKER, TestApp};

#[tokio::test]
async fn healthz_says_ok() {
    let app = TestApp::spawn().await;
    let r = app.get("/healthz").await;
    assert_eq!(r.status(), 200);
    let body: serde_json::Value = r.json().await.expect("json");
    assert_eq!(body["status"], "ok");
}

#[tokio::test]
async fn version_reports_the_crate_version() {
    let app = TestApp::spawn().await;
    let r = app.get("/api/version").await;
    assert_eq!(r.status(), 200);
    let v: VersionInfo = r.json().await.expect("json");
    assert_eq!(v.name, "LogLens");
    assert_eq!(v.version, env!("CARGO_PKG_VERSION"));
}

#[tokio::test]
async fn unknown_api_route_is_problem_json_not_the_spa() {
    let app = TestApp::spawn().await;
    let r = app.get("/api/no-such-thing").await;
    assert_eq!(r.status(), 404);
    assert_eq!(r.headers()["content-type"], "application/problem+json");
    let p: ProblemDetails = r.json().await.expect("problem json");
    assert_eq!(p.code(), "not_found");
    assert_eq!(p.status, 404);
    assert!(p.detail.contains("/api/no-such-thing"), "{}", p.detail);
}

#[tokio::test]
async fn client_routes_fall_back_to_index_html_and_assets_are_served() {
    let app = TestApp::spawn().await;
    for path in [
        "/",
        "/dashboard/1b4e28ba-2fa1-11d2-883f-0016d3cca427",
        "/history",
    ] {
        let r = app.get(path).await;
        assert_eq!(r.status(), 200, "{path}");
        assert!(
            r.text().await.expect("body").contains(INDEX_MARKER),
            "{path} serves index.html"
        );
    }
    let css = app.get("/app.css").await;
    assert_eq!(css.status(), 200);
    assert_eq!(css.text().await.expect("body"), "body{}");
}

#[tokio::test]
async fn the_web_app_is_gzipped_for_browsers_that_accept_it() {
    let app = TestApp::spawn().await;
    let script = "function chart(){return 'echarts';}\n".repeat(2_000);
    std::fs::write(app.dir.path().join("dist").join("app.js"), &script).expect("asset");
    let gz = app.get_with("/app.js", "accept-encoding", "gzip").await;
    assert_eq!(gz.status(), 200);
    assert_eq!(gz.headers()["content-encoding"], "gzip");
    let packed = gz.bytes().await.expect("body").len();
    assert!(
        packed * 10 < script.len(),
        "{packed} of {} bytes",
        script.len()
    );
    let plain = app.get("/app.js").await;
    assert!(plain.headers().get("content-encoding").is_none());
    assert_eq!(plain.text().await.expect("body"), script);
    // API answers are not wrapped (downloads are zips already; sockets need the raw body)
    let api = app
        .get_with("/api/version", "accept-encoding", "gzip")
        .await;
    assert!(api.headers().get("content-encoding").is_none());
}

#[tokio::test]
async fn launch_creates_the_data_dir_and_stops_on_shutdown() {
    let app = TestApp::spawn().await;
    assert_eq!(app.get("/healthz").await.status(), 200);
    assert!(app.dir.path().join("data").is_dir());
    let addr = app.addr;
    app.stop().await.expect("clean shutdown");
    assert!(
        tokio::net::TcpStream::connect(addr).await.is_err(),
        "listener closed after shutdown"
    );
}
