//! The router and the state every handler shares.

use std::path::PathBuf;
use std::sync::{Arc, RwLock};
use std::time::{SystemTime, UNIX_EPOCH};

use axum::http::{header, HeaderMap, HeaderValue, Method};
use axum::Router;
use subtle::ConstantTimeEq;
use tower::ServiceBuilder;
use tower_http::compression::CompressionLayer;
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::services::ServeDir;
use tower_http::set_header::SetResponseHeaderLayer;

use crate::bundles::Bundles;
use crate::error::AppError;
use crate::metrics::Metrics;
use crate::proxy::TrustedProxies;
use crate::ratelimit::RateLimiter;
use crate::sites::Sites;
use crate::store::Store;

#[derive(Clone)]
pub struct AppState {
    /// The configured sites, replaced whole when the configuration is reloaded
    /// (read them with [`AppState::sites`]).
    pub sites_now: Arc<RwLock<Arc<Sites>>>,
    pub store: Store,
    pub admin: AdminToken,
    /// The demo site and the built widget.
    pub www: PathBuf,
    pub limiter: Arc<RateLimiter>,
    pub metrics: Arc<Metrics>,
    /// Benchmarks only: ingest does every step but the store (the HTTP ceiling).
    pub noop_store: bool,
    /// Dashboard sessions (keyed from the admin token).
    pub sessions: Arc<crate::dashboard::session::Sessions>,
    /// Dashboard sign-in attempts per client.
    pub login_limiter: Arc<RateLimiter>,
    /// Every site's widget files, replaced whole when the configuration is reloaded
    /// (read them with [`AppState::bundles`]).
    pub bundles: Arc<RwLock<Arc<Bundles>>>,
    /// Whose forwarding headers are believed (`--trusted-proxies`).
    pub proxies: Arc<TrustedProxies>,
}

/// Ingest requests a client may send in a burst, and per second after it.
pub const DEFAULT_BURST: u32 = 100;
pub const DEFAULT_PER_SECOND: u32 = 50;
/// Dashboard sign-in attempts a client may make at once, and per second after.
pub const LOGIN_BURST: u32 = 10;
pub const LOGIN_PER_SECOND: f64 = 0.2;

impl AppState {
    pub fn new(sites: Sites, store: Store, admin: AdminToken, www: PathBuf) -> AppState {
        AppState {
            sessions: Arc::new(crate::dashboard::session::Sessions::new(admin.clone())),
            login_limiter: Arc::new(RateLimiter::with_rate(LOGIN_BURST, LOGIN_PER_SECOND)),
            sites_now: Arc::new(RwLock::new(Arc::new(sites))),
            store,
            admin,
            www,
            limiter: Arc::new(RateLimiter::new(DEFAULT_BURST, DEFAULT_PER_SECOND)),
            metrics: Arc::new(Metrics::default()),
            noop_store: false,
            bundles: Arc::default(),
            proxies: Arc::default(),
        }
    }

    /// Believes the forwarding headers of these proxies.
    pub fn with_trusted_proxies(mut self, proxies: TrustedProxies) -> AppState {
        self.proxies = Arc::new(proxies);
        self
    }

    /// Serves `bundles` from now on.
    pub fn with_bundles(self, bundles: Bundles) -> AppState {
        self.set_bundles(bundles);
        self
    }

    pub fn set_bundles(&self, bundles: Bundles) {
        *self.bundles.write().unwrap_or_else(|p| p.into_inner()) = Arc::new(bundles);
    }

    /// The configured sites as they are now.
    pub fn sites(&self) -> Arc<Sites> {
        self.sites_now.read().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// Serves `sites` and their `bundles` from now on.
    pub fn set_config(&self, sites: Sites, bundles: Bundles) {
        *self.sites_now.write().unwrap_or_else(|p| p.into_inner()) = Arc::new(sites);
        self.set_bundles(bundles);
    }

    /// The sites' widget files as they are now.
    pub fn bundles(&self) -> Arc<Bundles> {
        self.bundles.read().unwrap_or_else(|p| p.into_inner()).clone()
    }

    pub fn with_rate_limit(mut self, burst: u32, per_second: u32) -> AppState {
        self.limiter = Arc::new(RateLimiter::new(burst, per_second));
        self
    }
}

/// The admin API token, compared in constant time.
#[derive(Clone)]
pub struct AdminToken(Arc<str>);

impl AdminToken {
    pub fn new(token: &str) -> AdminToken {
        AdminToken(token.into())
    }

    /// Is `given` the admin token? (Constant time; an empty token never is.)
    pub fn matches(&self, given: &str) -> bool {
        !given.is_empty() && bool::from(given.as_bytes().ct_eq(self.0.as_bytes()))
    }

    pub fn check(&self, headers: &HeaderMap) -> Result<(), AppError> {
        if bearer(headers).is_some_and(|t| self.matches(t)) {
            Ok(())
        } else {
            Err(AppError::Unauthorized)
        }
    }

    /// The token's bytes, for deriving keys from it (dashboard sessions).
    pub(crate) fn secret(&self) -> &[u8] {
        self.0.as_bytes()
    }
}

/// The token of an `Authorization: Bearer …` header.
pub fn bearer(headers: &HeaderMap) -> Option<&str> {
    headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()).and_then(|v| v.strip_prefix("Bearer "))
}

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
        .merge(crate::metrics::router())
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
    let client = axum::middleware::from_fn_with_state(state.clone(), crate::proxy::resolve_client);
    api.fallback_service(www).layer(CompressionLayer::new()).with_state(state).merge(assets).layer(client)
}

/// The API described for clients and tools (OpenAPI 3.1), exact for the configured sites.
async fn openapi_show(axum::extract::State(state): axum::extract::State<AppState>) -> impl axum::response::IntoResponse {
    ([(header::CONTENT_TYPE, "application/json")], crate::openapi::document(&state.sites()))
}

pub fn now_ms() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_millis() as u64).unwrap_or(0)
}
