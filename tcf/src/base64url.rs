//! Bits to base64url and back, six bits a character, no padding characters:
//! the bits are padded with zeros to a multiple of 24, as the IAB's encoder does.

use alloc::string::String;
use alloc::vec::Vec;

use crate::TcError;

const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

pub fn encode(bits: &[bool]) -> String {
    let mut padded = bits.to_vec();
    padded.resize(bits.len().div_ceil(24) * 24, false);
    encode_exact(&padded)
}

/// Six bits a character; a last partial character is padded with zeros.
pub fn encode_exact(bits: &[bool]) -> String {
    let padded = bits.len().div_ceil(6) * 6;
    let mut out = String::with_capacity(padded / 6);
    for chunk in 0..padded / 6 {
        let mut v = 0usize;
        for i in 0..6 {
            v = (v << 1) | usize::from(bits.get(chunk * 6 + i).copied().unwrap_or(false));
        }
        out.push(char::from(ALPHABET[v]));
    }
    out
}

pub fn decode(s: &str) -> Result<Vec<bool>, TcError> {
    let mut bits = Vec::with_capacity(s.len() * 6);
    for b in s.bytes() {
        let v = match b {
            b'A'..=b'Z' => b - b'A',
            b'a'..=b'z' => b - b'a' + 26,
            b'0'..=b'9' => b - b'0' + 52,
            b'-' => 62,
            b'_' => 63,
            _ => return Err(TcError::BadCharacter),
        };
        bits.extend((0..6).rev().map(|i| (v >> i) & 1 == 1));
    }
    Ok(bits)
}
