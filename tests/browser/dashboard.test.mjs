// The marketer dashboard in headless Chromium against the real backend on
// SQLite: a visitor's decision and demo traffic reach the page; sign in, pick a
// range, read the headline consent rate and compare it with the JSON API.
// Writes a screenshot artifact and prints its path.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { serverAndBrowser, openPage, banner, button, until, axe, ROOT, TOKEN, SERVER_BIN } from './harness.mjs';

const live = serverAndBrowser(undefined, {
  // Demo traffic is loaded with the server stopped: its writer owns the chain heads.
  ready: async ({ server }) => {
    await server.stop();
    execFileSync(SERVER_BIN, ['--db', server.db, '--config', join(ROOT, 'pkg-config'), 'demo-data', '--events', '20000', '--days', '30'], { stdio: 'inherit' });
    await server.boot();
  },
});

async function signIn(page, token = TOKEN) {
  await page.goto(live.server.base + '/dashboard');
  await page.fill('#token', token);
  await Promise.all([page.waitForURL(/\/dashboard(\?|$)/), page.click('form button[type=submit]')]);
}

async function api(path) {
  const r = await fetch(live.server.base + path, { headers: { authorization: `Bearer ${TOKEN}` } });
  assert.equal(r.status, 200, path);
  return r.json();
}

test('a visitor decision reaches the dashboard; the headline consent rate matches the API', async () => {
  const before = await api('/dashboard/api/summary?site=luxhost&range=today');
  const visitor = await openPage(live.chrome);
  await visitor.goto(live.server.base + '/');
  await banner(visitor).waitFor({ state: 'visible' });
  await button(visitor, 'accept').click();
  await until(async () => (await api('/dashboard/api/summary?site=luxhost&range=today')).current.decisions === before.current.decisions + 1);
  await visitor.context().close();

  const page = await openPage(live.chrome, { viewport: { width: 1280, height: 900 } });
  await page.addInitScript(() => document.addEventListener('securitypolicyviolation', (e) => window.__csp = (window.__csp || []).concat(e.violatedDirective)));
  await signIn(page);
  await page.click('nav.ranges a:text-is("7 days")');
  await page.waitForURL(/range=7d/);
  const shown = (await page.textContent('[data-figure=consent_rate] .value')).trim();
  const summary = await api('/dashboard/api/summary?site=luxhost&range=7d');
  const rate = summary.figures.find((f) => f.key === 'consent_rate').value;
  assert.ok(rate > 0.3 && rate < 0.9, `plausible demo consent rate, got ${rate}`);
  assert.equal(shown, `${(rate * 100).toFixed(1)} %`);
  const impressions = (await page.textContent('[data-figure=impressions] .value')).trim().replaceAll(',', '');
  assert.equal(Number(impressions), summary.current.impressions);
  assert.equal(await page.locator('.chart svg polyline.consent').count() > 0, true, 'the chart draws the consent line');
  assert.equal(await page.locator('.chart circle.consent').count(), 7, 'one point per day');

  assert.deepEqual((await page.evaluate(() => window.__csp)) || [], [], 'no CSP violation');
  assert.deepEqual(page.errors, []);

  const dir = join(ROOT, 'artifacts');
  mkdirSync(dir, { recursive: true });
  const shot = join(dir, 'dashboard.png');
  await page.screenshot({ path: shot, fullPage: true });
  console.log(`dashboard screenshot: ${shot}`);
  await page.context().close();

  // axe-core is injected as an inline script, which the page's CSP blocks: a
  // separate context bypasses CSP for the audit only.
  const audit = await openPage(live.chrome, { bypassCSP: true });
  await signIn(audit);
  assert.deepEqual(await axe(audit, 'body'), []);
  await audit.context().close();
});

test('tables sort on a header click; a custom range works; CSV links download', async () => {
  const page = await openPage(live.chrome);
  await signIn(page);
  await page.evaluate(() => {
    const d = new Date(Date.now() - 3 * 86400e3).toISOString().slice(0, 10);
    document.querySelector('input[name=from]').value = d;
  });
  await Promise.all([page.waitForURL(/range=custom/), page.click('form.custom button')]);
  assert.equal(await page.locator('.chart circle.consent').count() >= 3, true);
  const table = page.locator('table[data-dim=path]');
  await table.locator('th button:text-is("Impressions")').click();
  const desc = await table.locator('tbody tr td:nth-child(2)').evaluateAll((tds) => tds.map((t) => Number(t.dataset.sortValue)));
  assert.deepEqual(desc, [...desc].sort((a, b) => b - a));
  await table.locator('th button:text-is("Impressions")').click();
  const asc = await table.locator('tbody tr td:nth-child(2)').evaluateAll((tds) => tds.map((t) => Number(t.dataset.sortValue)));
  assert.deepEqual(asc, [...desc].reverse());
  const href = await page.getAttribute('section.breakdown a.csv >> nth=0', 'href');
  const csv = await page.evaluate(async (h) => (await fetch(h)).text(), href);
  assert.match(csv, /^lang,impressions,decisions/);
  await page.context().close();
});

test('on a phone the page fits the screen', async () => {
  const page = await openPage(live.chrome, { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
  await signIn(page);
  const fits = await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth + 1);
  assert.ok(fits, 'no sideways scrolling of the page (wide tables scroll inside their box)');
  assert.ok(await page.locator('[data-figure=consent_rate]').isVisible());
  await page.context().close();
});

test('no token: a 401 sign-in page without data; a wrong token is refused; hostile values stay text', async () => {
  const page = await openPage(live.chrome);
  const res = await page.goto(live.server.base + '/dashboard?site=luxhost');
  assert.equal(res.status(), 401);
  assert.equal(await page.locator('[data-figure]').count(), 0);
  await page.fill('#token', 'not-the-token');
  const [answer] = await Promise.all([page.waitForResponse((r) => r.url().endsWith('/dashboard/login')), page.click('form button[type=submit]')]);
  assert.equal(answer.status(), 401);
  assert.match(await page.textContent('[role=alert]'), /not valid/);

  const evil = '/<img src=x onerror="window.__pwned=1">';
  const r = await fetch(live.server.base + '/api/v1/events', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ id: uuid7(), site: 'luxhost', action: 'banner_shown', categories: [], revision: live.server.config().revision, lang: 'nl', path: evil, client_ts: Date.now() }),
  });
  assert.equal(r.status, 201);
  await signIn(page);
  await page.goto(live.server.base + '/dashboard?site=luxhost&range=today');
  assert.equal(await page.evaluate(() => window.__pwned), undefined);
  assert.ok((await page.locator('table[data-dim=path] td.value', { hasText: evil }).count()) === 1, 'the path is shown as text');
  await page.context().close();
});

test('the last cookie scan: never scanned, then a real scan stored; its full report opens under its own policy', async () => {
  const page = await openPage(live.chrome);
  const violations = [];
  page.on('console', (m) => { if (/Content Security Policy/i.test(m.text())) violations.push(m.text()); });
  await signIn(page);
  await page.goto(live.server.base + '/dashboard?site=luxhost');
  assert.match(await page.locator('section.scan').textContent(), /Never scanned/);
  // The real scanner against this server (one page, so the test stays short), kept in its store.
  execFileSync(SERVER_BIN, ['--db', live.server.db, '--config', join(ROOT, 'pkg-config'), 'scan', '--site', 'luxhost', live.server.base + '/', '--max-pages', '1', '--store'], { stdio: 'inherit' });
  await page.reload();
  const section = page.locator('section.scan');
  assert.match(await section.textContent(), /Last scanned \d{4}-\d\d-\d\d \d\d:\d\d UTC: 1 pages, 0 violations, 0 undeclared, 2 declared but never seen/);
  await Promise.all([page.waitForURL(/\/dashboard\/scan\?site=luxhost$/), section.getByRole('link', { name: 'Full report' }).click()]);
  assert.equal(await page.locator('h1').textContent(), 'Cookie scan of luxhost');
  assert.equal(await page.locator('h2.ok').textContent(), 'Violations: none');
  assert.equal(await page.locator('table').last().locator('tr').count(), 2, 'the page scanned is listed');
  assert.equal(await page.evaluate(() => getComputedStyle(document.body).fontFamily.includes('system-ui')), true, 'its inline stylesheet applies');
  assert.deepEqual(violations, []);
  await page.context().close();
  // axe-core is an inline script the CSP blocks: audited in a context that bypasses it.
  const audit = await openPage(live.chrome, { bypassCSP: true });
  await signIn(audit);
  await audit.goto(live.server.base + '/dashboard?site=luxhost');
  assert.deepEqual(await axe(audit, 'section.scan'), []);
  await audit.goto(live.server.base + '/dashboard/scan?site=luxhost');
  assert.deepEqual(await axe(audit, 'body'), []);
  await audit.context().close();
});

function uuid7() {
  const ms = Date.now().toString(16).padStart(12, '0');
  const r = [...crypto.getRandomValues(new Uint8Array(10))].map((b) => b.toString(16).padStart(2, '0')).join('');
  return `${ms.slice(0, 8)}-${ms.slice(8)}-7${r.slice(0, 3)}-8${r.slice(3, 6)}-${r.slice(6, 18)}`;
}
