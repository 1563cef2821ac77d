// The foundation slice in headless Chromium against the real backend:
// one script tag → banner → consent cookie → event row in SQLite.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { serverAndBrowser, openPage, openPreferences, banner, button, until, withCheck } from './harness.mjs';

const DAY = 86400;
const live = serverAndBrowser((www) => {
  // An English page: the same site with <html lang="en">.
  const html = readFileSync(join(www, 'index.html'), 'utf8').replace('<html lang="nl">', '<html lang="en">');
  writeFileSync(join(www, 'en.html'), html);
});

test('the banner appears in a shadow root, in Dutch, with Accept and Reject alike', async () => {
  const page = await openPage(live.chrome);
  await page.goto(live.server.base + '/');
  await banner(page).waitFor({ state: 'visible' });
  const info = await page.evaluate(() => {
    const host = document.querySelector('consent-banner');
    const root = host.shadowRoot;
    const style = (act) => {
      const b = root.querySelector(`button[data-act=${act}]`);
      const s = getComputedStyle(b);
      const r = b.getBoundingClientRect();
      return { w: Math.round(r.width), h: Math.round(r.height), weight: s.fontWeight, color: s.color, bg: s.backgroundColor, border: s.borderColor, size: s.fontSize };
    };
    const card = root.querySelector('.cc');
    return {
      title: root.querySelector('h2').textContent,
      link: root.querySelector('a').getAttribute('href'),
      buttons: [...root.querySelectorAll('button:not([hidden])')].map((b) => b.textContent),
      role: card.getAttribute('role'),
      labelled: root.getElementById(card.getAttribute('aria-labelledby'))?.textContent,
      position: getComputedStyle(card).position,
      accept: style('accept'),
      reject: style('reject'),
    };
  });
  assert.equal(info.title, 'Wij respecteren uw privacy');
  assert.deepEqual(info.buttons, ['Alles accepteren', 'Alles weigeren', 'Voorkeuren']);
  assert.equal(info.link, '/privacy.html');
  assert.equal(info.role, 'dialog');
  assert.equal(info.labelled, info.title);
  assert.equal(info.position, 'fixed');
  assert.deepEqual(info.accept, info.reject, 'Accept and Reject have the same size, weight and colours');
  // Nothing is stored before the visitor decides.
  assert.deepEqual(await page.context().cookies(), []);
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test('the language follows <html lang>', async () => {
  const page = await openPage(live.chrome);
  await page.goto(live.server.base + '/en.html');
  await banner(page).waitFor({ state: 'visible' });
  assert.equal(await button(page, 'accept').textContent(), 'Accept all');
  assert.equal(await button(page, 'reject').textContent(), 'Reject all');
  await page.context().close();
});

async function decideAndCheck(act, action, categories) {
  const before = live.server.rows(`SELECT COUNT(*) AS n FROM events WHERE action = '${action}'`)[0].n;
  const page = await openPage(live.chrome);
  await page.goto(live.server.base + '/');
  await button(page, act).click();
  await banner(page).waitFor({ state: 'detached' });
  const cookie = await consentCookie(page);
  assert.equal(cookie.path, '/');
  assert.equal(cookie.sameSite, 'Lax');
  assert.equal(cookie.secure, false, 'no Secure flag on http');
  const maxAge = cookie.expires - Date.now() / 1000;
  assert.ok(Math.abs(maxAge - 182 * DAY) < 120, `Max-Age from config (182 days), got ${maxAge}s`);
  const [version, idHex, cats, revision] = cookie.value.split('.');
  assert.equal(version, '1');
  assert.equal(cats, categories.join('+'));
  assert.equal(revision, live.server.config().revision);
  // The event reaches the database exactly once.
  const rows = await until(() => {
    const r = live.server.rows(`SELECT * FROM events WHERE action = '${action}'`);
    return r.length > before && r;
  });
  assert.equal(rows.length, before + 1);
  const row = rows.at(-1);
  assert.equal(row.consent_id.replaceAll('-', ''), idHex, 'the event carries the cookie\'s consent id');
  assert.match(row.consent_id, /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/, 'UUIDv7');
  assert.equal(row.categories, categories.join(' '));
  assert.equal(row.site, 'luxhost');
  assert.equal(row.lang, 'nl');
  assert.equal(row.path, '/');
  assert.equal(row.revision, live.server.config().revision);
  assert.ok(Math.abs(row.client_ts - Date.now()) < 60_000);
  // Proof of what was shown: the banner version, stored once with its content.
  assert.equal(row.banner, live.server.config().bannerVersions.nl);
  const [shown] = live.server.rows(`SELECT content FROM banner_versions WHERE hash = '${row.banner}'`);
  assert.equal(JSON.parse(shown.content).texts.accept_all, 'Alles accepteren');
  // After a reload the banner stays hidden.
  await page.reload();
  await page.waitForLoadState('networkidle');
  assert.equal(await page.locator('consent-banner').count(), 0, 'banner hidden after reload');
  assert.deepEqual(page.errors, []);
  return page;
}

test('Reject all: cookie with the right attributes, banner gone after reload, one reject_all row, gated script not run', async () => {
  const page = await decideAndCheck('reject', 'reject_all', ['necessary']);
  assert.equal(await page.evaluate(() => window.analyticsStarted ?? 0), 0, 'analytics must not run after Reject');
  assert.equal(await page.evaluate(() => window.analyticsInline ?? 0), 0);
  await page.context().close();
});

test('Accept all: cookie, one accept_all row, gated scripts run now and on every later page load', async () => {
  const page = await decideAndCheck('accept', 'accept_all', ['necessary', 'analytics', 'marketing']);
  // decideAndCheck reloaded the page: the gated scripts ran once on this load.
  await until(() => page.evaluate(() => window.analyticsStarted === 1 && window.analyticsInline === 1));
  assert.match(await page.locator('#analytics-status').textContent(), /actief/);
  await page.context().close();
});

test('Preferences: only the ticked categories are stored, as a custom decision', async () => {
  const page = await openPage(live.chrome);
  await page.goto(live.server.base + '/');
  await openPreferences(page);
  const boxes = page.locator('consent-banner input[data-cat]');
  assert.deepEqual(await boxes.evaluateAll((els) => els.map((e) => [e.dataset.cat, e.checked, e.disabled])), [
    ['necessary', true, true],
    ['analytics', false, false],
    ['marketing', false, false],
  ], 'nothing is pre-ticked but the required category');
  // Each category's cookies, in an expandable table generated from pkg-config.
  const details = page.locator('consent-banner .prefs li').nth(1).locator('details');
  assert.equal(await details.locator('summary').textContent(), 'Cookies en diensten (2)');
  await details.locator('summary').click();
  assert.deepEqual(await details.locator('tbody tr td').allTextContents(), [
    ...['_lx_visit*', 'Luxhost', 'Telt bezoeken en paginaweergaven.', '13 maanden'],
    ...['_lx_perf', 'Luxhost', "Meet hoe snel pagina's laden.", '1 uur'],
  ]);
  await page.locator('consent-banner input[data-cat=analytics]').check();
  await button(page, 'save').click();
  await banner(page).waitFor({ state: 'detached' });
  assert.equal((await consentCookie(page)).value.split('.')[2], 'necessary+analytics');
  const row = await until(() => live.server.rows(`SELECT * FROM events WHERE action = 'custom'`)[0]);
  assert.equal(row.categories, 'necessary analytics');
  await until(() => page.evaluate(() => window.analyticsStarted === 1));
  await page.context().close();
});

test('a tampered, malformed or outdated cookie counts as no consent', async () => {
  const rev = live.server.config().revision;
  const now = Math.floor(Date.now() / 1000);
  const id = '019ab0000000700080000000000000ff';
  const good = withCheck(`1.${id}.necessary+analytics.${rev}.${now.toString(36)}.${(now + 100 * DAY).toString(36)}`);
  const cases = {
    tampered: good.replace('necessary+analytics', 'necessary+analytics+marketing'),
    truncated: good.slice(0, 20),
    garbage: '%00<script>',
    oldRevision: withCheck(`1.${id}.necessary.000000000000.${now.toString(36)}.${(now + 100 * DAY).toString(36)}`),
    expired: withCheck(`1.${id}.necessary.${rev}.${(now - 200 * DAY).toString(36)}.${(now - DAY).toString(36)}`),
  };
  // Control: the well-formed current value is honoured.
  for (const [name, value] of [['good', good], ...Object.entries(cases)]) {
    const page = await openPage(live.chrome);
    await page.context().addCookies([{ name: 'cc_consent', value, url: live.server.base }]);
    await page.goto(live.server.base + '/');
    await page.waitForLoadState('networkidle');
    await page.waitForTimeout(100);
    const shown = await page.locator('consent-banner').count();
    assert.equal(shown, name === 'good' ? 0 : 1, `${name}: banner ${name === 'good' ? 'hidden' : 'shown'}`);
    assert.deepEqual(page.errors, [], `${name}: no page error`);
    await page.context().close();
  }
});

test('an unreachable backend does not break the page', async () => {
  const page = await openPage(live.chrome);
  await page.route('**/api/v1/events', (route) => route.abort('connectionrefused'));
  await page.goto(live.server.base + '/');
  await button(page, 'accept').click();
  await banner(page).waitFor({ state: 'detached' });
  assert.equal((await consentCookie(page)).value.split('.')[2], 'necessary+analytics+marketing', 'the decision is still stored locally');
  await page.waitForTimeout(200);
  assert.deepEqual(page.errors, [], 'no uncaught error or rejection');
  await page.context().close();
});

test('without WebAssembly, the page works and the console says why', async () => {
  const page = await openPage(live.chrome);
  await page.addInitScript(() => delete window.WebAssembly);
  await page.goto(live.server.base + '/');
  await until(() => page.messages.some((m) => m.includes('[consent] widget not started') && m.includes('WebAssembly')));
  assert.equal(await page.locator('consent-banner').count(), 0);
  assert.equal(await page.locator('h1').textContent(), 'Snelle, veilige webhosting');
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

/** The consent cookie the widget wrote; fails when there is none. */
async function consentCookie(page) {
  const cookie = (await page.context().cookies()).find((c) => c.name === 'cc_consent');
  assert.ok(cookie, 'consent cookie written');
  return cookie;
}
