// The IAB's reference TC string library (@iabtechlabtcf/core) as a witness for
// tcf/tests/interop.rs. `decode`: reads a JSON array of TC strings on stdin and
// prints each as the library decodes it. `encode <seed> <n>`: makes n random
// models against a generated Global Vendor List, encodes each with the library
// and prints [{ string, decoded }] (decoded: the library's own reading of it).
// `gvl <seed> <n>`: a generated Global Vendor List v3 with n vendors.
// `read-gvl`: reads a vendor list on stdin with the library's GVL class and
// prints what it holds.
// Every model is printed in consent-tcf's serde shape.
import { GVL, Segment, TCModel, TCString, PurposeRestriction } from '@iabtechlabtcf/core';

const ids = (vector) => { const out = []; vector.forEach((on, id) => { if (on) out.push(id); }); return out; };
const letters = (s) => [...s].map((c) => c.charCodeAt(0));
const deciseconds = (date) => Math.round(date.getTime() / 100);
const KINDS = ['NotAllowed', 'RequireConsent', 'RequireLegitimateInterest'];

function plain(m) {
  const restrictions = [];
  for (const r of m.publisherRestrictions.getRestrictions()) {
    restrictions.push({ purpose: r.purposeId, kind: KINDS[r.restrictionType], vendors: [...m.publisherRestrictions.getVendors(r)].sort((a, b) => a - b) });
  }
  restrictions.sort((a, b) => a.purpose - b.purpose || KINDS.indexOf(a.kind) - KINDS.indexOf(b.kind));
  return {
    core: {
      created: deciseconds(m.created), last_updated: deciseconds(m.lastUpdated),
      cmp_id: m.cmpId, cmp_version: m.cmpVersion, consent_screen: m.consentScreen,
      consent_language: letters(m.consentLanguage), vendor_list_version: m.vendorListVersion,
      policy_version: m.policyVersion, is_service_specific: m.isServiceSpecific,
      use_non_standard_texts: m.useNonStandardTexts,
      special_feature_optins: ids(m.specialFeatureOptins), purpose_consents: ids(m.purposeConsents),
      purpose_legitimate_interests: ids(m.purposeLegitimateInterests), purpose_one_treatment: m.purposeOneTreatment,
      publisher_country_code: letters(m.publisherCountryCode),
      vendor_consents: ids(m.vendorConsents), vendor_legitimate_interests: ids(m.vendorLegitimateInterests),
      publisher_restrictions: restrictions,
    },
    disclosed_vendors: ids(m.vendorsDisclosed),
    allowed_vendors: null,
    publisher: {
      consents: ids(m.publisherConsents), legitimate_interests: ids(m.publisherLegitimateInterests),
      num_custom_purposes: m.numCustomPurposes,
      custom_consents: ids(m.publisherCustomConsents), custom_legitimate_interests: ids(m.publisherCustomLegitimateInterests),
    },
  };
}

// A small deterministic generator (mulberry32), so a failing seed can be replayed.
function rng(seed) {
  let a = seed >>> 0;
  return () => { a = (a + 0x6d2b79f5) >>> 0; let t = a; t = Math.imul(t ^ (t >>> 15), t | 1); t ^= t + Math.imul(t ^ (t >>> 7), t | 61); return ((t ^ (t >>> 14)) >>> 0) / 4294967296; };
}
const pick = (r, max, p) => Array.from({ length: max }, (_, i) => i + 1).filter(() => r() < p);

/** A Global Vendor List v3 with `n` vendors, their purposes drawn from `r`. */
export function vendorList(n, r) {
  const named = (count) => Object.fromEntries(Array.from({ length: count }, (_, i) => [i + 1, { id: i + 1, name: `Item ${i + 1}`, description: 'd', illustrations: [] }]));
  const vendors = {};
  for (let id = 1; id <= n; id++) {
    const purposes = pick(r, 11, 0.4);
    const legIntPurposes = pick(r, 11, 0.2).filter((p) => ![1, 3, 4, 5, 6].includes(p) && !purposes.includes(p));
    vendors[id] = {
      id, name: `Vendor ${id}`, purposes, legIntPurposes, flexiblePurposes: purposes.filter(() => r() < 0.3),
      specialPurposes: pick(r, 3, 0.3), features: pick(r, 3, 0.3), specialFeatures: pick(r, 2, 0.2),
      cookieMaxAgeSeconds: 86400, usesCookies: true, cookieRefresh: false, usesNonCookieAccess: false,
      dataRetention: { stdRetention: 30, purposes: {}, specialPurposes: {} }, dataDeclaration: [1],
      urls: [{ langId: 'en', privacy: `https://vendor${id}.example/privacy` }],
    };
  }
  return {
    gvlSpecificationVersion: 3, vendorListVersion: 1 + Math.floor(r() * 400), tcfPolicyVersion: 5, lastUpdated: '2026-11-01T16:00:00Z',
    purposes: named(11), specialPurposes: named(3), features: named(3), specialFeatures: named(2), stacks: {}, dataCategories: named(11), vendors,
  };
}

function randomModel(r) {
  const gvl = new GVL(vendorList(50 + Math.floor(r() * 400), r));
  const m = new TCModel(gvl);
  m.cmpId = 2 + Math.floor(r() * 4000); m.cmpVersion = Math.floor(r() * 4096); m.consentScreen = Math.floor(r() * 64);
  m.publisherCountryCode = String.fromCharCode(65 + Math.floor(r() * 26), 65 + Math.floor(r() * 26));
  m.isServiceSpecific = r() < 0.8; m.purposeOneTreatment = r() < 0.2; m.useNonStandardTexts = r() < 0.2;
  const n = Object.keys(gvl.vendors).length;
  m.purposeConsents.set(pick(r, 11, 0.5)); m.purposeLegitimateInterests.set(pick(r, 11, 0.5));
  m.specialFeatureOptins.set(pick(r, 2, 0.5));
  // Long runs and scattered ids, so both vendor encodings occur.
  const vendors = r() < 0.5 ? pick(r, n, 0.5) : Array.from({ length: n }, (_, i) => i + 1).filter((id) => id % 50 < 40);
  m.vendorConsents.set(vendors); m.vendorLegitimateInterests.set(pick(r, n, 0.3)); m.vendorsDisclosed.set(pick(r, n, 0.9));
  for (const purpose of pick(r, 10, 0.2)) {
    m.publisherRestrictions.add(1 + Math.floor(r() * n), new PurposeRestriction(purpose, Math.floor(r() * 3)));
  }
  m.publisherConsents.set(pick(r, 11, 0.5)); m.publisherLegitimateInterests.set(pick(r, 11, 0.3));
  const custom = Math.floor(r() * 5);
  if (custom) {
    m.customPurposes = Object.fromEntries(Array.from({ length: custom }, (_, i) => [i + 1, { id: i + 1, name: `Custom ${i + 1}`, description: 'c' }]));
    m.publisherCustomConsents.set(pick(r, custom, 0.5)); m.publisherCustomLegitimateInterests.set(pick(r, custom, 0.5));
  }
  return m;
}

const [mode, seed, count] = process.argv.slice(2);
if (mode === 'decode') {
  let input = '';
  for await (const chunk of process.stdin) input += chunk;
  console.log(JSON.stringify(JSON.parse(input).map((s) => plain(TCString.decode(s)))));
} else if (mode === 'encode') {
  const r = rng(Number(seed));
  const out = [];
  for (let i = 0; i < Number(count); i++) {
    const string = TCString.encode(randomModel(r), { segments: [Segment.CORE, Segment.VENDORS_DISCLOSED, Segment.PUBLISHER_TC] });
    out.push({ string, decoded: plain(TCString.decode(string)) });
  }
  console.log(JSON.stringify(out));
} else if (mode === 'gvl') {
  console.log(JSON.stringify(vendorList(Number(count), rng(Number(seed)))));
} else if (mode === 'read-gvl') {
  let input = '';
  for await (const chunk of process.stdin) input += chunk;
  const gvl = new GVL(JSON.parse(input));
  const vendors = Object.values(gvl.vendors);
  console.log(JSON.stringify({ vendorListVersion: gvl.vendorListVersion, tcfPolicyVersion: gvl.tcfPolicyVersion, vendors: vendors.map((v) => v.id), purposes: Object.keys(gvl.purposes).length, purpose1: gvl.purposes[1].name }));
} else {
  console.error('usage: iab.mjs decode < strings.json | iab.mjs encode <seed> <n> | iab.mjs gvl <seed> <n> | iab.mjs read-gvl < vendor-list.json');
  process.exit(2);
}
