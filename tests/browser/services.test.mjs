// Per-service choices in headless Chromium against the real backend: each
// category unfolds to its services, each with its own toggle; the cookie, the
// DOM event, the proof record, Consent Mode, the JS API, gated scripts and
// embeds, and cookie deletion all follow them; category-only cookies keep working.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { serverAndBrowser, openPage, openPreferences, banner, button, until, axe } from './harness.mjs';

const live = serverAndBrowser((www) => {
  // An embed and a script that name a service by its id alone (no category).
  const html = readFileSync(join(www, 'index.html'), 'utf8').replace(
    '</main>',
    '<iframe data-service="prestatiemeting" data-src="/embed.html" title="perf"></iframe>\n' +
      '<script type="text/plain" data-service="bezoekstatistieken">window.byServiceId = 1;</script>\n</main>',
  );
  writeFileSync(join(www, 'services.html'), html);
});

const consentCookie = async (page) => (await page.context().cookies()).find((c) => c.name === 'cc_consent');
const entries = async (page) => (await consentCookie(page)).value.split('.')[2];
const box = (page, attr, value) => page.locator(`consent-banner input[${attr}="${value}"]`);
const state = (loc) => loc.evaluate((e) => (e.indeterminate ? 'partly' : e.checked ? 'on' : 'off'));
const lastUpdate = (page) =>
  page.evaluate(() => {
    const updates = (window.dataLayer || []).filter((e) => e[0] === 'consent' && e[1] === 'update');
    return updates.length ? updates[updates.length - 1][2] : null;
  });

/** Unfolds the analytics category's services. */
const unfold = (page) => page.locator('consent-banner .prefs li').nth(1).locator('summary').click();

async function listen(page) {
  await page.evaluate(() => {
    window.changes = [];
    document.addEventListener('consent:change', (e) => window.changes.push(e.detail));
  });
}

test('each category unfolds to its services; toggles keep category and services in step; nothing is pre-ticked', async () => {
  const page = await openPage(live.chrome);
  await page.goto(live.server.base + '/services.html');
  await openPreferences(page);
  const analytics = box(page, 'data-cat', 'analytics');
  const visits = box(page, 'data-svc', 'analytics/bezoekstatistieken');
  const perf = box(page, 'data-svc', 'analytics/prestatiemeting');
  const li = page.locator('consent-banner .prefs li').nth(1);
  await li.locator('summary').click();
  assert.equal(await li.locator('summary').textContent(), 'Cookies en diensten (2)');
  assert.deepEqual(await li.locator('.svc label').allTextContents(), ['Bezoekstatistieken · Luxhost', 'Prestatiemeting · Luxhost']);
  assert.deepEqual(await li.locator('.svc').nth(1).locator('tbody td').allTextContents(), ['_lx_perf', 'Luxhost', "Meet hoe snel pagina's laden.", '1 uur']);
  assert.deepEqual([await state(analytics), await state(visits), await state(perf)], ['off', 'off', 'off'], 'nothing pre-ticked');
  const necessary = page.locator('consent-banner .prefs li').nth(0).locator('input[data-svc]');
  assert.deepEqual(await necessary.evaluateAll((els) => els.map((e) => [e.checked, e.disabled])), [[true, true]], 'a required category\'s services are on and fixed');

  await perf.check();
  assert.deepEqual([await state(analytics), await state(visits), await state(perf)], ['partly', 'off', 'on'], 'one service: partly accepted');
  await analytics.click();
  assert.deepEqual([await state(analytics), await state(visits), await state(perf)], ['on', 'on', 'on'], 'the category sets all its services');
  await visits.uncheck();
  assert.deepEqual([await state(analytics), await state(visits), await state(perf)], ['partly', 'off', 'on']);
  await perf.uncheck();
  assert.deepEqual([await state(analytics), await state(visits), await state(perf)], ['off', 'off', 'off'], 'no service: not accepted');
  await visits.check();
  await perf.check();
  assert.equal(await state(analytics), 'on', 'every service: the whole category');
  await analytics.uncheck();
  assert.deepEqual([await state(visits), await state(perf)], ['off', 'off'], 'the category clears all its services');
  assert.deepEqual(await axe(page, 'consent-banner'), [], 'no axe violations with the services unfolded');
  await page.context().close();
});

test('a single service accepted: cookie, event, proof, Consent Mode, JS API, gated scripts, embeds and cookie deletion follow it', async () => {
  const page = await openPage(live.chrome);
  await page.goto(live.server.base + '/services.html');
  // Cookies both analytics services would have set on an earlier visit.
  await page.evaluate(() => {
    document.cookie = '_lx_visit=1; Path=/';
    document.cookie = '_lx_perf=1; Path=/';
  });
  await listen(page);
  await openPreferences(page);
  await unfold(page);
  await box(page, 'data-svc', 'analytics/bezoekstatistieken').check();
  await button(page, 'save').click();
  await banner(page).waitFor({ state: 'detached' });

  assert.equal(await entries(page), 'necessary+analytics/bezoekstatistieken');
  const detail = await until(() => page.evaluate(() => window.changes[0]));
  assert.deepEqual(detail, { accepted: ['necessary', 'analytics/bezoekstatistieken'], rejected: ['analytics/prestatiemeting', 'marketing'] });
  const api = await page.evaluate(() => [Consent.accepted('analytics/bezoekstatistieken'), Consent.accepted('analytics/prestatiemeting'), Consent.accepted('analytics'), Consent.accepted('necessary/klantensysteem')]);
  assert.deepEqual(api, [true, false, false, true], 'a service, not its whole category');
  // The service's own Consent Mode signal; the category's are not granted in part.
  assert.equal((await lastUpdate(page)).analytics_storage, 'granted');
  assert.equal((await lastUpdate(page)).ad_storage, 'denied');
  // Gated content: by `category` + `service`, by the service id alone; not by the category alone.
  await until(() => page.evaluate(() => window.analyticsStarted === 1 && window.byServiceId === 1));
  assert.equal(await page.evaluate(() => window.analyticsInline), undefined, 'a script that waits for all of analytics stays inert');
  assert.equal(await page.evaluate(() => window.performanceMeasured), undefined, 'the refused service\'s script stays inert');
  assert.equal(await page.locator('iframe[data-service=prestatiemeting]').getAttribute('src'), null, 'the refused service\'s embed waits');
  // The refused service's cookie is gone; the accepted one's stays.
  const names = (await page.context().cookies()).map((c) => c.name);
  assert.ok(!names.includes('_lx_perf'), `refused service's cookie deleted: ${names}`);
  assert.ok(names.includes('_lx_visit'), `accepted service's cookie kept: ${names}`);

  // The proof: the event's entries and the banner version it points to, which lists the services shown.
  const row = await until(() => live.server.rows(`SELECT e.categories, b.content FROM events e JOIN banner_versions b ON b.hash = e.banner WHERE e.action = 'custom'`)[0]);
  assert.equal(row.categories, 'necessary analytics/bezoekstatistieken');
  const shown = JSON.parse(row.content).categories.find((c) => c.id === 'analytics').services.map((s) => s.id);
  assert.deepEqual(shown, ['bezoekstatistieken', 'prestatiemeting']);

  // The placeholder's button accepts that one service: now analytics is whole.
  await page.locator('[data-consent-load="analytics/prestatiemeting"] button').click();
  await until(async () => (await entries(page)) === 'necessary+analytics');
  await until(() => page.evaluate(() => window.performanceMeasured === 1 && window.analyticsInline === 1));
  assert.equal(await page.locator('iframe[data-service=prestatiemeting]').getAttribute('src'), '/embed.html');
  await page.context().close();
});

test('dropping one service of an accepted category is a withdrawal; the reopened choices show "partly accepted"; category-only cookies keep working', async () => {
  const page = await openPage(live.chrome);
  await page.goto(live.server.base + '/services.html');
  // Accept all: a cookie of whole categories, the shape every earlier version wrote.
  await button(page, 'accept').click();
  await until(async () => (await entries(page)) === 'necessary+analytics+marketing');
  await page.reload();
  await until(() => page.evaluate(() => window.Consent && window.Consent.getConsent && window.Consent.getConsent() !== null));
  await until(() => page.evaluate(() => window.analyticsStarted === 1 && window.performanceMeasured === 1 && window.byServiceId === 1));
  assert.equal(await page.evaluate(() => Consent.accepted('analytics/prestatiemeting')), true, 'a whole category covers each of its services');

  await page.locator('consent-settings button').click();
  await unfold(page);
  await box(page, 'data-svc', 'analytics/prestatiemeting').uncheck();
  await button(page, 'save').click();
  await banner(page).waitFor({ state: 'detached' });
  assert.equal(await entries(page), 'necessary+analytics/bezoekstatistieken+marketing');
  const row = await until(() => live.server.rows(`SELECT categories FROM events WHERE action = 'withdraw'`)[0]);
  assert.equal(row.categories, 'necessary analytics/bezoekstatistieken marketing');

  await page.reload();
  await page.locator('consent-settings button').click();
  assert.equal(await state(box(page, 'data-cat', 'analytics')), 'partly', 'the stored choice reopens as it was');
  assert.equal(await state(box(page, 'data-svc', 'analytics/bezoekstatistieken')), 'on');
  assert.equal(await state(box(page, 'data-svc', 'analytics/prestatiemeting')), 'off');
  // The JS API takes services too.
  await page.evaluate(() => Consent.acceptCategories(['analytics/prestatiemeting']));
  assert.equal(await entries(page), 'necessary+analytics/prestatiemeting');
  await page.context().close();
});
