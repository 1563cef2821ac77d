//! `POST /api/v1/events` over real HTTP into a real SQLite file.

mod common;

use common::{decision, now_ms, spawn, uuid7, TOKEN};
use serde_json::{json, Value};

const UA_DESKTOP: &str = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/156.0 Safari/537.36";

async fn post(base: &str, content_type: Option<&str>, origin: Option<&str>, body: Vec<u8>) -> (u16, Value) {
    let mut req = reqwest::Client::new().post(format!("{base}/api/v1/events")).header("user-agent", UA_DESKTOP).body(body);
    if let Some(ct) = content_type {
        req = req.header("content-type", ct);
    }
    if let Some(o) = origin {
        req = req.header("origin", o);
    }
    let res = req.send().await.expect("request");
    let status = res.status().as_u16();
    (status, res.json().await.unwrap_or(Value::Null))
}

fn bytes(v: &Value) -> Vec<u8> {
    serde_json::to_vec(v).expect("json")
}

#[tokio::test]
async fn a_valid_event_is_stored_with_what_the_server_adds() {
    let s = spawn().await;
    let ev = decision("reject_all");
    let (status, body) = post(&s.base, Some("text/plain;charset=UTF-8"), Some("http://127.0.0.1:8080"), bytes(&ev)).await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(body, json!({"stored": 1, "duplicates": 0, "refused": []}));
    let rows = s.db.query("SELECT action, consent_id, categories, device, server_ts FROM events").await;
    assert_eq!(rows.len(), 1);
    let row: Vec<String> = rows[0].iter().map(|v| v.clone().unwrap_or_default()).collect();
    let (action, consent, cats, device) = (&row[0], &row[1], &row[2], &row[3]);
    let server_ts: i64 = row[4].parse().expect("server_ts");
    assert_eq!(action, "reject_all");
    assert_eq!(consent, ev["consent_id"].as_str().expect("id"));
    assert_eq!(cats, "necessary");
    assert_eq!(device, "desktop");
    assert!((server_ts - now_ms() as i64).abs() < 10_000);
    let columns = s.db.columns("events").await;
    assert!(columns.contains(&"path".to_owned()), "{columns:?}");
    assert!(!columns.iter().any(|c| c.contains("ip") || c.contains("agent")), "no IP or user agent is stored: {columns:?}");
}

/// A category accepted in part: its services one by one, counted as consent.
#[tokio::test]
async fn a_decision_accepting_single_services_is_stored_as_such() {
    let s = spawn().await;
    let mut ev = decision("custom");
    ev["categories"] = json!(["necessary", "analytics/bezoekstatistieken"]);
    let (status, body) = post(&s.base, Some("application/json"), None, bytes(&ev)).await;
    assert_eq!(status, 201, "{body}");
    let rows = s.db.query("SELECT categories, consented FROM events").await;
    let row: Vec<String> = rows[0].iter().map(|v| v.clone().unwrap_or_default()).collect();
    assert_eq!(row[0], "necessary analytics/bezoekstatistieken");
    assert!(matches!(row[1].as_str(), "1" | "t" | "true"), "one service of an optional category is consent (SQLite 1, PostgreSQL t): {row:?}");
}

#[tokio::test]
async fn impressions_batches_and_retries() {
    let s = spawn().await;
    let shown = json!({"id": uuid7(), "site": "luxhost", "action": "banner_shown", "categories": [], "revision": "ab", "lang": "en", "path": "/x", "client_ts": now_ms()});
    let batch = json!([shown, decision("accept_all"), decision("custom")]);
    let (status, body) = post(&s.base, Some("application/json"), None, bytes(&batch)).await;
    assert_eq!((status, body), (201, json!({"stored": 3, "duplicates": 0, "refused": []})));
    // The same batch again (a retry): nothing new is stored.
    let (status, body) = post(&s.base, Some("application/json"), None, bytes(&batch)).await;
    assert_eq!((status, body), (200, json!({"stored": 0, "duplicates": 3, "refused": []})));
    assert_eq!(s.rows().await, 3);
    assert_eq!(s.rows_where("banner_shown").await, 1);
}

#[tokio::test]
async fn stats_count_per_action_behind_the_admin_token() {
    let s = spawn().await;
    for a in ["accept_all", "reject_all", "reject_all", "custom"] {
        assert_eq!(post(&s.base, Some("application/json"), None, bytes(&decision(a))).await.0, 201);
    }
    let client = reqwest::Client::new();
    let url = format!("{}/api/v1/stats?site=luxhost", s.base);
    assert_eq!(client.get(&url).send().await.expect("get").status().as_u16(), 401);
    assert_eq!(client.get(&url).bearer_auth("wrong").send().await.expect("get").status().as_u16(), 401);
    let res = client.get(&url).bearer_auth(TOKEN).send().await.expect("get");
    assert_eq!(res.status().as_u16(), 200);
    let body: Value = res.json().await.expect("json");
    assert_eq!(body["counts"], json!({"accept_all": 1, "reject_all": 2, "custom": 1, "banner_shown": 0, "withdraw": 0}));
    let res = client.get(format!("{}/api/v1/stats?site=nope", s.base)).bearer_auth(TOKEN).send().await.expect("get");
    assert_eq!(res.status().as_u16(), 404);
}

#[tokio::test]
async fn cors_answers_only_configured_origins() {
    let s = spawn().await;
    let client = reqwest::Client::new();
    let preflight = |origin: &'static str| {
        client
            .request(reqwest::Method::OPTIONS, format!("{}/api/v1/events", s.base))
            .header("origin", origin)
            .header("access-control-request-method", "POST")
            .header("access-control-request-headers", "content-type")
            .send()
    };
    let ok = preflight("http://localhost:3000").await.expect("preflight");
    assert_eq!(ok.headers().get("access-control-allow-origin").and_then(|v| v.to_str().ok()), Some("http://localhost:3000"));
    let foreign = preflight("https://evil.example").await.expect("preflight");
    assert!(foreign.headers().get("access-control-allow-origin").is_none());
}

/// Every bad input gets a 4xx with a JSON message naming the problem, and nothing is stored.
#[tokio::test]
async fn bad_inputs_are_refused_and_nothing_is_stored() {
    let s = spawn().await;
    let with = |f: &dyn Fn(&mut Value)| {
        let mut v = decision("custom");
        f(&mut v);
        bytes(&v)
    };
    let shown = || json!({"id": uuid7(), "site": "luxhost", "action": "banner_shown", "categories": [], "revision": "ab", "lang": "en", "path": "/", "client_ts": now_ms()});
    let json_ct = Some("application/json");
    let mut deep = "[".repeat(300);
    deep.push_str(&"]".repeat(300));
    let mut bad_utf8 = with(&|_| {});
    let at = bad_utf8.windows(3).position(|w| w == b"\"/\"").expect("path value") + 1;
    bad_utf8.splice(at..at, [0xff, 0xfe]);
    let mut foreign_site = decision("reject_all");
    foreign_site["site"] = json!("zzz");
    // (what, content type, origin, body, status, error mentions)
    type Case<'a> = (&'a str, Option<&'a str>, Option<&'a str>, Vec<u8>, u16, &'a str);
    let cases: Vec<Case> = vec![
        ("truncated JSON", json_ct, None, b"{\"id\":".to_vec(), 400, "malformed JSON"),
        ("not JSON", json_ct, None, b"hello".to_vec(), 400, "JSON object"),
        ("empty body", json_ct, None, vec![], 400, "empty body"),
        ("null", json_ct, None, b"null".to_vec(), 400, "JSON object"),
        ("empty batch", json_ct, None, b"[]".to_vec(), 400, "empty batch"),
        ("batch of 11", json_ct, None, bytes(&Value::Array((0..11).map(|_| decision("reject_all")).collect())), 400, "at most 10"),
        ("oversized body", json_ct, None, with(&|v| v["path"] = json!("/".repeat(9000))), 413, "larger than"),
        ("wrong media type", Some("application/xml"), None, with(&|_| {}), 415, "Content-Type"),
        ("no media type", None, None, with(&|_| {}), 415, "Content-Type"),
        ("unknown field", json_ct, None, with(&|v| v["extra"] = json!(1)), 422, "unknown field `extra`"),
        (
            "missing field",
            json_ct,
            None,
            with(&|v| {
                v.as_object_mut().map(|o| o.remove("site"));
            }),
            422,
            "missing field `site`",
        ),
        ("client_ts as string", json_ct, None, with(&|v| v["client_ts"] = json!("now")), 422, "invalid type"),
        ("categories as string", json_ct, None, with(&|v| v["categories"] = json!("necessary")), 422, "invalid type"),
        ("negative client_ts", json_ct, None, with(&|v| v["client_ts"] = json!(-1)), 422, "invalid value"),
        ("unknown action", json_ct, None, with(&|v| v["action"] = json!("accept_some")), 422, "unknown variant `accept_some`"),
        ("unknown site", json_ct, None, with(&|v| v["site"] = json!("nope")), 404, "unknown site `nope`"),
        ("foreign origin", json_ct, Some("https://evil.example"), with(&|_| {}), 403, "origin `https://evil.example`"),
        ("unknown category", json_ct, None, with(&|v| v["categories"] = json!(["necessary", "tracking"])), 422, "unknown category or service `tracking`"),
        ("unknown service", json_ct, None, with(&|v| v["categories"] = json!(["necessary", "analytics/tracking"])), 422, "unknown category or service `analytics/tracking`"),
        ("a service in the wrong category", json_ct, None, with(&|v| v["categories"] = json!(["necessary", "marketing/bezoekstatistieken"])), 422, "`marketing/bezoekstatistieken`"),
        ("duplicate category", json_ct, None, with(&|v| v["categories"] = json!(["necessary", "necessary"])), 422, "listed twice"),
        ("65 categories", json_ct, None, with(&|v| v["categories"] = json!(vec!["necessary"; 65])), 422, "at most 64"),
        ("required category missing", json_ct, None, with(&|v| v["categories"] = json!(["analytics"])), 422, "required category `necessary`"),
        ("accept_all incomplete", json_ct, None, with(&|v| v["action"] = json!("accept_all")), 422, "every category"),
        (
            "reject_all with marketing",
            json_ct,
            None,
            with(&|v| {
                v["action"] = json!("reject_all");
                v["categories"] = json!(["necessary", "marketing"]);
            }),
            422,
            "only required",
        ),
        ("id not a UUID", json_ct, None, with(&|v| v["id"] = json!("1234")), 422, "`id` must be a lowercase UUIDv7"),
        ("consent id is v4", json_ct, None, with(&|v| v["consent_id"] = json!("0f8fad5b-d9cb-469f-a165-70867728950e")), 422, "`consent_id` must be"),
        (
            "decision without consent id",
            json_ct,
            None,
            with(&|v| {
                v.as_object_mut().map(|o| o.remove("consent_id"));
            }),
            422,
            "`consent_id` is required",
        ),
        (
            "impression with consent id",
            json_ct,
            None,
            {
                let mut v = shown();
                v["consent_id"] = json!(uuid7());
                bytes(&v)
            },
            422,
            "must be absent",
        ),
        (
            "impression with categories",
            json_ct,
            None,
            {
                let mut v = shown();
                v["categories"] = json!(["necessary"]);
                bytes(&v)
            },
            422,
            "must be empty",
        ),
        ("revision not hex", json_ct, None, with(&|v| v["revision"] = json!("<b>")), 422, "`revision`"),
        ("hostile lang", json_ct, None, with(&|v| v["lang"] = json!("\"><script>")), 422, "`lang`"),
        ("invalid UTF-8", json_ct, None, bad_utf8, 400, "malformed JSON"),
        ("deep nesting", json_ct, None, deep.into_bytes(), 400, "malformed JSON"),
        ("every event of a batch bad", json_ct, None, bytes(&json!([{"id": "x"}, foreign_site])), 422, "invalid event"),
    ];
    assert!(cases.len() >= 28);
    for (name, ct, origin, body, want_status, want_msg) in cases {
        let (status, body) = post(&s.base, ct, origin, body).await;
        let msg = body["error"].as_str().unwrap_or_default();
        assert_eq!(status, want_status, "{name}: {body}");
        assert!(msg.contains(want_msg), "{name}: message {msg:?} should contain {want_msg:?}");
        assert_eq!(s.rows().await, 0, "{name}: nothing may be stored");
    }
    // A replayed event id is acknowledged without a second row.
    let ev = decision("custom");
    assert_eq!(post(&s.base, json_ct, None, bytes(&ev)).await.0, 201);
    let (status, body) = post(&s.base, json_ct, None, bytes(&ev)).await;
    assert_eq!((status, body), (200, json!({"stored": 0, "duplicates": 1, "refused": []})), "replayed event id");
    assert_eq!(s.rows().await, 1);
    // A bad admin token reads nothing.
    let res = reqwest::Client::new().get(format!("{}/api/v1/stats?site=luxhost", s.base)).bearer_auth("guess").send().await.expect("get");
    assert_eq!(res.status().as_u16(), 401, "bad token");
    assert!(res.text().await.unwrap_or_default().contains("bearer token"));
}

/// Millions of devices have wrong clocks: the decision is stored, the server's time
/// is the authority and the client's is kept as it came.
#[tokio::test]
async fn skewed_client_clocks_are_stored_with_the_server_time() {
    let s = spawn().await;
    let far_ahead = now_ms() + 400 * 86_400_000;
    for client_ts in [far_ahead, 1_000, 0, i64::MAX as u64 + 5] {
        let mut ev = decision("reject_all");
        ev["client_ts"] = json!(client_ts);
        let (status, body) = post(&s.base, Some("application/json"), None, bytes(&ev)).await;
        assert_eq!(status, 201, "client_ts {client_ts}: {body}");
        let id = ev["id"].as_str().expect("id");
        let row = s.db.query(&format!("SELECT client_ts, server_ts FROM events WHERE event_id = '{id}'")).await;
        let num = |i: usize| row[0][i].as_deref().and_then(|v| v.parse::<i64>().ok()).expect("number");
        assert_eq!(num(0), (client_ts.min(i64::MAX as u64)) as i64, "the client's clock is kept as information");
        assert!((num(1) - now_ms() as i64).abs() < 10_000, "the server's clock is the authority");
    }
    assert_eq!(s.rows().await, 4);
}

/// A long or unusual path is shortened, never a reason to refuse the decision.
#[tokio::test]
async fn long_and_odd_paths_are_normalised_not_refused() {
    let s = spawn().await;
    let cyrillic = format!("/{}", "%D0%BF".repeat(200));
    let cases = [(cyrillic.clone(), None), ("/?email=a@b.c".to_owned(), Some("/")), (format!("/{}", "a".repeat(600)), None), ("/a\u{7}b".to_owned(), Some("/ab"))];
    for (path, want) in cases {
        let mut ev = decision("custom");
        ev["path"] = json!(path);
        let (status, body) = post(&s.base, Some("application/json"), None, bytes(&ev)).await;
        assert_eq!(status, 201, "{path:?}: {body}");
        let id = ev["id"].as_str().expect("id");
        let stored = s.db.query(&format!("SELECT path FROM events WHERE event_id = '{id}'")).await[0][0].clone().expect("path");
        assert!(stored.len() <= 512 && stored.starts_with('/'), "{stored}");
        assert_eq!(stored, consent_wire::path::normalise(&path));
        if let Some(want) = want {
            assert_eq!(stored, want);
        }
    }
    // Ten such events in one request still fit the body limit the widget keeps to.
    let batch: Vec<Value> = (0..10)
        .map(|_| {
            let mut e = decision("custom");
            e["path"] = json!(consent_wire::path::normalise(&cyrillic));
            e
        })
        .collect();
    let body = bytes(&json!(batch));
    assert!(body.len() > consent_wire::limits::MAX_BODY, "the case the widget must split: {} B", body.len());
}

/// One bad event no longer refuses its batch: the others are stored and the answer
/// names each refused one by index and id.
#[tokio::test]
async fn a_batch_with_bad_events_stores_the_good_ones() {
    let s = spawn().await;
    let good = [decision("reject_all"), decision("accept_all"), decision("custom")];
    let mut unknown_site = decision("reject_all");
    unknown_site["site"] = json!("zzz");
    let mut bad_category = decision("custom");
    bad_category["categories"] = json!(["necessary", "tracking"]);
    let batch = json!([good[0], {"id": "x"}, good[1], unknown_site, bad_category, good[2]]);
    let (status, body) = post(&s.base, Some("application/json"), None, bytes(&batch)).await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(body["stored"], 3);
    let refused: Vec<(u64, Option<&str>, u64)> =
        body["refused"].as_array().expect("refused list").iter().map(|r| (r["index"].as_u64().unwrap_or(99), r["id"].as_str(), r["status"].as_u64().unwrap_or(0))).collect();
    assert_eq!(refused, vec![(1, Some("x"), 422), (3, unknown_site["id"].as_str(), 404), (4, bad_category["id"].as_str(), 422)]);
    assert!(body["refused"][1]["error"].as_str().unwrap_or("").contains("event 3: unknown site `zzz`"), "{body}");
    assert!(body.get("error").is_none(), "something was stored: no request-level error");
    assert_eq!(s.rows().await, 3);
    for e in &good {
        let id = e["id"].as_str().expect("id");
        assert_eq!(s.db.count(&format!("SELECT COUNT(*) FROM events WHERE event_id = '{id}'")).await, 1);
    }
}

#[tokio::test]
async fn admins_export_decisions_as_csv() {
    let s = spawn().await;
    let ev = decision("custom");
    assert_eq!(post(&s.base, Some("application/json"), None, bytes(&ev)).await.0, 201);
    assert_eq!(post(&s.base, Some("application/json"), None, bytes(&decision("reject_all"))).await.0, 201);
    let client = reqwest::Client::new();
    let url = format!("{}/api/v1/export?site=luxhost", s.base);
    assert_eq!(client.get(&url).send().await.expect("get").status().as_u16(), 401, "token required");
    let res = client.get(&url).bearer_auth(TOKEN).send().await.expect("get");
    assert_eq!(res.status().as_u16(), 200);
    assert!(res.headers()["content-type"].to_str().unwrap_or("").starts_with("text/csv"));
    let csv = res.text().await.expect("text");
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines.len(), 3, "{csv}");
    assert!(lines[0].starts_with("server_time_ms,client_time_ms,event_id,consent_id,action,categories"));
    assert!(lines[1].contains(ev["id"].as_str().expect("id")) && lines[1].contains(",custom,necessary analytics,"), "{}", lines[1]);
    let later = client.get(format!("{url}&from={}", now_ms() + 60_000)).bearer_auth(TOKEN).send().await.expect("get").text().await.expect("text");
    assert_eq!(later.lines().count(), 1, "the range filters rows");
    assert_eq!(client.get(format!("{}/api/v1/export?site=nope", s.base)).bearer_auth(TOKEN).send().await.expect("get").status().as_u16(), 404);
}

/// An export longer than the store's page streams every decision once, in
/// order: whether the last page is full (one more read finds nothing) or short.
#[tokio::test]
async fn a_long_export_streams_every_decision_once_in_order() {
    let s = common::spawn_with(|state| state.with_rate_limit(100_000, 100_000)).await;
    let page = consent_server::export::PAGE;
    let mut ids = Vec::new();
    let export = || async {
        let res = reqwest::Client::new().get(format!("{}/api/v1/export?site=luxhost", s.base)).bearer_auth(TOKEN).send().await.expect("get");
        assert_eq!(res.status().as_u16(), 200);
        let csv = res.text().await.expect("text");
        csv.lines().skip(1).map(|l| l.split(',').nth(2).unwrap_or_default().to_owned()).collect::<Vec<_>>()
    };
    for extra in [2 * page, 10] {
        for _ in 0..extra / 10 {
            let batch: Vec<Value> = (0..10).map(|_| decision("reject_all")).collect();
            ids.extend(batch.iter().map(|e| e["id"].as_str().unwrap_or_default().to_owned()));
            assert_eq!(post(&s.base, Some("application/json"), None, bytes(&Value::Array(batch))).await.0, 201);
        }
        assert_eq!(export().await, ids, "{} decisions, in the order stored", ids.len());
    }
}
