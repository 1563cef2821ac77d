//! A release build carries the built widget inside it (the loader template, the
//! first layer, the full widget's and the TCF CMP's scripts and Wasm, the TCF stub, from `www/consent` after
//! `cargo xtask build`), so the binary alone serves every site. Other builds
//! read them from `--www` at run time.

use std::path::Path;

/// The loader template, the first layer, the TCF stub, then `bundles::SHARED` from `pkg/`.
const FILES: [&str; 7] = ["loader.template.js", "first.wasm", "tcf-stub.js", "pkg/widget.js", "pkg/consent_widget_bg.wasm", "pkg/cmp.js", "pkg/consent_cmp_bg.wasm"];

fn main() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../www/consent");
    for f in FILES {
        println!("cargo:rerun-if-changed={}", dir.join(f).display());
    }
    let release = std::env::var("PROFILE").is_ok_and(|p| p == "release");
    let present = FILES.iter().all(|f| dir.join(f).is_file());
    let code = if release && present {
        let path = |f: &str| format!("{:?}", dir.join(f).display().to_string());
        let shared: Vec<String> = FILES[3..].iter().map(|f| format!("include_bytes!({})", path(f))).collect();
        format!(
            "Some(Embedded {{ template: include_str!({}), first: include_bytes!({}), tcf_stub: include_str!({}), shared: [{}] }})",
            path(FILES[0]),
            path(FILES[1]),
            path(FILES[2]),
            shared.join(", ")
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
