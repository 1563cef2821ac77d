// One consent server, two customer sites on origins of their own: each page
// embeds one tag, `<script src="http://<consent server>/s/<site>/consent.js">`,
// under a strict CSP that names only the consent server, and gets its own
// banner, texts, categories, cookie, policy and events.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { createHash } from 'node:crypto';
import { cpSync, mkdtempSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildSync } from 'esbuild';
import { serverAndBrowser, openPage, banner, button, until, ROOT } from './harness.mjs';

const NONCE = 'r4nd0mn0nce';
const SECOND_TOKEN = 'second-readonly';

/** A copy of pkg-config: luxhost allowed on 127.0.0.2, and a second site on 127.0.0.3. */
function configs() {
  const dir = mkdtempSync(join(tmpdir(), 'consent-sites-'));
  cpSync(join(ROOT, 'pkg-config'), dir, { recursive: true });
  const lux = readFileSync(join(dir, 'sites/luxhost.toml'), 'utf8');
  writeFileSync(join(dir, 'sites/luxhost.toml'), lux.replace(/^origins = .*$/m, 'origins = ["http://127.0.0.2:*"]'));
  // Another shop: English first, French too, two categories, its own cookie, title and token.
  const second = lux
    .replace(/^id = .*$/m, 'id = "second"')
    .replace(/^name = .*$/m, 'name = "Second Shop"')
    .replace(/^origins = .*$/m, 'origins = ["http://127.0.0.3:*"]')
    .replace(/^default_language = .*$/m, 'default_language = "en"')
    .replace(/^languages = .*$/m, 'languages = ["en", "fr"]')
    .replace(/^policy = .*$/m, 'policy = "policy/luxhost.en.md"')
    .replace(/^policy_translations = .*\n/m, '')
    .replace(/^dashboard_tokens_sha256 = .*$/m, `dashboard_tokens_sha256 = ["${createHash('sha256').update(SECOND_TOKEN).digest('hex')}"]`)
    .replaceAll('cc_consent', 'second_consent')
    .replace(/\[\[categories\]\]\nid = "marketing"[\s\S]*$/, '')
    .concat('\n[texts.en]\ntitle = "Cookies at Second Shop"\n');
  writeFileSync(join(dir, 'sites/second.toml'), second);
  return dir;
}

/** A customer's page server on `host`: one page with the site's tag, under a strict CSP. */
async function customer(host, site, consentBase) {
  const page = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Customer</title>
<script nonce="${NONCE}" src="${consentBase}/s/${site}/consent.js" defer></script></head>
<body><h1>A customer page</h1><p>Content.</p>
<script type="text/plain" data-category="analytics" nonce="${NONCE}">window.analyticsRan = true;</script>
</body></html>`;
  const csp = `default-src 'none'; script-src ${consentBase} 'nonce-${NONCE}' 'wasm-unsafe-eval'; connect-src ${consentBase}; style-src 'self'`;
  // The same site built as an app with a bundler: the npm package adds the tag.
  const app = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>App</title></head>
<body><h1>A bundled app</h1><script nonce="${NONCE}">${bundledApp(`${consentBase}/s/${site}/consent.js`)}</script></body></html>`;
  const srv = createServer((req, res) => {
    const body = { '/': page, '/app': app }[req.url];
    if (!body) return res.writeHead(404).end();
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'content-security-policy': csp }).end(body);
  });
  await new Promise((ok) => srv.listen(0, host, ok));
  return { srv, base: `http://${host}:${srv.address().port}` };
}

/** An app using `packages/consent` as a bundler would build it (esbuild). */
function bundledApp(src) {
  const entry = `import { loadConsent, onConsent, whenReady } from ${JSON.stringify(join(ROOT, 'packages/consent/index.mjs'))};
window.log = [];
onConsent('analytics', () => window.log.push('analytics'));
onConsent('marketing', () => window.log.push('marketing'));
whenReady().then((d) => window.log.push('ready:' + d.accepted.join('+')));
const loaded = loadConsent(${JSON.stringify(src)}, { nonce: ${JSON.stringify(NONCE)} });
loadConsent(${JSON.stringify(src)}).then(() => {
  // The loader has run, the full widget not yet: the command waits in its queue.
  window.Consent.showPreferences();
});`;
  const out = buildSync({ stdin: { contents: entry, resolveDir: ROOT }, bundle: true, format: 'iife', write: false, logLevel: 'warning' });
  return out.outputFiles[0].text;
}

const live = serverAndBrowser(undefined, {
  setup: (live) => (live.config = configs()),
  ready: async (live) => {
    live.lux = await customer('127.0.0.2', 'luxhost', live.server.base);
    live.second = await customer('127.0.0.3', 'second', live.server.base);
  },
  teardown: (live) => {
    live.lux?.srv.close();
    live.second?.srv.close();
    rmSync(live.config, { recursive: true, force: true });
  },
});

/** A page that records CSP violations too. */
async function visit(base, path = '/') {
  const page = await openPage(live.chrome);
  await page.addInitScript(() => {
    window.__violations = [];
    document.addEventListener('securitypolicyviolation', (e) => window.__violations.push(`${e.violatedDirective} ${e.blockedURI}`));
  });
  await page.goto(base + path);
  return page;
}

/** Asserts the visit saw no CSP violation and no page error, then ends it. */
async function leaveClean(page) {
  assert.deepEqual(await page.evaluate(() => window.__violations), [], 'no CSP violation');
  assert.deepEqual(page.errors, []);
  await page.context().close();
}

/** The banner's text, inside its shadow root. */
const bannerText = (page) => page.locator('consent-banner').evaluate((h) => h.shadowRoot.textContent);

const cookieOf = async (page, name) => (await page.context().cookies()).find((c) => c.name === name);

test('a customer page on its own origin: banner, preferences, policy, gated script, events, proof', async () => {
  const page = await visit(live.lux.base);
  await banner(page).waitFor();
  assert.match(await bannerText(page), /We respect your privacy/);
  await page.locator('consent-banner[data-taken-over]').waitFor({ state: 'attached' });
  await button(page, 'prefs').click();
  await page.locator('consent-banner ul.prefs').waitFor({ state: 'visible' });
  assert.equal(await page.locator('consent-banner ul.prefs input[data-cat]').count(), 3);
  // The policy document comes from the consent server, with the cookie table.
  await page.evaluate(() => window.Consent.showPolicy('1.7'));
  const cookies = page.locator('consent-policy h3#s-1\\.7 ~ .tw').first().locator('tbody tr');
  await cookies.first().waitFor();
  assert.equal(await cookies.count(), 5, 'one row per declared cookie');
  await page.keyboard.press('Escape');
  await page.evaluate(() => window.Consent.acceptCategories(['necessary', 'analytics', 'marketing']));
  await until(() => page.evaluate(() => window.analyticsRan === true));
  const consent = await cookieOf(page, 'cc_consent');
  assert.ok(consent, 'the consent cookie is set on the customer site');
  assert.equal(consent.domain, '127.0.0.2');
  // The cookie carries the id without its dashes.
  const id = consent.value.split('.')[1].replace(/^(.{8})(.{4})(.{4})(.{4})(.{12})$/, '$1-$2-$3-$4-$5');
  await until(() => live.server.rows(`SELECT * FROM events WHERE site = 'luxhost' AND consent_id = '${id}'`).length >= 1, 10_000);
  // The visitor's proof, read from the customer page across origins.
  const history = await page.evaluate(async (url) => (await fetch(url)).json(), `${live.server.base}/api/v1/consents/${id}`);
  assert.ok(JSON.stringify(history).includes(id), JSON.stringify(history));
  await leaveClean(page);
});

test('a second site gets its own texts, languages, categories and cookie; its events are its own', async () => {
  const page = await visit(live.second.base);
  await banner(page).waitFor();
  assert.match(await bannerText(page), /Cookies at Second Shop/);
  await page.locator('consent-banner[data-taken-over]').waitFor({ state: 'attached' });
  await button(page, 'prefs').click();
  await page.locator('consent-banner ul.prefs').waitFor({ state: 'visible' });
  assert.equal(await page.locator('consent-banner ul.prefs input[data-cat]').count(), 2, 'two categories');
  await button(page, 'reject').click();
  await until(() => cookieOf(page, 'second_consent'));
  assert.equal(await cookieOf(page, 'cc_consent'), undefined);
  await until(() => live.server.rows(`SELECT * FROM events WHERE site = 'second' AND action = 'reject_all'`).length === 1, 10_000);
  assert.equal(await page.evaluate(() => window.analyticsRan), undefined, 'refused: the gated script stays inert');
  // An event for the other site, posted from this site's origin, is refused.
  const forged = { id: '01900000-0000-7000-8000-000000000001', site: 'luxhost', action: 'banner_shown', categories: [], revision: 'x', lang: 'en', path: '/', client_ts: Date.now() };
  const status = await page.evaluate(async ([url, body]) => (await fetch(url, { method: 'POST', body, headers: { 'content-type': 'text/plain' } }).catch(() => ({ status: 0 }))).status, [`${live.server.base}/api/v1/events`, JSON.stringify(forged)]);
  assert.ok(status === 403 || status === 0, `refused, got ${status}`);
  assert.equal(live.server.rows(`SELECT * FROM events WHERE event_id = '${forged.id}'`).length, 0);
  await leaveClean(page);
  // Its dashboard token sees its own site only.
  const sites = await (await fetch(`${live.server.base}/dashboard/api/sites`, { headers: { authorization: `Bearer ${SECOND_TOKEN}` } })).json();
  assert.deepEqual(JSON.stringify(sites).includes('luxhost'), false, JSON.stringify(sites));
  assert.ok(JSON.stringify(sites).includes('second'));
  const theirs = await fetch(`${live.server.base}/dashboard/api/summary?site=luxhost&range=7d`, { headers: { authorization: `Bearer ${SECOND_TOKEN}` } });
  assert.ok(theirs.status === 403 || theirs.status === 404, `got ${theirs.status}`);
});

test('an app built with a bundler: the npm helper adds the tag once; queue, events and helpers work', async () => {
  const page = await visit(live.lux.base, '/app');
  await page.locator('consent-banner ul.prefs').waitFor({ state: 'visible' });
  assert.equal(await page.locator('script[data-consent-loader]').count(), 1, 'one tag, however often it is asked for');
  await page.locator('consent-banner input[data-cat=analytics]').check();
  await page.locator('consent-banner button[data-act=save]').click();
  await until(() => page.evaluate(() => window.log.includes('ready:necessary+analytics')));
  assert.deepEqual(await page.evaluate(() => window.log), ['analytics', 'ready:necessary+analytics'], 'only the accepted category ran');
  await until(() => live.server.rows(`SELECT * FROM events WHERE site = 'luxhost' AND categories LIKE '%analytics%' AND categories NOT LIKE '%marketing%'`).length >= 1, 10_000);
  await leaveClean(page);
});

test('reload (SIGHUP): an edited text shows on the next page load, a new revision brings the banner back, a broken file changes nothing', async () => {
  const page = await visit(live.second.base);
  await banner(page).waitFor();
  await page.locator('consent-banner[data-taken-over]').waitFor({ state: 'attached' });
  await button(page, 'accept').click();
  await until(() => cookieOf(page, 'second_consent'));
  const loader = () => live.server.loader('second');
  const hangup = (done) => live.server.hangup('second', done);
  // Browsers keep the loader 5 minutes (max-age=300), then revalidate: as if they had passed.
  const cdp = await page.context().newCDPSession(page);
  const fiveMinutesLater = () => cdp.send('Network.clearBrowserCache');
  const site = join(live.config, 'sites/second.toml');
  const original = readFileSync(site, 'utf8');
  // A text edited: the returning visitor has decided, so the banner shows on Consent.show().
  writeFileSync(site, original.replace('title = "Cookies at Second Shop"', 'title = "Cookies, edited live"'));
  await hangup((l) => l.includes('Cookies, edited live'));
  await fiveMinutesLater();
  await page.reload();
  await page.evaluate(() => window.Consent.show());
  await until(async () => /Cookies, edited live/.test(await bannerText(page)));
  await page.evaluate(() => window.Consent.hide());
  // A new policy revision: the decision is for the old one, so the banner comes back by itself.
  writeFileSync(join(live.config, 'policy/luxhost.en.md'), readFileSync(join(live.config, 'policy/luxhost.en.md'), 'utf8') + '\nA new paragraph.\n');
  const before = (await loader()).match(/revision:"([^"]+)"/)[1];
  await hangup((l) => !l.includes(`revision:"${before}"`));
  await fiveMinutesLater();
  await page.reload();
  await banner(page).waitFor();
  // A broken file: refused; the running configuration keeps serving the same loader.
  const served = await loader();
  writeFileSync(site, original.replace('max_age_days = 182', 'max_age_days = "never"'));
  live.server.proc.kill('SIGHUP');
  await new Promise((r) => setTimeout(r, 3000));
  assert.equal(await loader(), served, 'the previous configuration keeps serving');
  writeFileSync(site, original);
  assert.deepEqual(page.errors, []);
  await page.context().close();
});
