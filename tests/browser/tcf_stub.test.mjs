// The `__tcfapi` and `__gpp` stubs a `[tcf]` site's loader carries: a page
// on its own origin answers `ping` synchronously and queues the rest; a
// vendor's script in a cross-origin iframe (a third origin) finds the locator
// frames and gets its answers through postMessage, for object and JSON-text
// messages alike.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { openPage, ROOT } from './harness.mjs';
import { tcfConfigs, publisherAndBrowser } from './tcf_fixture.mjs';

const configs = () => tcfConfigs({ vendors: [1, 2, 40] });

// The vendor's frame: asks its parent's CMP through the locator, as the IAB describes.
const VENDOR = `window.addEventListener('message', (e) => {
  const data = typeof e.data === 'string' ? JSON.parse(e.data) : e.data;
  const r = data.__tcfapiReturn || data.__gppReturn;
  if (r) window.answers[r.callId] = { ...r, asText: typeof e.data === 'string' };
});
window.ask = () => {
  const cmp = find('__tcfapiLocator'), gpp = find('__gppLocator');
  cmp.postMessage({ __tcfapiCall: { command: 'ping', version: 2, callId: 'obj' } }, '*');
  cmp.postMessage(JSON.stringify({ __tcfapiCall: { command: 'ping', version: 2, callId: 'text' } }), '*');
  cmp.postMessage({ __tcfapiCall: { command: 'getTCData', version: 2, callId: 'queued' } }, '*');
  gpp.postMessage({ __gppCall: { command: 'ping', callId: 'gpp' } }, '*');
  return Boolean(cmp && gpp);
};`;

// The publisher's own script, right after the loader's tag.
const PAGE = `
  window.sync = [];
  __tcfapi('ping', 2, (p, ok) => window.sync.push(['ping', p, ok]));
  __tcfapi('getTCData', 2, (d, ok) => window.sync.push(['getTCData', d, ok]));
  __gpp('ping', (p, ok) => window.sync.push(['gpp', p, ok]));
  window.queued = __tcfapi().map((c) => c[0]);
`;

// The tag without `defer`: the stub answers before any later script runs.
const live = publisherAndBrowser(configs, PAGE, VENDOR);

test('the stubs answer ping at once, queue the rest, and answer a cross-origin frame by postMessage', async () => {
  const page = await openPage(live.chrome);
  // The full CMP never comes on this page: what is answered here is the stub's.
  await page.route('**/cmp.js', (route) => route.abort());
  await page.goto(live.site.base + '/');
  const sync = await page.evaluate(() => window.sync);
  const [name, ping, ok] = sync[0];
  assert.equal(name, 'ping');
  assert.equal(ok, true);
  assert.equal(ping.cmpStatus, 'stub');
  assert.equal(ping.cmpLoaded, false);
  assert.deepEqual([ping.cmpId, ping.cmpVersion, ping.gdprApplies, ping.apiVersion, ping.tcfPolicyVersion], [300, 4, true, '2.3', 5]);
  assert.ok(ping.gvlVersion > 0, 'the served list\'s version');
  assert.equal(sync[1][0], 'gpp', 'getTCData waits for the CMP');
  assert.deepEqual([sync[1][1].cmpStatus, sync[1][1].applicableSections, sync[1][1].cmpId], ['stub', [2], 300]);
  assert.deepEqual(await page.evaluate(() => window.queued), ['getTCData']);
  assert.equal(await page.locator('iframe[name=__tcfapiLocator]').count(), 1);
  assert.equal(await page.locator('iframe[name=__gppLocator]').count(), 1);

  const frame = page.frames().find((f) => f.url().startsWith(live.site.vendorBase));
  assert.ok(frame, 'the vendor frame loaded');
  assert.equal(await frame.evaluate(() => window.ask()), true, 'the frame finds both locators across origins');
  await frame.waitForFunction(() => window.answers.obj && window.answers.text && window.answers.gpp);
  const answers = await frame.evaluate(() => window.answers);
  assert.deepEqual([answers.obj.success, answers.obj.returnValue.cmpId, answers.obj.asText], [true, 300, false]);
  assert.deepEqual([answers.text.success, answers.text.returnValue.cmpStatus, answers.text.asText], [true, 'stub', true], 'JSON text is answered as JSON text');
  assert.equal(answers.gpp.returnValue.gppVersion, '1.1');
  assert.equal(answers.queued, undefined, 'getTCData is not answered by the stub');
  assert.deepEqual(await page.evaluate(() => __tcfapi().map((c) => c[0])), ['getTCData', 'getTCData'], 'the frame\'s call waits in the same queue');
  await page.context().close();
});

test('a site without [tcf] carries no stub', async () => {
  const loader = readFileSync(join(ROOT, 'www/consent/consent.js'), 'utf8');
  assert.ok(!loader.includes('__tcfapi'), 'the reference build has none');
  const served = Buffer.from(await (await fetch(`${live.server.base}/s/luxhost/consent.js`)).arrayBuffer());
  assert.deepEqual([...served.subarray(0, 3)], [0xef, 0xbb, 0xbf], 'the byte order mark stays first');
  assert.ok(served.toString('utf8').includes('__tcfapiLocator'), 'the TCF site\'s loader has the stubs');
});
