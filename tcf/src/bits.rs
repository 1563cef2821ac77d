//! Fields of a given width, most significant bit first.

use alloc::vec::Vec;

use crate::TcError;

#[derive(Default)]
pub struct Writer {
    pub bits: Vec<bool>,
}

impl Writer {
    pub fn int(&mut self, value: u64, width: u32) {
        self.bits.extend((0..width).rev().map(|i| (value >> i) & 1 == 1));
    }

    pub fn flag(&mut self, value: bool) {
        self.bits.push(value);
    }
}

pub struct Reader {
    bits: Vec<bool>,
    at: usize,
}

impl Reader {
    pub fn new(bits: Vec<bool>) -> Reader {
        Reader { bits, at: 0 }
    }

    pub fn int(&mut self, width: u32) -> Result<u64, TcError> {
        let end = self.at + width as usize;
        let field = self.bits.get(self.at..end).ok_or(TcError::Truncated)?;
        self.at = end;
        Ok(field.iter().fold(0, |v, &b| (v << 1) | u64::from(b)))
    }

    pub fn flag(&mut self) -> Result<bool, TcError> {
        let b = *self.bits.get(self.at).ok_or(TcError::Truncated)?;
        self.at += 1;
        Ok(b)
    }
}
