// Time to banner, blocking time and decision cost of four pages identical but
// for the consent layer (ours, vanilla-cookieconsent, the static-HTML floor, the
// same banner inserted by one deferred script),
// in headless Debian Chromium through the DevTools protocol. Cold cache, fresh
// browser context per run, pages alternating, one warm-up round discarded per
// profile. Run by `cargo xtask bench`, which serves the pages and writes
// BENCHMARKS.md from the JSON this prints.
//
//   node bench/time_to_banner.mjs BASE_URL RUNS
import { launchChromium } from '../tests/browser/chromium.mjs';

const [base, runsArg] = process.argv.slice(2);
const RUNS = Number(runsArg || 20);

const PAGES = {
  ours: { path: '/bench/ours.html', cookie: 'cc_consent' },
  theirs: { path: '/bench/theirs.html', cookie: 'cc_cookie' },
  static: { path: '/bench/static.html', cookie: null },
  scripttag: { path: '/bench/script-tag.html', cookie: null },
};

const ALL_PROFILES = {
  local: { cpu: 1, network: null },
  cpu4x: { cpu: 4, network: null },
  slow4g: { cpu: 4, network: { offline: false, latency: 150, downloadThroughput: (1.6 * 1024 * 1024) / 8, uploadThroughput: (750 * 1024) / 8 } },
};
// BENCH_PROFILES=slow4g (comma-separated) runs only those, for a quicker look.
const only = (process.env.BENCH_PROFILES || '').split(',').filter(Boolean);
const PROFILES = Object.fromEntries(Object.entries(ALL_PROFILES).filter(([name]) => !only.length || only.includes(name)));

// Injected before any page script, identical for every page: finds the Accept
// button (in our shadow root, in theirs, or static), and records when it is
// first visible and enabled, when fully opaque, and the long tasks.
const PROBE = (kind) => `(() => {
  const find = {
    ours: () => document.querySelector('consent-banner')?.shadowRoot?.querySelector('button[data-act=accept]'),
    theirs: () => document.querySelector('#cc-main button[data-role=all]'),
    static: () => document.querySelector('#static-banner button[data-act=accept]'),
    scripttag: () => document.querySelector('#static-banner button[data-act=accept]'),
  }[${JSON.stringify(kind)}];
  const b = (window.__bench = { longtasks: [], ready: null, opaque: null });
  try {
    new PerformanceObserver((l) => { for (const e of l.getEntries()) b.longtasks.push([e.startTime, e.duration]); }).observe({ type: 'longtask', buffered: true });
  } catch {}
  const opacity = (el) => {
    let o = 1;
    for (let n = el; n; n = n.parentElement || n.getRootNode()?.host) {
      const s = getComputedStyle(n);
      if (s.display === 'none' || s.visibility === 'hidden') return 0;
      o *= Number(s.opacity);
    }
    return o;
  };
  const tick = (t) => {
    const btn = find();
    if (btn && !btn.disabled) {
      const r = btn.getBoundingClientRect();
      const inView = r.width > 0 && r.height > 0 && r.bottom > 0 && r.top < innerHeight;
      const o = inView ? opacity(btn) : 0;
      if (o > 0 && b.ready === null) b.ready = performance.now();
      if (o >= 0.999 && b.opaque === null) b.opaque = performance.now();
    }
    if (b.opaque === null) requestAnimationFrame(tick);
    else if (window.__benchDone) window.__benchDone('');
  };
  requestAnimationFrame(tick);
})();`;

async function once(browser, kind, profile, reject) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
  if (profile.network) await cdp.send('Network.emulateNetworkConditions', profile.network);
  await cdp.send('Emulation.setCPUThrottlingRate', { rate: profile.cpu });
  await page.addInitScript({ content: PROBE(kind) });
  // The probe calls a binding once the banner is fully visible, so nothing of the
  // harness runs in the page while it loads: polling from here (waitForFunction)
  // would evaluate Playwright's helper script in the page mid-load, ~90 ms of main
  // thread at 4× CPU, landing on whichever page at a random moment.
  await cdp.send('Runtime.enable');
  await cdp.send('Runtime.addBinding', { name: '__benchDone' });
  const shown = new Promise((ok, fail) => {
    const timer = setTimeout(() => fail(new Error(`${kind}: no banner within 30 s`)), 30000);
    cdp.on('Runtime.bindingCalled', (e) => {
      if (e.name === '__benchDone') {
        clearTimeout(timer);
        ok();
      }
    });
  });
  await page.goto(base + PAGES[kind].path, { waitUntil: 'commit' });
  await shown;
  await page.waitForTimeout(500); // let long tasks right after the banner be reported
  const read = await cdp.send('Runtime.evaluate', {
    returnByValue: true,
    expression: `(() => {
      const b = window.__bench;
      const late = b.longtasks.filter(([start]) => start < b.opaque + 500);
      return { ready: b.ready, opaque: b.opaque, longtasks: late.length, tbt: late.reduce((s, [, d]) => s + Math.max(0, d - 50), 0) };
    })()`,
  });
  const m = read.result.value;
  if (PAGES[kind].cookie) {
    // Decision cost, alternating between the two buttons (one click per page load):
    // Accept all → consent cookie written and the gated script ran;
    // Reject all → consent cookie written and the banner gone (not visible).
    const act = reject ? 'reject' : 'accept';
    const t = await page.evaluate(async ({ ours, cookie, act }) => {
      const root = ours ? document.querySelector('consent-banner').shadowRoot : document;
      const sel = ours ? `button[data-act=${act}]` : `#cc-main button[data-role=${act === 'accept' ? 'all' : 'necessary'}]`;
      const btn = root.querySelector(sel);
      const gone = () => {
        const b = root.querySelector(sel);
        if (!b || !b.isConnected) return true;
        for (let n = b; n; n = n.parentElement || n.getRootNode()?.host) {
          const st = getComputedStyle(n);
          if (st.display === 'none' || st.visibility === 'hidden' || Number(st.opacity) === 0) return true;
        }
        return b.getBoundingClientRect().width === 0;
      };
      const done = () => document.cookie.includes(cookie + '=') && (act === 'accept' ? !!window.__gated : gone());
      const t0 = performance.now();
      btn.click();
      while (!done()) {
        await new Promise((r) => setTimeout(r, 0));
        if (performance.now() - t0 > 10000) return null;
      }
      return performance.now() - t0;
    }, { ours: kind === 'ours', cookie: PAGES[kind].cookie, act });
    m[reject ? 'reject' : 'decision'] = t;
  }
  await context.close();
  return m;
}

function stats(values) {
  const v = values.filter((x) => typeof x === 'number').sort((a, b) => a - b);
  if (!v.length) return null;
  const q = (p) => v[Math.min(v.length - 1, Math.ceil(p * v.length) - 1)];
  return { median: q(0.5), p90: q(0.9), n: v.length };
}

const browser = await launchChromium();
const out = { chromium: browser.version(), runs: RUNS, profiles: {} };
for (const [name, profile] of Object.entries(PROFILES)) {
  const samples = Object.fromEntries(Object.keys(PAGES).map((k) => [k, []]));
  for (let round = 0; round <= RUNS; round++) {
    const order = Object.keys(PAGES);
    if (round % 2) order.reverse(); // alternate who goes first
    for (const kind of order) {
      const m = await once(browser, kind, profile, round % 2 === 1);
      if (round > 0) samples[kind].push(m); // round 0 is the warm-up
    }
  }
  out.profiles[name] = Object.fromEntries(
    Object.entries(samples).map(([kind, ms]) => [kind, {
      ready: stats(ms.map((m) => m.ready)),
      opaque: stats(ms.map((m) => m.opaque)),
      tbt: stats(ms.map((m) => m.tbt)),
      decision: stats(ms.map((m) => m.decision)),
      reject: stats(ms.map((m) => m.reject)),
      longtasks: stats(ms.map((m) => m.longtasks)),
    }]),
  );
  process.stderr.write(`profile ${name}: done\n`);
}
await browser.close();
console.log(JSON.stringify(out));
