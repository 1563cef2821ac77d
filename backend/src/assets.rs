//! Serving the sites' widget files ([`crate::bundles`]) the way a CDN would:
//! the encoding the browser takes best, made once (brotli, gzip or none); an
//! ETag and `304`; a year and `immutable` for hashed names, a few minutes for
//! the loader; readable from any origin (CORS for module scripts, `fetch`ed Wasm
//! and JSON; `Cross-Origin-Resource-Policy`), as customer sites are on theirs.

use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Extension;
use axum::Router;

use crate::bundles::{Asset, Caching};
use crate::proxy::Client;
use crate::state::AppState;

/// How long a browser keeps the loader before it revalidates it.
const LOADER_MAX_AGE: &str = "public, max-age=300";
const IMMUTABLE: &str = "public, max-age=31536000, immutable";

pub fn router() -> Router<AppState> {
    Router::new().route("/s/{site}/{file}", get(asset_show)).route("/c/{hash}/{file}", get(asset_show))
}

async fn asset_show(State(state): State<AppState>, uri: Uri, headers: HeaderMap, client: Option<Extension<Client>>) -> Response {
    let bundles = state.bundles();
    let Some(asset) = bundles.get(uri.path()) else {
        return (StatusCode::NOT_FOUND, [(header::CONTENT_TYPE, "text/plain; charset=utf-8")], "not found\n").into_response();
    };
    // A site's loader as this visitor gets it (region, GPC, a variant drawn for
    // this page view), never mixed up by a cache (`Vary`; a draw is not cached).
    let site = uri.path().strip_prefix("/s/").and_then(|p| p.strip_suffix("/consent.js"));
    if let Some(loaders) = site.and_then(|s| bundles.loaders(s)) {
        let picked = loaders.pick(&headers, client.as_deref(), rand::random());
        let mut res = respond(picked.map(AsRef::as_ref).unwrap_or(asset), &headers);
        res.headers_mut().insert(header::VARY, loaders.vary().clone());
        if loaders.draws() {
            res.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("private, no-cache"));
        }
        return res;
    }
    respond(asset, &headers)
}

/// The encodings a client takes, from `Accept-Encoding` (one refused with `q=0` is not taken).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Encoding {
    Brotli,
    Gzip,
    Identity,
}

fn best_encoding(headers: &HeaderMap) -> Encoding {
    let accepted = headers.get_all(header::ACCEPT_ENCODING).iter().filter_map(|v| v.to_str().ok()).flat_map(|v| v.split(',')).filter_map(|item| {
        let mut parts = item.split(';');
        let name = parts.next()?.trim().to_ascii_lowercase();
        let refused = parts.any(|p| p.trim().strip_prefix("q=").and_then(|q| q.trim().parse::<f32>().ok()) == Some(0.0));
        (!refused).then_some(name)
    });
    let mut best = Encoding::Identity;
    for name in accepted {
        match name.as_str() {
            "br" => return Encoding::Brotli,
            "gzip" => best = Encoding::Gzip,
            _ => {}
        }
    }
    best
}

fn respond(asset: &Asset, headers: &HeaderMap) -> Response {
    let cache = match asset.caching {
        Caching::Immutable => IMMUTABLE,
        Caching::Revalidate => LOADER_MAX_AGE,
    };
    let common = [
        (header::CACHE_CONTROL, HeaderValue::from_static(cache)),
        (header::VARY, HeaderValue::from_static("Accept-Encoding")),
        (header::ACCESS_CONTROL_ALLOW_ORIGIN, HeaderValue::from_static("*")),
        (header::HeaderName::from_static("cross-origin-resource-policy"), HeaderValue::from_static("cross-origin")),
        (header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff")),
    ];
    let etag = HeaderValue::from_str(&asset.etag).unwrap_or_else(|_| HeaderValue::from_static("\"\""));
    let fresh = headers.get(header::IF_NONE_MATCH).and_then(|v| v.to_str().ok()).is_some_and(|v| v.split(',').any(|t| t.trim() == asset.etag || t.trim() == "*"));
    if fresh {
        let mut res = StatusCode::NOT_MODIFIED.into_response();
        res.headers_mut().extend(common);
        res.headers_mut().insert(header::ETAG, etag);
        return res;
    }
    let (body, encoding) = match best_encoding(headers) {
        Encoding::Brotli => (asset.br.clone(), Some("br")),
        Encoding::Gzip => (asset.gzip.clone(), Some("gzip")),
        Encoding::Identity => (asset.identity.clone(), None),
    };
    let mut res = body.into_response();
    let h = res.headers_mut();
    h.extend(common);
    h.insert(header::ETAG, etag);
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(asset.content_type));
    if let Some(e) = encoding {
        h.insert(header::CONTENT_ENCODING, HeaderValue::from_static(e));
    }
    res
}

#[cfg(test)]
mod tests {
    use super::*;

    fn accept(v: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(header::ACCEPT_ENCODING, HeaderValue::from_str(v).expect("value"));
        h
    }

    #[test]
    fn the_best_encoding_the_client_takes() {
        assert_eq!(best_encoding(&HeaderMap::new()), Encoding::Identity);
        assert_eq!(best_encoding(&accept("gzip, deflate, br, zstd")), Encoding::Brotli);
        assert_eq!(best_encoding(&accept("gzip")), Encoding::Gzip);
        assert_eq!(best_encoding(&accept("br;q=0, gzip;q=0.5")), Encoding::Gzip);
        assert_eq!(best_encoding(&accept("br;q=0")), Encoding::Identity);
        assert_eq!(best_encoding(&accept("identity")), Encoding::Identity);
    }
}
