// The widget on locked-down and hostile pages: a strict Content Security Policy,
// enforced Trusted Types, and site CSS that tries to hide or break it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { serverAndBrowser, openPage, banner, button, until } from './harness.mjs';

const CSP = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval' 'nonce-r4nd0m'; style-src 'self'; connect-src 'self'";
const live = serverAndBrowser((www) => {
  const html = readFileSync(join(www, 'index.html'), 'utf8').replace(
    '<script type="text/plain" data-category="analytics">',
    '<script type="text/plain" data-category="analytics" nonce="r4nd0m">',
  ).replace(
    '<script type="text/plain" data-service="analytics/prestatiemeting">',
    '<script type="text/plain" data-service="analytics/prestatiemeting" nonce="r4nd0m">',
  );
  writeFileSync(join(www, 'strict.html'), html);
  // Site CSS at its most hostile.
  writeFileSync(join(www, 'hostile.css'), '* { all: unset !important; } button { display: none !important; } div { visibility: hidden !important; }\nbody::after { content: ""; position: fixed; inset: 0; z-index: 2147483647; background: rgba(255,255,255,.01); pointer-events: none; }\n');
  writeFileSync(join(www, 'hostile-css.html'), html.replace('<link rel="stylesheet" href="/site.css">', '<link rel="stylesheet" href="/hostile.css">'));
});

/** Serves `path` with extra response headers, as a locked-down site would. */
async function withHeaders(page, path, headers) {
  await page.route(`**${path}`, async (route) => {
    const res = await route.fetch();
    await route.fulfill({ response: res, headers: { ...res.headers(), ...headers } });
  });
  await page.addInitScript(() => {
    window.__violations = [];
    document.addEventListener('securitypolicyviolation', (e) => window.__violations.push(`${e.violatedDirective}: ${e.blockedURI} ${e.sample}`));
  });
}

async function fullFlow(page) {
  await banner(page).waitFor();
  await page.locator('consent-banner button[data-act=prefs]').click();
  await page.locator('consent-banner input[data-cat=analytics]').check();
  await button(page, 'save').click();
  await banner(page).waitFor({ state: 'detached' });
  await until(() => page.evaluate(() => window.analyticsStarted === 1 && window.analyticsInline === 1));
  await page.evaluate(() => window.Consent.showPolicy('1.7'));
  await page.locator('consent-policy h3#s-1\\.7').waitFor();
  assert.equal(await page.locator('consent-policy table tbody tr').count(), 5, 'one row per declared cookie');
  await page.keyboard.press('Escape');
  await page.locator('consent-settings button').waitFor();
}

test('strict CSP: banner, preferences, viewer and script activation work with no violation', async () => {
  const page = await openPage(live.chrome);
  await withHeaders(page, '/strict.html', { 'content-security-policy': CSP });
  await page.goto(live.server.base + '/strict.html');
  await fullFlow(page);
  assert.deepEqual(await page.evaluate(() => window.__violations), []);
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test('enforced Trusted Types: the same flow with no violation', async () => {
  const page = await openPage(live.chrome);
  await withHeaders(page, '/strict.html', { 'content-security-policy': `${CSP}; require-trusted-types-for 'script'` });
  await page.goto(live.server.base + '/strict.html');
  assert.equal(await page.evaluate(() => typeof window.trustedTypes), 'object');
  await fullFlow(page);
  assert.deepEqual(await page.evaluate(() => window.__violations), []);
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test('the control: a page script that breaks the CSP is reported, so the listener works', async () => {
  const page = await openPage(live.chrome);
  await withHeaders(page, '/strict.html', { 'content-security-policy': CSP });
  await page.goto(live.server.base + '/strict.html');
  await banner(page).waitFor();
  await page.evaluate(() => {
    const s = document.createElement('script');
    s.textContent = 'window.evil = 1';
    document.body.appendChild(s);
  });
  await until(() => page.evaluate(() => window.__violations.length > 0));
  await page.context().close();
});

test('hostile site CSS neither hides nor breaks the banner', async () => {
  const page = await openPage(live.chrome);
  await page.goto(live.server.base + '/hostile-css.html');
  await banner(page).waitFor({ state: 'visible' });
  const box = await page.locator('consent-banner button[data-act=reject]').boundingBox();
  assert.ok(box && box.width > 80 && box.height >= 40, `the button keeps its size: ${JSON.stringify(box)}`);
  const style = await page.evaluate(() => {
    const b = document.querySelector('consent-banner').shadowRoot.querySelector('button[data-act=reject]');
    const s = getComputedStyle(b);
    return { display: s.display, visibility: s.visibility };
  });
  assert.deepEqual(style, { display: 'block', visibility: 'visible' });
  await button(page, 'reject').click();
  await banner(page).waitFor({ state: 'detached' });
  assert.equal((await page.context().cookies()).find((c) => c.name === 'cc_consent').value.split('.')[2], 'necessary');
  await page.context().close();
});
