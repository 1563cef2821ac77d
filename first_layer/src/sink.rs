//! Where text is written: a `String` in the full widget, a fixed buffer in the
//! first layer (which then needs no growing heap and none of its code).

use alloc::string::String;

pub trait Sink {
    fn push_str(&mut self, s: &str);
}

impl Sink for String {
    fn push_str(&mut self, s: &str) {
        String::push_str(self, s);
    }
}

/// Up to `N` bytes of text; what does not fit is dropped and remembered.
pub struct Buf<const N: usize> {
    bytes: [u8; N],
    len: usize,
    overflowed: bool,
}

impl<const N: usize> Buf<N> {
    pub const fn new() -> Self {
        Buf { bytes: [0; N], len: 0, overflowed: false }
    }

    /// The text, or `None` if some did not fit.
    pub fn text(&self) -> Option<&str> {
        let bytes = self.bytes.get(..self.len).filter(|_| !self.overflowed)?;
        // SAFETY: only whole `&str`s are ever copied in.
        Some(unsafe { core::str::from_utf8_unchecked(bytes) })
    }
}

impl<const N: usize> Default for Buf<N> {
    fn default() -> Self {
        Self::new()
    }
}

impl<const N: usize> Sink for Buf<N> {
    fn push_str(&mut self, s: &str) {
        match self.bytes.get_mut(self.len..self.len + s.len()) {
            Some(room) if !self.overflowed => {
                room.copy_from_slice(s.as_bytes());
                self.len += s.len();
            }
            _ => self.overflowed = true,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_full_buffer_gives_no_text_rather_than_part_of_it() {
        let mut b = Buf::<8>::new();
        b.push_str("abc");
        b.push_str("défgh");
        assert_eq!(b.text(), None, "9 bytes do not fit in 8");
        let mut b = Buf::<8>::new();
        b.push_str("abc");
        b.push_str("dé");
        assert_eq!(b.text(), Some("abcdé"));
    }
}
