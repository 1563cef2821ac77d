//! Sets of ids as the string carries them: fixed fields (purposes, special
//! features: bit *i* is id *i + 1*), vendor sections (a bit field or ranges,
//! whichever is shorter) and range lists (publisher restrictions).

use alloc::collections::BTreeSet;
use alloc::vec::Vec;

use crate::bits::{Reader, Writer};
use crate::TcError;

/// Ids a decoded range list may cover in all (bounds the work a hostile string can cause).
const MAX_COVERED: u64 = 4 * 65_535;

pub fn write_field(w: &mut Writer, ids: &BTreeSet<u8>, width: u32) -> Result<(), TcError> {
    if ids.iter().any(|&id| id == 0 || u32::from(id) > width) {
        return Err(TcError::OutOfField);
    }
    for i in 1..=width {
        w.flag(u8::try_from(i).is_ok_and(|i| ids.contains(&i)));
    }
    Ok(())
}

pub fn read_field(r: &mut Reader, width: u32) -> Result<BTreeSet<u8>, TcError> {
    let mut ids = BTreeSet::new();
    for i in 1..=width {
        if r.flag()? {
            ids.insert(u8::try_from(i).map_err(|_| TcError::OutOfField)?);
        }
    }
    Ok(ids)
}

/// Consecutive ids as (first, last) runs.
fn runs(ids: &BTreeSet<u16>) -> Vec<(u16, u16)> {
    let mut runs: Vec<(u16, u16)> = Vec::new();
    for &id in ids {
        match runs.last_mut() {
            Some((_, last)) if u32::from(*last) + 1 == u32::from(id) => *last = id,
            _ => runs.push((id, id)),
        }
    }
    runs
}

fn write_runs(w: &mut Writer, runs: &[(u16, u16)]) -> Result<(), TcError> {
    let n = u64::try_from(runs.len()).map_err(|_| TcError::TooManyEntries)?;
    if n > 4095 {
        return Err(TcError::TooManyEntries);
    }
    w.int(n, 12);
    for &(first, last) in runs {
        w.flag(first != last);
        w.int(u64::from(first), 16);
        if first != last {
            w.int(u64::from(last), 16);
        }
    }
    Ok(())
}

/// `NumEntries` then each single id or range.
pub fn write_ranges(w: &mut Writer, ids: &BTreeSet<u16>) -> Result<(), TcError> {
    if ids.contains(&0) {
        return Err(TcError::BadRange);
    }
    write_runs(w, &runs(ids))
}

pub fn read_ranges(r: &mut Reader) -> Result<BTreeSet<u16>, TcError> {
    let n = r.int(12)?;
    let mut ids = BTreeSet::new();
    let mut covered = 0u64;
    for _ in 0..n {
        let is_range = r.flag()?;
        let first = r.int(16)?;
        let last = if is_range { r.int(16)? } else { first };
        if first == 0 || last < first {
            return Err(TcError::BadRange);
        }
        covered += last - first + 1;
        if covered > MAX_COVERED {
            return Err(TcError::TooManyEntries);
        }
        ids.extend((first..=last).filter_map(|id| u16::try_from(id).ok()));
    }
    Ok(ids)
}

/// `MaxVendorId`, `IsRangeEncoding`, then the bit field or the ranges, whichever is shorter.
pub fn write_vendors(w: &mut Writer, ids: &BTreeSet<u16>) -> Result<(), TcError> {
    if ids.contains(&0) {
        return Err(TcError::BadRange);
    }
    let max = ids.last().copied().unwrap_or(0);
    w.int(u64::from(max), 16);
    let runs = runs(ids);
    let range_bits: usize = 12 + runs.iter().map(|(a, b)| if a == b { 17 } else { 33 }).sum::<usize>();
    let use_ranges = range_bits < usize::from(max) && runs.len() <= 4095;
    w.flag(use_ranges);
    if use_ranges {
        return write_runs(w, &runs);
    }
    for id in 1..=max {
        w.flag(ids.contains(&id));
    }
    Ok(())
}

pub fn read_vendors(r: &mut Reader) -> Result<BTreeSet<u16>, TcError> {
    let max = r.int(16)?;
    if r.flag()? {
        let ids = read_ranges(r)?;
        return Ok(ids);
    }
    let mut ids = BTreeSet::new();
    for id in 1..=max {
        if r.flag()? {
            ids.insert(u16::try_from(id).map_err(|_| TcError::BadRange)?);
        }
    }
    Ok(ids)
}
