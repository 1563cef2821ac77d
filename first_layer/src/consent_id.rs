//! Consent and event ids: UUIDv7 (48-bit millisecond clock, then randomness from
//! `crypto.getRandomValues`), so ids sort by time and keep the backend's index compact.
//! Pure: the random bytes and the clock come from the caller.

use alloc::string::String;

use crate::sink::Sink;

/// The 16 bytes of a UUIDv7 from a millisecond timestamp and 10 random bytes.
pub fn uuid_v7_bytes(unix_ms: u64, random: &[u8; 10]) -> [u8; 16] {
    let mut b = [0u8; 16];
    let (clock, rest) = b.split_at_mut(6);
    clock.copy_from_slice(&unix_ms.to_be_bytes()[2..]);
    rest.copy_from_slice(random);
    b[6] = 0x70 | (b[6] & 0x0f);
    b[8] = 0x80 | (b[8] & 0x3f);
    b
}

/// Lowercase hex, with the dashes of the canonical form or without.
pub fn write_hex(out: &mut impl Sink, bytes: &[u8; 16], dashes: bool) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    for (i, byte) in bytes.iter().enumerate() {
        if dashes && matches!(i, 4 | 6 | 8 | 10) {
            out.push_str("-");
        }
        let pair = [HEX[usize::from(byte >> 4)], HEX[usize::from(byte & 15)]];
        // SAFETY: hex digits are ASCII.
        out.push_str(unsafe { core::str::from_utf8_unchecked(&pair) });
    }
}

/// A UUIDv7 in canonical text form.
pub fn uuid_v7(unix_ms: u64, random: &[u8; 10]) -> String {
    let mut s = String::with_capacity(36);
    write_hex(&mut s, &uuid_v7_bytes(unix_ms, random), true);
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn version_variant_and_time_order() {
        let a = uuid_v7(1_764_000_000_000, &[0xff; 10]);
        let b = uuid_v7(1_764_000_000_001, &[0x00; 10]);
        assert_eq!(a.len(), 36);
        assert_eq!(&a[14..15], "7");
        assert!(matches!(&a[19..20], "8" | "9" | "a" | "b"));
        assert!(a < b, "later ids sort after earlier ones");
        assert!(consent_wire::validate::is_uuid_v7(&a));
        assert!(consent_wire::validate::is_uuid_v7(&b));
        let mut plain = String::new();
        write_hex(&mut plain, &uuid_v7_bytes(1_764_000_000_000, &[0xff; 10]), false);
        assert_eq!(plain, a.replace('-', ""));
    }
}
