// The backend is down while the visitor decides: the decision waits in
// localStorage, is retried, and is stored exactly once when the backend is back.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { serverAndBrowser, openPage, banner, button, takenOver, until } from './harness.mjs';

const live = serverAndBrowser();

test('backend down → decision queued → backend up → the event arrives exactly once', async () => {
  const page = await openPage(live.chrome);
  await page.goto(live.server.base + '/');
  await banner(page).waitFor();
  // The API goes down, not the widget's files: the full widget is there first.
  await takenOver(page);
  await live.server.stop();
  await button(page, 'reject').click();
  await banner(page).waitFor({ state: 'detached' });
  const queued = () => page.evaluate(() => JSON.parse(localStorage.getItem('cc_queue') || '[]').map((e) => JSON.parse(e).action));
  // The banner_shown impression may have reached the server before it stopped.
  await until(async () => (await queued()).includes('reject_all'));
  assert.deepEqual(page.errors, []);
  await live.server.boot();
  const rows = () => live.server.rows(`SELECT * FROM events WHERE action = 'reject_all'`);
  await until(() => rows().length === 1, 15_000);
  await until(async () => (await page.evaluate(() => localStorage.getItem('cc_queue'))) === null);
  // A reload, a second flush attempt and a beacon on leaving change nothing.
  await page.reload();
  await page.waitForLoadState('networkidle');
  await page.waitForTimeout(500);
  assert.equal(rows().length, 1, 'stored exactly once');
  assert.equal(rows()[0].categories, 'necessary');
  await page.context().close();
});

test('events queued when the page is left are sent with the beacon and de-duplicated', async () => {
  const page = await openPage(live.chrome);
  await page.goto(live.server.base + '/');
  await banner(page).waitFor();
  // The API answers 503 (as a full queue would): the decision waits.
  await page.route('**/api/v1/events', (route) => route.fulfill({ status: 503, body: '{"error":"busy"}', headers: { 'retry-after': '1' } }));
  await button(page, 'accept').click();
  const id = await until(() => page.evaluate(() => {
    const q = JSON.parse(localStorage.getItem('cc_queue') || '[]').map((e) => JSON.parse(e));
    return q.find((e) => e.action === 'accept_all')?.id;
  }));
  await page.unroute('**/api/v1/events');
  // Leaving the page fires pagehide: the queue goes out with sendBeacon.
  await page.goto('about:blank');
  await until(() => live.server.rows(`SELECT * FROM events WHERE event_id = '${id}'`).length === 1, 10_000);
  await page.context().close();
});
