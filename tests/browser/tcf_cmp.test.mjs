// The TCF CMP behind the stubs, on a `[tcf]` site in Chromium against the real
// server: calls queued before it loads are answered after, in order; listeners
// hear `cmpuishown` and `useractioncomplete`; the TC string the visitor's click
// stores is read by the IAB's own library (@iabtechlabtcf/core) and says
// exactly what was chosen; a vendor's frame on another origin gets the same
// answers through postMessage; a vendor added or a new TCF policy version asks
// again.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { button, banner, until, ROOT, SERVER_BIN } from './harness.mjs';
import { tcfConfigs, writeTcf as writeSite, vendorList as list, iabDecode, publisherAndBrowser, openHeld } from './tcf_fixture.mjs';

const VENDORS = [1, 2, 40];
const EXTRA = 'google_atp = [89, 1301]\n[tcf.categories]\nanalytics = [1, 7, 8, 9, 10]\nmarketing = [1, 2, 3, 4]\n';
const configs = () => tcfConfigs({ vendors: VENDORS, extra: EXTRA });
const writeTcf = (dir, vendors) => writeSite(dir, vendors, EXTRA);

// The vendor's frame asks the CMP of its parent through the locator frame.
const VENDOR = `window.addEventListener('message', (e) => { const r = e.data && e.data.__tcfapiReturn; if (r) window.answers[r.callId] = r; });
window.ask = (callId, command) => find('__tcfapiLocator').postMessage({ __tcfapiCall: { command, version: 2, callId } }, '*');`;

// The publisher's own script, right after the loader's tag.
const PAGE = `
  window.heard = [];
  __tcfapi('getTCData', 2, (d, ok) => heard.push(['getTCData', d.eventStatus, d.tcString, ok]));
  __tcfapi('addEventListener', 2, (d, ok) => heard.push(['listener', d.eventStatus, d.tcString, ok, d]));
  __tcfapi('getTCData', 1, (d, ok) => heard.push(['version 1', d, ok]));
  __tcfapi('getVendorList', 2, (l, ok) => heard.push(['getVendorList', l && l.vendorListVersion, l && Object.keys(l.vendors), ok]));
`;

const live = publisherAndBrowser(configs, PAGE, VENDOR);

const heard = (page) => page.evaluate(() => window.heard.map((h) => h.slice(0, 4)));
/** The TCData the page's listener heard with `useractioncomplete`, once it has heard it. */
async function completed(page) {
  await until(async () => (await heard(page)).some((h) => h[1] == 'useractioncomplete'), 15000);
  return (await page.evaluate(() => window.heard)).find((h) => h[1] == 'useractioncomplete')[4];
}
const vendorFrame = (page) => page.frames().find((f) => f.url().startsWith(live.site.vendorBase));

test('queued calls are answered in order once the CMP loads; Reject all is a string with no consent and no legitimate interest', async () => {
  const { page, release } = await openHeld(live);
  await banner(page).waitFor();
  const frame = vendorFrame(page);
  await frame.evaluate(() => window.ask('early', 'getTCData'));
  await page.waitForTimeout(300);
  assert.deepEqual(await heard(page), [], 'nothing is answered before the CMP is there');
  assert.equal(await frame.evaluate(() => window.answers.early), undefined);

  release();
  await until(async () => (await heard(page)).length >= 4, 15000);
  const [first, second, third, fourth] = await heard(page);
  assert.deepEqual(first, ['getTCData', 'cmpuishown', '', true], 'answered first, as it was asked first');
  assert.deepEqual(second, ['listener', 'cmpuishown', '', true]);
  assert.equal(third[0], 'version 1');
  assert.deepEqual([third[1], third[2]], [null, false], 'version 1 is refused');
  assert.deepEqual(fourth, ['getVendorList', list(live.config).vendorListVersion, VENDORS.map(String), true], 'the site\'s vendors, from its list');
  await frame.waitForFunction(() => window.answers.early);
  const early = await frame.evaluate(() => window.answers.early);
  assert.deepEqual([early.success, early.returnValue.eventStatus, early.returnValue.cmpStatus], [true, 'cmpuishown', 'loaded']);

  await button(page, 'reject').click();
  const data = await completed(page);
  const cookie = (await page.context().cookies()).find((c) => c.name == 'euconsent-v2');
  assert.equal(cookie?.value, data.tcString, 'stored first-party under its name');
  const [decoded] = iabDecode([data.tcString]);
  const core = decoded.core;
  assert.deepEqual([core.purpose_consents, core.purpose_legitimate_interests, core.vendor_consents, core.vendor_legitimate_interests, core.special_feature_optins], [[], [], [], [], []]);
  assert.deepEqual(decoded.disclosed_vendors, VENDORS, 'every vendor disclosed (TCF 2.3)');
  assert.deepEqual([core.cmp_id, core.cmp_version, core.policy_version, core.vendor_list_version, core.is_service_specific], [300, 4, 5, list(live.config).vendorListVersion, true]);
  assert.equal(core.created % 864000, 0, 'Created rounded to the day');
  assert.equal(data.addtlConsent, '2~~dv.89.1301');
  assert.deepEqual(Object.values(data.purpose.consents).filter(Boolean), []);
  assert.equal(data.gdprApplies, true);

  // The proof of consent keeps both strings, and the chain covers them.
  const consentId = await page.evaluate(() => window.Consent.getConsent().id);
  const stored = await until(() => live.server.rows(`SELECT tc_string, addtl_consent FROM events WHERE consent_id = '${consentId}' AND action = 'reject_all'`)[0], 10000);
  assert.deepEqual(stored, { tc_string: data.tcString, addtl_consent: '2~~dv.89.1301' });
  const proof = await (await fetch(`${live.server.base}/api/v1/consents/${consentId}`)).json();
  assert.equal(proof.decisions.at(-1).tc_string, data.tcString);
  assert.equal(proof.decisions.at(-1).addtl_consent, data.addtlConsent);
  const verify = () => spawnSync(SERVER_BIN, ['--db', live.server.db, '--config', live.config, 'verify', '--site', 'luxhost'], { encoding: 'utf8' });
  assert.equal(verify().status, 0, verify().stdout + verify().stderr);
  live.server.sql(`UPDATE events SET tc_string = 'CQAAAAAQAAAAAAAAAAENAAAAAAAAAAAAAAAA' WHERE consent_id = '${consentId}'`);
  assert.match(verify().stdout, /BROKEN .* the row's content does not match its hash/, 'a changed TC string breaks the chain');
  live.server.sql(`UPDATE events SET tc_string = '${data.tcString}' WHERE consent_id = '${consentId}'`);

  // `__gpp` carries the same decision: its tcfeuv2 section reads as the IAB's GPP library reads the string.
  const gpp = await page.evaluate(() => {
    const out = {};
    __gpp('ping', (p) => (out.ping = p));
    __gpp('hasSection', (v) => (out.has = v), 'tcfeuv2');
    __gpp('getSection', (v) => (out.section = JSON.parse(JSON.stringify(v))), 'tcfeuv2');
    __gpp('getField', (v) => (out.cmpId = v), 'tcfeuv2.CmpId');
    return out;
  });
  assert.deepEqual([gpp.ping.cmpStatus, gpp.ping.signalStatus, gpp.ping.sectionList, gpp.has, gpp.cmpId], ['loaded', 'ready', [2], true, 300]);
  const [theirs] = JSON.parse(execFileSync('node', [join(ROOT, 'tests/tcf/gpp.mjs'), 'sections'], { input: JSON.stringify([gpp.ping.gppString]) }));
  assert.deepEqual(gpp.section, theirs['2'], 'getSection as @iabgpp/cmpapi reads our GPP string');
  assert.deepEqual(theirs['2'].VendorsDisclosed, VENDORS);

  // The frame on another origin gets the same string after the decision.
  await frame.evaluate(() => window.ask('after', 'getTCData'));
  await frame.waitForFunction(() => window.answers.after);
  assert.equal((await frame.evaluate(() => window.answers.after)).returnValue.tcString, data.tcString);
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test('Accept all is a string the IAB library reads as every purpose and each vendor on the basis it declares', async () => {
  const { page, release } = await openHeld(live);
  release();
  await button(page, 'accept').click();
  const data = await completed(page);
  const [decoded] = iabDecode([data.tcString]);
  const core = decoded.core;
  const vendors = list(live.config).vendors;
  const declares = (key) => VENDORS.filter((v) => vendors[v][key].length > 0);
  assert.deepEqual(core.purpose_consents, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
  assert.deepEqual(core.special_feature_optins, [1, 2]);
  assert.deepEqual(core.vendor_consents, declares('purposes'), 'consent for each vendor that declares a consent purpose');
  const li = [...new Set(VENDORS.flatMap((v) => vendors[v].legIntPurposes))].filter((p) => ![1, 3, 4, 5, 6].includes(p)).sort((a, b) => a - b);
  assert.deepEqual(core.purpose_legitimate_interests, li, 'legitimate interest only where a vendor declares it, never for 1 and 3–6');
  assert.equal(data.addtlConsent, '2~89.1301~dv.');
  assert.equal(data.vendor.consents[VENDORS[0]], core.vendor_consents.includes(VENDORS[0]));
  assert.deepEqual(Object.keys(data.vendor.disclosedVendors).map(Number), VENDORS);
  assert.equal((await page.context().cookies()).find((c) => c.name == 'addtl_consent')?.value, data.addtlConsent, 'stored beside the TC string');

  // The next page: the string is taken up, listeners hear `tcloaded`, no banner.
  await page.reload();
  await until(async () => (await heard(page)).some((h) => h[0] == 'listener'), 15000);
  assert.deepEqual((await heard(page)).find((h) => h[0] == 'listener'), ['listener', 'tcloaded', data.tcString, true]);
  assert.equal(await banner(page).count(), 0);

  // `Consent.reset()` forgets the strings with the decision.
  await page.evaluate(() => window.Consent.reset());
  await banner(page).waitFor({ timeout: 5000 });
  assert.deepEqual((await page.context().cookies()).filter((c) => c.name == 'euconsent-v2' || c.name == 'addtl_consent'), []);
  assert.equal(await page.evaluate(() => new Promise((r) => __tcfapi('getTCData', 2, (d) => r(d.tcString)))), '');
  await button(page, 'accept').click();
  await until(async () => (await page.context().cookies()).some((c) => c.name == 'euconsent-v2'), 10000);
  await page.reload();
  assert.equal(await banner(page).count(), 0);

  // The decision stands but its TC string is gone: the CMP asks again.
  await page.context().clearCookies({ name: 'euconsent-v2' });
  await page.reload();
  await banner(page).waitFor({ timeout: 5000 });
  assert.ok(await page.evaluate(() => window.Consent.getConsent()), 'the widget\'s own decision still stands');
  await page.context().close();
});

test('a vendor added, or a new TCF policy version, asks again', async () => {
  const { page, release } = await openHeld(live);
  release();
  await button(page, 'accept').click();
  await completed(page);
  // As after the loader's few minutes of caching: each reload gets the server's current one.
  await (await page.context().newCDPSession(page)).send('Network.setCacheDisabled', { cacheDisabled: true });

  const reload = async () => {
    await live.server.hangup('luxhost');
    await page.reload();
  };
  // A new list version with a new vendor the site now works with.
  const newer = list(live.config);
  newer.vendorListVersion += 1;
  writeFileSync(join(live.config, 'tcf/vendor-list.json'), JSON.stringify(newer));
  writeTcf(live.config, [...VENDORS, 3]);
  await reload();
  await banner(page).waitFor({ timeout: 5000 });
  await until(async () => (await heard(page)).some((h) => h[0] == 'listener'), 15000);
  assert.equal((await heard(page)).find((h) => h[0] == 'listener')[1], 'cmpuishown', 'a new vendor: the banner again');
  await button(page, 'accept').click();
  const [decoded] = iabDecode([(await completed(page)).tcString]);
  assert.deepEqual(decoded.disclosed_vendors, [1, 2, 3, 40]);
  assert.equal(decoded.core.vendor_list_version, newer.vendorListVersion, 'the new list\'s version in the string');

  await page.reload();
  assert.equal(await banner(page).count(), 0, 'decided for the new vendor set');
  const gvl = list(live.config);
  gvl.tcfPolicyVersion = 6;
  writeFileSync(join(live.config, 'tcf/vendor-list.json'), JSON.stringify(gvl));
  await reload();
  await banner(page).waitFor({ timeout: 5000 });
  await page.context().close();
});
