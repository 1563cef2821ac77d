//! `policy.<lang>.json` read once, when it arrives, into the typed document
//! (`consent_wire::policy_doc`): the viewer renders and searches that shape,
//! never the `JsValue`. What does not fit the shape is left out.

use alloc::string::String;
use alloc::vec::Vec;

use consent_wire::policy_doc::{Block, PolicyDoc, Run, Section};
use js_sys::{Array, Reflect};
use wasm_bindgen::{JsCast, JsValue};

/// The document, and the note on a translation (when it falls back).
pub fn read(data: &JsValue) -> (PolicyDoc, Option<String>) {
    let sections = items(&get(data, "sections")).map(|s| section(&s)).collect();
    (PolicyDoc { title: get(data, "title").as_string().unwrap_or_default(), sections }, get(data, "note").as_string())
}

fn section(s: &JsValue) -> Section {
    Section {
        number: get(s, "n").as_string().unwrap_or_default(),
        title: get(s, "t").as_string().unwrap_or_default(),
        level: if get(s, "l").as_f64().is_some_and(|l| l > 2.0) { 3 } else { 2 },
        blocks: items(&get(s, "b")).filter_map(|b| block(&b)).collect(),
    }
}

fn block(b: &JsValue) -> Option<Block> {
    let at = |i| Reflect::get_u32(b, i).unwrap_or(JsValue::UNDEFINED);
    let texts = |v: &JsValue| items(v).map(|t| t.as_string().unwrap_or_default()).collect::<Vec<_>>();
    match at(0).as_string()?.as_str() {
        "p" => Some(Block::Para(runs(&at(1)))),
        "ul" => Some(Block::List(items(&at(1)).map(|item| runs(&item)).collect())),
        "table" => Some(Block::Table { head: texts(&at(1)), rows: items(&at(2)).map(|row| texts(&row)).collect() }),
        _ => None,
    }
}

fn runs(list: &JsValue) -> Vec<Run> {
    items(list)
        .map(|run| {
            if let Some(s) = run.as_string() {
                return Run::Text(s);
            }
            let part = |i| Reflect::get_u32(&run, i).ok().and_then(|v| v.as_string()).unwrap_or_default();
            match part(0).as_str() {
                "em" => Run::Em(part(1)),
                "strong" => Run::Strong(part(1)),
                "a" => Run::Link { text: part(1), href: part(2) },
                _ => Run::Text(part(1)),
            }
        })
        .collect()
}

fn get(obj: &JsValue, key: &str) -> JsValue {
    Reflect::get(obj, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
}

fn items(v: &JsValue) -> impl Iterator<Item = JsValue> {
    v.dyn_ref::<Array>().map(|a| a.to_vec()).unwrap_or_default().into_iter()
}
