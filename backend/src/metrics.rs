//! Prometheus metrics of one server: jobs by state, stage durations, throughput, active
//! WebSockets, HTTP requests by route and status. One registry per server (not the global
//! default), so several servers in one test process do not collide.

use prometheus::{
    Encoder, HistogramOpts, HistogramVec, IntCounter, IntCounterVec, IntGauge, IntGaugeVec, Opts,
    Registry, TextEncoder,
};

pub struct Metrics {
    registry: Registry,
    pub jobs: IntGaugeVec,
    pub stage_seconds: HistogramVec,
    pub lines_total: IntCounter,
    pub lines_per_second: prometheus::Gauge,
    pub websockets: IntGauge,
    pub http_requests: IntCounterVec,
    /// Upload bodies being received now.
    pub uploads_in_progress: IntGauge,
}

impl Metrics {
    pub fn new() -> Result<Self, prometheus::Error> {
        let registry = Registry::new_custom(Some("loglens".into()), None)?;
        let jobs = IntGaugeVec::new(Opts::new("jobs", "Jobs by state"), &["state"])?;
        let stage_seconds = HistogramVec::new(
            HistogramOpts::new(
                "stage_duration_seconds",
                "Time spent in each analysis stage",
            )
            .buckets(vec![
                0.01, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 300.0,
            ]),
            &["stage"],
        )?;
        let lines_total = IntCounter::new("log_lines_total", "Log lines analysed")?;
        let lines_per_second = prometheus::Gauge::new(
            "last_job_lines_per_second",
            "Lines per second of the last finished analysis",
        )?;
        let websockets = IntGauge::new("websockets_active", "Open progress WebSockets")?;
        let http_requests = IntCounterVec::new(
            Opts::new("http_requests_total", "HTTP requests by route and status"),
            &["route", "status"],
        )?;
        let uploads_in_progress =
            IntGauge::new("uploads_in_progress", "Upload bodies being received")?;
        registry.register(Box::new(uploads_in_progress.clone()))?;
        registry.register(Box::new(jobs.clone()))?;
        registry.register(Box::new(stage_seconds.clone()))?;
        registry.register(Box::new(lines_total.clone()))?;
        registry.register(Box::new(lines_per_second.clone()))?;
        registry.register(Box::new(websockets.clone()))?;
        registry.register(Box::new(http_requests.clone()))?;
        Ok(Self {
            registry,
            jobs,
            stage_seconds,
            lines_total,
            lines_per_second,
            websockets,
            http_requests,
            uploads_in_progress,
        })
    }

    /// The text exposition format.
    pub fn render(&self) -> String {
        let mut buf = Vec::new();
        let _ = TextEncoder::new().encode(&self.registry.gather(), &mut buf);
        String::from_utf8(buf).unwrap_or_default()
    }
}
