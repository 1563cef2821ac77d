//! The size report: what a page downloads before the banner can be used, raw,
//! gzip -9 and brotli (quality 11).

use std::io::Write;

use anyhow::{Context, Result};
use flate2::{write::GzEncoder, Compression};

use crate::build::{CONFIG, GLUE, LOADER, WASM};

pub fn print() -> Result<()> {
    let parts = [("loader", LOADER), ("glue (JS)", GLUE), ("wasm (CSS inside)", WASM), ("config.json", CONFIG)];
    println!("{:<20} {:>9} {:>9} {:>9}", "critical path", "raw B", "gzip B", "brotli B");
    let mut total = [0usize; 3];
    for (name, path) in parts {
        let bytes = std::fs::read(path).with_context(|| format!("reading {path} (run `cargo xtask build`)"))?;
        let row = [bytes.len(), gzip(&bytes)?, brotli(&bytes)?];
        for (t, v) in total.iter_mut().zip(row) {
            *t += v;
        }
        println!("{name:<20} {:>9} {:>9} {:>9}", row[0], row[1], row[2]);
    }
    println!("{:<20} {:>9} {:>9} {:>9}", "total", total[0], total[1], total[2]);
    println!("\n{:<20} {:>9} {:>9} {:>9}", "loaded on demand", "raw B", "gzip B", "brotli B");
    let mut lazy: Vec<_> = std::fs::read_dir("www/consent")?.filter_map(|e| e.ok().map(|e| e.path())).filter(|p| p.file_name().is_some_and(|n| n.to_string_lossy().starts_with("policy."))).collect();
    lazy.sort();
    for path in lazy {
        let bytes = std::fs::read(&path)?;
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        println!("{name:<20} {:>9} {:>9} {:>9}", bytes.len(), gzip(&bytes)?, brotli(&bytes)?);
    }
    Ok(())
}

pub fn gzip(bytes: &[u8]) -> Result<usize> {
    let mut enc = GzEncoder::new(Vec::new(), Compression::best());
    enc.write_all(bytes)?;
    Ok(enc.finish()?.len())
}

pub fn brotli(bytes: &[u8]) -> Result<usize> {
    let mut out = Vec::new();
    let params = brotli::enc::BrotliEncoderParams { quality: 11, ..Default::default() };
    brotli::BrotliCompress(&mut &bytes[..], &mut out, &params)?;
    Ok(out.len())
}
