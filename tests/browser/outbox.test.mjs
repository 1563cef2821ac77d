// The backend is down while the visitor decides: the decision waits in
// localStorage, is retried, and is stored exactly once when the backend is back.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
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

/** A UUIDv7 (what the widget makes), for events seeded into the queue. */
function uuid7(ms, n) {
  const hex = ms.toString(16).padStart(12, '0') + '7' + n.toString(16).padStart(3, '0') + '8' + randomBytes(8).toString('hex').slice(1);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

/**
 * Opens the demo with `n` events an earlier page could not send already
 * waiting: decisions with a path as long as the server keeps (10 of them,
 * 8.5 KB, do not fit one 8 KiB request; 9 do), and one impression second in
 * line. Every request to the API is recorded and held `holdMs` first, so a
 * second flush would overlap the first. Returns what it seeded and saw.
 */
async function withWaitingQueue(n, holdMs) {
  const page = await openPage(live.chrome);
  // What this site's events look like: the first impression the widget posts.
  const first = page.waitForRequest((r) => r.url().endsWith('/api/v1/events') && r.method() === 'POST');
  await page.goto(live.server.base + '/');
  const template = [JSON.parse((await first).postData())].flat()[0];
  const start = Date.now() - 60_000;
  const seeded = Array.from({ length: n }, (_, i) => ({
    id: uuid7(start + i, i), site: template.site, action: i === 1 ? 'banner_shown' : 'accept_all',
    ...(i === 1 ? { categories: [] } : { consent_id: uuid7(start + i, 0xfff - i), categories: ['necessary', 'analytics', 'marketing'] }),
    revision: template.revision, banner: template.banner, lang: template.lang, path: '/' + 'a'.repeat(511), client_ts: start,
  }));
  // Seeded on a page of the same origin without the widget, so nothing flushes yet.
  await page.goto(live.server.base + '/favicon.svg');
  await page.evaluate((q) => localStorage.setItem('cc_queue', JSON.stringify(q.map((e) => JSON.stringify(e)))), seeded);
  const seen = { page, seeded, batches: [], mostInFlight: 0 };
  let inFlight = 0;
  let firstSent;
  seen.firstSent = new Promise((r) => (firstSent = r));
  await page.route('**/api/v1/events', async (route) => {
    seen.batches.push(route.request().postData());
    seen.mostInFlight = Math.max(seen.mostInFlight, ++inFlight);
    firstSent();
    await new Promise((r) => setTimeout(r, holdMs));
    try {
      const response = await route.fetch();
      inFlight--;
      await route.fulfill({ response });
    } catch (e) {
      // The test ended (its page closed) while this request was held: nothing is left to answer.
      if (!page.isClosed()) throw e;
    }
  });
  await page.goto(live.server.base + '/');
  await banner(page).waitFor();
  return seen;
}

const sentIds = (batches) => batches.flatMap((b) => [JSON.parse(b)].flat().map((e) => e.id));
const storedOf = (ids) => live.server.rows(`SELECT event_id FROM events WHERE event_id IN (${ids.map((id) => `'${id}'`).join(',')})`);

test('a full queue drops impressions, never a waiting decision', async () => {
  // 100 waiting (as many as the queue keeps): the new page's impression is one
  // too many, and the waiting impression goes, not the oldest decision.
  const { page, seeded, batches } = await withWaitingQueue(100, 0);
  const decisions = seeded.filter((e) => e.action !== 'banner_shown').map((e) => e.id);
  await until(() => storedOf(decisions).length === decisions.length, 20_000);
  assert.ok(!sentIds(batches).includes(seeded[1].id), 'the waiting impression was dropped');
  await page.context().close();
});

test('a long queue goes out one flush at a time, in batches the server takes, each event once', async () => {
  const seen = await withWaitingQueue(99, 400);
  const { page, seeded, batches } = seen;
  // A decision while the first batch is in flight makes the queue one too long:
  // the impression in that batch leaves the queue, so removing by position
  // instead of by id would drop an event never sent.
  await seen.firstSent;
  await button(page, 'accept').click();
  const ids = seeded.map((e) => e.id);
  await until(() => storedOf(ids).length === ids.length, 30_000);
  await until(async () => (await page.evaluate(() => localStorage.getItem('cc_queue'))) === null, 10_000);
  assert.equal(seen.mostInFlight, 1, 'one request in flight at a time');
  for (const b of batches) {
    assert.ok(Buffer.byteLength(b) <= 8192, `a batch of ${Buffer.byteLength(b)} bytes`);
    assert.ok([JSON.parse(b)].flat().length <= 10, 'at most 10 events a batch');
  }
  assert.equal([JSON.parse(batches[1])].flat().length, 9, 'nine long decisions: cut by bytes, not by count');
  const sent = sentIds(batches);
  assert.equal(new Set(sent).size, sent.length, 'no event sent twice');
  assert.deepEqual(ids.filter((id) => !sent.includes(id)), [], 'every queued event sent');
  const decided = batches.flatMap((b) => [JSON.parse(b)].flat()).filter((e) => e.action === 'accept_all' && e.path === '/');
  assert.equal(decided.length, 1, 'the new decision sent once');
  assert.deepEqual(page.errors, []);
  await page.context().close();
});
