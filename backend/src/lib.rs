//! The consent backend as a library: `app(state)` is the whole HTTP surface, so
//! tests drive it over a real listener exactly as the binary does.

pub mod app;
pub mod assets;
pub mod auth;
pub mod bundles;
pub mod chain;
pub mod clock;
pub mod configuration;
pub mod dashboard;
pub mod demo_data;
pub mod device;
pub mod error;
pub mod export;
pub mod ingest;
pub mod limits;
pub mod loaders;
pub mod metrics;
pub mod monitoring;
pub mod new_site;
pub mod openapi;
pub mod proof;
pub mod proxy;
pub mod ratelimit;
pub mod region;
pub mod rollup;
pub mod scan;
pub mod serve;
pub mod sites;
pub mod state;
pub mod stats;
pub mod store;
pub mod tcf;

pub use app::app;
pub use state::AppState;
