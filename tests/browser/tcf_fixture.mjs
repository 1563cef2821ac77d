// What the TCF browser tests share: a pkg-config copy whose luxhost runs on
// 127.0.0.2 under `[tcf]` with a generated Global Vendor List, small page
// servers on other loopback origins, and the IAB's own decoder.
import { createServer } from 'node:http';
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, serverAndBrowser, openPage } from './harness.mjs';

const IAB = join(ROOT, 'tests/tcf/iab.mjs');

/**
 * A pkg-config copy with luxhost on 127.0.0.2 under `[tcf]` for `vendors`
 * (plus `extra` TOML after it), and `tcf/vendor-list.json` generated from
 * `seed` with `count` vendors, then passed through `edit(list)`.
 */
export function tcfConfigs({ vendors, extra = '', seed = 5, count = 50, edit = (l) => l }) {
  const dir = mkdtempSync(join(tmpdir(), 'consent-tcf-'));
  cpSync(join(ROOT, 'pkg-config'), dir, { recursive: true });
  const lux = readFileSync(join(dir, 'sites/luxhost.toml'), 'utf8').replace(/^origins = .*$/m, 'origins = ["http://127.0.0.2:*"]');
  writeFileSync(join(dir, 'sites/luxhost.base'), lux);
  mkdirSync(join(dir, 'tcf'));
  const list = edit(JSON.parse(execFileSync('node', [IAB, 'gvl', String(seed), String(count)], { maxBuffer: 64 << 20 })));
  writeFileSync(join(dir, 'tcf/vendor-list.json'), JSON.stringify(list));
  writeTcf(dir, vendors, extra);
  return dir;
}

/** Rewrites luxhost's `[tcf]` for `vendors` (CMP 300 version 4, NL), `extra` TOML after it. */
export function writeTcf(dir, vendors, extra = '') {
  const base = readFileSync(join(dir, 'sites/luxhost.base'), 'utf8');
  const tcf = `\n[tcf]\nenabled = true\ncmp_id = 300\ncmp_version = 4\npublisher_country = "NL"\nvendors = [${vendors}]\n${extra}`;
  writeFileSync(join(dir, 'sites/luxhost.toml'), base + tcf);
}

/** The vendor list the server reads from `dir`. */
export const vendorList = (dir) => JSON.parse(readFileSync(join(dir, 'tcf/vendor-list.json'), 'utf8'));

/** TC strings decoded by the IAB's library (@iabtechlabtcf/core), in consent-tcf's serde shape. */
export function iabDecode(strings) {
  return JSON.parse(execFileSync('node', [IAB, 'decode'], { input: JSON.stringify(strings) }));
}

/** An HTML server on `host` (a loopback address: another origin), answering `body(url)`. */
export async function serve(host, body) {
  const srv = createServer((req, res) => res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(body(req.url)));
  await new Promise((ok) => srv.listen(0, host, ok));
  return { srv, base: `http://${host}:${srv.address().port}` };
}

// How a vendor's frame finds a locator frame, as the IAB describes: the
// nearest window, itself then its parents, that holds a frame named `name`.
const FIND = 'function find(name) { for (let w = window; w; w = w === top ? null : w.parent) { try { if (w.frames[name]) return w; } catch (e) {} } return null; }';

/**
 * A publisher's page on 127.0.0.2 (luxhost's loader from `server`, then the
 * inline `script`) embedding a vendor's frame from 127.0.0.3, which runs
 * `vendor` with `find` and an empty `window.answers` before it. Resolves to
 * the page's `base`, the frame's `vendorBase` and `close()`.
 */
export async function publisherPage(server, script, vendor) {
  const frame = await serve('127.0.0.3', () => `<!doctype html><script>\nwindow.answers = {};\n${FIND}\n${vendor}</script>`);
  const page = await serve('127.0.0.2', () => `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Publisher</title>
<script src="${server.base}/s/luxhost/consent.js"></script>
<script>${script}</script></head><body><h1>News</h1><iframe src="${frame.base}/" title="ad"></iframe></body></html>`);
  return {
    base: page.base,
    vendorBase: frame.base,
    close() {
      page.srv.close();
      frame.srv.close();
    },
  };
}

/**
 * The server (on the pkg-config folder `configs()` makes, removed after) and
 * Chromium for one test file, with `live.site` the publisher's page of
 * `publisherPage(server, script, vendor)`.
 */
export function publisherAndBrowser(configs, script, vendor) {
  return serverAndBrowser(undefined, {
    setup: async (l) => {
      l.config = configs();
    },
    ready: async (l) => {
      l.site = await publisherPage(l.server, script, vendor);
    },
    teardown: async (l) => {
      l.site?.close();
      rmSync(l.config, { recursive: true, force: true });
    },
  });
}

/**
 * Opens `live.site` (see `publisherAndBrowser`) with the CMP's script held
 * back until `release()`, after the `init` script if one is given.
 */
export async function openHeld(live, init) {
  const page = await openPage(live.chrome);
  if (init) await page.addInitScript(init);
  let release;
  const held = new Promise((r) => (release = r));
  await page.route('**/cmp.js', async (route) => {
    await held;
    await route.continue();
  });
  await page.goto(live.site.base + '/');
  return { page, release };
}
