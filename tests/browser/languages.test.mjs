// Every built-in language in Chromium against the real server: a site that
// offers all of them shows the banner in the page's language, falls back
// from a region variant to its language (pt-BR → pt, nl-BE → nl), then to
// the browser's, then to the site's default; every text it shows is the
// built-in one for that language. Arabic and Hebrew are laid out right to
// left, and axe finds nothing there.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, readdirSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serverAndBrowser, openPage, openPreferences, takenOver, banner, button, axe, ROOT } from './harness.mjs';
import { serve } from './tcf_fixture.mjs';

const LANGS = readdirSync(join(ROOT, 'pkg-config/i18n')).map((f) => f.replace(/\.toml$/, '')).sort();

/** The built-in texts of `lang` (the files are flat `key = "text"` lines). */
function texts(lang) {
  const out = {};
  for (const line of readFileSync(join(ROOT, 'pkg-config/i18n', lang + '.toml'), 'utf8').split('\n')) {
    const m = line.match(/^(\w+) = (".*")$/);
    if (m) out[m[1]] = JSON.parse(m[2]);
  }
  return out;
}

let site;
const live = serverAndBrowser(undefined, {
  setup: async (l) => {
    l.config = mkdtempSync(join(tmpdir(), 'consent-langs-'));
    cpSync(join(ROOT, 'pkg-config'), l.config, { recursive: true });
    const path = join(l.config, 'sites/luxhost.toml');
    // The site's own texts (category titles and descriptions) in every language: its English ones.
    const own = (line) => {
      const en = line.match(/ en = ("(?:[^"\\]|\\.)*")/)[1];
      const have = new Set([...line.matchAll(/ (\w+) = "/g)].map((m) => m[1]));
      return line.replace(/ }$/, LANGS.filter((l) => !have.has(l)).map((l) => `, ${l} = ${en}`).join('') + ' }');
    };
    const toml = readFileSync(path, 'utf8')
      .replace(/^origins = .*$/m, 'origins = ["http://127.0.0.2:*"]')
      .replace(/^languages = .*$/m, `languages = ${JSON.stringify(LANGS)}`)
      .replace(/^(title|description) = \{.*\}$/gm, own);
    writeFileSync(path, toml);
  },
  ready: async () => {
    site = await serve('127.0.0.2', (url) => {
      const lang = new URL(url, 'http://x').searchParams.get('lang') || '';
      return `<!doctype html><html lang="${lang}"><head><meta charset="utf-8"><title>Page</title>
<script src="${live.server.base}/s/luxhost/consent.js"></script></head><body><h1>Page</h1></body></html>`;
    });
  },
  teardown: async (l) => {
    site?.srv.close();
    rmSync(l.config, { recursive: true, force: true });
  },
});

/** The banner's language and the texts it shows, on a page in `pageLang`. */
async function shown(page, pageLang) {
  await page.goto(`${site.base}/?lang=${encodeURIComponent(pageLang)}`);
  await banner(page).waitFor();
  return {
    lang: await banner(page).getAttribute('lang'),
    title: await banner(page).locator('h2').textContent(),
    accept: (await button(page, 'accept').textContent()).trim(),
    reject: (await button(page, 'reject').textContent()).trim(),
  };
}

test(`each of the ${LANGS.length} built-in languages is shown in its own words`, async () => {
  assert.ok(LANGS.length >= 28, LANGS.join(' '));
  const page = await openPage(live.chrome);
  for (const lang of LANGS) {
    const t = texts(lang);
    assert.deepEqual(await shown(page, lang), { lang, title: t.title, accept: t.accept_all, reject: t.reject_all }, lang);
  }
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test('a region variant falls back to its language, then the browser\'s, then the default', async () => {
  const page = await openPage(live.chrome, { locale: 'sv-SE' });
  assert.equal((await shown(page, 'pt-BR')).lang, 'pt');
  assert.equal((await shown(page, 'nl-BE')).lang, 'nl');
  assert.equal((await shown(page, 'EL')).lang, 'el', 'case does not matter');
  assert.equal((await shown(page, 'zz')).lang, 'sv', 'an unknown page language: the browser\'s');
  await page.context().close();
  const other = await openPage(live.chrome, { locale: 'ja-JP' });
  assert.equal((await shown(other, 'zz')).lang, 'nl', 'neither offered: the site\'s default');
  await other.context().close();
});

test('Arabic and Hebrew are laid out right to left, first layer and preferences, and axe finds nothing', async () => {
  for (const lang of ['ar', 'he']) {
    const page = await openPage(live.chrome);
    const t = texts(lang);
    assert.equal((await shown(page, lang)).title, t.title);
    const layout = () =>
      page.evaluate(() => {
        const root = document.querySelector('consent-banner').shadowRoot;
        const x = (act) => root.querySelector(`button[data-act=${act}]`).getBoundingClientRect().x;
        return { direction: getComputedStyle(root.querySelector('.cc')).direction, acceptRightOfReject: x('accept') > x('reject') };
      });
    assert.deepEqual(await layout(), { direction: 'rtl', acceptRightOfReject: true }, `${lang}: the first layer reads from the right`);
    assert.deepEqual(await axe(page, { include: [['consent-banner', '.cc']] }), [], `${lang}: first layer`);
    await takenOver(page);
    await openPreferences(page);
    assert.equal((await layout()).direction, 'rtl');
    assert.deepEqual(await axe(page, { include: [['consent-banner', '.cc']] }), [], `${lang}: preferences`);
    assert.deepEqual(page.errors, []);
    await page.context().close();
  }
  const ltr = await openPage(live.chrome);
  await shown(ltr, 'en');
  assert.equal(await ltr.evaluate(() => getComputedStyle(document.querySelector('consent-banner').shadowRoot.querySelector('.cc')).direction), 'ltr', 'other languages left to right');
  await ltr.context().close();
});
