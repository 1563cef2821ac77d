// `[gpp]` without `[tcf]`, in Chromium against the real server: the loader
// carries the `__gpp` stub only (no `__tcfapi`), a vendor's frame on another
// origin is answered through `__gppLocator` before and after the CMP loads,
// and the `usnat` section follows the visitor's choice and Global Privacy
// Control; `getSection` answers exactly what the IAB's own library
// (@iabgpp/cmpapi) reads from our GPP string.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { writeFileSync, readFileSync } from 'node:fs';
import { button, banner, until, ROOT } from './harness.mjs';
import { tcfConfigs, publisherAndBrowser, openHeld } from './tcf_fixture.mjs';

// No registered CMP id: `__gpp` reports 1, as the GPP specification asks for a US-only string.
const GPP = `[gpp]\nenabled = true\ncmp_version = 2\napplicable_sections = [7]\n[gpp.usnat]\nsharing_notice = true\nsale_opt_out_notice = true\nsharing_opt_out_notice = true\ntargeted_advertising_opt_out_notice = true\nsale_categories = ["marketing"]\nsharing_categories = ["marketing"]\ntargeted_advertising_categories = ["marketing", "analytics"]\nmspa_covered_transaction = true\nmspa_mode = "opt_out_option"\n`;

/** luxhost on 127.0.0.2 with `[gpp]` and no `[tcf]`. */
function configs() {
  const dir = tcfConfigs({ vendors: [1] });
  const site = join(dir, 'sites/luxhost.toml');
  writeFileSync(site, readFileSync(join(dir, 'sites/luxhost.base'), 'utf8') + '\n' + GPP);
  return dir;
}

// The vendor's frame asks through the locator frame, as the GPP CMP API describes.
const VENDOR = `window.addEventListener('message', (e) => { const r = e.data && e.data.__gppReturn; if (r) window.answers[r.callId] = r; });
window.ask = (callId, command, parameter) => find('__gppLocator').postMessage({ __gppCall: { command, parameter, version: '1.1', callId } }, '*');`;

// The publisher's own script, right after the loader's tag.
const PAGE = `
  window.heard = [];
  window.stubPing = null;
  __gpp('ping', (p) => (window.stubPing = p));
  __gpp('addEventListener', (e) => heard.push([e.eventName, e.data, e.pingData.signalStatus]));
  __gpp('getSection', (s) => heard.push(['early getSection', s && s.SaleOptOut]), 'usnat');
`;

const live = publisherAndBrowser(configs, PAGE, VENDOR);

/** What `__gpp` answers now: ping, the usnat section and hasSection. */
const state = (page) =>
  page.evaluate(() => {
    const out = {};
    __gpp('ping', (p) => (out.ping = p));
    __gpp('getSection', (s) => (out.usnat = JSON.parse(JSON.stringify(s))), 'usnat');
    __gpp('hasSection', (v) => (out.has = v), 'usnat');
    __gpp('getField', (v) => (out.gpc = v), 'usnat.Gpc');
    return out;
  });

/** The sections of a GPP string as @iabgpp/cmpapi reads them. */
const theirs = (gppString) => JSON.parse(execFileSync('node', [join(ROOT, 'tests/tcf/gpp.mjs'), 'sections'], { input: JSON.stringify([gppString]) }))[0];

test('the GPP stub alone, answered in order after load; usnat follows the choice as the IAB library reads it', async () => {
  const { page, release } = await openHeld(live);
  await banner(page).waitFor();
  assert.equal(await page.evaluate(() => typeof window.__tcfapi), 'undefined', 'no TCF on a site without [tcf]');
  const stub = await page.evaluate(() => window.stubPing);
  assert.deepEqual([stub.cmpStatus, stub.cmpId, stub.applicableSections, stub.supportedAPIs], ['stub', 1, [7], ['7:usnat']]);
  const frame = page.frames().find((f) => f.url().startsWith(live.site.vendorBase));
  await frame.evaluate(() => window.ask('early', 'getSection', 'usnat'));
  await page.waitForTimeout(300);
  assert.equal(await frame.evaluate(() => window.answers.early), undefined, 'waits for the CMP');

  release();
  await frame.waitForFunction(() => window.answers.early, null, { timeout: 15000 });
  assert.equal((await frame.evaluate(() => window.answers.early)).returnValue.SaleOptOut, 2, 'before a decision nobody has opted out');
  const calls = (await page.evaluate(() => window.heard)).filter((h) => !['cmpStatus', 'signalStatus', 'cmpDisplayStatus'].includes(h[0]));
  assert.deepEqual(calls.slice(0, 2), [['listenerRegistered', true, 'not ready'], ['early getSection', 2]], 'queued calls in the order they came');
  const before = await state(page);
  assert.deepEqual([before.ping.cmpStatus, before.ping.cmpId, before.ping.sectionList, before.has, before.gpc], ['loaded', 1, [7], true, false]);
  assert.deepEqual(before.usnat, theirs(before.ping.gppString)['7'], 'getSection as @iabgpp/cmpapi reads our string');
  assert.deepEqual([before.usnat.SharingNotice, before.usnat.SensitiveDataProcessingOptOutNotice, before.usnat.MspaCoveredTransaction, before.usnat.MspaOptOutOptionMode, before.usnat.MspaServiceProviderMode], [1, 2, 1, 1, 2]);

  await button(page, 'reject').click();
  await until(async () => (await state(page)).usnat.SaleOptOut == 1, 10000);
  const after = await state(page);
  assert.deepEqual([after.usnat.SaleOptOut, after.usnat.SharingOptOut, after.usnat.TargetedAdvertisingOptOut], [1, 1, 1], 'Reject all opts out of all three');
  assert.deepEqual(after.usnat, theirs(after.ping.gppString)['7']);
  assert.ok((await page.evaluate(() => window.heard)).some((h) => h[0] == 'sectionChange' && h[1] == 'usnat'), 'listeners hear the change');
  assert.equal(await frame.evaluate(() => new Promise((r) => { window.ask('after', 'getField', 'usnat.SaleOptOut'); const t = setInterval(() => window.answers.after && (clearInterval(t), r(window.answers.after.returnValue)), 20); })), 1);

  // Accepting marketing but not analytics: sale and sharing allowed, targeted advertising opted out.
  await page.evaluate(() => window.Consent.acceptCategories(['marketing']));
  await until(async () => (await state(page)).usnat.SaleOptOut == 2, 10000);
  assert.equal((await state(page)).usnat.TargetedAdvertisingOptOut, 1);
  // The next page starts from the decision in force.
  await page.unroute('**/cmp.js');
  await page.reload();
  await until(() => page.evaluate(() => window.heard.some((h) => h[0] == 'early getSection')), 15000);
  assert.deepEqual((await page.evaluate(() => window.heard)).find((h) => h[0] == 'early getSection'), ['early getSection', 2]);
  assert.equal((await state(page)).usnat.TargetedAdvertisingOptOut, 1);
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test('Global Privacy Control is an opt-out of sale, sharing and targeted advertising, and its sub-section says so', async () => {
  const { page, release } = await openHeld(live, () => Object.defineProperty(Navigator.prototype, 'globalPrivacyControl', { get: () => true }));
  release();
  await until(async () => (await state(page)).ping.cmpStatus == 'loaded', 15000);
  const s = await state(page);
  assert.deepEqual([s.usnat.SaleOptOut, s.usnat.SharingOptOut, s.usnat.TargetedAdvertisingOptOut, s.usnat.Gpc, s.gpc], [1, 1, 1, true, true]);
  assert.deepEqual(s.usnat, theirs(s.ping.gppString)['7']);
  await page.context().close();
});
