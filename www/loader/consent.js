// The consent widget's loader: the one script tag a site adds. (Source; `cargo xtask
// build` minifies it into www/consent/loader.template.js, and the server bakes that,
// with each site's config and the first layer inside, into /s/<site>/consent.js:
// see bundle/src/loader.rs.)
//   <script src="https://consent.example.net/s/<site>/consent.js" defer></script>
// Two stages. First, the first layer (a few KB of Wasm, in this file) reads the
// consent cookie, picks the language and, when the visitor has not decided, draws
// the banner through the DOM helper below and stores a click on "Accept all" /
// "Reject all" at once: no request before the banner. Then the full widget (pkg/,
// with details.json) loads, takes the banner over and replays that click.
// `data-config="…"` on the tag loads another config instead of the baked one.
// If anything fails the page keeps working and the console says why.
// `window.Consent` exists at once; calls made before the widget runs are queued.
(() => {
  const me = document.currentScript;
  if (!me || window.__consentWidget) return; // included twice: the first one wins
  window.__consentWidget = true;
  const queue = [];
  const api = (window.Consent = window.Consent || {});
  // Commands wait in the queue until the widget runs; queries answer "no consent yet".
  const commands = ['show', 'hide', 'showPreferences', 'showPolicy', 'acceptCategories', 'reset'];
  for (const m of commands)
    api[m] = (...args) => {
      queue.push([m, args]);
    };
  api.accepted = () => false;
  api.getConsent = () => null;
  const fail = (e) => console.warn('[consent] widget not started: ' + ((e && e.message) || e));
  const at = (path, from = me.src) => new URL(path, from).href;
  const load = (url) =>
    fetch(url).then((r) => {
      if (!r.ok) throw new Error(url + ' answered ' + r.status);
      return r.json();
    });
  const other = me.getAttribute('data-config');
  const configUrl = other ? at(other) : me.src; // details.json is found beside it
  const baked = __CONFIG__; // the site's config, and where the widget's code is (`pkg`)
  let cfg, w, host, texts, nodes;
  let early; // the first layer's button clicked before the full widget took over
  let full; // 1: the full widget has taken over; 0: it failed to load
  const decoder = new TextDecoder();
  const str = (p, n) => decoder.decode(new Uint8Array(w.memory.buffer, p, n));
  const pick = (o, k) => (o && typeof o == 'object' ? o[k] : undefined);
  // The first layer's imports: the DOM helper (text only, never HTML), cookie, clock, randomness.
  const c = {
    host(css, cn, lang, ln) {
      const sheet = new CSSStyleSheet();
      sheet.replaceSync(str(css, cn) + (cfg.css || '')); // an A/B variant's button styles
      host = document.createElement('consent-banner');
      nodes = [host.attachShadow({ mode: 'open' })];
      nodes[0].adoptedStyleSheets = [sheet];
      texts = [pick(cfg.texts, str(lang, ln)), pick(cfg.texts, cfg.defaultLang)];
    },
    el: (p, t, n) => nodes.push(nodes[p].appendChild(document.createElement(str(t, n)))) - 1,
    at: (i, a, an, v, vn) => nodes[i].setAttribute(str(a, an), str(v, vn)),
    cl: (i, s, n) => nodes[i].classList.add(str(s, n)),
    tx(i, s, n, key) {
      s = str(s, n);
      const t = key ? pick(texts[0], s) : s;
      nodes[i].append(String(t == null ? pick(texts[1], s) || '' : t));
    },
    ck: (p, n) => (document.cookie = str(p, n)),
    rnd: (p, n) => crypto.getRandomValues(new Uint8Array(w.memory.buffer, p, n)),
    now: Date.now,
    err(p, n) {
      throw new Error(configUrl + ': config field `' + str(p, n) + '` is missing or has the wrong type');
    },
  };
  // Gives the first layer its values, each ended by a NUL: one per slot of
  // first_layer/src/slot.rs, named by its comment (a test checks the two agree).
  const put = (values) => {
    const v = new TextEncoder().encode(values.map((x) => (x == null ? '' : String(x)).replace(/\0/g, '') + '\0').join(''));
    const p = w.mem(v.length);
    new Uint8Array(w.memory.buffer, p, v.length).set(v);
    w.put(p, v.length);
  };
  const list = (a, f) => (Array.isArray(a) ? a.map(f).join(' ') : null);
  // The first layer, one character per byte (bake.mjs), back to bytes natively where
  // the browser can; compiled at once, as it is small.
  const first = () => {
    const s = __FIRST__;
    const b = Uint8Array.fromBase64 ? Uint8Array.fromBase64(btoa(s)) : Uint8Array.from(s, (x) => x.charCodeAt(0));
    return new WebAssembly.Instance(new WebAssembly.Module(b), { c }).exports;
  };
  // The baked config takes no request; another one does. Either way the first layer
  // runs in a task of its own, not in the one that ends the page's parsing (with its
  // DOMContentLoaded and load handlers): neither becomes a long task.
  (other ? load(configUrl) : new Promise((ok) => setTimeout(ok, 0, baked)))
    .then((x) => {
      w = first();
      cfg = x || {};
      // Google Consent Mode: the default before the banner and before any gated tag,
      // then the site's `set` fields. Google's tags read a dataLayer entry as a
      // command only when it is an `arguments` object, as gtag() pushes it.
      const d = cfg.consentDefault;
      const gtag = function () {
        window.dataLayer.push(arguments);
      };
      if (d) {
        window.dataLayer = window.dataLayer || [];
        gtag('consent', 'default', d);
        for (const k in cfg.consentSet) gtag('set', k, cfg.consentSet[k]);
      }
      const k = cfg.cookie || {};
      put([
        /* Cookies */ document.cookie,
        /* CookieName */ k.name,
        /* Revision */ cfg.revision,
        /* MaxAgeDays */ k.maxAgeDays,
        /* Session */ k.session ? 1 : '',
        /* Domain */ k.domain,
        /* Langs */ list(cfg.langs, String),
        /* DefaultLang */ cfg.defaultLang,
        /* PageLang */ document.documentElement.lang,
        /* BrowserLang */ navigator.language,
        /* PolicyUrl */ cfg.policyUrl,
        /* Layout */ cfg.layout,
        /* Theme */ cfg.theme,
        /* Gpc */ cfg.gpc !== false && navigator.globalPrivacyControl === true ? 1 : '',
        /* Categories */ list(cfg.categories, (y) => pick(y, 'id') + (pick(y, 'required') ? '!' : '') + (pick(y, 'gpc') ? '~' : '')),
        /* Https */ location.protocol == 'https:' ? 1 : '',
        /* Order */ cfg.order,
      ]);
      // Decided already, or a region where the banner does not ask first (`mode`: the
      // full widget shows the opt-out notice, or nothing).
      if (cfg.mode || w.start() == 1) return widget();
      // First in the body: keyboard users reach it first; fixed, so nothing shifts.
      // (A tag without `defer` in the head runs before there is a body.)
      const show = () => document.body.prepend(host);
      if (document.body) show();
      else document.addEventListener('DOMContentLoaded', show);
      nodes[0].addEventListener('click', (e) => {
        const b = !full && e.target.closest('[data-act]');
        if (!b || (full === 0 && b.getAttribute('data-act') == 'policy')) return; // no viewer coming: a link is a link
        e.preventDefault();
        early = b.getAttribute('data-act');
        if (early == 'accept' || early == 'reject') {
          w.decide(early == 'accept' ? 1 : 0);
          host.remove();
          // Until the full widget records it, on this page or, if this one is left
          // first, on a later one (it removes the key: src/outbox.rs, UNREPORTED_KEY).
          try {
            localStorage.setItem('cc_unreported', early + ' ' + location.pathname);
          } catch (e) {}
        }
      });
      // The rest of the widget once the banner is painted.
      requestAnimationFrame(() => setTimeout(widget));
    })
    .catch(fail);

  // The full widget: preferences, policy viewer, scripts, events, API (pkg/widget.js starts it).
  function widget() {
    // The code is shared by every site (`pkg`, on the consent server; the loader's own
    // unless a `data-config` names another); the details are the site's.
    const pkg = cfg.pkg || baked.pkg || 'pkg/';
    Promise.all([import(at(pkg + 'widget.js')), WebAssembly.compileStreaming(fetch(at(pkg + 'consent_widget_bg.wasm'))), load(at(cfg.details || 'details.json', configUrl))])
      .then((x) => {
        full = 1;
        x[0].default(x[1], x[2], cfg, early, api, queue, commands, me.nonce, configUrl);
      })
      .catch((e) => {
        fail(e);
        // The first layer keeps working alone; a policy link it held back is followed after all.
        full = 0;
        if (early == 'policy') location.href = cfg.policyUrl;
      });
  }
})();
