// The TCF layers of the preferences on a `[tcf]` site with 320 vendors, in
// Chromium against the real server: every toggle the visitor sets ends up in
// the TC string exactly as the IAB's own library (@iabtechlabtcf/core) reads
// it; a partner's "object" switch flips its legitimate-interest bit; stacks
// shorten the purposes and keep in step with them; the vendor list's texts
// are text, never HTML; the whole list is reachable by keyboard alone and
// axe finds nothing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { serverAndBrowser, openPage, openPreferences, button, takenOver, until, axe } from './harness.mjs';
import { tcfConfigs, vendorList, iabDecode, serve } from './tcf_fixture.mjs';

const COUNT = 320;
const SITE_VENDORS = Array.from({ length: COUNT }, (_, i) => i + 1);
const CONSENT_ONLY = [1, 3, 4, 5, 6];
const RESTRICTIONS = '{ purpose = 2, kind = "require_consent", vendors = [10, 11] }, { purpose = 7, kind = "not_allowed", vendors = [12] }';

/** The generated list with standard-looking names, stacks and hostile strings. */
function edit(list) {
  for (const [map, word] of [['purposes', 'Purpose'], ['specialFeatures', 'Special feature'], ['specialPurposes', 'Special purpose'], ['features', 'Feature']]) {
    for (const item of Object.values(list[map])) item.name = `${word} ${item.id} name`;
  }
  list.purposes[2].illustrations = ['An ad <b>chosen</b> for you'];
  list.stacks = {
    1: { id: 1, name: 'Stack 1: location and device scan', description: 'sf', purposes: [], specialFeatures: [1, 2] },
    2: { id: 2, name: 'Stack 2: advertising', description: 'ads', purposes: [2, 3, 4], specialFeatures: [] },
    3: { id: 3, name: 'Stack 3: measurement', description: 'measure', purposes: [7, 8, 9, 10], specialFeatures: [] },
    4: { id: 4, name: 'Stack 4: overlaps stack 2', description: 'x', purposes: [1, 2], specialFeatures: [] },
  };
  list.vendors[7].name = '<img src=x onerror="window.pwned=1">Vendor 7';
  list.vendors[8].urls = [{ langId: 'en', privacy: 'javascript:window.pwned=1', legIntClaim: 'https://vendor8.example/li' }];
  list.vendors[8].dataRetention = { stdRetention: 30, purposes: { 2: 90 }, specialPurposes: {} };
  return list;
}

let site;
const live = serverAndBrowser(undefined, {
  setup: async (l) => {
    const extra = `publisher_purposes = [1, 7]\npublisher_legitimate_interests = [2]\nrestrictions = [${RESTRICTIONS}]\n[tcf.categories]\nanalytics = [7, 8, 9, 10]\nmarketing = [1, 2, 3, 4]\n`;
    l.config = tcfConfigs({ vendors: SITE_VENDORS, extra, seed: 7, count: COUNT + 10, edit });
  },
  ready: async (l) => {
    site = await serve('127.0.0.2', () => `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Publisher</title>
<script src="${l.server.base}/s/luxhost/consent.js"></script></head><body><h1>News</h1><a href="/more">More</a></body></html>`);
  },
  teardown: async (l) => {
    site?.srv.close();
    rmSync(l.config, { recursive: true, force: true });
  },
});

const vendors = () => vendorList(live.config).vendors;
const inSite = (pred) => SITE_VENDORS.filter((id) => pred(vendors()[id]));
// A vendor may carry a legitimate-interest bit when it declares an LI purpose, or only special purposes.
const liBasis = (v) => v.legIntPurposes.length > 0 || v.specialPurposes.length > 0;
// An "object" switch is for LI purposes: special purposes cannot be objected to.
const objectable = (v) => v.legIntPurposes.length > 0;

async function preferences() {
  const page = await openPage(live.chrome);
  await page.goto(site.base + '/');
  await takenOver(page);
  await openPreferences(page);
  const tcf = page.locator('consent-banner section.tcf');
  await tcf.locator('input[data-v]').first().waitFor();
  return { page, tcf };
}

/** The TC string in force, once the visitor has decided. */
const decided = (page) => until(() => page.evaluate(() => new Promise((r) => __tcfapi('getTCData', 2, (d) => r(d.tcString)))), 10000);
const unfold = (tcf, stack) => tcf.locator(`li.stack:has(input[data-stack="${stack}"]) > details > summary`).click();

test('every toggle of the TCF layers is in the string as the IAB library reads it, and an objection flips the LI bit', async () => {
  const { page, tcf } = await preferences();
  assert.deepEqual(await tcf.locator('input[data-stack]').evaluateAll((l) => l.map((i) => i.dataset.stack)), ['3', '2', '1'], 'the largest disjoint stacks, largest first');
  assert.equal(await tcf.locator('input[data-p]:checked, input[data-v]:checked, input[data-sf]:checked, input[data-po]:checked, input[data-vo]:checked').count(), 0, 'nothing ticked, nothing objected to before a decision');
  assert.equal(await tcf.locator('input[data-po="1"], input[data-po="3"]').count(), 0, 'no objection switch for consent-only purposes');

  const [a, b] = inSite((v) => v.purposes.length > 0);
  const [c] = inSite((v) => objectable(v) && v.id != a && v.id != b);
  assert.deepEqual(await tcf.locator('input[data-vo]').evaluateAll((l) => l.map((i) => Number(i.dataset.vo)).sort((x, y) => x - y)), inSite(objectable), 'an object switch exactly for the vendors with LI purposes');
  await tcf.locator('input[data-p="1"]').check();
  await unfold(tcf, 3);
  await tcf.locator('input[data-stack="3"]').check();
  assert.deepEqual(await tcf.locator('input[data-p]:checked').evaluateAll((l) => l.map((i) => i.dataset.p)), ['7', '8', '9', '10', '1'], 'a stack toggles its purposes');
  await tcf.locator('input[data-p="9"]').uncheck();
  assert.equal(await tcf.locator('input[data-stack="3"]').evaluate((i) => [i.checked, i.indeterminate].join()), 'false,true', 'half a stack is shown half ticked');
  await unfold(tcf, 1);
  await tcf.locator('input[data-sf="1"]').check();
  await unfold(tcf, 2);
  await tcf.locator('input[data-po="2"]').check();
  await tcf.locator(`input[data-v="${a}"]`).check();
  await tcf.locator(`input[data-v="${b}"]`).check();
  await tcf.locator(`input[data-vo="${c}"]`).check();
  await button(page, 'save').click();

  const [{ core, publisher, disclosed_vendors: disclosed }] = iabDecode([await decided(page)]);
  const liPurposes = [...new Set(SITE_VENDORS.flatMap((id) => vendors()[id].legIntPurposes))].filter((p) => !CONSENT_ONLY.includes(p) && p != 2).sort((x, y) => x - y);
  assert.deepEqual(core.purpose_consents, [1, 7, 8, 10]);
  assert.deepEqual(core.special_feature_optins, [1]);
  assert.deepEqual(core.vendor_consents, [a, b].sort((x, y) => x - y));
  assert.deepEqual(core.purpose_legitimate_interests, liPurposes, 'the objected purpose has no LI bit, 1 and 3-6 never do');
  assert.deepEqual(core.vendor_legitimate_interests, inSite(liBasis).filter((id) => id != c), 'the objected vendor has no LI bit');
  assert.deepEqual(core.publisher_restrictions, [{ purpose: 2, kind: 'RequireConsent', vendors: [10, 11] }, { purpose: 7, kind: 'NotAllowed', vendors: [12] }], 'the publisher restrictions, as configured');
  assert.deepEqual([publisher.consents, publisher.legitimate_interests], [[1, 7], []], 'Publisher TC: the chosen purposes the publisher uses; its LI purpose 2 objected to');
  assert.deepEqual(disclosed, SITE_VENDORS, 'Disclosed Vendors segment: every vendor of the site');

  // Reopened: the toggles show the decision in force; lifting the objection sets the vendor's LI bit again.
  await page.evaluate(() => window.Consent.showPreferences());
  await tcf.locator(`input[data-vo="${c}"]`).waitFor();
  assert.deepEqual(await tcf.locator('input[data-p]:checked').evaluateAll((l) => l.map((i) => i.dataset.p).sort()), ['1', '10', '7', '8']);
  assert.equal(await tcf.locator(`input[data-vo="${c}"]`).isChecked(), true);
  await tcf.locator(`input[data-vo="${c}"]`).uncheck();
  await button(page, 'save').click();
  await until(async () => iabDecode([await decided(page)])[0].core.vendor_legitimate_interests.includes(c), 10000);
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test('the layers show the list as text, keep categories and partners in step, and Accept all stays Accept all', async () => {
  const { page, tcf } = await preferences();
  // The first layer says what the framework is for, as the TCF Policy asks of the initial layer.
  assert.match(await page.locator('consent-banner .cc > p').first().textContent(), /We and our 320 partners store and\/or access information on a device and process personal data for these purposes: Purpose 1 name; Purpose 2 name;.*With your consent they may also: Special feature 1 name; Special feature 2 name\. Some partners rely on legitimate interest/);
  assert.equal(await page.evaluate(() => window.pwned), undefined);
  assert.equal(await tcf.locator('img, b').count(), 0, 'names and illustrations are never HTML');
  assert.match(await tcf.locator('label:has(input[data-v="7"])').textContent(), /<img src=x onerror=/);
  assert.equal(await tcf.locator('h3').first().textContent(), 'Purposes');

  // A category switched on switches on its purposes and the partners that need one of them.
  await page.locator('consent-banner input[data-cat=analytics]').check();
  assert.equal(await tcf.locator('input[data-stack="3"]').isChecked(), true);
  const needing = inSite((v) => v.purposes.concat(v.flexiblePurposes).some((p) => [7, 8, 9, 10].includes(p)));
  assert.deepEqual(await tcf.locator('input[data-v]:checked').evaluateAll((l) => l.map((i) => Number(i.dataset.v)).sort((x, y) => x - y)), needing);
  // And back: a category is accepted exactly when every purpose it stands for is, so gating follows the TCF choice.
  const analytics = page.locator('consent-banner input[data-cat=analytics]');
  await unfold(tcf, 3);
  await tcf.locator('input[data-p="8"]').uncheck();
  assert.equal(await analytics.isChecked(), false, 'a purpose refused: its category refused');
  await tcf.locator('input[data-p="8"]').check();
  assert.equal(await analytics.isChecked(), true, 'all its purposes chosen: the category accepted');

  // A partner's details, built when unfolded: purposes by name, retention, storage, safe links only.
  await tcf.locator('details[data-vd="8"] > summary').click();
  const details = tcf.locator('details[data-vd="8"]');
  await details.locator('p').first().waitFor();
  const text = await details.textContent();
  assert.match(text, /Data retention: 30 days; Purpose 2 name: 90 days/);
  assert.match(text, /Cookie lifetime: 1 days/);
  assert.deepEqual(await details.locator('a').evaluateAll((l) => l.map((a) => [a.getAttribute('href'), a.getAttribute('aria-label')])), [['https://vendor8.example/li', 'Legitimate interest claim: Vendor 8']], 'a javascript: URL is no link');

  await button(page, 'accept').click();
  const [core] = iabDecode([await decided(page)]).map((d) => d.core);
  assert.deepEqual(core.purpose_consents, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11], 'Accept all with the layers open is still Accept all');
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test('with 320 vendors every toggle is reached by keyboard alone, a choice made that way is stored, and axe finds nothing', async () => {
  const page = await openPage(live.chrome);
  await page.goto(site.base + '/');
  await takenOver(page);
  const active = () => page.evaluate(() => {
    const el = document.querySelector('consent-banner').shadowRoot.activeElement;
    return el ? el.getAttribute('data-act') || el.getAttribute('data-vo') && 'vo' + el.getAttribute('data-vo') || el.tagName : null;
  });
  for (let i = 0; i < 10 && (await active()) != 'prefs'; i++) await page.keyboard.press('Tab');
  await page.keyboard.press('Enter');
  const tcf = page.locator('consent-banner section.tcf');
  await tcf.locator('input[data-v]').first().waitFor();

  // One full Tab cycle: every toggle of the layers takes focus, in order, and focus comes back round.
  await page.evaluate(() => {
    window.focusLog = [];
    window.start = document.querySelector('consent-banner').shadowRoot.activeElement;
    document.querySelector('consent-banner').shadowRoot.addEventListener('focusin', (e) => window.focusLog.push(e.target));
  });
  const toggles = await tcf.locator('input').count();
  assert.ok(toggles > COUNT, `${toggles} toggles`);
  const stops = await page.evaluate(() => {
    const root = document.querySelector('consent-banner').shadowRoot;
    return [...root.querySelectorAll('input:not([disabled]),button:not([hidden]),a[href],summary')].filter((e) => e.checkVisibility()).length;
  });
  for (let i = 0; i < stops; i++) await page.keyboard.press('Tab');
  const reached = await page.evaluate(() => {
    const inputs = [...document.querySelector('consent-banner').shadowRoot.querySelectorAll('section.tcf input')].filter((e) => e.checkVisibility());
    return { missed: inputs.filter((i) => !window.focusLog.includes(i)).length, wrapped: window.focusLog.includes(window.start) };
  });
  assert.deepEqual(reached, { missed: 0, wrapped: true }, 'every visible toggle reached, Tab cycles inside the dialog');

  // A vendor's details open from the keyboard, and axe finds nothing with the whole list there.
  const [c] = inSite(objectable);
  for (let i = 0; i < stops && (await active()) != 'vo' + c; i++) await page.keyboard.press('Tab');
  await page.keyboard.press('Space');
  await page.keyboard.press('Tab');
  await page.keyboard.press('Enter');
  await tcf.locator(`details[data-vd="${c}"] p`).first().waitFor();
  assert.deepEqual(await axe(page, { include: [['consent-banner', '.cc']] }), []);
  for (let i = 0; i < stops && (await active()) != 'save'; i++) await page.keyboard.press('Tab');
  await page.keyboard.press('Enter');

  const [core] = iabDecode([await decided(page)]).map((d) => d.core);
  assert.deepEqual([core.purpose_consents, core.vendor_consents], [[], []], 'nothing consented by keyboard but what was ticked');
  assert.deepEqual(core.vendor_legitimate_interests, inSite(liBasis).filter((id) => id != c));
  assert.deepEqual(page.errors, []);
  await page.context().close();
});
