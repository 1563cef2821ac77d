// Test harness: a real consent-server on a free loopback port with a fresh SQLite
// file and its own copy of www/ (so a test can add fixture pages or configs),
// and headless Debian Chromium driven by playwright-core.
import { spawn, execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import net from 'node:net';
import { before, after } from 'node:test';
import { launchChromium } from './chromium.mjs';
import { bake } from '../../www/loader/bake.mjs';

export const ROOT = resolve(import.meta.dirname, '../..');
export const TOKEN = 'browser-test-token';
/** The server under test: the debug build, or the one `CONSENT_SERVER_BIN` names (the test command's release binary). */
export const SERVER_BIN = process.env.CONSENT_SERVER_BIN ? resolve(process.env.CONSENT_SERVER_BIN) : join(ROOT, 'target/debug/consent-server');

export async function freePort() {
  return new Promise((ok, fail) => {
    const srv = net.createServer();
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => ok(port));
    });
    srv.on('error', fail);
  });
}

export class Server {
  /**
   * @param {(www: string) => void} [prepare] edits the www copy before start
   * @param {{config?: string, args?: string[]}} [opts] another pkg-config folder than the repository's; more server flags
   */
  static async start(prepare, opts = {}) {
    const dir = mkdtempSync(join(tmpdir(), 'consent-e2e-'));
    const www = join(dir, 'www');
    cpSync(join(ROOT, 'www'), www, { recursive: true });
    if (prepare) prepare(www);
    const s = new Server(dir, www, join(dir, 'consent.sqlite'), await freePort(), opts.config || join(ROOT, 'pkg-config'), opts.args || []);
    await s.boot();
    return s;
  }

  constructor(dir, www, db, port, configDir, args = []) {
    Object.assign(this, { dir, www, db, port, configDir, args, base: `http://127.0.0.1:${port}` });
  }

  async boot() {
    this.proc = spawn(SERVER_BIN, ['--port', String(this.port), '--db', this.db, '--www', this.www, '--config', this.configDir, ...this.args], {
      env: { ...process.env, CONSENT_ADMIN_TOKEN: TOKEN, RUST_LOG: 'warn' },
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    // A debug build makes every site's files (brotli, gzip) before it listens: with a
    // few hundred TCF vendors and a loader per region that takes seconds, longer on a busy machine.
    for (let i = 0; i < 600; i++) {
      try {
        const r = await fetch(`${this.base}/consent/config.json`);
        if (r.ok) return;
      } catch {}
      await new Promise((r) => setTimeout(r, 50));
    }
    // Not left running: a live child would keep the test file (and the whole run) from ending.
    this.proc.kill('SIGKILL');
    throw new Error('consent-server did not start');
  }

  async stop() {
    if (this.proc && this.proc.exitCode === null) {
      const exited = new Promise((r) => this.proc.once('exit', r));
      this.proc.kill('SIGTERM');
      await exited;
    }
  }

  async close() {
    await this.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }

  /** The loader of `site` (`/s/<site>/consent.js`) as the server serves it now. */
  async loader(site) {
    return (await fetch(`${this.base}/s/${site}/consent.js`)).text();
  }

  /**
   * Sends SIGHUP (reload the configuration) and waits until the loader of
   * `site` shows it: `done(loader, before)`, by default a changed loader (a
   * debug build takes seconds to make a TCF site's loaders).
   */
  async hangup(site, done = (now, before) => now != before) {
    const before = await this.loader(site);
    this.proc.kill('SIGHUP');
    await until(async () => done(await this.loader(site), before), 20_000);
  }

  /** Runs SQL against the server's database file with the sqlite3 CLI. */
  sql(query) {
    return execFileSync('sqlite3', ['-json', this.db, query], { encoding: 'utf8' }).trim();
  }

  rows(query) {
    const out = this.sql(query);
    return out ? JSON.parse(out) : [];
  }

  /** The widget's config as the full widget reads it: details.json under config.json. */
  config() {
    const read = (name) => JSON.parse(readFileSync(join(this.www, 'consent', name), 'utf8'));
    const first = read('config.json');
    const details = read(first.details);
    const texts = Object.fromEntries(Object.keys(first.texts).map((l) => [l, { ...details.texts[l], ...first.texts[l] }]));
    return { ...details, ...first, texts, categories: first.categories.map((c, i) => ({ ...details.categories[i], ...c })) };
  }

  /**
   * Edits the static build's config.json, bakes it into www/consent/consent.js again
   * (as `cargo xtask build` would) and points the www copy's pages at that loader
   * instead of the one the server bakes from pkg-config (`/s/luxhost/consent.js`).
   */
  editConfig(edit) {
    const path = join(this.www, 'consent/config.json');
    const cfg = JSON.parse(readFileSync(path, 'utf8'));
    edit(cfg);
    writeFileSync(path, JSON.stringify(cfg));
    bake(join(this.www, 'consent'));
    for (const page of readdirSync(this.www).filter((f) => f.endsWith('.html'))) {
      const file = join(this.www, page);
      writeFileSync(file, readFileSync(file, 'utf8').replaceAll(SERVED_TAG, LOADER_TAG));
    }
  }
}

/** The demo page's tag: the loader the server bakes for the reference site. */
export const SERVED_TAG = '<script src="/s/luxhost/consent.js"';
/** The static build's loader (`cargo xtask build`), which tests may bake again. */
const LOADER_TAG = '<script src="/consent/consent.js"';
const loaderTag = (html) => {
  const tag = [SERVED_TAG, LOADER_TAG].find((t) => html.includes(t));
  if (!tag) throw new Error('the page has no loader tag');
  return tag;
};

/** `html` with its loader tag pointed at another config (`data-config`); throws if the page has no loader tag. */
export function withConfig(html, config) {
  const tag = loaderTag(html);
  return html.replace(tag, `${tag} data-config="${config}"`);
}

/** Bakes `config` (a file in the www copy's consent/) into its own loader, `out`; returns `html` loading that one instead. */
export function withBakedConfig(www, html, config, out) {
  const tag = loaderTag(html);
  bake(join(www, 'consent'), { config, out });
  return html.replace(tag, `<script src="/consent/${out}"`);
}

/**
 * A server (its www copy edited by `prepare`) and Chromium for one test file:
 * started before its tests, stopped after them. Read `.server` and `.chrome` in
 * tests. `setup(live)` runs first (it may set `live.config`, the server's config
 * folder, and `live.args`, more server flags), `ready(live)` once the server
 * answers, `teardown(live)` at the end.
 */
export function serverAndBrowser(prepare, { setup, ready, teardown } = {}) {
  const live = {};
  before(async () => {
    await setup?.(live);
    live.server = await Server.start(prepare, { config: live.config, args: live.args });
    await ready?.(live);
    live.chrome = await launchChromium();
  });
  after(async () => {
    await live.chrome?.close();
    await live.server?.close();
    await teardown?.(live);
  });
  return live;
}

/** A page that records console messages and uncaught errors. */
export async function openPage(b, opts = {}) {
  const context = await b.newContext(opts);
  const page = await context.newPage();
  page.messages = [];
  page.errors = [];
  page.on('console', (m) => page.messages.push(`${m.type()}: ${m.text()}`));
  page.on('pageerror', (e) => page.errors.push(e.message));
  return page;
}

export const banner = (page) => page.locator('consent-banner .cc');
export const button = (page, act) => page.locator(`consent-banner button[data-act=${act}]`);
/** Clicks "Preferences" and waits for them: clicked on the first layer, they open once the full widget is in. */
export async function openPreferences(page) {
  await button(page, 'prefs').click();
  await page.locator('consent-banner ul.prefs').waitFor({ state: 'visible' });
}
/** Waits until the full widget has taken the first layer's banner over (it marks the host). */
export const takenOver = (page) => page.locator('consent-banner[data-taken-over]').waitFor({ state: 'attached' });

/** Polls `fn` until it returns a truthy value or the time runs out. */
export async function until(fn, ms = 5000) {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error('condition not met in time: ' + fn);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The widget's cookie checksum (FNV-1a 32, base 36), to forge well-formed cookies in tests. */
export function withCheck(body) {
  let h = 0x811c9dc5;
  for (const b of Buffer.from(body, 'utf8')) {
    h ^= b;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return body + '.' + h.toString(36);
}

/** Runs axe-core (from the npm registry) in the page, limited to `selector`. */
export async function axe(page, context) {
  await page.addScriptTag({ path: join(ROOT, 'node_modules/axe-core/axe.min.js') });
  return page.evaluate(async (sel) => {
    const r = await window.axe.run(sel, { resultTypes: ['violations'] });
    return r.violations.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`);
  }, context);
}
