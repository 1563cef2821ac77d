//! A file as it is served: its bytes, and the same made once with gzip -9 and
//! brotli at its highest quality, never per request. What a page downloads is
//! then exactly what the size report says.

use std::io::Write;

use flate2::{write::GzEncoder, Compression};

/// One file in every encoding it is served in.
pub struct Encoded {
    pub identity: Vec<u8>,
    pub gzip: Vec<u8>,
    pub br: Vec<u8>,
}

impl Encoded {
    pub fn new(identity: Vec<u8>) -> Encoded {
        let gzip = gzip(&identity);
        let br = brotli(&identity);
        Encoded { identity, gzip, br }
    }
}

/// gzip at level 9.
pub fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut enc = GzEncoder::new(Vec::new(), Compression::best());
    // Writing into a Vec cannot fail.
    let _ = enc.write_all(bytes);
    enc.finish().unwrap_or_default()
}

/// Brotli at quality 11.
pub fn brotli(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    let params = brotli::enc::BrotliEncoderParams { quality: 11, ..Default::default() };
    // Reading from a slice into a Vec cannot fail.
    let _ = brotli::BrotliCompress(&mut &bytes[..], &mut out, &params);
    out
}

#[cfg(test)]
mod tests {
    use std::io::Read;

    #[test]
    fn each_encoding_decodes_to_the_file() {
        let text: Vec<u8> = (0..20_000u32).flat_map(|i| (i % 251).to_le_bytes()).collect();
        let e = super::Encoded::new(text.clone());
        let mut gunzipped = Vec::new();
        flate2::read::GzDecoder::new(&e.gzip[..]).read_to_end(&mut gunzipped).expect("gzip");
        let mut unbrotlied = Vec::new();
        brotli::BrotliDecompress(&mut &e.br[..], &mut unbrotlied).expect("brotli");
        assert_eq!(gunzipped, text);
        assert_eq!(unbrotlied, text);
        assert!(e.br.len() < text.len() / 4 && e.gzip.len() < text.len() / 4);
    }
}
