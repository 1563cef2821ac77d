//! `consent-server demo-data`: realistic events for a configured site, so a
//! new user sees a living dashboard at once (and the dashboard benchmark has
//! a million events to read). The events go through the store's writer like
//! ingested ones: hash chain, banner versions and rollups included.
//!
//! The traffic: weekday/weekend rhythm, daytime peaks, slow growth; visitors
//! in the site's languages on phones, desktops and tablets; about seven in ten
//! decide; a policy change 30 days ago (new revision) came with a clearer
//! banner that is answered more often. Deterministic for a given seed.

use std::sync::Arc;

use consent_wire::{Action, Event};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use sha2::{Digest, Sha256};

use crate::sites::Sites;
use crate::store::{Store, StoreError, StoredEvent};

const DAY_MS: i64 = 86_400_000;
/// Events per store request.
const CHUNK: usize = 2_000;
/// Events per visitor on average (impression, most decide, a few withdraw).
const EVENTS_PER_VISITOR: f64 = 1.66;

const PATHS: [(&str, u32); 12] = [
    ("/", 30),
    ("/hosting/", 14),
    ("/vps/", 9),
    ("/domeinnamen/", 11),
    ("/webmail/", 6),
    ("/contact/", 5),
    ("/privacy.html", 2),
    ("/blog/", 6),
    ("/blog/wordpress-sneller/", 5),
    ("/blog/dns-uitgelegd/", 4),
    ("/support/", 5),
    ("/prijzen/", 3),
];
/// The A/B test of the demo's last 30 days when the site defines no `[[variants]]`
/// (the two commented in `pkg-config/sites/luxhost.toml`): the second shows
/// "reject" first, and a few of those who would accept all refuse all instead.
const DEMO_VARIANTS: [&str; 2] = ["standaard", "weigeren-eerst"];
/// How many of all answers the variants after the first move from "accept all" to "reject all".
const VARIANT_ACCEPT_SHIFT: f64 = 0.04;

/// Countries as a trusted proxy would name them ("": none did).
const REGIONS: [(&str, u32); 7] = [("NL", 58), ("BE", 16), ("DE", 9), ("US", 6), ("GB", 4), ("FR", 4), ("", 3)];
const DEVICES: [(&str, u32); 4] = [("mobile", 54), ("desktop", 38), ("tablet", 7), ("bot", 1)];

#[derive(Debug, thiserror::Error)]
pub enum DemoError {
    #[error("unknown site `{0}`")]
    UnknownSite(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// What to generate.
pub struct Plan<'a> {
    pub site: &'a str,
    /// About this many events in all.
    pub events: usize,
    /// Over the days up to and including today.
    pub days: u32,
    pub now_ms: i64,
    pub seed: u64,
}

/// Generates the plan's events and stores them; returns how many were stored.
/// `progress` is told after each chunk.
pub async fn load(store: &Store, sites: &Sites, plan: &Plan<'_>, progress: &(dyn Fn(usize) + Sync)) -> Result<usize, DemoError> {
    let Plan { site: site_id, events, days, now_ms, seed } = *plan;
    let site = sites.get(site_id).ok_or_else(|| DemoError::UnknownSite(site_id.to_owned()))?;
    let mut rng = StdRng::seed_from_u64(seed);
    let days = i64::from(days.max(1));
    let first_day = now_ms.div_euclid(DAY_MS) - days + 1;
    let weights: Vec<f64> = (0..days).map(|d| day_weight(first_day + d, d as f64 / days as f64)).collect();
    let total_weight: f64 = weights.iter().sum();
    let visitors = events as f64 / EVENTS_PER_VISITOR;
    let people = Visitors {
        sites,
        site_id,
        langs: site.languages.iter().enumerate().map(|(i, l)| (l.as_str(), [60, 25, 8, 7].get(i).copied().unwrap_or(3))).collect(),
        all: site.categories.iter().map(|c| c.id.clone()).collect(),
        optional: site.categories.iter().filter(|c| !c.required).map(|c| c.id.as_str()).collect(),
        parts: site
            .categories
            .iter()
            .filter(|c| !c.required)
            .map(|c| if c.services.len() < 2 { Vec::new() } else { c.services.iter().map(|s| consent_wire::choice::service_entry(&c.id, &s.id())).collect() })
            .collect(),
        required: site.required_ids().map(String::from).collect(),
        variants: match site.variants.len() {
            0 | 1 => DEMO_VARIANTS.map(String::from).to_vec(),
            _ => site.variants.iter().map(|v| v.id.clone()).collect(),
        },
        now_ms,
    };
    let mut stored = 0;
    let mut pending = tokio::task::JoinSet::new();
    for (d, w) in weights.iter().enumerate() {
        let day = first_day + d as i64;
        let redesigned = days - (d as i64) <= 30;
        let n = (visitors * w / total_weight).round() as usize;
        let mut day_events = Vec::with_capacity(n * 2);
        for _ in 0..n {
            let t = day * DAY_MS + time_of_day(&mut rng);
            if t < now_ms {
                people.visit(&mut rng, t, redesigned, &mut day_events);
            }
        }
        day_events.sort_by_key(|e| e.server_ts);
        for chunk in day_events.chunks(CHUNK) {
            while pending.len() >= 4 {
                stored += join_one(&mut pending).await?;
                progress(stored);
            }
            let store = store.clone();
            let chunk = chunk.to_vec();
            pending.spawn(async move { store.insert(chunk).await });
        }
    }
    while !pending.is_empty() {
        stored += join_one(&mut pending).await?;
        progress(stored);
    }
    Ok(stored)
}

/// Who visits one site, and how they answer.
struct Visitors<'a> {
    sites: &'a Sites,
    site_id: &'a str,
    /// Languages with their weights.
    langs: Vec<(&'a str, u32)>,
    all: Vec<String>,
    optional: Vec<&'a str>,
    /// Per optional category (same order), its services as `category/service`
    /// when it has several to choose from one by one.
    parts: Vec<Vec<String>>,
    required: Vec<String>,
    /// The banner variants the last 30 days split visitors between, evenly.
    variants: Vec<String>,
    now_ms: i64,
}

impl Visitors<'_> {
    /// One visitor at `t`: an impression, most often a decision, rarely a withdrawal later.
    fn visit(&self, rng: &mut StdRng, t: i64, redesigned: bool, out: &mut Vec<StoredEvent>) {
        let lang = pick(rng, &self.langs);
        let device = pick(rng, &DEVICES);
        let path = pick(rng, &PATHS);
        let (revision, banner, content) = match self.sites.current_banner(self.site_id, lang) {
            Some((r, b)) if redesigned => (r.to_owned(), b.to_owned(), self.sites.banner_content(b)),
            _ => ("5e0c1a7b9d24".to_owned(), hex::encode(Sha256::digest(format!("demo banner before the policy change/{lang}"))), None),
        };
        // Drawn apart from the visit's other choices, which stay as they were before regions.
        let mut apart = StdRng::seed_from_u64(t as u64);
        let region = pick(&mut apart, &REGIONS);
        let v = apart.random_range(0..self.variants.len().max(1));
        let variant = self.variants.get(v).filter(|_| redesigned).map(String::as_str);
        let visit = Visit { site: self.site_id, lang, device, path, revision: &revision, banner: &banner, content: &content, region, variant };
        out.push(visit.event(rng, t, Action::BannerShown, Vec::new(), None, false));
        let decide_p = if redesigned { 0.76 } else { 0.66 } - if device == "mobile" { 0.05 } else { 0.0 };
        if device == "bot" || !rng.random_bool(decide_p) {
            return;
        }
        let consent_id = uuid7(rng, t);
        let answered = (t + rng.random_range(1_500..45_000)).min(self.now_ms - 1);
        let shift = if v > 0 && variant.is_some() { VARIANT_ACCEPT_SHIFT } else { 0.0 };
        let (action, cats) = self.answer(rng, lang, redesigned, shift);
        let granted = cats.len() > self.required.len();
        out.push(visit.event(rng, answered, action, cats, Some(consent_id.clone()), granted));
        if granted && rng.random_bool(0.012) {
            let later = (answered + rng.random_range(60_000..DAY_MS)).min(self.now_ms - 1);
            out.push(visit.event(rng, later, Action::Withdraw, self.required.clone(), Some(consent_id), false));
        }
    }

    /// Accept all, reject all, or a choice of the optional categories (or of
    /// single services of them).
    fn answer(&self, rng: &mut StdRng, lang: &str, redesigned: bool, shift: f64) -> (Action, Vec<String>) {
        let accept_p = if lang == "de" { 0.40 } else { 0.52 } + if redesigned { 0.03 } else { 0.0 } - shift;
        let roll: f64 = rng.random();
        if roll < accept_p {
            (Action::AcceptAll, self.all.clone())
        } else if roll < accept_p + 0.30 + shift {
            (Action::RejectAll, self.required.clone())
        } else {
            let mut cats = self.required.clone();
            for (i, c) in self.optional.iter().enumerate() {
                if rng.random_bool(if i == 0 { 0.62 } else { 0.22 }) {
                    cats.push((*c).to_owned());
                } else if let Some(parts) = self.parts.get(i).filter(|p| !p.is_empty()) {
                    // Some who refuse the whole category keep one of its services.
                    if rng.random_bool(0.3) {
                        cats.push(parts[rng.random_range(0..parts.len())].clone());
                    }
                }
            }
            (Action::Custom, cats)
        }
    }
}

async fn join_one(set: &mut tokio::task::JoinSet<crate::store::Result<crate::store::Stored>>) -> Result<usize, DemoError> {
    match set.join_next().await {
        Some(Ok(r)) => Ok(r?.stored),
        Some(Err(e)) => Err(StoreError::Join(e).into()),
        None => Ok(0),
    }
}

struct Visit<'a> {
    site: &'a str,
    lang: &'a str,
    device: &'static str,
    path: &'a str,
    revision: &'a str,
    banner: &'a str,
    content: &'a Option<Arc<str>>,
    region: &'static str,
    variant: Option<&'a str>,
}

impl Visit<'_> {
    fn event(&self, rng: &mut StdRng, t: i64, action: Action, categories: Vec<String>, consent_id: Option<String>, consented: bool) -> StoredEvent {
        StoredEvent {
            event: Event {
                id: uuid7(rng, t),
                site: self.site.to_owned(),
                action,
                consent_id,
                categories,
                revision: self.revision.to_owned(),
                banner: Some(self.banner.to_owned()),
                lang: self.lang.to_owned(),
                path: self.path.to_owned(),
                client_ts: (t - rng.random_range(0..400)) as u64,
                tc_string: None,
                addtl_consent: None,
                variant: self.variant.map(String::from),
            },
            device: self.device,
            banner_content: self.content.clone(),
            server_ts: t as u64,
            consented,
            region: Some(self.region.to_owned()).filter(|r| !r.is_empty()),
        }
    }
}

/// Relative traffic of a day: weekends are quieter, the site grows slowly.
fn day_weight(day: i64, progress: f64) -> f64 {
    // 1970-01-01 was a Thursday: day % 7 == 2 is Saturday, 3 Sunday.
    let weekend = matches!(day.rem_euclid(7), 2 | 3);
    (if weekend { 0.7 } else { 1.0 }) * (0.85 + 0.3 * progress)
}

/// A time of day in ms, busiest in the morning and evening.
fn time_of_day(rng: &mut StdRng) -> i64 {
    const HOURS: [u32; 24] = [2, 1, 1, 1, 1, 2, 4, 7, 9, 10, 10, 9, 9, 9, 9, 9, 8, 8, 9, 10, 10, 8, 5, 3];
    let hours: Vec<(i64, u32)> = HOURS.iter().enumerate().map(|(h, w)| (h as i64, *w)).collect();
    pick(rng, &hours) * 3_600_000 + rng.random_range(0..3_600_000)
}

fn pick<T: Copy>(rng: &mut StdRng, weighted: &[(T, u32)]) -> T {
    let total: u32 = weighted.iter().map(|(_, w)| w).sum();
    let mut r = rng.random_range(0..total.max(1));
    for (v, w) in weighted {
        if r < *w {
            return *v;
        }
        r -= w;
    }
    weighted[0].0
}

/// A UUIDv7 for time `ms` with a random tail.
fn uuid7(rng: &mut StdRng, ms: i64) -> String {
    let mut b: [u8; 16] = rng.random();
    b[..6].copy_from_slice(&(ms as u64).to_be_bytes()[2..]);
    b[6] = 0x70 | (b[6] & 0x0f);
    b[8] = 0x80 | (b[8] & 0x3f);
    let h = hex::encode(b);
    format!("{}-{}-{}-{}-{}", &h[..8], &h[8..12], &h[12..16], &h[16..20], &h[20..])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_valid_uuid_v7() {
        let mut rng = StdRng::seed_from_u64(1);
        let id = uuid7(&mut rng, 1_795_611_600_000);
        assert!(consent_wire::validate::is_uuid_v7(&id), "{id}");
    }
}
