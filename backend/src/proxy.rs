//! Who the client is, behind a reverse proxy: its address (for the rate
//! limiters) and whether it came over https (for `Secure` cookies). The
//! forwarding headers (`Forwarded`, `X-Forwarded-For`, `X-Forwarded-Proto`) are
//! believed only when the connection comes from a trusted proxy (`--trusted-proxy`);
//! otherwise anyone could claim any address. After this layer the handlers see
//! the client's address as `ConnectInfo`, and `X-Forwarded-Proto: https` only
//! when a trusted proxy said so: every other forwarding header is removed.

use std::net::{IpAddr, SocketAddr};
use std::str::FromStr;
use std::sync::Arc;

use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderMap, HeaderName, HeaderValue};
use axum::middleware::Next;
use axum::response::Response;
use ipnet::IpNet;

const FORWARDED: HeaderName = HeaderName::from_static("forwarded");
const X_FORWARDED_FOR: HeaderName = HeaderName::from_static("x-forwarded-for");
const X_FORWARDED_PROTO: HeaderName = HeaderName::from_static("x-forwarded-proto");
const X_REAL_IP: HeaderName = HeaderName::from_static("x-real-ip");

/// The proxies whose forwarding headers are believed: addresses or networks.
#[derive(Clone, Debug, Default)]
pub struct TrustedProxies(Vec<IpNet>);

/// A `--trusted-proxy` value that is neither an address nor a network.
#[derive(Debug, thiserror::Error)]
#[error("`{0}` is not an IP address or network (e.g. 10.0.0.1, 10.0.0.0/8, ::1)")]
pub struct BadProxy(String);

impl FromStr for TrustedProxies {
    type Err = BadProxy;
    /// A comma-separated list of addresses and networks.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let mut nets = Vec::new();
        for item in s.split(',').map(str::trim).filter(|i| !i.is_empty()) {
            let net = item.parse::<IpNet>().or_else(|_| item.parse::<IpAddr>().map(IpNet::from)).map_err(|_| BadProxy(item.to_owned()))?;
            nets.push(net);
        }
        Ok(TrustedProxies(nets))
    }
}

/// The client as the server believes it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Client {
    pub ip: IpAddr,
    pub https: bool,
    /// The connection came from a trusted proxy: the headers it sets about the
    /// visitor (a country, say: [`crate::region`]) are believed.
    pub proxied: bool,
}

impl TrustedProxies {
    fn trusts(&self, ip: IpAddr) -> bool {
        let ip = ip.to_canonical();
        self.0.iter().any(|n| n.contains(&ip))
    }

    /// The client behind a connection from `peer`: the nearest address in the
    /// forwarding chain that is not a trusted proxy (read from the right, each
    /// proxy appending the address it saw).
    pub fn client(&self, peer: IpAddr, headers: &HeaderMap) -> Client {
        if !self.trusts(peer) {
            return Client { ip: peer, https: false, proxied: false };
        }
        let mut ip = peer;
        for hop in forwarded_for(headers).into_iter().rev() {
            let Some(addr) = hop else { break };
            ip = addr;
            if !self.trusts(ip) {
                break;
            }
        }
        Client { ip, https: forwarded_proto(headers).is_some_and(|p| p.eq_ignore_ascii_case("https")), proxied: true }
    }
}

/// The addresses a request passed through, oldest first (`None`: not an address,
/// like `unknown` or an obfuscated name).
fn forwarded_for(headers: &HeaderMap) -> Vec<Option<IpAddr>> {
    let values = |name: &HeaderName| headers.get_all(name).iter().filter_map(|v| v.to_str().ok()).flat_map(|v| v.split(',')).map(str::trim).map(String::from).collect::<Vec<_>>();
    let forwarded = values(&FORWARDED);
    if !forwarded.is_empty() {
        return forwarded.iter().map(|element| param(element, "for").and_then(|v| parse_node(&v))).collect();
    }
    values(&X_FORWARDED_FOR).iter().map(|v| parse_node(v)).collect()
}

/// The protocol the last trusted proxy was reached by.
fn forwarded_proto(headers: &HeaderMap) -> Option<String> {
    let from_forwarded = headers.get_all(FORWARDED).iter().filter_map(|v| v.to_str().ok()).flat_map(|v| v.split(',')).filter_map(|e| param(e, "proto")).next_back();
    from_forwarded.or_else(|| headers.get_all(X_FORWARDED_PROTO).iter().filter_map(|v| v.to_str().ok()).flat_map(|v| v.split(',')).map(|p| p.trim().to_owned()).next_back())
}

/// `name=value` from one `Forwarded` element (`for=192.0.2.1;proto=https`).
fn param(element: &str, name: &str) -> Option<String> {
    element.split(';').find_map(|pair| {
        let (k, v) = pair.split_once('=')?;
        k.trim().eq_ignore_ascii_case(name).then(|| v.trim().trim_matches('"').to_owned())
    })
}

/// An address as forwarding headers write it: `192.0.2.1`, `192.0.2.1:4711`,
/// `[2001:db8::1]`, `[2001:db8::1]:4711` or `2001:db8::1`.
fn parse_node(node: &str) -> Option<IpAddr> {
    node.parse::<IpAddr>().ok().or_else(|| node.parse::<SocketAddr>().ok().map(|s| s.ip())).or_else(|| node.strip_prefix('[')?.split(']').next()?.parse().ok())
}

/// The layer: resolves the client, then leaves the handlers only what is believed.
pub async fn resolve_client(State(proxies): State<Arc<TrustedProxies>>, mut req: Request, next: Next) -> Response {
    if let Some(ConnectInfo(peer)) = req.extensions().get::<ConnectInfo<SocketAddr>>().copied() {
        let client = proxies.client(peer.ip(), req.headers());
        req.extensions_mut().insert(ConnectInfo(SocketAddr::new(client.ip, peer.port())));
        let headers = req.headers_mut();
        for name in [FORWARDED, X_FORWARDED_FOR, X_FORWARDED_PROTO, X_REAL_IP] {
            headers.remove(name);
        }
        if client.https {
            headers.insert(X_FORWARDED_PROTO, HeaderValue::from_static("https"));
        }
        req.extensions_mut().insert(client);
    }
    next.run(req).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.append(HeaderName::from_bytes(k.as_bytes()).expect("name"), HeaderValue::from_str(v).expect("value"));
        }
        h
    }

    fn ip(s: &str) -> IpAddr {
        s.parse().expect("ip")
    }

    #[test]
    fn headers_are_believed_only_from_a_trusted_proxy() {
        let none = TrustedProxies::default();
        let h = headers(&[("x-forwarded-for", "203.0.113.7"), ("x-forwarded-proto", "https")]);
        assert_eq!(none.client(ip("10.0.0.2"), &h), Client { ip: ip("10.0.0.2"), https: false, proxied: false });
        let trusted: TrustedProxies = "10.0.0.0/8, ::1".parse().expect("list");
        assert_eq!(trusted.client(ip("10.0.0.2"), &h), Client { ip: ip("203.0.113.7"), https: true, proxied: true });
        assert_eq!(trusted.client(ip("192.0.2.9"), &h), Client { ip: ip("192.0.2.9"), https: false, proxied: false }, "not a trusted peer");
    }

    #[test]
    fn the_nearest_untrusted_hop_is_the_client_and_spoofed_hops_before_it_do_not_count() {
        let trusted: TrustedProxies = "10.0.0.1,10.0.0.2".parse().expect("list");
        // The client wrote "1.1.1.1" itself; the first proxy appended what it saw.
        let h = headers(&[("x-forwarded-for", "1.1.1.1, 198.51.100.4, 10.0.0.1")]);
        assert_eq!(trusted.client(ip("10.0.0.2"), &h).ip, ip("198.51.100.4"));
        let f = headers(&[("forwarded", "for=1.1.1.1, for=\"[2001:db8::5]:4711\";proto=https")]);
        assert_eq!(trusted.client(ip("10.0.0.1"), &f), Client { ip: ip("2001:db8::5"), https: true, proxied: true });
        let unknown = headers(&[("x-forwarded-for", "unknown")]);
        assert_eq!(trusted.client(ip("10.0.0.1"), &unknown).ip, ip("10.0.0.1"), "no address: the proxy itself");
    }

    #[test]
    fn a_list_that_is_not_addresses_is_refused() {
        assert!("10.0.0.0/8,nonsense".parse::<TrustedProxies>().is_err());
        assert!("".parse::<TrustedProxies>().is_ok_and(|t| t.0.is_empty()));
    }
}
