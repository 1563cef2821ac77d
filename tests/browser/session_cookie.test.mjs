// A site configured for session-scoped consent gets a cookie without Max-Age or
// Expires; the decision still expires inside the value.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { serverAndBrowser, openPage, banner, button } from './harness.mjs';

const live = serverAndBrowser(undefined, { ready: ({ server }) => server.editConfig((cfg) => (cfg.cookie.session = true)) });

test('session-scoped config writes a cookie without Max-Age', async () => {
  const page = await openPage(live.chrome);
  await page.goto(live.server.base + '/');
  await button(page, 'reject').click();
  await banner(page).waitFor({ state: 'detached' });
  const [cookie] = await page.context().cookies();
  assert.equal(cookie.name, 'cc_consent');
  assert.equal(cookie.expires, -1, 'a session cookie has no expiry');
  const [, , , , decided, expires] = cookie.value.split('.');
  assert.equal(parseInt(expires, 36) - parseInt(decided, 36), 182 * 86400, 'validity kept inside the value');
  await page.reload();
  await page.waitForLoadState('networkidle');
  assert.equal(await page.locator('consent-banner').count(), 0);
  await page.context().close();
});
