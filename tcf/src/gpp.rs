//! The IAB Global Privacy Platform string: a header naming the sections, then
//! each section, joined by `~`. Two sections: `tcfeuv2` (id 2, the TC string)
//! and `usnat` (id 7, the US National privacy section, version 2, with its
//! Global Privacy Control sub-section). Section ids use the header's Fibonacci
//! range encoding; each segment is base64url padded to a byte, then to a
//! character, as the IAB's `@iabgpp/cmpapi` does.

use alloc::string::String;
use alloc::vec::Vec;

use crate::bits::{Reader, Writer};
use crate::{base64url, TcError, TcString};

pub const TCFEUV2: u64 = 2;
pub const USNAT: u64 = 7;

/// `usnat` v2: each field 0 (not applicable), 1 or 2 as the specification says
/// (notices: 1 given, 2 not given; opt-outs: 1 opted out, 2 did not opt out).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct UsNat {
    pub sharing_notice: u8,
    pub sale_opt_out_notice: u8,
    pub sharing_opt_out_notice: u8,
    pub targeted_advertising_opt_out_notice: u8,
    pub sensitive_data_processing_opt_out_notice: u8,
    pub sensitive_data_limit_use_notice: u8,
    pub sale_opt_out: u8,
    pub sharing_opt_out: u8,
    pub targeted_advertising_opt_out: u8,
    pub sensitive_data_processing: [u8; 16],
    pub known_child_sensitive_data_consents: [u8; 3],
    pub personal_data_consents: u8,
    pub mspa_covered_transaction: u8,
    pub mspa_opt_out_option_mode: u8,
    pub mspa_service_provider_mode: u8,
    /// The GPC sub-section: `None` leaves it out.
    pub gpc: Option<bool>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct GppString {
    pub tcfeuv2: Option<TcString>,
    pub usnat: Option<UsNat>,
}

/// Pads to a byte, then to a character (the IAB's "compressed" base64url).
fn compressed(mut bits: Vec<bool>) -> String {
    while !bits.len().is_multiple_of(8) {
        bits.push(false);
    }
    while !bits.len().is_multiple_of(6) {
        bits.push(false);
    }
    base64url::encode_exact(&bits)
}

/// Zeckendorf code, smallest Fibonacci number first, closed by an extra `1`.
fn write_fibonacci(w: &mut Writer, n: u64) {
    let mut fib: Vec<u64> = Vec::new();
    let (mut a, mut b) = (1u64, 2u64);
    while a <= n {
        fib.push(a);
        (a, b) = (b, a + b);
    }
    let mut rest = n;
    let mut bits = alloc::vec![false; fib.len()];
    for (i, f) in fib.iter().enumerate().rev() {
        if rest >= *f {
            bits[i] = true;
            rest -= f;
        }
    }
    bits.push(true);
    w.bits.extend(bits);
}

fn read_fibonacci(r: &mut Reader) -> Result<u64, TcError> {
    let (mut a, mut b) = (1u64, 2u64);
    let (mut value, mut last) = (0u64, false);
    for _ in 0..64 {
        let bit = r.flag()?;
        if bit && last {
            return Ok(value);
        }
        if bit {
            value = value.checked_add(a).ok_or(TcError::OutOfField)?;
        }
        last = bit;
        (a, b) = (b, a.saturating_add(b));
    }
    Err(TcError::OutOfField)
}

fn header(ids: &[u64]) -> String {
    let mut w = Writer::default();
    w.int(3, 6);
    w.int(1, 6);
    w.int(ids.len() as u64, 12);
    let mut offset = 0;
    for &id in ids {
        w.flag(false);
        write_fibonacci(&mut w, id - offset);
        offset = id;
    }
    compressed(w.bits)
}

fn read_header(s: &str) -> Result<Vec<u64>, TcError> {
    let mut r = Reader::new(base64url::decode(s)?);
    if r.int(6)? != 3 || r.int(6)? != 1 {
        return Err(TcError::Version(0));
    }
    let mut ids = Vec::new();
    let mut offset = 0u64;
    for _ in 0..r.int(12)? {
        let is_range = r.flag()?;
        let first = offset + read_fibonacci(&mut r)?;
        let last = if is_range { first + read_fibonacci(&mut r)? } else { first };
        if last - first > 64 {
            return Err(TcError::TooManyEntries);
        }
        ids.extend(first..=last);
        offset = last;
    }
    Ok(ids)
}

impl UsNat {
    fn fields(&self) -> impl Iterator<Item = u8> + '_ {
        let head = [self.sharing_notice, self.sale_opt_out_notice, self.sharing_opt_out_notice, self.targeted_advertising_opt_out_notice, self.sensitive_data_processing_opt_out_notice];
        let opt = [self.sensitive_data_limit_use_notice, self.sale_opt_out, self.sharing_opt_out, self.targeted_advertising_opt_out];
        let tail = [self.personal_data_consents, self.mspa_covered_transaction, self.mspa_opt_out_option_mode, self.mspa_service_provider_mode];
        head.into_iter().chain(opt).chain(self.sensitive_data_processing).chain(self.known_child_sensitive_data_consents).chain(tail)
    }

    fn encode(&self) -> Result<String, TcError> {
        let mut w = Writer::default();
        w.int(2, 6);
        for v in self.fields() {
            if v > 2 {
                return Err(TcError::OutOfField);
            }
            w.int(u64::from(v), 2);
        }
        let mut out = compressed(w.bits);
        if let Some(gpc) = self.gpc {
            let mut w = Writer::default();
            w.int(1, 2);
            w.flag(gpc);
            out.push('.');
            out.push_str(&compressed(w.bits));
        }
        Ok(out)
    }

    fn decode(s: &str) -> Result<UsNat, TcError> {
        let mut parts = s.split('.');
        let mut r = Reader::new(base64url::decode(parts.next().unwrap_or_default())?);
        let version = r.int(6)?;
        // Version 1 had 12 sensitive-data fields and 2 for known children.
        let (sensitive, children) = match version {
            1 => (12, 2),
            2 => (16, 3),
            v => return Err(TcError::Version(v as u8)),
        };
        let mut two = || r.int(2).map(|v| v as u8);
        let mut u = UsNat { sharing_notice: two()?, sale_opt_out_notice: two()?, sharing_opt_out_notice: two()?, targeted_advertising_opt_out_notice: two()?, ..UsNat::default() };
        u.sensitive_data_processing_opt_out_notice = two()?;
        u.sensitive_data_limit_use_notice = two()?;
        (u.sale_opt_out, u.sharing_opt_out, u.targeted_advertising_opt_out) = (two()?, two()?, two()?);
        for i in 0..sensitive {
            u.sensitive_data_processing[i] = two()?;
        }
        for i in 0..children {
            u.known_child_sensitive_data_consents[i] = two()?;
        }
        (u.personal_data_consents, u.mspa_covered_transaction, u.mspa_opt_out_option_mode, u.mspa_service_provider_mode) = (two()?, two()?, two()?, two()?);
        if let Some(gpc) = parts.next() {
            let mut r = Reader::new(base64url::decode(gpc)?);
            if r.int(2)? != 1 {
                return Err(TcError::SegmentType(0));
            }
            u.gpc = Some(r.flag()?);
        }
        Ok(u)
    }
}

impl GppString {
    /// Header, then the sections present in the order of their ids.
    pub fn encode(&self) -> Result<String, TcError> {
        let mut ids = Vec::new();
        let mut sections = Vec::new();
        if let Some(tc) = &self.tcfeuv2 {
            ids.push(TCFEUV2);
            sections.push(tc.encode()?);
        }
        if let Some(us) = &self.usnat {
            ids.push(USNAT);
            sections.push(us.encode()?);
        }
        let mut out = header(&ids);
        for s in sections {
            out.push('~');
            out.push_str(&s);
        }
        Ok(out)
    }

    /// Reads the sections this crate knows; others are skipped.
    pub fn decode(s: &str) -> Result<GppString, TcError> {
        let mut parts = s.split('~');
        let ids = read_header(parts.next().unwrap_or_default())?;
        let mut gpp = GppString::default();
        for (id, section) in ids.into_iter().zip(parts) {
            match id {
                TCFEUV2 => gpp.tcfeuv2 = Some(TcString::decode(section)?),
                USNAT => gpp.usnat = Some(UsNat::decode(section)?),
                _ => {}
            }
        }
        Ok(gpp)
    }

    /// The section ids present, as `__gpp('ping')` reports them.
    pub fn section_ids(&self) -> Vec<u64> {
        let mut ids = Vec::new();
        if self.tcfeuv2.is_some() {
            ids.push(TCFEUV2);
        }
        if self.usnat.is_some() {
            ids.push(USNAT);
        }
        ids
    }
}
