//! The OpenAPI document served at `/api/v1/openapi.json`: the hand-written
//! description (`openapi.json`) with the event schema made exact for the sites
//! this server is configured with, so a tool that trusts the document (a
//! client generator, schemathesis) never meets a refusal the document did not
//! announce: one variant per site and action, with that site's categories and
//! the rules `consent_wire::validate` applies (every category on `accept_all`,
//! only the required ones on `reject_all`, the required ones always, none on
//! an impression).

use consent_wire::choice;
use consent_wire::config::SiteConfig;
use serde_json::{json, Value};

use crate::sites::Sites;

const STATIC: &str = include_str!("../openapi.json");

/// The document for `sites`, as JSON text.
pub fn document(sites: &Sites) -> String {
    let mut doc: Value = match serde_json::from_str(STATIC) {
        Ok(v) => v,
        // openapi.json is checked by the tests; never reached in a built server.
        Err(_) => return STATIC.to_owned(),
    };
    let variants: Vec<Value> = sites.all().flat_map(site_variants).collect();
    doc["components"]["schemas"]["Event"] = if variants.is_empty() { json!({ "not": {} }) } else { json!({ "oneOf": variants }) };
    doc.to_string()
}

/// The fields every event has, whatever its site and action.
fn common() -> serde_json::Map<String, Value> {
    let uuid7 = json!({ "type": "string", "pattern": "^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$" });
    let props = json!({
        "id": { "description": "UUIDv7; a retry carries the same id and is stored once", "type": "string", "pattern": uuid7["pattern"] },
        "revision": { "type": "string", "pattern": "^[0-9a-f]{1,64}$", "description": "The policy revision shown" },
        "banner": { "type": "string", "pattern": "^[0-9a-f]{64}$", "description": "SHA-256 of the banner version shown" },
        "lang": { "type": "string", "pattern": "^[A-Za-z-]{2,16}$" },
        "path": { "type": "string", "description": "Page path without query string or fragment; cut at 512 bytes (a whole character or %XX escape), never refused" },
        "client_ts": { "type": "integer", "minimum": 0, "maximum": 18_446_744_073_709_551_615u64, "description": "The visitor's clock in ms: information, never a reason to refuse" },
    });
    match props {
        Value::Object(m) => m,
        _ => serde_json::Map::new(),
    }
}

/// One schema per action for `site`.
fn site_variants(site: &SiteConfig) -> Vec<Value> {
    let all: Vec<&str> = site.categories.iter().map(|c| c.id.as_str()).collect();
    // A category accepted in part: each accepted service as `category/service`.
    let services: Vec<String> = site.categories.iter().flat_map(|c| c.services.iter().map(move |s| choice::service_entry(&c.id, &s.id()))).collect();
    let entries: Vec<&str> = all.iter().copied().chain(services.iter().map(String::as_str)).collect();
    let required: Vec<&str> = site.required_ids().collect();
    let must_hold: Vec<Value> = required.iter().map(|r| json!({ "contains": { "const": r } })).collect();
    let exactly = |ids: &[&str]| json!({ "type": "array", "items": { "enum": ids }, "uniqueItems": true, "minItems": ids.len(), "maxItems": ids.len() });
    let some = json!({ "type": "array", "items": { "enum": entries }, "uniqueItems": true, "maxItems": entries.len(), "allOf": must_hold });
    let mut out = vec![variant(site, "banner_shown", json!({ "type": "array", "maxItems": 0 }), false)];
    out.push(variant(site, "accept_all", exactly(&all), true));
    out.push(variant(site, "reject_all", exactly(&required), true));
    out.push(variant(site, "custom", some.clone(), true));
    out.push(variant(site, "withdraw", some, true));
    out
}

fn variant(site: &SiteConfig, action: &str, categories: Value, decision: bool) -> Value {
    let mut props = common();
    props.insert("site".into(), json!({ "const": site.id }));
    props.insert("action".into(), json!({ "const": action }));
    props.insert("categories".into(), categories);
    let mut required = vec!["id", "site", "action", "categories", "revision", "lang", "path", "client_ts"];
    // The A/B variant an impression showed or a first decision answered (withdrawals: the server's).
    if !site.variants.is_empty() && action != "withdraw" {
        let ids: Vec<&str> = site.variants.iter().map(|v| v.id.as_str()).collect();
        props.insert("variant".into(), json!({ "enum": ids, "description": "The banner variant (A/B) shown" }));
    }
    if !decision {
        // What serde reads as absent, the document allows as null.
        props.insert("consent_id".into(), json!({ "type": "null" }));
        props.insert("banner".into(), json!({ "type": ["string", "null"], "pattern": "^[0-9a-f]{64}$" }));
    }
    if decision {
        props.insert(
            "consent_id".into(),
            json!({ "type": "string", "pattern": "^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$", "description": "The visitor's consent record (UUIDv7)" }),
        );
        required.extend(["consent_id", "banner"]);
        if site.tcf.as_ref().is_some_and(|t| t.enabled) {
            props.insert(
                "tc_string".into(),
                json!({ "type": "string", "maxLength": 4096, "pattern": "^[A-Za-z0-9_.-]+$", "description": "The TC string the CMP stored for this decision (must decode)" }),
            );
            props.insert(
                "addtl_consent".into(),
                json!({ "type": "string", "maxLength": 4096, "pattern": "^2~([0-9]+(\\.[0-9]+)*)?~dv\\.([0-9]+(\\.[0-9]+)*)?$", "description": "Google's Additional Consent string beside it" }),
            );
        }
    }
    json!({
        "title": format!("{} {action}", site.id),
        "type": "object",
        "additionalProperties": false,
        "required": required,
        "properties": props,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_event_schema_names_each_site_and_its_categories() {
        let sites = Sites::load(&std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../pkg-config")).expect("pkg-config loads");
        let doc: Value = serde_json::from_str(&document(&sites)).expect("json");
        let variants = doc["components"]["schemas"]["Event"]["oneOf"].as_array().expect("variants");
        assert_eq!(variants.len(), sites.len() * 5);
        let reject = variants.iter().find(|v| v["title"] == "luxhost reject_all").expect("luxhost reject_all");
        assert_eq!(reject["properties"]["categories"]["items"]["enum"], json!(["necessary"]));
        assert!(reject["required"].as_array().is_some_and(|r| r.contains(&json!("banner"))));
        let shown = variants.iter().find(|v| v["title"] == "luxhost banner_shown").expect("impression");
        assert_eq!(shown["properties"]["consent_id"], json!({ "type": "null" }), "an impression carries no consent id");
    }
}
