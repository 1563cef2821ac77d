//! The loader a site embeds, baked: the minified loader template (made once, by
//! `cargo xtask build`, with the free names `__CONFIG__` and `__FIRST__` left in
//! it) with the site's `config.json` and the first layer's Wasm put in their
//! places, so the one script tag is the one file a visitor needs before the
//! banner. Baking needs no JavaScript toolchain: the server bakes every site's
//! loader itself.

use serde_json::Value;

use crate::BundleError;

/// Where the config goes, in the template.
const CONFIG_SLOT: &str = "__CONFIG__";
/// Where the first layer goes, in the template.
const FIRST_SLOT: &str = "__FIRST__";

/// The served loader: a byte order mark (browsers then read it as UTF-8 whatever
/// the page's encoding or the `Content-Type` say, so the first layer arrives
/// intact), then `template` with `config` (JSON) and `first` (Wasm) inside.
pub fn bake(template: &str, config: &str, first: &[u8]) -> Result<String, BundleError> {
    for slot in [CONFIG_SLOT, FIRST_SLOT] {
        if template.matches(slot).count() != 1 {
            return Err(BundleError::Template(slot));
        }
    }
    let config: Value = serde_json::from_str(config)?;
    let mut literal = String::with_capacity(config.to_string().len());
    object_literal(&config, &mut literal)?;
    let out = template.replacen(CONFIG_SLOT, &literal, 1).replacen(FIRST_SLOT, &bytes_literal(first), 1);
    Ok(format!("\u{feff}{out}"))
}

/// `value` as a JavaScript literal: JSON, with object keys unquoted where they are
/// identifiers. A `__proto__` key is refused: in an object literal it would set
/// the prototype where `JSON.parse` makes a key.
fn object_literal(value: &Value, out: &mut String) -> Result<(), BundleError> {
    match value {
        Value::Object(map) => {
            out.push('{');
            for (i, (k, v)) in map.iter().enumerate() {
                if k == "__proto__" {
                    return Err(BundleError::ProtoKey);
                }
                if i > 0 {
                    out.push(',');
                }
                if is_identifier(k) {
                    out.push_str(k);
                } else {
                    out.push_str(&Value::String(k.clone()).to_string());
                }
                out.push(':');
                object_literal(v, out)?;
            }
            out.push('}');
        }
        Value::Array(items) => {
            out.push('[');
            for (i, v) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                object_literal(v, out)?;
            }
            out.push(']');
        }
        scalar => out.push_str(&scalar.to_string()),
    }
    Ok(())
}

fn is_identifier(key: &str) -> bool {
    let mut chars = key.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_' || c == '$') && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '$')
}

/// `bytes` as a template literal of one character per byte (U+0000–U+00FF): gzip
/// then sees the bytes almost as they are (base64 would cost 1.3 KB more), and the
/// loader turns the characters back into bytes. Escaped: what a template literal
/// cannot hold as it is (a backtick, a backslash, `${`, a carriage return, which
/// would be read as a line feed) and NUL, backspace, form and line tabulation.
fn bytes_literal(bytes: &[u8]) -> String {
    let mut s = String::with_capacity(bytes.len() * 2);
    s.push('`');
    for (i, &b) in bytes.iter().enumerate() {
        let next = bytes.get(i + 1).copied();
        match b {
            0 if next.is_some_and(|n| n.is_ascii_digit()) => s.push_str("\\x00"),
            0 => s.push_str("\\0"),
            b'\r' => s.push_str("\\r"),
            0x08 => s.push_str("\\b"),
            0x0b => s.push_str("\\v"),
            0x0c => s.push_str("\\f"),
            b'`' => s.push_str("\\`"),
            b'\\' => s.push_str("\\\\"),
            b'$' if next == Some(b'{') => s.push_str("\\$"),
            _ => s.push(char::from(b)),
        }
    }
    s.push('`');
    s
}

/// What a `[tcf]` site's `__tcfapi` stub answers before the CMP loads:
/// its CMP and the versions of its vendor list.
pub struct TcfStub {
    pub cmp_id: u16,
    pub cmp_version: u16,
    pub gvl_version: u16,
    pub policy_version: u8,
}

/// What the stubs answer before the CMP loads (`ping`): `__tcfapi` for a
/// `[tcf]` site (`tcf`), `__gpp` for it and for a `[gpp]` site: the CMP id,
/// the sections that apply (`[gpp] applicable_sections`, else `[2]`) and the
/// sections the CMP writes.
pub fn stub_config(tcf: Option<&TcfStub>, gpp: Option<&consent_wire::config::gpp::GppConfig>) -> Value {
    let gpp = gpp.filter(|g| g.enabled);
    let cmp_id = gpp.map_or(tcf.map_or(0, |t| t.cmp_id), |g| g.cmp_id(tcf.map(|t| t.cmp_id)));
    let mut apis = Vec::new();
    if tcf.is_some() {
        apis.push("2:tcfeuv2");
    }
    if gpp.is_some_and(|g| g.usnat.is_some()) {
        apis.push("7:usnat");
    }
    let tcf = tcf.map(|t| {
        serde_json::json!({
            "cmpId": t.cmp_id, "cmpVersion": t.cmp_version, "gdprApplies": true,
            "gvlVersion": t.gvl_version, "tcfPolicyVersion": t.policy_version,
        })
    });
    let sections = gpp.map_or_else(|| vec![2], |g| g.applicable_sections.clone());
    serde_json::json!({ "tcf": tcf, "gpp": { "cmpId": cmp_id, "applicableSections": sections, "apis": apis } })
}

/// `loader` with the `__tcfapi` / `__gpp` stubs (`stub`, answering with
/// `config`) before it, after its byte order mark, which must stay first.
pub fn with_stubs(loader: &str, stub: &str, config: &Value) -> String {
    let rest = loader.strip_prefix('\u{FEFF}');
    let bom = if rest.is_some() { "\u{FEFF}" } else { "" };
    let stub = stub.trim_end().replace("__CONSENT_TCF__", &config.to_string());
    format!("{bom}{stub}\n{}", rest.unwrap_or(loader))
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEMPLATE: &str = "(()=>{const c=__CONFIG__,f=()=>__FIRST__;})();";

    #[test]
    fn config_and_first_layer_go_in_their_places() {
        let baked = bake(TEMPLATE, r#"{"a":1,"b-c":["x\"y"],"if":{"n":null}}"#, b"\0asm\0\x01").expect("bake");
        assert_eq!(baked, "\u{feff}(()=>{const c={a:1,\"b-c\":[\"x\\\"y\"],if:{n:null}},f=()=>`\\0asm\\0\u{1}`;})();");
    }

    #[test]
    fn every_byte_comes_back() {
        // What the loader does: the template literal's characters, back to bytes.
        let bytes: Vec<u8> = (0..=255u8).chain([0, b'1', b'$', b'{', b'`', b'\\', b'\r']).collect();
        let lit = bytes_literal(&bytes);
        let inner = &lit[1..lit.len() - 1];
        let mut back = Vec::new();
        let mut chars = inner.chars().peekable();
        while let Some(c) = chars.next() {
            if c != '\\' {
                back.push(u8::try_from(u32::from(c)).expect("one byte per character"));
                continue;
            }
            match chars.next().expect("escape") {
                '0' => back.push(0),
                'x' => {
                    let hex: String = [chars.next(), chars.next()].into_iter().flatten().collect();
                    back.push(u8::from_str_radix(&hex, 16).expect("hex"));
                }
                'r' => back.push(b'\r'),
                'b' => back.push(8),
                'v' => back.push(11),
                'f' => back.push(12),
                other => back.push(u8::try_from(u32::from(other)).expect("byte")),
            }
        }
        assert_eq!(back, bytes);
        assert!(inner.match_indices("${").all(|(i, _)| inner[..i].ends_with('\\')), "no substitution");
    }

    #[test]
    fn a_proto_key_or_a_template_without_its_slots_is_refused() {
        assert!(matches!(bake(TEMPLATE, r#"{"t":{"__proto__":{"x":1}}}"#, b""), Err(BundleError::ProtoKey)));
        assert!(matches!(bake("__CONFIG__", "{}", b""), Err(BundleError::Template(FIRST_SLOT))));
        assert!(matches!(bake("__CONFIG____CONFIG____FIRST__", "{}", b""), Err(BundleError::Template(CONFIG_SLOT))));
        assert!(bake(TEMPLATE, "{not json", b"").is_err());
    }
}
