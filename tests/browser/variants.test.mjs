// A/B banner variants: luxhost with the two variants its site file describes
// (commented there, switched on here). The server draws one per page view by
// weight; each shows its own texts, Tab order and button look; the impression
// and the decision name it, the proof shows it, a withdrawal counts against the
// variant its consent was given on, and the dashboard compares the two. An
// unfair variant is refused when the config is checked.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serverAndBrowser, openPage, banner, button, until, axe, ROOT, TOKEN, SERVER_BIN } from './harness.mjs';

/** A copy of pkg-config with luxhost's example variants on; `edit` may change the variants' text. */
function configs(edit = (v) => v) {
  const dir = mkdtempSync(join(tmpdir(), 'consent-variants-'));
  cpSync(join(ROOT, 'pkg-config'), dir, { recursive: true });
  const file = join(dir, 'sites/luxhost.toml');
  const site = readFileSync(file, 'utf8');
  const at = site.indexOf('# [[variants]]');
  assert.ok(at > 0, 'the reference site describes its variants');
  const variants = site.slice(at).replace(/^# ?/gm, '');
  writeFileSync(file, site.slice(0, at) + edit(variants));
  return dir;
}

const live = serverAndBrowser(null, {
  setup(l) {
    l.config = configs();
  },
  teardown(l) {
    rmSync(l.config, { recursive: true, force: true });
  },
});

const rows = (sql) => live.server.rows(sql);
const order = (page) => page.locator('consent-banner .row button').evaluateAll((bs) => bs.map((b) => b.getAttribute('data-act')));

/** Fresh visitors until one is shown `variant` (told apart by the button order). */
async function visitorShown(variant) {
  const want = variant === 'weigeren-eerst' ? 'reject' : 'accept';
  for (let i = 0; i < 40; i++) {
    const page = await openPage(live.chrome);
    await page.goto(live.server.base + '/');
    await banner(page).waitFor({ state: 'visible' });
    if ((await order(page))[0] === want) return page;
    await page.context().close();
  }
  throw new Error(`variant ${variant} never drawn in 40 page views`);
}

test('each page view draws a variant by weight, and no cache keeps a draw', async () => {
  const seen = new Map();
  for (let i = 0; i < 40; i++) {
    const r = await fetch(live.server.base + '/s/luxhost/consent.js');
    assert.equal(r.headers.get('cache-control'), 'private, no-cache');
    const v = (await r.text()).match(/variant:"([a-z-]+)"/)?.[1];
    seen.set(v, (seen.get(v) || 0) + 1);
  }
  assert.ok(seen.get('standaard') >= 8 && seen.get('weigeren-eerst') >= 8, `both drawn about evenly: ${JSON.stringify([...seen])}`);
  assert.equal(seen.get(undefined), undefined, 'every view gets a variant');
});

test('the reject-first variant: its texts, Tab order and look; the decision and the proof name it', async () => {
  const page = await visitorShown('weigeren-eerst');
  assert.deepEqual(await order(page), ['reject', 'accept', 'prefs']);
  assert.equal(await page.locator('consent-banner h2').textContent(), 'Mag het? U kiest.');
  const size = (act) => button(page, act).evaluate((b) => getComputedStyle(b).fontSize);
  assert.equal(await size('reject'), '18px');
  assert.equal(await size('accept'), '18px', 'both large: neither is smaller');
  // Tab order: the policy link, then reject.
  await page.locator('consent-banner a[data-act=policy]').focus();
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.querySelector('consent-banner').shadowRoot.activeElement?.getAttribute('data-act')), 'reject');
  assert.deepEqual(await axe(page, 'consent-banner'), []);
  await button(page, 'reject').click();
  const decided = await until(() => rows("SELECT variant, banner FROM events WHERE action = 'reject_all'")[0]);
  assert.equal(decided.variant, 'weigeren-eerst');
  assert.ok(rows("SELECT 1 FROM events WHERE action = 'banner_shown' AND variant = 'weigeren-eerst'").length >= 1, 'its impression too');
  const proof = rows(`SELECT content FROM banner_versions WHERE hash = '${decided.banner}'`)[0];
  const shown = JSON.parse(proof.content);
  assert.equal(shown.variant.id, 'weigeren-eerst');
  assert.deepEqual(shown.variant.buttons, ['reject', 'accept', 'preferences']);
  assert.equal(shown.texts.title, 'Mag het? U kiest.', 'the proof holds what this visitor read');
  await page.context().close();
});

test('the standard variant; a later withdrawal counts against the variant the consent was given on', async () => {
  const page = await visitorShown('standaard');
  assert.deepEqual(await order(page), ['accept', 'reject', 'prefs']);
  await button(page, 'accept').click();
  await until(() => rows("SELECT 1 FROM events WHERE action = 'accept_all' AND variant = 'standaard'")[0]);
  await page.reload(); // a new page view: another draw, maybe the other variant
  await page.locator('consent-settings button').click();
  await page.locator('consent-banner ul.prefs').waitFor({ state: 'visible' });
  await page.locator('consent-banner input[data-cat=analytics]').uncheck();
  await button(page, 'save').click();
  const w = await until(() => rows("SELECT variant FROM events WHERE action = 'withdraw'")[0]);
  assert.equal(w.variant, 'standaard');
  assert.equal(rows("SELECT COUNT(*) AS n FROM events WHERE action = 'custom' AND variant IS NOT NULL")[0].n, 0, 'a change of mind answers no first layer');
  await page.context().close();
});

test('the dashboard compares the variants side by side', async () => {
  const page = await openPage(live.chrome, { extraHTTPHeaders: { authorization: `Bearer ${TOKEN}` } });
  await page.goto(live.server.base + '/dashboard?site=luxhost&range=today');
  const table = page.locator('table[data-experiment]');
  await table.waitFor();
  for (const v of ['standaard', 'weigeren-eerst']) assert.equal(await table.locator(`tr[data-variant=${v}]`).count(), 1, v);
  assert.match(await page.locator('ul.verdicts').textContent(), /not significant yet/, 'a handful of decisions prove nothing');
  await page.context().close();
});

test('an unfair variant is refused when the config is checked, by rule, naming the variant and the rule', () => {
  const rules = [
    ['reject-missing', (v) => v.replace('buttons = ["reject", "accept", "preferences"]', 'buttons = ["accept", "preferences"]')],
    ['smaller', (v) => v.replace('reject = { size = "large" }', 'reject = { size = "small" }')],
    ['lower-contrast', (v) => v.replace('accept = { size = "large" }', 'accept = { size = "large", color = "#ffffff", background = "#0b57d0" }').replace('reject = { size = "large" }', 'reject = { size = "large", color = "#8a8a8a", background = "#9a9a9a" }')],
    ['fewer-words', (v) => v.replace('texts.nl = { title = "Mag het? U kiest." }', 'texts.nl = { accept_all = "Ja, alles is goed", reject_all = "Nee" }')],
    ['element-type', (v) => v.replace('reject = { size = "large" }', 'reject = { size = "large", element = "link" }')],
    ['tab-stops', (v) => v.replace('buttons = ["reject", "accept", "preferences"]', 'buttons = ["accept", "preferences", "reject"]')],
  ];
  for (const [rule, edit] of rules) {
    const dir = configs(edit);
    const out = spawnSync(SERVER_BIN, ['--config', dir, 'check-config'], { encoding: 'utf8' });
    rmSync(dir, { recursive: true, force: true });
    assert.notEqual(out.status, 0, `${rule}: refused`);
    assert.match(out.stderr, new RegExp(`banner variant \`weigeren-eerst\` is unfair \\(${rule}\\)`), `${rule}: ${out.stderr}`);
  }
  const fair = configs();
  const ok = spawnSync(SERVER_BIN, ['--config', fair, 'check-config'], { encoding: 'utf8' });
  rmSync(fair, { recursive: true, force: true });
  assert.equal(ok.status, 0, `the example variants are fair: ${ok.stderr}`);
});
