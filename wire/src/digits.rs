//! Numbers as text without `core::fmt` (which would add kilobytes to the Wasm):
//! decimal for JSON and labels, base 36 for the consent cookie.

use alloc::string::String;

/// Appends `n` in base `radix` (2-36, lowercase digits) without `core::fmt`.
pub fn push_radix(out: &mut String, n: u64, radix: u64) {
    out.push_str(radix_digits(n, radix, &mut [0; 64]));
}

/// `n` in base `radix` (2-36, lowercase digits), written at the end of `buf`;
/// for writers that are not a `String`. No index can fail, so no panic path.
pub fn radix_digits(mut n: u64, radix: u64, buf: &mut [u8; 64]) -> &str {
    const DIGITS: &[u8; 36] = b"0123456789abcdefghijklmnopqrstuvwxyz";
    let radix = radix.clamp(2, 36);
    let mut i = buf.len();
    while i > 0 {
        i -= 1;
        buf[i] = DIGITS[(n % radix) as usize % 36];
        n /= radix;
        if n == 0 {
            break;
        }
    }
    // SAFETY: `DIGITS` are ASCII.
    buf.get(i..).map(|d| unsafe { core::str::from_utf8_unchecked(d) }).unwrap_or("0")
}
