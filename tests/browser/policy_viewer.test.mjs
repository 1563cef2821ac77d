// The privacy-policy viewer in headless Chromium: deep links, contents, search,
// the generated cookie table, language, accessibility, hostile documents, and
// lazy loading.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { serverAndBrowser, withConfig, ROOT, openPage, banner, until, axe } from './harness.mjs';

const source = readFileSync(join(ROOT, 'pkg-config/policy/luxhost.nl.md'), 'utf8');
const sourceHeadings = source
  .split('\n')
  .filter((l) => /^#{2,3} /.test(l))
  .map((l) => l.replace(/^#+ /, '').replace(/^(\d+)\. /, '$1 '));
const norm = (s) => s.replace(/\s+/g, ' ').trim();
const viewer = (page) => page.locator('consent-policy .dlg');

const live = serverAndBrowser((www) => {
  const html = readFileSync(join(www, 'index.html'), 'utf8');
  writeFileSync(join(www, 'en.html'), html.replace('<html lang="nl">', '<html lang="en">'));
  // A page whose policy document is hostile (the widget must not trust it either);
  // its config is loaded through the tag's `data-config`.
  writeFileSync(join(www, 'hostile.html'), withConfig(html, '/consent/hostile-config.json'));
  const cfg = JSON.parse(readFileSync(join(www, 'consent/config.json'), 'utf8'));
  cfg.policyDocs = { nl: '/consent/hostile-policy.json', en: '/consent/hostile-policy.json' };
  writeFileSync(join(www, 'consent/hostile-config.json'), JSON.stringify(cfg));
  const evil = '<img src=x onerror="window.__pwned=1">"><script>window.__pwned=2</script>\u202Egnp.exe';
  writeFileSync(join(www, 'consent/hostile-policy.json'), JSON.stringify({
    lang: 'nl', note: evil, title: evil,
    sections: [
      { n: '1', t: evil, l: 2, b: [['p', [evil, ['a', 'click me', 'javascript:window.__pwned=3'], ['a', 'data', 'data:text/html,<script>1</script>'], ['em', evil]]], ['ul', [[evil]]], ['table', [evil], [[evil]]]] },
      { n: '1.1', t: 'Veilig', l: 3, b: [['p', [['a', 'ok', 'https://example.com/']]]] },
    ],
  }));
});

async function openAt(page, path) {
  await page.goto(live.server.base + path);
  await viewer(page).waitFor({ state: 'visible' });
  await page.locator('consent-policy article h2').first().waitFor();
}

test('#privacy/1.7 opens the viewer at "1.7 Cookies" with the source text and the generated cookie table', async () => {
  const page = await openPage(live.chrome);
  await openAt(page, '/#privacy/1.7');
  const h = page.locator('consent-policy h3#s-1\\.7');
  assert.equal(norm(await h.locator('span').textContent()), '1.7 Cookies');
  await until(async () => {
    const [ht, at] = await Promise.all([h.boundingBox(), page.locator('consent-policy article').boundingBox()]);
    return ht && at && ht.y >= at.y - 1 && ht.y - at.y < 60;
  });
  const para = await page.locator('consent-policy h3#s-1\\.7 + p').textContent();
  const srcPara = source.split('### 1.7 Cookies')[1].trim().split('\n\n')[0];
  assert.equal(norm(para), norm(srcPara));
  const rows = await page.locator('consent-policy h3#s-1\\.7 ~ .tw').first().locator('tbody tr').evaluateAll((trs) => trs.map((tr) => [...tr.cells].map((c) => c.textContent)));
  assert.deepEqual(rows.map((r) => r[0]), ['cc_consent', 'LUXSESSID', '_lx_visit*', '_lx_perf', '_lx_nl'], 'one row per cookie declared in pkg-config');
  assert.deepEqual(rows[2], ['_lx_visit*', 'Luxhost', 'Telt bezoeken en paginaweergaven.', '13 maanden', 'Statistieken']);
  assert.equal(await page.locator('consent-policy nav a[aria-current]').textContent(), '1.7 Cookies', 'the open section is marked in the contents');
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test('every section heading of the source is rendered, in order', async () => {
  const page = await openPage(live.chrome);
  await openAt(page, '/#privacy');
  const rendered = await page.locator('consent-policy article :is(h2,h3) span').allTextContents();
  assert.deepEqual(rendered.map(norm), sourceHeadings.map(norm));
  assert.equal(sourceHeadings.length, 17, '1-9 and 1.1-1.8');
  const toc = await page.locator('consent-policy nav a').allTextContents();
  assert.deepEqual(toc.map(norm), sourceHeadings.map(norm));
  await page.context().close();
});

test('search marks matches accent-insensitively and jumps between them', async () => {
  const page = await openPage(live.chrome);
  await openAt(page, '/#privacy');
  const sectionOf = () =>
    page.locator('consent-policy mark').evaluateAll((marks) =>
      marks.map((m) => {
        const all = [...m.getRootNode().querySelectorAll('article h2, article h3, article mark')];
        const h = all.slice(0, all.indexOf(m)).reverse().find((e) => e.tagName !== 'MARK');
        return h ? h.id.slice(2) : '';
      }));
  await page.locator('consent-policy input').fill('wachtwoorden');
  assert.ok((await sectionOf()).includes('1.8'), 'a "wachtwoorden" match in 1.8');
  await page.locator('consent-policy input').fill('financiele');
  const secs = await sectionOf();
  assert.ok(secs.includes('1.4'), `"financiele" finds 1.4 (Financiële), got ${secs}`);
  assert.equal(await page.locator('consent-policy mark').first().textContent(), 'Financiële');
  const count = () => page.locator('consent-policy .count').textContent();
  assert.equal(await count(), `1/${secs.length}`);
  await page.locator('consent-policy input').press('Enter');
  assert.equal(await count(), `2/${secs.length}`);
  assert.equal(await page.locator('consent-policy mark.cur').count(), 1);
  await page.locator('consent-policy input').fill('zzzqqq');
  assert.equal(await page.locator('consent-policy mark').count(), 0);
  assert.equal(await count(), 'Geen treffers');
  await page.context().close();
});

test('opened from the banner link, the page element and the API; Escape closes and restores focus and fragment', async () => {
  const page = await openPage(live.chrome);
  await page.goto(live.server.base + '/#top');
  await banner(page).waitFor();
  await page.locator('consent-banner a[data-act=policy]').focus();
  await page.keyboard.press('Enter');
  await viewer(page).waitFor();
  assert.equal(await page.evaluate(() => document.querySelector('main').inert), true, 'the page behind is inert');
  await page.keyboard.press('Escape');
  await viewer(page).waitFor({ state: 'detached' });
  assert.equal(await page.evaluate(() => location.hash), '#top', 'the fragment from before is restored');
  assert.equal(await page.evaluate(() => document.querySelector('consent-banner').shadowRoot.activeElement?.dataset.act), 'policy', 'focus returns to the link');
  assert.equal(await page.evaluate(() => document.querySelector('main').inert), false);
  // A page element with data-consent-policy="1.7".
  // (The banner covers the footer, so a keyboard user's Enter.)
  await page.locator('footer a[data-consent-policy="1.7"]').focus();
  await page.keyboard.press('Enter');
  await page.locator('consent-policy h3#s-1\\.7').waitFor();
  assert.equal(await page.evaluate(() => location.hash), '#privacy/1.7');
  await page.locator('consent-policy button[data-act=close]').click();
  await viewer(page).waitFor({ state: 'detached' });
  // The API, section 1.8.
  await page.evaluate(() => window.Consent.showPolicy('1.8'));
  await until(async () => (await page.locator('consent-policy nav a[aria-current]').textContent().catch(() => '')) === '1.8 Wachtwoorden');
  // Tab stays inside the dialog.
  for (let i = 0; i < 40; i++) await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement.tagName), 'CONSENT-POLICY', 'focus never leaves the viewer');
  await page.context().close();
});

test('API calls made before the widget is ready are queued, not lost', async () => {
  const page = await openPage(live.chrome);
  await page.addInitScript(() => {
    document.addEventListener('DOMContentLoaded', () => window.Consent.showPolicy('1.4'));
  });
  await page.goto(live.server.base + '/');
  await page.locator('consent-policy h3#s-1\\.4').waitFor();
  assert.equal(await page.evaluate(() => location.hash), '#privacy/1.4');
  await page.context().close();
});

test('the English page gets the English translation, marked as such', async () => {
  const page = await openPage(live.chrome);
  await openAt(page, '/en.html#privacy/1.7');
  assert.equal(norm(await page.locator('consent-policy h3#s-1\\.7 span').textContent()), '1.7 Cookies');
  assert.match(await page.locator('consent-policy p.note').textContent(), /translation/);
  assert.equal(await page.locator('consent-policy h1').textContent(), 'Privacy & cookie policy');
  await page.context().close();
});

test('the policy is fetched only when the viewer opens', async () => {
  const page = await openPage(live.chrome);
  const requested = [];
  page.on('request', (r) => requested.push(new URL(r.url()).pathname));
  await page.goto(live.server.base + '/');
  await banner(page).waitFor();
  await page.waitForLoadState('networkidle');
  assert.ok(!requested.some((p) => p.includes('policy.')), `no policy request before opening: ${requested}`);
  await page.evaluate(() => window.Consent.showPolicy());
  await page.locator('consent-policy article h2').first().waitFor();
  assert.ok(requested.some((p) => /^\/s\/luxhost\/policy\.nl\.[0-9a-f]{12}\.json$/.test(p)), `the policy requested: ${requested}`);
  await page.context().close();
});

test('a hostile policy document renders inert', async () => {
  const page = await openPage(live.chrome);
  await openAt(page, '/hostile.html#privacy');
  await page.waitForTimeout(200);
  const found = await page.evaluate(() => {
    const root = document.querySelector('consent-policy').shadowRoot;
    return {
      pwned: window.__pwned ?? null,
      imgs: root.querySelectorAll('img').length + document.querySelectorAll('img').length,
      scripts: root.querySelectorAll('script').length,
      hrefs: [...root.querySelectorAll('article a[href]')].map((a) => a.getAttribute('href')),
      title: root.querySelector('article h2 span').textContent,
    };
  });
  assert.equal(found.pwned, null, 'no injected code ran');
  assert.equal(found.imgs, 0);
  assert.equal(found.scripts, 0);
  assert.deepEqual(found.hrefs, ['https://example.com/'], 'only the http(s) link is a link');
  assert.ok(found.title.includes('<img src=x'), 'the markup is shown as text');
  await page.context().close();
});

test('axe-core finds no violations in the viewer; readable at 320 px', async () => {
  const page = await openPage(live.chrome, { viewport: { width: 320, height: 640 } });
  await openAt(page, '/#privacy/1.7');
  const violations = await axe(page, { include: [['consent-policy', '.dlg']] });
  assert.deepEqual(violations, []);
  const overflow = await page.evaluate(() => {
    const a = document.querySelector('consent-policy').shadowRoot.querySelector('article');
    return { article: a.scrollWidth - a.clientWidth, page: document.documentElement.scrollWidth - window.innerWidth };
  });
  assert.deepEqual(overflow, { article: 0, page: 0 }, 'no horizontal scrolling at 320 px');
  await page.context().close();
});

test('a new policy revision brings the banner back for a visitor who consented to the old one', async () => {
  const page = await openPage(live.chrome);
  await page.goto(live.server.base + '/');
  await page.locator('consent-banner button[data-act=accept]').click();
  await banner(page).waitFor({ state: 'detached' });
  await page.reload();
  await page.waitForLoadState('networkidle');
  assert.equal(await page.locator('consent-banner').count(), 0, 'consent holds for the same revision');
  const old = live.server.config().revision;
  // What `cargo xtask build` writes after the policy source changed (see xtask's revision test).
  live.server.editConfig((cfg) => (cfg.revision = 'abcdef012345'));
  try {
    await page.reload();
    await banner(page).waitFor({ state: 'visible' });
  } finally {
    live.server.editConfig((cfg) => (cfg.revision = old));
  }
  await page.context().close();
});

test('copy-link, print and "open as page" views', async () => {
  const page = await openPage(live.chrome);
  await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: live.server.base });
  await openAt(page, '/#privacy');
  await page.locator('consent-policy button[data-copy="1.5"]').click();
  assert.equal(await page.evaluate(() => location.hash), '#privacy/1.5');
  assert.equal(await page.evaluate(() => navigator.clipboard.readText()), live.server.base + '/#privacy/1.5');
  // Print: the page behind disappears, the policy prints in full without the tools.
  await page.emulateMedia({ media: 'print' });
  const printed = await page.evaluate(() => {
    const root = document.querySelector('consent-policy').shadowRoot;
    return {
      main: getComputedStyle(document.querySelector('main')).display,
      nav: getComputedStyle(root.querySelector('nav')).display,
      articleOverflow: getComputedStyle(root.querySelector('article')).overflow,
    };
  });
  assert.deepEqual(printed, { main: 'none', nav: 'none', articleOverflow: 'visible' });
  await page.emulateMedia({ media: 'screen' });
  // Closed (twice over, after reopening): printing the page prints the page again,
  // and the viewer leaves no copy of its print sheet behind.
  for (let i = 0; i < 2; i++) {
    // (print emulation hid the focused copy button, so Chrome moved focus to the body)
    await page.locator('consent-policy #pv-title').focus();
    await page.keyboard.press('Escape');
    await page.locator('consent-policy').waitFor({ state: 'detached' });
    await page.emulateMedia({ media: 'print' });
    assert.equal(await page.evaluate(() => getComputedStyle(document.querySelector('main')).display), 'block', 'the page prints after the viewer closed');
    assert.equal(await page.evaluate(() => document.adoptedStyleSheets.length), 0);
    await page.emulateMedia({ media: 'screen' });
    await page.evaluate(() => window.Consent.showPolicy());
    await page.locator('consent-policy article h2').first().waitFor();
    assert.equal(await page.evaluate(() => document.adoptedStyleSheets.length), 1, 'one print sheet while open');
  }
  // Open as page: the full text with the same headings and the cookie table.
  const href = await page.locator('consent-policy a.btn').getAttribute('href');
  // On the consent server (the page may be on another origin).
  assert.equal(href, `${live.server.base}/privacy.html`);
  const full = await openPage(live.chrome);
  await full.goto(href);
  const heads = await full.locator('main :is(h2,h3)').allTextContents();
  assert.deepEqual(heads.map(norm), sourceHeadings.map(norm));
  assert.equal(await full.locator('main table tbody tr').count(), 5);
  assert.equal(await full.locator('main a[href="mailto:info@luxhost.nl"]').count(), 1);
  await full.context().close();
  await page.context().close();
});
