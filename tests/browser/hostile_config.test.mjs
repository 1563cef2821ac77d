// Hostile strings in the site's config and texts reach the page as text only:
// markup, script URLs, RTL overrides and a 10 MB string neither run nor break
// the widget; a config missing a field is refused with a message naming it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { serverAndBrowser, withConfig, withBakedConfig, openPage, openPreferences, banner, button, until } from './harness.mjs';

const EVIL = '<img src=x onerror="window.__pwned=1">"><script>window.__pwned=2</script>\u202Egnp.exe';
const live = serverAndBrowser((www) => {
  const html = readFileSync(join(www, 'index.html'), 'utf8');
  const cfg = JSON.parse(readFileSync(join(www, 'consent/config.json'), 'utf8'));
  const evil = structuredClone(cfg);
  for (const lang of Object.keys(evil.texts)) for (const k of Object.keys(evil.texts[lang])) evil.texts[lang][k] = EVIL;
  // The texts the full widget adds (preferences, viewer) are just as hostile.
  const details = JSON.parse(readFileSync(join(www, 'consent', cfg.details), 'utf8'));
  for (const lang of Object.keys(details.texts)) for (const k of Object.keys(details.texts[lang])) details.texts[lang][k] = EVIL;
  writeFileSync(join(www, 'consent/evil-details.json'), JSON.stringify(details));
  evil.details = 'evil-details.json';
  evil.texts.nl.description = 'x'.repeat(10 * 1024 * 1024) + EVIL;
  evil.policyUrl = 'javascript:window.__pwned=3';
  evil.categories[1].title = { nl: EVIL, en: EVIL };
  evil.categories[1].description = { nl: EVIL, en: EVIL };
  writeFileSync(join(www, 'consent/evil-config.json'), JSON.stringify(evil));
  // Baked into the loader, as a site's build would (the hostile strings pass the bake too).
  writeFileSync(join(www, 'evil.html'), withBakedConfig(www, html, 'evil-config.json', 'evil.js'));
  const broken = structuredClone(cfg);
  delete broken.revision;
  writeFileSync(join(www, 'consent/broken-config.json'), JSON.stringify(broken));
  // Fetched through the tag's `data-config`.
  writeFileSync(join(www, 'broken.html'), withConfig(html, '/consent/broken-config.json'));
  writeFileSync(join(www, 'broken-baked.html'), withBakedConfig(www, html, 'broken-config.json', 'broken.js'));
});

test('hostile strings in the config render as inert text', async () => {
  const page = await openPage(live.chrome);
  await page.goto(live.server.base + '/evil.html');
  await banner(page).waitFor({ state: 'visible', timeout: 20_000 });
  await openPreferences(page);
  const seen = await page.evaluate(() => {
    const root = document.querySelector('consent-banner').shadowRoot;
    return {
      pwned: window.__pwned ?? null,
      elements: root.querySelectorAll('img, script, iframe').length + document.querySelectorAll('img').length,
      title: root.querySelector('h2').textContent,
      link: root.querySelector('a[data-act=policy]'),
      category: root.querySelectorAll('.prefs li > label')[1].textContent,
      save: root.querySelector('button[data-act=save]').textContent,
    };
  });
  assert.equal(seen.pwned, null, 'nothing ran');
  assert.equal(seen.elements, 0, 'no element was made from a string');
  assert.equal(seen.title, '<img src=x onerror="window.__pwned=1">"><script>window.__pwned=2</script>\u202Egnp.exe');
  assert.equal(seen.link, null, 'a javascript: policy link is not rendered');
  assert.ok(seen.category.includes('<img src=x'));
  assert.equal(seen.save, EVIL, 'a text from details.json, as text');
  // It still works.
  await button(page, 'reject').click();
  await banner(page).waitFor({ state: 'detached' });
  await page.waitForTimeout(200);
  assert.equal(await page.evaluate(() => window.__pwned ?? null), null);
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test('a config missing a field is refused with a message naming it; the page keeps working', async () => {
  for (const [path, file] of [['/broken.html', '/consent/broken-config.json'], ['/broken-baked.html', '/consent/broken.js']]) {
    const page = await openPage(live.chrome);
    await page.goto(live.server.base + path);
    await until(() => page.messages.some((m) => m.includes('[consent] widget not started') && m.includes('`revision`')));
    assert.ok(page.messages.some((m) => m.includes(live.server.base + file + ': config field `revision`')), `${path}: the message names the file`);
    assert.equal(await page.locator('consent-banner').count(), 0);
    assert.equal(await page.evaluate(() => window.analyticsStarted ?? 0), 0, 'nothing optional runs');
    assert.deepEqual(page.errors, []);
    await page.context().close();
  }
});
