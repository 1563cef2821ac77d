//! Google's Additional Consent string (v2), stored beside the TC string for
//! Google's ad tech providers (ATPs) that are not in the IAB's list:
//! `2~<consented ids>~dv.<disclosed ids>`, ids ascending, joined by `.`; an id
//! consented to is not listed again as disclosed (Google: "Vendors included in
//! Part 3 should not be included in Part 5").

use alloc::collections::BTreeSet;
use alloc::string::String;

/// Appends `n` in decimal (no `core::fmt`).
fn push_number(out: &mut String, mut n: u32) {
    let mut digits = [0u8; 10];
    let mut len = 0;
    loop {
        digits[len] = b'0' + (n % 10) as u8;
        len += 1;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    for d in digits[..len].iter().rev() {
        out.push(char::from(*d));
    }
}

fn push_ids(out: &mut String, ids: &BTreeSet<u32>) {
    for (i, id) in ids.iter().enumerate() {
        if i > 0 {
            out.push('.');
        }
        push_number(out, *id);
    }
}

/// The AC string: `consented` must be among `disclosed` (others are dropped).
pub fn ac_string(consented: &BTreeSet<u32>, disclosed: &BTreeSet<u32>) -> String {
    let consented: BTreeSet<u32> = consented.intersection(disclosed).copied().collect();
    let mut out = String::from("2~");
    push_ids(&mut out, &consented);
    out.push_str("~dv.");
    push_ids(&mut out, &disclosed.difference(&consented).copied().collect());
    out
}
