//! What a TC string says, and its bit layout: the core segment's fields in
//! the specification's order, then the optional segments, each led by its
//! 3-bit type.

use alloc::collections::BTreeSet;
use alloc::string::String;
use alloc::vec::Vec;

use crate::bits::{Reader, Writer};
use crate::ids::{read_field, read_ranges, read_vendors, write_field, write_ranges, write_vendors};
use crate::{base64url, TcError};

/// A day in the string's unit (deciseconds): TCF 2.3 rounds `Created` and `LastUpdated` to the day.
pub const DAY_DECISECONDS: u64 = 864_000;

const SEGMENT_DISCLOSED: u64 = 1;
const SEGMENT_ALLOWED: u64 = 2;
const SEGMENT_PUBLISHER: u64 = 3;

#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct TcString {
    pub core: Core,
    /// Vendors the CMP disclosed to the visitor (written whenever set; TCF 2.3 requires it).
    pub disclosed_vendors: Option<BTreeSet<u16>>,
    /// The deprecated Allowed Vendors segment, kept when a string carries it.
    pub allowed_vendors: Option<BTreeSet<u16>>,
    pub publisher: Option<Publisher>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Core {
    /// Deciseconds since the Unix epoch.
    pub created: u64,
    pub last_updated: u64,
    pub cmp_id: u16,
    pub cmp_version: u16,
    pub consent_screen: u8,
    /// Two letters A–Z, e.g. `*b"EN"`.
    pub consent_language: [u8; 2],
    pub vendor_list_version: u16,
    pub policy_version: u8,
    pub is_service_specific: bool,
    pub use_non_standard_texts: bool,
    /// Special features opted in (1–12).
    pub special_feature_optins: BTreeSet<u8>,
    /// Purposes consented to (1–24).
    pub purpose_consents: BTreeSet<u8>,
    /// Purposes under legitimate interest not objected to (1–24).
    pub purpose_legitimate_interests: BTreeSet<u8>,
    pub purpose_one_treatment: bool,
    pub publisher_country_code: [u8; 2],
    pub vendor_consents: BTreeSet<u16>,
    pub vendor_legitimate_interests: BTreeSet<u16>,
    pub publisher_restrictions: Vec<Restriction>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Restriction {
    pub purpose: u8,
    pub kind: RestrictionType,
    pub vendors: BTreeSet<u16>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum RestrictionType {
    NotAllowed,
    RequireConsent,
    RequireLegitimateInterest,
}

impl RestrictionType {
    /// The number the TC string, `TCData` and GPP give it (0, 1, 2).
    pub fn code(self) -> u8 {
        self as u8
    }

    pub fn from_code(code: u64) -> Option<RestrictionType> {
        match code {
            0 => Some(RestrictionType::NotAllowed),
            1 => Some(RestrictionType::RequireConsent),
            2 => Some(RestrictionType::RequireLegitimateInterest),
            _ => None,
        }
    }
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Publisher {
    pub consents: BTreeSet<u8>,
    pub legitimate_interests: BTreeSet<u8>,
    /// Custom purposes the publisher defines (0–63).
    pub num_custom_purposes: u8,
    pub custom_consents: BTreeSet<u8>,
    pub custom_legitimate_interests: BTreeSet<u8>,
}

fn write_letters(w: &mut Writer, letters: [u8; 2]) -> Result<(), TcError> {
    for l in letters {
        if !l.is_ascii_uppercase() {
            return Err(TcError::BadLetters);
        }
        w.int(u64::from(l - b'A'), 6);
    }
    Ok(())
}

fn read_letters(r: &mut Reader) -> Result<[u8; 2], TcError> {
    let mut out = [0u8; 2];
    for l in &mut out {
        let v = r.int(6)?;
        *l = u8::try_from(v).ok().filter(|v| *v < 26).map(|v| b'A' + v).ok_or(TcError::BadLetters)?;
    }
    Ok(out)
}

impl Core {
    fn write(&self, w: &mut Writer) -> Result<(), TcError> {
        w.int(2, 6);
        w.int(self.created, 36);
        w.int(self.last_updated, 36);
        w.int(u64::from(self.cmp_id), 12);
        w.int(u64::from(self.cmp_version), 12);
        w.int(u64::from(self.consent_screen), 6);
        write_letters(w, self.consent_language)?;
        w.int(u64::from(self.vendor_list_version), 12);
        w.int(u64::from(self.policy_version), 6);
        w.flag(self.is_service_specific);
        w.flag(self.use_non_standard_texts);
        write_field(w, &self.special_feature_optins, 12)?;
        write_field(w, &self.purpose_consents, 24)?;
        write_field(w, &self.purpose_legitimate_interests, 24)?;
        w.flag(self.purpose_one_treatment);
        write_letters(w, self.publisher_country_code)?;
        write_vendors(w, &self.vendor_consents)?;
        write_vendors(w, &self.vendor_legitimate_interests)?;
        let n = u64::try_from(self.publisher_restrictions.len()).map_err(|_| TcError::TooManyEntries)?;
        if n > 4095 {
            return Err(TcError::TooManyEntries);
        }
        w.int(n, 12);
        for r in &self.publisher_restrictions {
            if r.purpose == 0 || r.purpose > 63 {
                return Err(TcError::OutOfField);
            }
            w.int(u64::from(r.purpose), 6);
            w.int(r.kind as u64, 2);
            write_ranges(w, &r.vendors)?;
        }
        Ok(())
    }

    fn read(r: &mut Reader) -> Result<Core, TcError> {
        let version = r.int(6)?;
        if version != 2 {
            return Err(TcError::Version(u8::try_from(version).unwrap_or(u8::MAX)));
        }
        let narrow = |v: u64| u16::try_from(v).map_err(|_| TcError::OutOfField);
        let mut core = Core {
            created: r.int(36)?,
            last_updated: r.int(36)?,
            cmp_id: narrow(r.int(12)?)?,
            cmp_version: narrow(r.int(12)?)?,
            consent_screen: r.int(6)? as u8,
            consent_language: read_letters(r)?,
            vendor_list_version: narrow(r.int(12)?)?,
            policy_version: r.int(6)? as u8,
            is_service_specific: r.flag()?,
            use_non_standard_texts: r.flag()?,
            special_feature_optins: read_field(r, 12)?,
            purpose_consents: read_field(r, 24)?,
            purpose_legitimate_interests: read_field(r, 24)?,
            purpose_one_treatment: r.flag()?,
            publisher_country_code: read_letters(r)?,
            vendor_consents: read_vendors(r)?,
            vendor_legitimate_interests: read_vendors(r)?,
            publisher_restrictions: Vec::new(),
        };
        for _ in 0..r.int(12)? {
            let purpose = r.int(6)? as u8;
            let kind = match r.int(2)? {
                0 => RestrictionType::NotAllowed,
                1 => RestrictionType::RequireConsent,
                2 => RestrictionType::RequireLegitimateInterest,
                _ => return Err(TcError::OutOfField),
            };
            core.publisher_restrictions.push(Restriction { purpose, kind, vendors: read_ranges(r)? });
        }
        Ok(core)
    }
}

impl Publisher {
    fn write(&self, w: &mut Writer) -> Result<(), TcError> {
        w.int(SEGMENT_PUBLISHER, 3);
        write_field(w, &self.consents, 24)?;
        write_field(w, &self.legitimate_interests, 24)?;
        if self.num_custom_purposes > 63 {
            return Err(TcError::OutOfField);
        }
        w.int(u64::from(self.num_custom_purposes), 6);
        write_field(w, &self.custom_consents, u32::from(self.num_custom_purposes))?;
        write_field(w, &self.custom_legitimate_interests, u32::from(self.num_custom_purposes))
    }

    fn read(r: &mut Reader) -> Result<Publisher, TcError> {
        let consents = read_field(r, 24)?;
        let legitimate_interests = read_field(r, 24)?;
        let n = r.int(6)? as u8;
        Ok(Publisher { consents, legitimate_interests, num_custom_purposes: n, custom_consents: read_field(r, u32::from(n))?, custom_legitimate_interests: read_field(r, u32::from(n))? })
    }
}

fn vendor_segment(kind: u64, ids: &BTreeSet<u16>) -> Result<String, TcError> {
    let mut w = Writer::default();
    w.int(kind, 3);
    write_vendors(&mut w, ids)?;
    Ok(base64url::encode(&w.bits))
}

impl TcString {
    /// The string: core, then Disclosed Vendors, Allowed Vendors and Publisher TC where set.
    pub fn encode(&self) -> Result<String, TcError> {
        let mut w = Writer::default();
        self.core.write(&mut w)?;
        let mut out = base64url::encode(&w.bits);
        let mut push = |segment: String| {
            out.push('.');
            out.push_str(&segment);
        };
        if let Some(ids) = &self.disclosed_vendors {
            push(vendor_segment(SEGMENT_DISCLOSED, ids)?);
        }
        if let Some(ids) = &self.allowed_vendors {
            push(vendor_segment(SEGMENT_ALLOWED, ids)?);
        }
        if let Some(p) = &self.publisher {
            let mut w = Writer::default();
            p.write(&mut w)?;
            push(base64url::encode(&w.bits));
        }
        Ok(out)
    }

    pub fn decode(s: &str) -> Result<TcString, TcError> {
        let mut segments = s.split('.');
        let core = Core::read(&mut Reader::new(base64url::decode(segments.next().unwrap_or_default())?))?;
        let mut tc = TcString { core, disclosed_vendors: None, allowed_vendors: None, publisher: None };
        for segment in segments {
            let mut r = Reader::new(base64url::decode(segment)?);
            let kind = r.int(3)?;
            let repeated = TcError::RepeatedSegment(kind as u8);
            match kind {
                SEGMENT_DISCLOSED if tc.disclosed_vendors.is_none() => tc.disclosed_vendors = Some(read_vendors(&mut r)?),
                SEGMENT_ALLOWED if tc.allowed_vendors.is_none() => tc.allowed_vendors = Some(read_vendors(&mut r)?),
                SEGMENT_PUBLISHER if tc.publisher.is_none() => tc.publisher = Some(Publisher::read(&mut r)?),
                SEGMENT_DISCLOSED | SEGMENT_ALLOWED | SEGMENT_PUBLISHER => return Err(repeated),
                other => return Err(TcError::SegmentType(other as u8)),
            }
        }
        Ok(tc)
    }
}
