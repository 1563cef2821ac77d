//! The IAB Transparency & Consent Framework's TC string, v2.3: the core
//! segment, the Disclosed Vendors segment (mandatory since 2.3) and the
//! Publisher TC segment, each base64url without padding, joined by `.`.
//!
//! [`Setup::tc_string`] makes a visitor's [`Choice`] into the string by the
//! CMP rules; [`ac_string`] is Google's Additional Consent string;
//! [`GppString`] is the IAB Global Privacy Platform string with its `tcfeuv2`
//! and `usnat` sections.
//! [`TcString::encode`] and [`TcString::decode`] are exact to the
//! specification's bit layout (checked against the IAB's own `@iabtechlabtcf/core`
//! in `tests/interop.rs`). Vendor sections use whichever of the bit field and
//! the range encoding is shorter, as the IAB's encoder does. `no_std` and free
//! of `core::fmt` on the encoding path, so the widget can carry it.

#![no_std]

extern crate alloc;

mod additional;
mod base64url;
mod bits;
mod choice;
mod gpp;
#[cfg(feature = "serde")]
pub mod gvl;
mod ids;
mod model;

pub use additional::ac_string;
pub use choice::{Choice, Setup, VendorInfo, CONSENT_ONLY, PURPOSES};
pub use gpp::{GppString, UsNat, TCFEUV2, USNAT};
pub use model::{Core, Publisher, Restriction, RestrictionType, TcString, DAY_DECISECONDS};

/// Why a TC string could not be read, or a model could not be written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TcError {
    /// A character outside base64url's alphabet.
    BadCharacter,
    /// The string ended inside a field.
    Truncated,
    /// Not version 2.
    Version(u8),
    /// A segment type other than Disclosed Vendors (1), Allowed Vendors (2) or Publisher TC (3).
    SegmentType(u8),
    /// A segment type given twice.
    RepeatedSegment(u8),
    /// A vendor range whose end is before its start, or an id of 0.
    BadRange,
    /// A language or country code that is not two letters A–Z.
    BadLetters,
    /// A purpose, special feature or custom purpose outside its field.
    OutOfField,
    /// More entries than a 12-bit count can say.
    TooManyEntries,
}

impl core::fmt::Display for TcError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            TcError::BadCharacter => f.write_str("a character outside base64url"),
            TcError::Truncated => f.write_str("the string ends inside a field"),
            TcError::Version(v) => write!(f, "version {v}, not 2"),
            TcError::SegmentType(t) => write!(f, "unknown segment type {t}"),
            TcError::RepeatedSegment(t) => write!(f, "segment type {t} given twice"),
            TcError::BadRange => f.write_str("a vendor range is empty or starts at 0"),
            TcError::BadLetters => f.write_str("a language or country is not two letters A-Z"),
            TcError::OutOfField => f.write_str("an id outside its field"),
            TcError::TooManyEntries => f.write_str("more than 4095 entries"),
        }
    }
}
