// Region rules behind a real reverse proxy: Debian's nginx stands for the
// operator's CDN and names the visitor's country in `CF-IPCountry`, one port per
// country (a CDN would look the address up; our code never does). The server
// trusts only the proxy (`--trusted-proxies 127.0.0.2`, nginx binds to it), so
// a visitor's own header reaching the server directly changes nothing.
// luxhost here: opt-out in the US, nothing shown in Japan, opt-in elsewhere.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serverAndBrowser, openPage, banner, button, until, freePort, axe, ROOT, TOKEN } from './harness.mjs';

// `DE by CloudFront`: a proxy that names the country in CloudFront's header instead.
const COUNTRIES = ['DE', 'US', 'JP', '', 'DE by CloudFront'];

function configs() {
  const dir = mkdtempSync(join(tmpdir(), 'consent-regions-'));
  cpSync(join(ROOT, 'pkg-config'), dir, { recursive: true });
  const file = join(dir, 'sites/luxhost.toml');
  const site = readFileSync(file, 'utf8');
  assert.ok(site.includes('opt_out = ["US"]\n# none = ["JP"]'), 'the reference site names its regions');
  writeFileSync(file, site.replace('# none = ["JP"]', 'none = ["JP"]'));
  return dir;
}

/** nginx on one port per country, each setting (or clearing) `CF-IPCountry` (or CloudFront's header). */
async function nginx(backendPort) {
  const dir = mkdtempSync(join(tmpdir(), 'consent-nginx-'));
  const ports = {};
  let servers = '';
  for (const c of COUNTRIES) {
    ports[c] = await freePort();
    // An empty value: nginx sends no such header, even if the visitor sent one.
    const [country, cdn] = c.split(' by ');
    const header = cdn == 'CloudFront' ? 'CloudFront-Viewer-Country' : 'CF-IPCountry';
    servers += `server { listen 127.0.0.1:${ports[c]}; location / { proxy_pass http://127.0.0.1:${backendPort}; proxy_bind 127.0.0.2;
      proxy_set_header Host $host; proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for; proxy_set_header ${header} "${country}"; } }\n`;
  }
  const conf = `daemon off; master_process off; worker_processes 1; pid ${dir}/nginx.pid; error_log ${dir}/error.log;
events { worker_connections 64; }
http { access_log off; client_body_temp_path ${dir}/body; proxy_temp_path ${dir}/proxy; fastcgi_temp_path ${dir}/fcgi; uwsgi_temp_path ${dir}/uwsgi; scgi_temp_path ${dir}/scgi;
${servers}}\n`;
  writeFileSync(join(dir, 'nginx.conf'), conf);
  const proc = spawn('/usr/sbin/nginx', ['-p', dir, '-c', join(dir, 'nginx.conf')], { stdio: ['ignore', 'ignore', 'inherit'] });
  await until(async () => {
    try {
      return (await fetch(`http://127.0.0.1:${ports.DE}/s/luxhost/consent.js`)).ok;
    } catch {
      return false;
    }
  }, 10000);
  return { proc, dir, ports, base: (c) => `http://127.0.0.1:${ports[c]}` };
}

const live = serverAndBrowser(null, {
  setup(l) {
    l.config = configs();
    l.args = ['--trusted-proxies', '127.0.0.2'];
  },
  async ready(l) {
    l.nginx = await nginx(l.server.port);
  },
  teardown(l) {
    l.nginx?.proc.kill();
    rmSync(l.nginx?.dir || '/nonexistent', { recursive: true, force: true });
    rmSync(l.config, { recursive: true, force: true });
  },
});

const rows = (sql) => live.server.rows(sql);
const flag = (page, name) => page.evaluate((n) => window[n] || 0, name);

/** A fresh visitor (own context) on the demo page through the proxy port of `country`. */
async function visit(country, { gpc = false, direct = false, headers = {} } = {}) {
  const extra = { ...headers, ...(gpc ? { 'Sec-GPC': '1' } : {}) };
  const page = await openPage(live.chrome, { extraHTTPHeaders: extra });
  if (gpc) await page.addInitScript(() => Object.defineProperty(Navigator.prototype, 'globalPrivacyControl', { get: () => true }));
  const base = direct ? live.server.base : live.nginx.base(country);
  await page.goto(base + '/');
  return page;
}

test('the loader varies by region and says so to shared caches', async () => {
  const get = async (c, h = {}) => {
    const r = await fetch(live.nginx.base(c) + '/s/luxhost/consent.js', { headers: h });
    return { vary: r.headers.get('vary') || '', etag: r.headers.get('etag'), body: await r.text() };
  };
  const [de, us, usGpc, jp, none] = [await get('DE'), await get('US'), await get('US', { 'Sec-GPC': '1' }), await get('JP'), await get('')];
  for (const r of [de, us, jp]) assert.match(r.vary, /cf-ipcountry/i, 'a cache keys the loader on the country header');
  assert.match(us.vary, /Sec-GPC/);
  assert.equal(de.etag, none.etag, 'opt-in and unknown: the same loader');
  assert.equal(new Set([de.etag, us.etag, usGpc.etag, jp.etag]).size, 4, 'one loader per mode, and GPC its own');
  // The config is baked as an object literal: keys unquoted.
  assert.ok(us.body.includes('mode:"opt-out"') && jp.body.includes('mode:"none"') && !de.body.includes('mode:"opt-out"') && !de.body.includes('mode:"none"'));
  assert.ok(us.body.includes('ad_storage:"granted"') && usGpc.body.includes('ad_storage:"denied"'), "Consent Mode's default follows the region and GPC");
});

test('opt-in regions and unknown ones get the banner; a visitor cannot claim another country', async () => {
  // Behind CloudFront, a visitor's own CF-IPCountry is passed on beside CloudFront's header: the two disagree, so neither counts.
  const spoofs = [['', { headers: { 'CF-IPCountry': 'US' } }], ['US', { direct: true, headers: { 'CF-IPCountry': 'US' } }], ['DE by CloudFront', { headers: { 'CF-IPCountry': 'US' } }]];
  for (const [c, opts] of [['DE', {}], ['', {}], ['DE by CloudFront', {}], ...spoofs]) {
    const page = await visit(c, opts);
    await banner(page).waitFor({ state: 'visible' });
    assert.equal(await button(page, 'reject').textContent(), 'Alles weigeren', `${c || 'unknown'} ${JSON.stringify(opts)}: the banner, asking first`);
    await page.waitForTimeout(300);
    assert.equal(await flag(page, 'analyticsInline'), 0, 'nothing runs before an answer');
    await page.context().close();
  }
});

test('an opt-out region: categories run, a notice offers "Do not sell or share", and the choice is recorded with the country', async () => {
  const page = await visit('US');
  await until(() => flag(page, 'analyticsInline'));
  await banner(page).waitFor({ state: 'visible' });
  assert.equal(await page.locator('consent-banner h2').textContent(), 'Uw privacykeuzes');
  assert.equal(await button(page, 'reject').textContent(), 'Mijn persoonsgegevens niet verkopen of delen');
  assert.equal(await button(page, 'accept').textContent(), 'OK');
  assert.deepEqual(await axe(page, 'consent-banner'), [], 'the notice is accessible');
  const dl = await page.evaluate(() => window.dataLayer.map((a) => Array.from(a)));
  assert.equal(dl.find((a) => a[1] === 'default')[2].ad_storage, 'granted');
  assert.equal(await page.evaluate(() => window.Consent.accepted('marketing')), true, 'in force until the visitor objects');
  await button(page, 'reject').click();
  const cookie = (await page.context().cookies()).find((k) => k.name === 'cc_consent');
  assert.ok(cookie && cookie.value.includes('necessary') && !cookie.value.includes('analytics'), `the opt-out is stored: ${cookie?.value}`);
  const events = await until(() => {
    const r = rows("SELECT action, categories, region, banner FROM events WHERE action = 'reject_all'");
    return r.length ? r : null;
  });
  assert.equal(events[0].region, 'US');
  assert.equal(events[0].categories, 'necessary');
  const shown = rows("SELECT region, banner FROM events WHERE action = 'banner_shown' AND region = 'US'");
  assert.equal(shown.length, 1, 'the notice counts as an impression, with its country');
  const proof = rows(`SELECT content FROM banner_versions WHERE hash = '${events[0].banner}'`);
  assert.ok(proof[0].content.includes('"mode":"opt-out"'), 'the proof shows the notice, not the banner');
  assert.equal(await page.evaluate(() => window.Consent.accepted('analytics')), false);
  await page.context().close();
});

test('GPC in an opt-out region refuses marketing from the start; "OK" keeps that', async () => {
  const page = await visit('US', { gpc: true });
  await banner(page).waitFor({ state: 'visible' });
  await until(() => flag(page, 'analyticsInline'));
  assert.equal(await page.locator('consent-banner p.gpc').count(), 1, 'the GPC note');
  const dl = await page.evaluate(() => window.dataLayer.map((a) => Array.from(a)));
  assert.equal(dl.find((a) => a[1] === 'default')[2].ad_storage, 'denied', 'no ad storage before the widget runs');
  assert.equal(await page.locator('iframe[data-category=marketing][src]').count(), 0, 'the marketing embed stays inert');
  await button(page, 'accept').click();
  const decided = await until(() => rows("SELECT action, categories, region FROM events WHERE action = 'custom' AND region = 'US'")[0]);
  assert.equal(decided.categories, 'necessary analytics');
  await page.context().close();
});

test('a region where nothing is shown: no banner, no impression, categories run; GPC still honoured', async () => {
  const before = rows("SELECT COUNT(*) AS n FROM events WHERE region = 'JP'")[0].n;
  const page = await visit('JP');
  await until(() => flag(page, 'analyticsInline'));
  await page.waitForTimeout(300);
  assert.equal(await page.locator('consent-banner').count(), 0);
  assert.equal(await page.locator('iframe[data-category=marketing][src]').count(), 1, 'marketing runs too');
  await page.context().close();
  const gpc = await visit('JP', { gpc: true });
  await until(() => flag(gpc, 'analyticsInline'));
  assert.equal(await gpc.evaluate(() => window.Consent.accepted('marketing')), false, 'GPC refuses marketing everywhere');
  assert.equal(await gpc.locator('iframe[data-category=marketing][src]').count(), 0);
  await gpc.context().close();
  assert.equal(rows("SELECT COUNT(*) AS n FROM events WHERE region = 'JP'")[0].n, before, 'nothing shown, nothing recorded');
});

test('the dashboard breaks decisions down by country', async () => {
  const r = await fetch(live.server.base + '/dashboard/api/breakdown?site=luxhost&range=today&dim=region', { headers: { authorization: `Bearer ${TOKEN}` } });
  assert.equal(r.status, 200);
  const body = await r.json();
  const list = body.rows || body;
  const us = list.find((x) => x.value === 'US');
  const raw = rows("SELECT COUNT(*) AS n FROM events WHERE region = 'US' AND action IN ('accept_all','reject_all','custom')")[0].n;
  assert.ok(us, JSON.stringify(list));
  assert.equal(us.counts.decisions, raw, 'the rollup agrees with the raw events');
  assert.ok(raw >= 2);
});
