// The complete widget in headless Chromium against the real backend: changing
// one's mind, gating of late scripts and embeds, cookie deletion, Consent Mode,
// GPC, the JS API, and what the page stores.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { serverAndBrowser, openPage, banner, button, until, axe, withBakedConfig, SERVED_TAG } from './harness.mjs';

const live = serverAndBrowser((www) => {
  // A tag that records when it ran relative to the Consent Mode entries.
  const html = readFileSync(join(www, 'index.html'), 'utf8').replace(
    '</body>',
    '<script type="text/plain" data-category="analytics">window.dataLayer.push({event: "analytics-tag"});</script>\n</body>',
  );
  // Consent Mode with the site's gtag('set') fields, baked into a loader of its own.
  const config = JSON.parse(readFileSync(join(www, 'consent/config.json'), 'utf8'));
  config.consentSet = { ads_data_redaction: true };
  writeFileSync(join(www, 'consent/gcm.json'), JSON.stringify(config));
  writeFileSync(join(www, 'gcm.html'), withBakedConfig(www, html, 'gcm.json', 'gcm.js'));
  // A page that does not state its language: the browser's language decides.
  writeFileSync(join(www, 'nolang.html'), html.replace('<html lang="nl">', '<html>'));
  // A page whose loader tag carries the page's nonce (as a CSP site's would).
  writeFileSync(join(www, 'nonce.html'), html.replace(SERVED_TAG, SERVED_TAG.replace('<script', '<script nonce="n0nce"')));
});

const consentCookie = async (page) => (await page.context().cookies()).find((c) => c.name === 'cc_consent');

test('changing one\'s mind: the settings button reopens the choices; dropping a category is a withdrawal that deletes its cookies', async () => {
  const page = await openPage(live.chrome);
  await page.goto(live.server.base + '/');
  await button(page, 'accept').click();
  const first = await consentCookie(page);
  // Cookies the marketing and analytics tags would have set.
  await page.evaluate(() => {
    document.cookie = '_lx_nl=1; Path=/';
    document.cookie = '_lx_visit_b=2; Path=/';
  });
  const settings = page.locator('consent-settings button');
  await settings.waitFor();
  await settings.click();
  await banner(page).waitFor();
  const ticks = await page.locator('consent-banner input[data-cat]').evaluateAll((els) => els.map((e) => [e.dataset.cat, e.checked]));
  assert.deepEqual(ticks, [['necessary', true], ['analytics', true], ['marketing', true]], 'the current choice is shown');
  // The visitor holds their consent id, with a link to what was recorded.
  const uuid = first.value.split('.')[1].replace(/^(.{8})(.{4})(.{4})(.{4})(.{12})$/, '$1-$2-$3-$4-$5');
  assert.match(await page.locator('consent-banner p.rec').textContent(), new RegExp(uuid));
  const record = await page.locator('consent-banner p.rec a').getAttribute('href');
  // On the consent server (the page may be on another origin).
  assert.equal(record, `${live.server.base}/api/v1/consents/${uuid}`);
  const history = await (await fetch(record)).json();
  assert.equal(history.decisions[0].action, 'accept_all');
  await page.locator('consent-banner input[data-cat=marketing]').uncheck();
  await button(page, 'save').click();
  await banner(page).waitFor({ state: 'detached' });
  const second = await consentCookie(page);
  assert.equal(second.value.split('.')[1], first.value.split('.')[1], 'the same consent id');
  assert.equal(second.value.split('.')[2], 'necessary+analytics');
  const names = (await page.context().cookies()).map((c) => c.name).sort();
  assert.ok(!names.includes('_lx_nl'), `marketing cookie deleted: ${names}`);
  assert.ok(names.includes('_lx_visit_b'), 'analytics cookie kept');
  const row = await until(() => live.server.rows(`SELECT * FROM events WHERE action = 'withdraw'`)[0]);
  assert.equal(row.categories, 'necessary analytics');
  assert.equal(row.consent_id.replaceAll('-', ''), first.value.split('.')[1]);
  await page.context().close();
});

test('a banner or settings button that goes takes its listeners with it', async () => {
  const page = await openPage(live.chrome);
  await page.goto(live.server.base + '/');
  await page.locator('consent-banner[data-taken-over]').waitFor({ state: 'attached' });
  // The listeners on a shadow root, as DevTools lists them (kept in window.__roots when it leaves the page).
  const cdp = await page.context().newCDPSession(page);
  const listeners = async (name) => {
    const { result } = await cdp.send('Runtime.evaluate', { expression: `window.__roots.${name}` });
    const { listeners } = await cdp.send('DOMDebugger.getEventListeners', { objectId: result.objectId });
    return listeners.map((l) => l.type).sort();
  };
  await page.evaluate(() => (window.__roots = { banner: document.querySelector('consent-banner').shadowRoot }));
  const before = await listeners('banner');
  assert.ok(before.includes('keydown') && before.filter((t) => t == 'click').length == 2, `the loader and the widget listen: ${before}`);
  await button(page, 'reject').click();
  await banner(page).waitFor({ state: 'detached' });
  assert.deepEqual(await listeners('banner'), ['click'], 'only the loader\'s own listener is left');
  const settings = page.locator('consent-settings button');
  await settings.waitFor();
  await page.evaluate(() => (window.__roots.settings = document.querySelector('consent-settings').shadowRoot));
  assert.deepEqual(await listeners('settings'), ['click']);
  await page.evaluate(() => window.Consent.reset());
  await banner(page).waitFor();
  assert.equal(await settings.count(), 0);
  assert.deepEqual(await listeners('settings'), [], 'the removed button listens no more');
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test('scripts added later with the page\'s nonce wait for consent and run once it is given; embeds get a placeholder', async () => {
  const page = await openPage(live.chrome);
  await page.goto(live.server.base + '/nonce.html');
  await banner(page).waitFor();
  const addLate = (flag) =>
    page.evaluate((flag) => {
      const s = document.createElement('script');
      s.type = 'text/plain';
      s.dataset.category = 'analytics';
      s.nonce = 'n0nce';
      s.textContent = `window.${flag} = (window.${flag} || 0) + 1;`;
      document.body.appendChild(s);
    }, flag);
  await addLate('early');
  await page.waitForTimeout(100);
  assert.equal(await page.evaluate(() => window.early ?? 0), 0, 'inert before consent');
  // The marketing embed is hidden behind a placeholder.
  assert.equal(await page.locator('iframe[data-category=marketing]').getAttribute('src'), null);
  const placeholder = page.locator('.consent-placeholder[data-consent-load=marketing] button');
  assert.equal(await placeholder.textContent(), 'Deze inhoud laden');
  await page.evaluate(() => window.Consent.acceptCategories(['analytics']));
  await until(() => page.evaluate(() => window.early === 1));
  await addLate('late');
  await until(() => page.evaluate(() => window.late === 1));
  assert.equal(await page.locator('iframe[data-category=marketing]').getAttribute('src'), null, 'marketing still refused');
  // "Load this content" accepts marketing and loads the embed.
  await page.locator('.consent-placeholder button').click();
  await until(async () => (await page.locator('iframe[data-category=marketing]').getAttribute('src')) === '/embed.html');
  assert.equal(await page.locator('.consent-placeholder').count(), 0);
  assert.equal((await consentCookie(page)).value.split('.')[2], 'necessary+analytics+marketing');
  await page.context().close();
});

test('markup a visitor controls cannot record consent or run: a forged placeholder and late innerHTML scripts without the nonce do nothing', async () => {
  const page = await openPage(live.chrome);
  await page.goto(live.server.base + '/nonce.html');
  await banner(page).waitFor();
  await page.locator('consent-banner[data-taken-over]').waitFor({ state: 'attached' });
  // A blog comment inserted with innerHTML: a lookalike placeholder and an inert script.
  await page.evaluate(() => {
    const c = document.createElement('div');
    c.className = 'comment';
    c.innerHTML =
      '<div class="consent-placeholder" data-consent-load="marketing"><button type="button" id="forged">Klik hier</button></div>' +
      '<script type="text/plain" data-category="analytics">window.hostile = 1;</scr' + 'ipt>' +
      '<script type="text/plain" data-category="analytics" nonce="guess">window.hostile = 2;</scr' + 'ipt>';
    document.querySelector('main').prepend(c); // above the banner bar, where a visitor can click it
  });
  const decisions = () => live.server.rows(`SELECT * FROM events WHERE action != 'banner_shown'`).length;
  const before = decisions();
  await page.locator('#forged').click();
  await page.waitForTimeout(300);
  assert.equal(await consentCookie(page), undefined, 'a forged placeholder records nothing');
  assert.equal(decisions(), before, 'and posts nothing');
  // The visitor accepts analytics: the site's own scripts run, the comment's do not.
  await page.evaluate(() => window.Consent.acceptCategories(['analytics']));
  await until(() => page.evaluate(() => window.analyticsStarted === 1));
  await page.evaluate(() => document.body.appendChild(document.createElement('div')));
  await page.waitForTimeout(300);
  assert.equal(await page.evaluate(() => window.hostile ?? 0), 0, 'late scripts without the nonce stay inert');
  assert.equal(await page.locator('.comment script[type="text/plain"]').count(), 2);
  // The widget's own placeholder still works.
  await page.locator('.consent-placeholder:not(.comment *) button').click();
  await until(async () => (await consentCookie(page))?.value.split('.')[2] === 'necessary+analytics+marketing');
  await page.context().close();
});

test('Google Consent Mode v2: gtag() arguments objects, default and set before any tag, update on decision and on a repeat visit before gated tags', async () => {
  const page = await openPage(live.chrome);
  await page.goto(live.server.base + '/gcm.html');
  await banner(page).waitFor();
  // Google's tags process a dataLayer entry as a command only when it is an
  // `arguments` object (what gtag() pushes); a plain array is ignored.
  const layer = () =>
    page.evaluate(() =>
      window.dataLayer.map((e) => {
        const kind = Object.prototype.toString.call(e);
        return kind == '[object Arguments]' ? ['cmd', ...e] : kind == '[object Array]' ? ['array', ...e] : ['event', e.event];
      }),
    );
  let dl = await layer();
  assert.deepEqual(dl[0].slice(0, 3), ['cmd', 'consent', 'default'], 'the first entry is the default, as gtag() pushes it');
  assert.deepEqual(dl[0][3], {
    ad_storage: 'denied', analytics_storage: 'denied', ad_user_data: 'denied', ad_personalization: 'denied',
    functionality_storage: 'granted', personalization_storage: 'denied', security_storage: 'granted', wait_for_update: 500,
  });
  assert.deepEqual(dl[1], ['cmd', 'set', 'ads_data_redaction', true], "the site's set fields follow the default");
  await page.locator('consent-banner button[data-act=prefs]').click();
  await page.locator('consent-banner input[data-cat=analytics]').check();
  await button(page, 'save').click();
  dl = await layer();
  assert.deepEqual(dl[2].slice(0, 3), ['cmd', 'consent', 'update']);
  assert.equal(dl[2][3].analytics_storage, 'granted');
  assert.equal(dl[2][3].ad_storage, 'denied');
  assert.deepEqual(dl[3], ['event', 'analytics-tag'], 'the tag ran after the update');
  await page.reload();
  await until(() => page.evaluate(() => (window.dataLayer || []).length >= 4));
  dl = await layer();
  assert.deepEqual(
    dl.map((e) => e.slice(0, 3).join(' ')),
    ['cmd consent default', 'cmd set ads_data_redaction', 'cmd consent update', 'event analytics-tag'],
    'repeat visit: default, set, stored choice, then the tag',
  );
  await page.context().close();
});

test('Global Privacy Control: the banner says so, nothing is stored without a click, an explicit choice overrides', async () => {
  const page = await openPage(live.chrome);
  await page.addInitScript(() => Object.defineProperty(Navigator.prototype, 'globalPrivacyControl', { get: () => true }));
  await page.goto(live.server.base + '/');
  await banner(page).waitFor();
  // The loader carries no note text (a fifth of its config): the full widget fills it in.
  await until(async () => /Global Privacy Control/.test(await page.locator('consent-banner p.gpc').textContent()));
  await page.waitForTimeout(200);
  assert.equal(await consentCookie(page), undefined, 'no cookie because of GPC alone');
  assert.equal(await page.evaluate(() => window.analyticsStarted ?? 0), 0, 'analytics off without a click');
  await page.locator('consent-banner button[data-act=prefs]').click();
  assert.equal(await page.locator('consent-banner input[data-cat=marketing]').isChecked(), false);
  await page.locator('consent-banner input[data-cat=marketing]').check();
  await button(page, 'save').click();
  assert.equal((await consentCookie(page)).value.split('.')[2], 'necessary+marketing', 'the visitor\'s explicit choice wins');
  await page.context().close();
});

test('the JS API: getConsent, accepted, acceptCategories, showPreferences, hide, show, reset, and consent:change', async () => {
  const page = await openPage(live.chrome);
  await page.goto(live.server.base + '/');
  await banner(page).waitFor();
  assert.equal(await page.evaluate(() => window.Consent.getConsent()), null);
  const detail = page.evaluate(() => new Promise((ok) => document.addEventListener('consent:change', (e) => ok(e.detail), { once: true })));
  await page.evaluate(() => window.Consent.acceptCategories(['marketing', 'bogus']));
  assert.deepEqual(await detail, { accepted: ['necessary', 'marketing'], rejected: ['analytics'] });
  const c = await page.evaluate(() => window.Consent.getConsent());
  assert.deepEqual(c.categories, ['necessary', 'marketing']);
  assert.match(c.id, /^[0-9a-f-]{36}$/);
  assert.ok(c.expiresAt > c.decidedAt);
  assert.equal(await page.evaluate(() => [window.Consent.accepted('marketing'), window.Consent.accepted('analytics')].join()), 'true,false');
  await page.evaluate(() => window.Consent.showPreferences());
  await page.locator('consent-banner ul.prefs').waitFor({ state: 'visible' });
  await page.evaluate(() => window.Consent.hide());
  await banner(page).waitFor({ state: 'detached' });
  await page.evaluate(() => window.Consent.show());
  await banner(page).waitFor();
  await page.evaluate(() => window.Consent.hide());
  await page.evaluate(() => window.Consent.reset());
  await banner(page).waitFor();
  assert.equal(await consentCookie(page), undefined, 'reset removes the cookie');
  assert.equal(await page.evaluate(() => window.Consent.getConsent()), null);
  // A page element with data-consent-open opens the preferences.
  await page.evaluate(() => window.Consent.hide());
  await page.locator('footer a[data-consent-open]').click();
  await page.locator('consent-banner ul.prefs').waitFor({ state: 'visible' });
  await page.context().close();
});

test('before any decision and after a rejection the page holds nothing but the allowlisted cookie', async () => {
  const page = await openPage(live.chrome);
  await page.goto(live.server.base + '/');
  await banner(page).waitFor();
  await page.waitForLoadState('networkidle');
  const storage = () => page.evaluate(() => ({ cookie: document.cookie, local: Object.keys(localStorage), session: Object.keys(sessionStorage) }));
  assert.deepEqual(await storage(), { cookie: '', local: [], session: [] });
  await button(page, 'reject').click();
  await page.reload();
  await page.waitForLoadState('networkidle');
  const after = await storage();
  assert.deepEqual(after.cookie.split('; ').map((c) => c.split('=')[0]), ['cc_consent']);
  assert.deepEqual([after.local, after.session], [[], []]);
  await page.context().close();
});

test('keyboard only: from the first Tab to saved choices; Escape folds the preferences without deciding', async () => {
  const page = await openPage(live.chrome);
  await page.goto(live.server.base + '/');
  await banner(page).waitFor();
  const focused = () => page.evaluate(() => {
    const a = document.activeElement?.shadowRoot?.activeElement;
    return a ? a.dataset.act || a.dataset.cat || a.tagName : document.activeElement?.tagName;
  });
  await page.keyboard.press('Tab');
  assert.equal(await focused(), 'policy', 'the banner comes first in the focus order');
  const seen = [];
  for (let i = 0; i < 3; i++) {
    await page.keyboard.press('Tab');
    seen.push(await focused());
  }
  assert.deepEqual(seen, ['accept', 'reject', 'prefs']);
  await page.keyboard.press('Enter');
  // Pressed on the first layer, "Preferences" opens once the full widget is in.
  await until(async () => (await focused()) === 'analytics');
  assert.equal(await focused(), 'analytics', 'focus moves into the preferences');
  assert.equal(await page.evaluate(() => document.querySelector('main').inert), true, 'the page behind is inert');
  await page.keyboard.press('Escape');
  assert.equal(await page.locator('consent-banner ul.prefs').isVisible(), false);
  assert.equal(await banner(page).isVisible(), true, 'Escape does not dismiss the first layer without a decision');
  assert.equal(await page.evaluate(() => document.querySelector('main').inert), false);
  assert.equal(await consentCookie(page), undefined);
  await page.locator('consent-banner button[data-act=prefs]').focus();
  await page.keyboard.press('Enter');
  await page.keyboard.press('Space'); // tick analytics
  // Tab cycles inside the open preferences until it reaches "Save choices".
  for (let i = 0; i < 12 && (await focused()) !== 'save'; i++) await page.keyboard.press('Tab');
  assert.equal(await focused(), 'save');
  await page.keyboard.press('Enter');
  await banner(page).waitFor({ state: 'detached' });
  assert.equal((await consentCookie(page)).value.split('.')[2], 'necessary+analytics');
  await page.context().close();
});

test('axe-core finds no violations in the banner and the preferences; the widget causes no layout shift', async () => {
  const page = await openPage(live.chrome);
  await page.addInitScript(() => {
    window.__cls = 0;
    new PerformanceObserver((l) => l.getEntries().forEach((e) => (window.__cls += e.value))).observe({ type: 'layout-shift', buffered: true });
  });
  await page.goto(live.server.base + '/');
  await banner(page).waitFor();
  await page.waitForLoadState('networkidle');
  await page.waitForTimeout(300);
  assert.equal(await page.evaluate(() => window.__cls), 0, 'Cumulative Layout Shift');
  assert.deepEqual(await axe(page, { include: [['consent-banner', '.cc']] }), []);
  await page.locator('consent-banner button[data-act=prefs]').click();
  assert.deepEqual(await axe(page, { include: [['consent-banner', '.cc']] }), []);
  await page.context().close();
});

test('French and German are built in; the policy falls back to the original with a note', async () => {
  for (const [lang, accept, note] of [['fr', 'Tout accepter', /langue d'origine/], ['de', 'Alle akzeptieren', /Originalsprache/]]) {
    const page = await openPage(live.chrome, { locale: lang });
    await page.goto(live.server.base + '/nolang.html');
    await banner(page).waitFor();
    assert.equal(await button(page, 'accept').textContent(), accept, `${lang}: follows the browser language`);
    await page.evaluate(() => window.Consent.showPolicy());
    assert.match(await page.locator('consent-policy p.note').textContent(), note);
    assert.equal(await page.locator('consent-policy h1').textContent(), 'Privacy- & cookiepolicy', 'the Dutch original');
    await page.context().close();
  }
});
