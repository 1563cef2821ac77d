//! The state every handler shares: the live configuration (sites and their
//! widget files, swapped whole on reload), the store, limits and counters.

use std::path::PathBuf;
use std::sync::{Arc, RwLock};

use crate::auth::AdminToken;
use crate::bundles::Bundles;
use crate::clock::Clock;
use crate::dashboard::session::Sessions;
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
    pub sessions: Arc<Sessions>,
    /// Dashboard sign-in attempts per client.
    pub login_limiter: Arc<RateLimiter>,
    /// Every site's widget files, replaced whole when the configuration is reloaded
    /// (read them with [`AppState::bundles`]).
    pub bundles: Arc<RwLock<Arc<Bundles>>>,
    /// Whose forwarding headers are believed (`--trusted-proxies`).
    pub proxies: Arc<TrustedProxies>,
    /// What time it is for ingest and the dashboard (fixed in tests).
    pub clock: Clock,
}

/// Ingest requests a client may send in a burst, and per second after it.
pub const DEFAULT_BURST: u32 = 100;
pub const DEFAULT_PER_SECOND: u32 = 50;
/// Dashboard sign-in attempts a client may make at once, and per second after.
pub const LOGIN_BURST: u32 = 10;
pub const LOGIN_PER_SECOND: f64 = 0.2;

/// What [`crate::auth::AdminAuth`] checks against.
impl axum::extract::FromRef<AppState> for AdminToken {
    fn from_ref(state: &AppState) -> AdminToken {
        state.admin.clone()
    }
}

impl AppState {
    pub fn new(sites: Sites, store: Store, admin: AdminToken, www: PathBuf) -> AppState {
        AppState {
            sessions: Arc::new(Sessions::new(admin.clone())),
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
            clock: Clock::system(),
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
