// The consent widget's loader: the one script tag a site adds. (Source; `cargo xtask
// build` minifies it into www/consent/consent.js, which pages load.)
//   <script src="/consent/consent.js" data-config="/consent/config.json" defer></script>
// Two stages. First, config.json and the first layer (first.wasm, a few KB) load
// in parallel; the first layer reads the consent cookie, picks the language and,
// when the visitor has not decided, draws the banner through the DOM helper below
// and stores a click on "Accept all" / "Reject all" at once. Then the full widget
// (pkg/, with details.json) loads, takes the banner over and replays that click.
// If anything fails the page keeps working and the console says why.
// `window.Consent` exists at once; calls made before the widget runs are queued.
(function () {
  var me = document.currentScript;
  if (!me || window.__consentWidget) return; // included twice: the first one wins
  window.__consentWidget = true;
  var queue = [];
  var api = (window.Consent = window.Consent || {});
  // Commands wait in the queue until the widget runs; queries answer "no consent yet".
  var commands = ['show', 'hide', 'showPreferences', 'showPolicy', 'acceptCategories', 'reset'];
  commands.forEach(function (m) {
    api[m] = function () {
      queue.push([m, arguments]);
    };
  });
  api.accepted = function () {
    return false;
  };
  api.getConsent = function () {
    return null;
  };
  var fail = function (why) {
    console.warn('[consent] widget not started: ' + why);
  };
  if (typeof WebAssembly != 'object' || !WebAssembly.instantiateStreaming) return fail('this browser cannot stream WebAssembly');
  var base = new URL('.', me.src);
  var at = function (path, from) {
    return new URL(path, from || base).href;
  };
  var load = function (url) {
    return fetch(url).then(function (r) {
      if (!r.ok) throw new Error(url + ' answered ' + r.status);
      return r.json();
    });
  };
  var configUrl = at(me.getAttribute('data-config') || 'config.json');
  var cfg, w, host, texts, nodes;
  var early; // the first layer's button clicked before the full widget took over
  var full; // 1: the full widget has taken over; 0: it failed to load
  var decoder = new TextDecoder();
  var str = function (p, n) {
    return decoder.decode(new Uint8Array(w.memory.buffer, p, n));
  };
  var pick = function (o, k) {
    return o && typeof o == 'object' ? o[k] : undefined;
  };
  // The first layer's imports: the DOM helper (text only, never HTML), cookie, clock, randomness.
  var c = {
    host: function (css, cn, lang, ln) {
      var sheet = new CSSStyleSheet();
      sheet.replaceSync(str(css, cn));
      host = document.createElement('consent-banner');
      nodes = [host.attachShadow({ mode: 'open' })];
      nodes[0].adoptedStyleSheets = [sheet];
      texts = [pick(cfg.texts, str(lang, ln)), pick(cfg.texts, cfg.defaultLang)];
    },
    el: function (p, t, n) {
      return nodes.push(nodes[p].appendChild(document.createElement(str(t, n)))) - 1;
    },
    at: function (i, a, an, v, vn) {
      nodes[i].setAttribute(str(a, an), str(v, vn));
    },
    cl: function (i, s, n) {
      nodes[i].classList.add(str(s, n));
    },
    tx: function (i, s, n, key) {
      s = str(s, n);
      var t = key ? pick(texts[0], s) : s;
      nodes[i].append(String(t == null ? pick(texts[1], s) || '' : t));
    },
    ck: function (p, n) {
      document.cookie = str(p, n);
    },
    rnd: function (p, n) {
      crypto.getRandomValues(new Uint8Array(w.memory.buffer, p, n));
    },
    now: Date.now,
    err: function (p, n) {
      throw new Error(configUrl + ': field `' + str(p, n) + '` is missing or has the wrong type');
    },
  };
  // Gives the first layer its values (the slots are listed in first_layer/src/entry.rs), each ended by a NUL.
  var put = function (values) {
    var v = new TextEncoder().encode(
      values
        .map(function (x) {
          return (x == null ? '' : String(x)).replace(/\0/g, '') + '\0';
        })
        .join(''),
    );
    var p = w.mem(v.length);
    new Uint8Array(w.memory.buffer, p, v.length).set(v);
    w.put(p, v.length);
  };
  var list = function (a, f) {
    return Array.isArray(a) ? a.map(f).join(' ') : null;
  };
  Promise.all([load(configUrl), WebAssembly.instantiateStreaming(fetch(at('first.wasm')), { c: c })])
    .then(function (x) {
      cfg = x[0] || {};
      w = x[1].instance.exports;
      // Google Consent Mode: the default before the banner and before any gated tag.
      if (cfg.consentDefault && typeof cfg.consentDefault == 'object') (window.dataLayer = window.dataLayer || []).push(['consent', 'default', cfg.consentDefault]);
      var k = cfg.cookie || {};
      put([
        document.cookie, k.name, cfg.revision, k.maxAgeDays, k.session ? 1 : '', k.domain,
        list(cfg.langs, String), cfg.defaultLang, document.documentElement.lang, navigator.language,
        cfg.policyUrl, cfg.layout, cfg.theme, cfg.gpc !== false && navigator.globalPrivacyControl === true ? 1 : '',
        list(cfg.categories, function (y) {
          return pick(y, 'id') + (pick(y, 'required') ? '!' : '') + (pick(y, 'gpc') ? '~' : '');
        }),
        location.protocol == 'https:' ? 1 : '',
      ]);
      if (w.start() == 1) return widget();
      // First in the body: keyboard users reach it first; fixed, so nothing shifts.
      document.body.prepend(host);
      nodes[0].addEventListener('click', function (e) {
        var b = !full && e.target.closest('[data-act]');
        if (!b || (full === 0 && b.getAttribute('data-act') == 'policy')) return; // no viewer coming: a link is a link
        e.preventDefault();
        early = b.getAttribute('data-act');
        if (early == 'accept' || early == 'reject') {
          w.decide(early == 'accept' ? 1 : 0);
          host.remove();
        }
      });
      // The rest of the widget once the banner is painted.
      requestAnimationFrame(function () {
        setTimeout(widget);
      });
    })
    .catch(function (e) {
      fail((e && e.message) || e);
    });

  // The full widget: preferences, policy viewer, scripts, events, API.
  function widget() {
    var details = at(cfg.details || 'details.json', configUrl);
    Promise.all([import(at('pkg/consent_widget.js')), WebAssembly.compileStreaming(fetch(at('pkg/consent_widget_bg.wasm'))), load(details)])
      .then(function (x) {
        x[0].initSync({ module: x[1] });
        full = 1;
        var h = x[0].start(merge(x[2], cfg), early);
        // Each method with its argument as the widget takes it.
        var as = {
          showPolicy: function (section) { return section == null ? undefined : String(section); },
          acceptCategories: function (list) { return Array.from(list || [], String); },
          accepted: String,
        };
        commands.concat('accepted', 'getConsent').forEach(function (m) {
          api[m] = function (arg) {
            return h[m](as[m] ? as[m](arg) : undefined);
          };
        });
        queue.forEach(function (call) {
          api[call[0]].apply(api, call[1]);
        });
        queue = [];
      })
      .catch(function (e) {
        fail((e && e.message) || e);
        // The first layer keeps working alone; a policy link it held back is followed after all.
        full = 0;
        if (early == 'policy') location.href = cfg.policyUrl;
      });
  }

  // `from` over `into`, objects and lists item by item (config.json wins over details.json).
  function merge(into, from) {
    Object.keys(from).forEach(function (k) {
      var a = into[k], b = from[k];
      if (k != '__proto__') into[k] = a && b && typeof a == 'object' && typeof b == 'object' ? merge(a, b) : b;
    });
    return into;
  }
})();
