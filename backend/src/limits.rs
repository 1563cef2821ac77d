//! What one client may cost the server, whatever it sends: time to send its
//! headers, a total deadline for its body (not an idle timer: a body trickled
//! one byte a second is cut all the same), how large its headers and declared
//! body may be, and how many connections are open at once.

use std::error::Error as StdError;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use axum::body::{Body, Bytes};
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

/// Data is passed on in pieces of at least this many bytes (or whole, at its end).
const COALESCE: usize = 16 * 1024;

/// A request body that fails once `deadline` has passed since it was made,
/// however steadily its bytes arrive. Small pieces are copied together before
/// they are passed on: a byte that arrives alone comes in a slice of one of
/// hyper's read buffers (kilobytes), and holding that slice until the body is
/// whole would hold the buffer, so a body trickled a byte at a time would cost
/// kilobytes per byte.
pub struct Deadline {
    inner: Body,
    sleep: Pin<Box<tokio::time::Sleep>>,
    pending: Vec<u8>,
    /// A trailers frame that came while data was pending: it goes after the data.
    held: Option<Frame<Bytes>>,
    ended: bool,
}

impl Deadline {
    pub fn wrap(inner: Body, deadline: Duration) -> Body {
        Body::new(Deadline { inner, sleep: Box::pin(tokio::time::sleep(deadline)), pending: Vec::new(), held: None, ended: false })
    }

    fn inner_done(&self) -> bool {
        self.ended || self.inner.is_end_stream()
    }

    fn take_pending(&mut self) -> Frame<Bytes> {
        Frame::data(Bytes::from(std::mem::take(&mut self.pending)))
    }
}

impl HttpBody for Deadline {
    type Data = Bytes;
    type Error = axum::BoxError;

    fn poll_frame(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Result<Frame<Self::Data>, Self::Error>>> {
        let this = &mut *self;
        loop {
            if this.held.is_some() || this.inner_done() {
                if !this.pending.is_empty() {
                    return Poll::Ready(Some(Ok(this.take_pending())));
                }
                if let Some(frame) = this.held.take() {
                    return Poll::Ready(Some(Ok(frame)));
                }
                return Poll::Ready(None);
            }
            if this.sleep.as_mut().poll(cx).is_ready() {
                return Poll::Ready(Some(Err(Box::new(BodyDeadline))));
            }
            match Pin::new(&mut this.inner).poll_frame(cx) {
                Poll::Ready(Some(Ok(frame))) => match frame.into_data() {
                    Ok(data) if this.pending.is_empty() && data.len() >= COALESCE => return Poll::Ready(Some(Ok(Frame::data(data)))),
                    Ok(data) => {
                        this.pending.extend_from_slice(&data);
                        if this.pending.len() >= COALESCE {
                            return Poll::Ready(Some(Ok(this.take_pending())));
                        }
                    }
                    Err(frame) => this.held = Some(frame),
                },
                Poll::Ready(Some(Err(e))) => return Poll::Ready(Some(Err(e.into()))),
                Poll::Ready(None) => this.ended = true,
                Poll::Pending => return Poll::Pending,
            }
        }
    }

    fn is_end_stream(&self) -> bool {
        self.inner_done() && self.pending.is_empty() && self.held.is_none()
    }

    fn size_hint(&self) -> SizeHint {
        let mut hint = self.inner.size_hint();
        let pending = self.pending.len() as u64;
        hint.set_lower(hint.lower() + pending);
        if let Some(upper) = hint.upper() {
            hint.set_upper(upper + pending);
        }
        hint
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

    /// One byte at a time, each in a slice of its own 8 KiB buffer (as hyper's
    /// reads hand them on), then nothing more for now: the body is still open.
    struct Bytewise {
        left: usize,
        buffers: std::sync::Arc<()>,
    }

    struct Buffer(#[allow(dead_code)] std::sync::Arc<()>, Vec<u8>);

    impl AsRef<[u8]> for Buffer {
        fn as_ref(&self) -> &[u8] {
            &self.1
        }
    }

    impl HttpBody for Bytewise {
        type Data = Bytes;
        type Error = std::io::Error;
        fn poll_frame(mut self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<Option<Result<Frame<Self::Data>, Self::Error>>> {
            if self.left == 0 {
                return Poll::Pending;
            }
            self.left -= 1;
            let buffer = Bytes::from_owner(Buffer(self.buffers.clone(), vec![b'x'; 8192]));
            Poll::Ready(Some(Ok(Frame::data(buffer.slice(0..1)))))
        }
    }

    #[tokio::test]
    async fn bytes_trickled_one_by_one_do_not_hold_their_read_buffers() {
        let buffers = std::sync::Arc::new(());
        let body = Deadline::wrap(Body::new(Bytewise { left: 500, buffers: buffers.clone() }), Duration::from_secs(10));
        let reading = tokio::spawn(axum::body::to_bytes(body, 64 * 1024));
        for _ in 0..10 {
            tokio::task::yield_now().await;
        }
        // 500 bytes read so far would otherwise hold 500 × 8 KiB until the body ends.
        // Counted: ours, the body's, and one per read buffer alive.
        assert_eq!(std::sync::Arc::strong_count(&buffers) - 2, 0, "read buffers still held");
        reading.abort();
    }

    /// These frames, then the end.
    struct Frames(std::collections::VecDeque<Frame<Bytes>>);

    impl HttpBody for Frames {
        type Data = Bytes;
        type Error = std::io::Error;
        fn poll_frame(mut self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<Option<Result<Frame<Self::Data>, Self::Error>>> {
            Poll::Ready(self.0.pop_front().map(Ok))
        }
    }

    #[tokio::test]
    async fn pieces_are_copied_together_and_trailers_follow_the_data() {
        let mut trailers = HeaderMap::new();
        trailers.insert("x-end", "1".parse().expect("value"));
        let frames = [Frame::data(Bytes::from_static(b"ab")), Frame::data(Bytes::from_static(b"c")), Frame::trailers(trailers)];
        let mut body = Deadline::wrap(Body::new(Frames(frames.into())), Duration::from_secs(10));
        let first = body.frame().await.expect("a frame").expect("data");
        assert_eq!(first.into_data().ok().as_deref(), Some(&b"abc"[..]));
        let second = body.frame().await.expect("a frame").expect("trailers");
        assert!(second.is_trailers());
        assert!(body.frame().await.is_none());
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
