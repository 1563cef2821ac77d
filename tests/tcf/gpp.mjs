// The IAB's reference GPP library (@iabgpp/cmpapi) as a witness for
// tcf/tests/gpp.rs. `decode`: reads a JSON array of GPP strings on stdin and
// prints, for each, its section ids, its usnat fields and some of its tcfeuv2
// fields as the library reads them. `encode <seed> <n>`: sets random usnat
// fields (and the GPC sub-section) with the library and prints
// [{ string, usnat }]. Fields use consent-tcf's serde names. `sections`: reads
// a JSON array of GPP strings and prints each section as `getSection` returns it.
import { GppModel } from '@iabgpp/cmpapi';

const FIELDS = [
  ['SharingNotice', 'sharing_notice'], ['SaleOptOutNotice', 'sale_opt_out_notice'], ['SharingOptOutNotice', 'sharing_opt_out_notice'],
  ['TargetedAdvertisingOptOutNotice', 'targeted_advertising_opt_out_notice'], ['SensitiveDataProcessingOptOutNotice', 'sensitive_data_processing_opt_out_notice'],
  ['SensitiveDataLimitUseNotice', 'sensitive_data_limit_use_notice'], ['SaleOptOut', 'sale_opt_out'], ['SharingOptOut', 'sharing_opt_out'],
  ['TargetedAdvertisingOptOut', 'targeted_advertising_opt_out'], ['SensitiveDataProcessing', 'sensitive_data_processing'],
  ['KnownChildSensitiveDataConsents', 'known_child_sensitive_data_consents'], ['PersonalDataConsents', 'personal_data_consents'],
  ['MspaCoveredTransaction', 'mspa_covered_transaction'], ['MspaOptOutOptionMode', 'mspa_opt_out_option_mode'], ['MspaServiceProviderMode', 'mspa_service_provider_mode'],
];
const ids = (bools) => bools.flatMap((on, i) => (on ? [i + 1] : []));

function usnat(model) {
  if (!model.hasSection('usnat')) return null;
  const out = Object.fromEntries(FIELDS.map(([theirs, ours]) => [ours, model.getFieldValue('usnat', theirs)]));
  out.gpc = model.getFieldValue('usnat', 'GpcSegmentIncluded') ? model.getFieldValue('usnat', 'Gpc') : null;
  return out;
}

function tcf(model) {
  if (!model.hasSection('tcfeuv2')) return null;
  const f = (name) => model.getFieldValue('tcfeuv2', name);
  return { cmp_id: f('CmpId'), purpose_consents: ids(f('PurposeConsents')), vendor_consents: f('VendorConsents'), vendors_disclosed: f('VendorsDisclosed') };
}

function rng(seed) {
  let a = seed >>> 0;
  return () => { a = (a + 0x6d2b79f5) >>> 0; let t = a; t = Math.imul(t ^ (t >>> 15), t | 1); t ^= t + Math.imul(t ^ (t >>> 7), t | 61); return ((t ^ (t >>> 14)) >>> 0) / 4294967296; };
}

const [mode, seed, count] = process.argv.slice(2);
if (mode === 'decode') {
  let input = '';
  for await (const chunk of process.stdin) input += chunk;
  console.log(JSON.stringify(JSON.parse(input).map((s) => { const m = new GppModel(s); return { sections: m.getSectionIds(), usnat: usnat(m), tcfeuv2: tcf(m) }; })));
} else if (mode === 'encode') {
  const r = rng(Number(seed));
  const v = () => Math.floor(r() * 3);
  const out = [];
  for (let i = 0; i < Number(count); i++) {
    const m = new GppModel();
    for (const [theirs] of FIELDS) {
      const value = theirs === 'SensitiveDataProcessing' ? Array.from({ length: 16 }, v) : theirs === 'KnownChildSensitiveDataConsents' ? Array.from({ length: 3 }, v) : theirs === 'MspaCoveredTransaction' ? 1 + Math.floor(r() * 2) : v();
      m.setFieldValue('usnat', theirs, value);
    }
    const gpc = r();
    m.setFieldValue('usnat', 'GpcSegmentIncluded', gpc < 0.6);
    m.setFieldValue('usnat', 'Gpc', gpc < 0.3);
    const string = m.encode();
    out.push({ string, usnat: usnat(new GppModel(string)) });
  }
  console.log(JSON.stringify(out));
} else if (mode === 'sections') {
  let input = '';
  for await (const chunk of process.stdin) input += chunk;
  console.log(JSON.stringify(JSON.parse(input).map((s) => { const m = new GppModel(s); return Object.fromEntries(m.getSectionIds().map((id) => [id, m.getSection(id === 2 ? 'tcfeuv2' : 'usnat')])); })));
} else {
  console.error('usage: gpp.mjs decode < strings.json | gpp.mjs sections < strings.json | gpp.mjs encode <seed> <n>');
  process.exit(2);
}
