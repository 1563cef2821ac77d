//! JSON text without `core::fmt`: a minimal JSON object writer that avoids
//! `core::fmt`, which would add kilobytes to the Wasm.

use alloc::string::String;

use crate::digits::push_radix;

pub(crate) struct JsonWriter {
    out: String,
    first: bool,
}

impl JsonWriter {
    pub(crate) fn new() -> Self {
        JsonWriter { out: String::from("{"), first: true }
    }

    pub(crate) fn key(&mut self, key: &str) {
        if !self.first {
            self.out.push(',');
        }
        self.first = false;
        self.string(key);
        self.out.push(':');
    }

    pub(crate) fn key_str(&mut self, key: &str, value: &str) {
        self.key(key);
        self.string(value);
    }

    pub(crate) fn str_array(&mut self, items: &[String]) {
        self.out.push('[');
        for (i, item) in items.iter().enumerate() {
            if i > 0 {
                self.out.push(',');
            }
            self.string(item);
        }
        self.out.push(']');
    }

    pub(crate) fn number(&mut self, n: u64) {
        push_radix(&mut self.out, n, 10);
    }

    fn string(&mut self, s: &str) {
        const HEX: &[u8; 16] = b"0123456789abcdef";
        self.out.push('"');
        for c in s.chars() {
            match c {
                '"' => self.out.push_str("\\\""),
                '\\' => self.out.push_str("\\\\"),
                c if (c as u32) < 0x20 || c == '\u{2028}' || c == '\u{2029}' => {
                    let v = c as u32;
                    self.out.push_str("\\u");
                    for shift in [12, 8, 4, 0] {
                        self.out.push(HEX[((v >> shift) & 0xf) as usize] as char);
                    }
                }
                c => self.out.push(c),
            }
        }
        self.out.push('"');
    }

    pub(crate) fn finish(mut self) -> String {
        self.out.push('}');
        self.out
    }
}
