//! The HTTP server loop: hyper with the per-client [`Limits`] (header timeout,
//! a total body deadline, header size, declared body size, connections at
//! once), the client address handed to handlers (for rate limiting, never
//! stored), and a graceful shutdown that lets in-flight requests finish, each of
//! which waits for its commit, so the write queue drains before exit.

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::ConnectInfo;
use axum::http::{header, HeaderValue, Response};
use axum::Router;
use hyper::body::Incoming;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto;
use hyper_util::server::graceful::GracefulShutdown;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;
use tower::ServiceExt;

use crate::limits::{check_declared, Deadline, Limits};

/// How long shutdown waits for in-flight requests.
const DRAIN_TIMEOUT: Duration = Duration::from_secs(30);

pub async fn serve(listener: TcpListener, app: Router, limits: Limits, shutdown: impl Future<Output = ()>) {
    let mut builder = auto::Builder::new(TokioExecutor::new());
    builder.http1().timer(TokioTimer::new()).header_read_timeout(limits.header_timeout).max_buf_size(limits.max_header_bytes.max(8192));
    let graceful = GracefulShutdown::new();
    let slots = Arc::new(Semaphore::new(limits.max_connections));
    tokio::pin!(shutdown);
    loop {
        let (stream, addr, slot) = tokio::select! {
            accepted = accept(&listener, &slots) => match accepted {
                Some(conn) => conn,
                None => continue,
            },
            () = &mut shutdown => break,
        };
        let app = app.clone();
        let service = hyper::service::service_fn(move |mut req: hyper::Request<Incoming>| {
            req.extensions_mut().insert(ConnectInfo::<SocketAddr>(addr));
            let refused = check_declared(req.headers(), limits.max_body).err();
            let req = req.map(|b| Deadline::wrap(axum::body::Body::new(b), limits.body_deadline));
            let app = app.clone();
            async move {
                match refused {
                    // Before the body is read, so no `100 Continue` goes out.
                    Some(status) => Ok(refuse(status)),
                    None => app.oneshot(req).await,
                }
            }
        });
        let conn = builder.serve_connection_with_upgrades(TokioIo::new(stream), service);
        let watched = graceful.watch(conn.into_owned());
        tokio::spawn(async move {
            let _ = watched.await;
            drop(slot);
        });
    }
    drop(listener);
    if tokio::time::timeout(DRAIN_TIMEOUT, graceful.shutdown()).await.is_err() {
        tracing::warn!("shutdown: some connections did not finish in time");
    }
}

/// The next connection, once a slot is free.
async fn accept(listener: &TcpListener, slots: &Arc<Semaphore>) -> Option<(tokio::net::TcpStream, SocketAddr, tokio::sync::OwnedSemaphorePermit)> {
    let slot = slots.clone().acquire_owned().await.ok()?;
    match listener.accept().await {
        Ok((stream, addr)) => Some((stream, addr, slot)),
        Err(e) => {
            // Out of file descriptors and the like: back off instead of spinning.
            tracing::warn!(error = %e, "accept failed");
            tokio::time::sleep(Duration::from_millis(50)).await;
            None
        }
    }
}

fn refuse(status: axum::http::StatusCode) -> Response<axum::body::Body> {
    let mut res = Response::new(axum::body::Body::from("{\"error\":\"request body too large\"}"));
    *res.status_mut() = status;
    res.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    res.headers_mut().insert(header::CONNECTION, HeaderValue::from_static("close"));
    res
}
