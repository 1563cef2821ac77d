//! What one client may cost the server, whatever it sends: time to send its
//! headers, a total deadline for its body (not an idle timer: a body trickled
//! one byte a second is cut all the same), how large its headers and declared
//! body may be, and how many connections are open at once.

use std::error::Error as StdError;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use axum::body::Body;
use axum::http::{header, HeaderMap, StatusCode};
use http_body::{Body as HttpBody, Frame, SizeHint};

/// The limits [`crate::serve::serve`] enforces on every connection.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// How long a client may take to send its request headers.
    pub header_timeout: Duration,
    /// How long a client may take to send its whole body, from the end of its headers.
    pub body_deadline: Duration,
    /// Connections served at once; more wait in the kernel's backlog.
    pub max_connections: usize,
    /// The request line and headers together, in bytes (more gets `431`).
    pub max_header_bytes: usize,
    /// The largest body any route takes; a larger declared `Content-Length`
    /// gets `413` at once, before the client is told to continue.
    pub max_body: usize,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            header_timeout: Duration::from_secs(10),
            body_deadline: Duration::from_secs(10),
            max_connections: 4096,
            // hyper's smallest read buffer; the widget's requests need under 2 KiB.
            max_header_bytes: 8192,
            max_body: 64 * 1024,
        }
    }
}

/// The `Content-Length` a request declares, if it declares one.
pub fn declared_length(headers: &HeaderMap) -> Option<u64> {
    headers.get(header::CONTENT_LENGTH)?.to_str().ok()?.trim().parse().ok()
}

/// `413` for a request that declares more body than `max` bytes.
pub fn check_declared(headers: &HeaderMap, max: usize) -> Result<(), StatusCode> {
    match declared_length(headers) {
        Some(n) if n > max as u64 => Err(StatusCode::PAYLOAD_TOO_LARGE),
        _ => Ok(()),
    }
}

/// The error a body gives once its deadline has passed.
#[derive(Debug, thiserror::Error)]
#[error("the request body took longer than its deadline")]
pub struct BodyDeadline;

/// Did reading a body fail because its deadline passed?
pub fn is_deadline(err: &(dyn StdError + 'static)) -> bool {
    let mut cur = Some(err);
    while let Some(e) = cur {
        if e.is::<BodyDeadline>() {
            return true;
        }
        cur = e.source();
    }
    false
}

/// A request body that fails once `deadline` has passed since it was made,
/// however steadily its bytes arrive.
pub struct Deadline {
    inner: Body,
    sleep: Pin<Box<tokio::time::Sleep>>,
}

impl Deadline {
    pub fn wrap(inner: Body, deadline: Duration) -> Body {
        Body::new(Deadline { inner, sleep: Box::pin(tokio::time::sleep(deadline)) })
    }
}

impl HttpBody for Deadline {
    type Data = axum::body::Bytes;
    type Error = axum::BoxError;

    fn poll_frame(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Result<Frame<Self::Data>, Self::Error>>> {
        if self.inner.is_end_stream() {
            return Poll::Ready(None);
        }
        if self.sleep.as_mut().poll(cx).is_ready() {
            return Poll::Ready(Some(Err(Box::new(BodyDeadline))));
        }
        Pin::new(&mut self.inner).poll_frame(cx).map_err(Into::into)
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use http_body_util::BodyExt;

    /// One byte a second, for ever: an idle timer would never fire.
    struct Trickle(tokio::time::Interval);

    impl HttpBody for Trickle {
        type Data = axum::body::Bytes;
        type Error = std::io::Error;
        fn poll_frame(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Result<Frame<Self::Data>, Self::Error>>> {
            self.0.poll_tick(cx).map(|_| Some(Ok(Frame::data(axum::body::Bytes::from_static(b"x")))))
        }
    }

    #[tokio::test(start_paused = true)]
    async fn a_steady_trickle_still_meets_the_deadline() {
        let body = Deadline::wrap(Body::new(Trickle(tokio::time::interval(Duration::from_secs(1)))), Duration::from_secs(10));
        let Err(err) = body.collect().await else { panic!("a trickled body was read whole") };
        assert!(is_deadline(&err), "{err}");
    }

    #[tokio::test]
    async fn a_body_sent_in_time_is_whole() {
        let body = Deadline::wrap(Body::from("hello"), Duration::from_secs(10));
        let bytes = body.collect().await.expect("read").to_bytes();
        assert_eq!(&bytes[..], b"hello");
    }

    #[test]
    fn declared_lengths_over_the_limit_are_refused() {
        let mut h = HeaderMap::new();
        assert!(check_declared(&h, 10).is_ok());
        h.insert(header::CONTENT_LENGTH, "11".parse().expect("value"));
        assert_eq!(check_declared(&h, 10), Err(StatusCode::PAYLOAD_TOO_LARGE));
        h.insert(header::CONTENT_LENGTH, "10".parse().expect("value"));
        assert!(check_declared(&h, 10).is_ok());
    }
}
