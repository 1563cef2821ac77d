//! The router: every route, its layers, and what is served from where.

use axum::http::{header, HeaderValue, Method};
use axum::Router;
use tower::ServiceBuilder;
use tower_http::compression::CompressionLayer;
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::services::ServeDir;
use tower_http::set_header::SetResponseHeaderLayer;

use crate::state::AppState;

pub fn app(state: AppState) -> Router {
    let live = state.clone();
    let cors = CorsLayer::new()
        .allow_origin(AllowOrigin::predicate(move |origin: &HeaderValue, _| origin.to_str().is_ok_and(|o| live.sites().any_allows(o))))
        .allow_methods([Method::GET, Method::POST])
        .allow_headers([header::CONTENT_TYPE])
        .max_age(std::time::Duration::from_secs(86_400));
    // What the widget calls from a customer's page: events, proof lookups.
    let widget_api = crate::ingest::router().merge(crate::proof::router()).layer(cors);
    let api = widget_api
        .merge(crate::stats::router())
        .merge(crate::export::router())
        .merge(crate::monitoring::router())
        .merge(crate::dashboard::router())
        .route("/api/v1/openapi.json", axum::routing::get(openapi_show));
    // Revalidate on every load (cheap with Last-Modified): a new config or policy
    // revision must reach returning visitors at once. A `.br` / `.gz` file beside
    // a file is served as its encoding; others are compressed on the way out.
    let www = ServiceBuilder::new()
        .layer(SetResponseHeaderLayer::if_not_present(header::CACHE_CONTROL, HeaderValue::from_static("no-cache")))
        .service(ServeDir::new(&state.www).append_index_html_on_directories(true).precompressed_br().precompressed_gzip());
    // The widget files are compressed once, ahead of time: not again on the way out.
    let assets = crate::assets::router().with_state(state.clone());
    let client = axum::middleware::from_fn_with_state(state.proxies.clone(), crate::proxy::resolve_client);
    api.fallback_service(www).layer(CompressionLayer::new()).with_state(state).merge(assets).layer(client)
}

/// The API described for clients and tools (OpenAPI 3.1), exact for the configured sites.
async fn openapi_show(axum::extract::State(state): axum::extract::State<AppState>) -> impl axum::response::IntoResponse {
    ([(header::CONTENT_TYPE, "application/json")], crate::openapi::document(&state.sites()))
}
