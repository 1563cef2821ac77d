// The banner's two layers: the first layer (Wasm baked into consent.js) draws the banner and stores
// Accept/Reject on its own; the full widget, held back here, takes over and finishes
// what the visitor did meanwhile. A returning visitor never sees a banner flash.
import { test } from 'node:test';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import assert from 'node:assert/strict';
import { serverAndBrowser, openPage, banner, button, until, takenOver } from './harness.mjs';

const live = serverAndBrowser((www) => {
  // The tag as some sites write it: in the head, without `defer` (it runs before there is a body).
  const html = readFileSync(join(www, 'index.html'), 'utf8');
  if (!html.includes(' defer></script>')) throw new Error('index.html: no deferred loader tag');
  writeFileSync(join(www, 'blocking.html'), html.replace(' defer></script>', '></script>'));
});

/** A page whose full widget is held back until `release()`; records what it loads and the widget's DOM events. */
async function heldBack() {
  const page = await openPage(live.chrome);
  const loaded = [];
  page.on('request', (r) => loaded.push(new URL(r.url()).pathname));
  let release;
  const gate = new Promise((r) => (release = r));
  await page.route('**/consent_widget_bg.wasm', async (route) => {
    await gate;
    await route.continue();
  });
  await page.addInitScript(() => {
    window.__events = [];
    for (const name of ['consent:ready', 'consent:change']) document.addEventListener(name, (e) => window.__events.push([name, e.detail.accepted]));
  });
  return { page, loaded, release };
}

/** A page whose full widget cannot load (its Wasm blocked), with the first layer's banner up. */
async function withoutFullWidget() {
  const page = await openPage(live.chrome);
  await page.route('**/consent_widget_bg.wasm', (route) => route.abort('blockedbyclient'));
  await page.goto(live.server.base + '/');
  await banner(page).waitFor({ state: 'visible' });
  await until(() => page.messages.some((m) => m.includes('[consent] widget not started')));
  return page;
}

const consentCookie = async (page) => (await page.context().cookies()).find((c) => c.name === 'cc_consent');
/** The consent id (a UUID) in the cookie's 32 hex digits. */
const uuid = (hex) => [hex.slice(0, 8), hex.slice(8, 12), hex.slice(12, 16), hex.slice(16, 20), hex.slice(20)].join('-');
/** The loader's note of a first-layer decision the full widget has not recorded yet. */
const unreported = (page) => page.evaluate(() => localStorage.getItem('cc_unreported'));
const rowsFor = (consentId) => live.server.rows(`SELECT action FROM events WHERE consent_id = '${consentId}' ORDER BY seq`);

test('Reject all on the first layer is stored at once; the full widget then records and announces it', async () => {
  const { page, loaded, release } = await heldBack();
  const shownBefore = live.server.rows(`SELECT COUNT(*) AS n FROM events WHERE action = 'banner_shown'`)[0].n;
  await page.goto(live.server.base + '/');
  await banner(page).waitFor({ state: 'visible' });
  // The banner took one file, the loader; the full widget's files (its code under /c/, details.json) are the only others.
  const widgetFiles = loaded.filter((p) => /^\/(s|c|consent)\//.test(p));
  assert.deepEqual(widgetFiles.filter((p) => !p.startsWith('/c/') && !/\/details\.[0-9a-f]{12}\.json$/.test(p)), ['/s/luxhost/consent.js']);
  assert.equal(await page.locator('consent-banner[data-taken-over]').count(), 0, 'the full widget has not taken over yet');
  // Within the click's own task: cookie written, banner gone.
  const same = await page.evaluate(() => {
    document.querySelector('consent-banner').shadowRoot.querySelector('button[data-act=reject]').click();
    return { cookie: document.cookie.includes('cc_consent='), banner: !!document.querySelector('consent-banner') };
  });
  assert.deepEqual(same, { cookie: true, banner: false });
  const cookie = await consentCookie(page);
  const [, idHex, cats] = cookie.value.split('.');
  assert.equal(cats, 'necessary');
  assert.ok(Math.abs(cookie.expires - Date.now() / 1000 - 182 * 86400) < 120, 'Max-Age from the config');
  const id = uuid(idHex);
  assert.deepEqual(rowsFor(id), [], 'nothing is sent before the full widget runs');
  release();
  // The full widget finishes the decision: event with the same consent id, DOM event, settings button.
  const rows = await until(() => rowsFor(id).length && rowsFor(id));
  assert.deepEqual(rows.map((r) => r.action), ['reject_all']);
  await until(() => live.server.rows(`SELECT COUNT(*) AS n FROM events WHERE action = 'banner_shown'`)[0].n > shownBefore);
  await page.locator('consent-settings').waitFor({ state: 'attached' });
  assert.deepEqual(await page.evaluate(() => window.__events), [['consent:change', ['necessary']]]);
  assert.equal((await consentCookie(page)).value.split('.')[1], idHex, 'the id is kept');
  assert.equal(await page.evaluate(() => window.analyticsStarted ?? 0), 0, 'nothing optional runs');
  assert.equal(await page.locator('consent-banner').count(), 0, 'the banner does not come back');
  // The loader's note that the decision waits to be recorded is gone, and it was recorded once.
  await until(async () => (await unreported(page)) === null);
  assert.deepEqual(rowsFor(id).map((r) => r.action), ['reject_all']);
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test('a first-layer decision on a page left before the full widget came is recorded on the next page', async () => {
  const page = await withoutFullWidget();
  await button(page, 'accept').click();
  await banner(page).waitFor({ state: 'detached' });
  const id = uuid((await consentCookie(page)).value.split('.')[1]);
  assert.equal(await unreported(page), 'accept /');
  assert.deepEqual(rowsFor(id), [], 'the backend has not heard of it');
  // The next page loads the full widget: it records the decision, with the page it was made on.
  await page.unroute('**/consent_widget_bg.wasm');
  await page.goto(live.server.base + '/privacy.html');
  await page.locator('consent-settings').waitFor({ state: 'attached' });
  await until(() => rowsFor(id).length);
  await until(async () => (await unreported(page)) === null);
  const rows = live.server.rows(`SELECT action, path, categories FROM events WHERE consent_id = '${id}'`);
  assert.equal(rows.length, 1, JSON.stringify(rows));
  assert.equal(rows[0].action, 'accept_all');
  assert.equal(rows[0].path, '/');
  assert.match(rows[0].categories, /analytics/);
  assert.equal(await page.locator('consent-banner').count(), 0, 'no banner: the visitor has decided');
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test('Accept all on the first layer starts the gated scripts once the full widget arrives', async () => {
  const { page, release } = await heldBack();
  await page.goto(live.server.base + '/');
  await button(page, 'accept').click();
  await banner(page).waitFor({ state: 'detached' });
  assert.equal((await consentCookie(page)).value.split('.')[2], 'necessary+analytics+marketing');
  assert.equal(await page.evaluate(() => window.analyticsInline ?? 0), 0, 'scripts wait for the full widget');
  release();
  await until(() => page.evaluate(() => window.analyticsInline === 1));
  assert.equal(await page.evaluate(() => window.Consent.accepted('marketing')), true);
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test('Preferences clicked before the full widget arrives open when it does, on the same banner', async () => {
  const { page, release } = await heldBack();
  await page.goto(live.server.base + '/');
  await banner(page).waitFor({ state: 'visible' });
  const host = await page.evaluateHandle(() => document.querySelector('consent-banner'));
  await button(page, 'prefs').click();
  assert.equal((await consentCookie(page)) ?? null, null, 'opening the preferences stores nothing');
  release();
  await page.locator('consent-banner ul.prefs').waitFor({ state: 'visible' });
  assert.equal(await page.evaluate((h) => h === document.querySelector('consent-banner') && document.querySelectorAll('consent-banner').length === 1, host), true, 'taken over in place, not drawn twice');
  assert.equal(await page.locator('consent-banner button[data-act=save]').isVisible(), true);
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test('a returning visitor gets no banner, not even for a frame, and the full widget still runs', async () => {
  const page = await openPage(live.chrome);
  await page.goto(live.server.base + '/');
  await button(page, 'accept').click();
  await page.locator('consent-settings').waitFor({ state: 'attached' });
  await page.addInitScript(() => {
    window.__bannerSeen = false;
    new MutationObserver(() => {
      if (document.querySelector('consent-banner')) window.__bannerSeen = true;
    }).observe(document, { childList: true, subtree: true });
  });
  await page.reload();
  await until(() => page.evaluate(() => window.analyticsInline === 1));
  await page.locator('consent-settings').waitFor({ state: 'attached' });
  assert.equal(await page.evaluate(() => window.__bannerSeen), false);
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test('when only the full widget cannot load, the first layer still shows the banner and stores a choice', async () => {
  const page = await withoutFullWidget();
  await button(page, 'reject').click();
  await banner(page).waitFor({ state: 'detached' });
  assert.equal((await consentCookie(page)).value.split('.')[2], 'necessary');
  assert.equal(await page.evaluate(() => window.analyticsStarted ?? 0), 0, 'nothing optional runs');
  // The policy link, held back for the viewer, is followed when there is no viewer.
  await page.context().clearCookies();
  await page.reload();
  await page.locator('consent-banner a[data-act=policy]').click();
  await page.waitForURL('**/privacy.html');
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test('a tag without defer in the head still puts the banner first in the body', async () => {
  const page = await openPage(live.chrome);
  await page.goto(live.server.base + '/blocking.html');
  await banner(page).waitFor({ state: 'visible' });
  assert.equal(await page.evaluate(() => document.body.firstElementChild.localName), 'consent-banner');
  await takenOver(page);
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test('the first layer also starts in a browser without Uint8Array.fromBase64', async () => {
  const page = await openPage(live.chrome);
  await page.addInitScript(() => delete Uint8Array.fromBase64);
  await page.goto(live.server.base + '/');
  await button(page, 'reject').click();
  await banner(page).waitFor({ state: 'detached' });
  assert.equal((await consentCookie(page)).value.split('.')[2], 'necessary');
  assert.equal(await page.evaluate(() => typeof Uint8Array.fromBase64), 'undefined', 'the fallback ran');
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test('the loader arrives intact whatever charset its server names', async () => {
  const page = await openPage(live.chrome);
  // A server that calls every script windows-1252: the loader's byte order mark wins.
  await page.route('**/s/luxhost/consent.js', async (route) => {
    const response = await route.fetch();
    await route.fulfill({ response, headers: { ...response.headers(), 'content-type': 'text/javascript; charset=windows-1252' } });
  });
  await page.goto(live.server.base + '/');
  await button(page, 'reject').click();
  await banner(page).waitFor({ state: 'detached' });
  assert.equal((await consentCookie(page)).value.split('.')[2], 'necessary');
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test('the first layer is a non-modal dialog: Tab leaves it for the page, and it does not claim otherwise; the preferences are modal and keep Tab inside', async () => {
  const { page, release } = await heldBack();
  await page.goto(live.server.base + '/');
  await banner(page).waitFor({ state: 'visible' });
  const told = () =>
    page.evaluate(() => {
      const card = document.querySelector('consent-banner').shadowRoot.querySelector('.cc');
      const inert = [...document.body.children].filter((el) => el.tagName != 'CONSENT-BANNER' && el.inert).length;
      return { role: card.getAttribute('role'), modal: card.getAttribute('aria-modal'), inert };
    });
  // Where Tab goes from the banner's last control: inside the banner, or out to the page.
  const tabFromLast = async () => {
    await page.locator('consent-banner .row button:not([hidden])').last().focus();
    await page.keyboard.press('Tab');
    return page.evaluate(() => (document.activeElement?.tagName == 'CONSENT-BANNER' ? 'banner' : 'page'));
  };
  for (const stage of ['first layer alone', 'taken over']) {
    if (stage == 'taken over') {
      release();
      await takenOver(page);
    }
    assert.deepEqual(await told(), { role: 'dialog', modal: 'false', inert: 0 }, `${stage}: not modal, page usable`);
    assert.equal(await tabFromLast(), 'page', `${stage}: Tab reaches the page, as aria-modal=false says`);
  }
  await button(page, 'prefs').click();
  await page.locator('consent-banner ul.prefs').waitFor({ state: 'visible' });
  const prefs = await told();
  assert.equal(prefs.modal, 'true');
  assert.ok(prefs.inert > 0, 'the page behind the preferences is inert');
  assert.equal(await tabFromLast(), 'banner', 'the preferences keep Tab inside, as aria-modal=true says');
  await page.context().close();
});
