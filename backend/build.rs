//! A release build carries the built widget inside it (the loader template, the
//! first layer, the full widget's script and Wasm, the TCF stub, from `www/consent` after
//! `cargo xtask build`), so the binary alone serves every site. Other builds
//! read them from `--www` at run time.

use std::path::Path;

const FILES: [&str; 5] = ["loader.template.js", "first.wasm", "pkg/widget.js", "pkg/consent_widget_bg.wasm", "tcf-stub.js"];

fn main() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../www/consent");
    for f in FILES {
        println!("cargo:rerun-if-changed={}", dir.join(f).display());
    }
    let release = std::env::var("PROFILE").is_ok_and(|p| p == "release");
    let present = FILES.iter().all(|f| dir.join(f).is_file());
    let code = if release && present {
        let path = |f: &str| format!("{:?}", dir.join(f).display().to_string());
        format!(
            "Some(Embedded {{ template: include_str!({}), first: include_bytes!({}), js: include_bytes!({}), wasm: include_bytes!({}), tcf_stub: include_str!({}) }})",
            path(FILES[0]),
            path(FILES[1]),
            path(FILES[2]),
            path(FILES[3]),
            path(FILES[4])
        )
    } else {
        if release {
            println!("cargo:warning=the widget is not built (cargo xtask build): this binary serves no site's files unless --www has them");
        }
        "None".to_owned()
    };
    let out = Path::new(&std::env::var("OUT_DIR").unwrap_or_default()).join("embedded.rs");
    let text = format!("/// The built widget inside this binary, if it was built before it.\npub const EMBEDDED: Option<Embedded> = {code};\n");
    if let Err(e) = std::fs::write(&out, text) {
        println!("cargo:warning=writing {}: {e}", out.display());
    }
}
