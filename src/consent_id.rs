//! Consent and event ids: UUIDv7 (48-bit millisecond clock, then randomness from
//! `crypto.getRandomValues`), so ids sort by time and keep the backend's index compact.

use alloc::string::String;

/// Formats a UUIDv7 from a millisecond timestamp and 10 random bytes.
pub fn uuid_v7(unix_ms: u64, random: &[u8; 10]) -> String {
    let mut b = [0u8; 16];
    b[..6].copy_from_slice(&unix_ms.to_be_bytes()[2..]);
    b[6..].copy_from_slice(random);
    b[6] = 0x70 | (b[6] & 0x0f);
    b[8] = 0x80 | (b[8] & 0x3f);
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(36);
    for (i, byte) in b.iter().enumerate() {
        if matches!(i, 4 | 6 | 8 | 10) {
            s.push('-');
        }
        s.push(HEX[(byte >> 4) as usize] as char);
        s.push(HEX[(byte & 15) as usize] as char);
    }
    s
}

/// A fresh UUIDv7 from the page's clock and its cryptographic random source.
#[cfg(target_arch = "wasm32")]
pub fn new_id() -> Option<String> {
    let mut random = [0u8; 10];
    web_sys::window()?.crypto().ok()?.get_random_values_with_u8_array(&mut random).ok()?;
    Some(uuid_v7(js_sys::Date::now() as u64, &random))
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
    }
}
