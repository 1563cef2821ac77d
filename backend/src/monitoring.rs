//! `GET /metrics` (Prometheus text) and `GET /healthz`: what operators watch.

use std::fmt::Write;
use std::sync::atomic::Ordering;

use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::IntoResponse;
use axum::routing::get;
use axum::Router;

use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new().route("/metrics", get(metrics_show)).route("/healthz", get(health_show))
}

async fn metrics_show(State(state): State<AppState>) -> impl IntoResponse {
    let m = &state.metrics;
    let w = state.store.writer_stats();
    let mut out = String::new();
    let _ = writeln!(out, "# HELP consent_events_accepted_total Events stored.\n# TYPE consent_events_accepted_total counter");
    let _ = writeln!(out, "consent_events_accepted_total {}", m.accepted.load(Ordering::Relaxed));
    let _ = writeln!(out, "# HELP consent_events_duplicate_total Retried events already stored.\n# TYPE consent_events_duplicate_total counter");
    let _ = writeln!(out, "consent_events_duplicate_total {}", m.duplicates.load(Ordering::Relaxed));
    let _ = writeln!(out, "# HELP consent_events_refused_total Requests refused, by reason.\n# TYPE consent_events_refused_total counter");
    for (reason, n) in m.refusals() {
        let _ = writeln!(out, "consent_events_refused_total{{reason=\"{reason}\"}} {n}");
    }
    let _ = writeln!(out, "# HELP consent_write_queue_depth Requests waiting for the writer.\n# TYPE consent_write_queue_depth gauge");
    let _ = writeln!(out, "consent_write_queue_depth {}", w.queue_depth);
    let _ = writeln!(out, "# HELP consent_commits_total Group commits.\n# TYPE consent_commits_total counter");
    let _ = writeln!(out, "consent_commits_total {}", w.commits);
    let _ = writeln!(out, "# HELP consent_batch_requests_sum Requests folded into commits (divide by commits for the mean batch size).\n# TYPE consent_batch_requests_sum counter");
    let _ = writeln!(out, "consent_batch_requests_sum {}", w.batched_requests);
    let _ = writeln!(out, "# HELP consent_batch_requests_max Largest batch.\n# TYPE consent_batch_requests_max gauge");
    let _ = writeln!(out, "consent_batch_requests_max {}", w.max_batch);
    let _ = writeln!(out, "# HELP consent_commit_seconds_sum Time spent committing.\n# TYPE consent_commit_seconds_sum counter");
    let _ = writeln!(out, "consent_commit_seconds_sum {:.6}", w.commit_micros as f64 / 1e6);
    let _ = writeln!(out, "# HELP consent_banner_versions_remembered Banner versions the writer keeps in memory.\n# TYPE consent_banner_versions_remembered gauge");
    let _ = writeln!(out, "consent_banner_versions_remembered {}", w.banners_remembered);
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], out)
}

/// Healthy when the writer has its database and a read goes through.
async fn health_show(State(state): State<AppState>) -> impl IntoResponse {
    if !state.store.writer_up() {
        return (StatusCode::SERVICE_UNAVAILABLE, "writer reconnecting to the store\n");
    }
    match state.store.counts_by_action("").await {
        Ok(_) => (StatusCode::OK, "ok\n"),
        Err(e) => {
            tracing::error!(error = %e, "health check failed");
            (StatusCode::SERVICE_UNAVAILABLE, "store unavailable\n")
        }
    }
}
