// The TCF / GPP CMP's JavaScript half, loaded by the full widget of `[tcf]`
// and `[gpp]` sites only (bundled with the glue of `cmp/`, the Rust half,
// into pkg/cmp.js by `cargo xtask build`). It replaces the IAB `__tcfapi` and
// `__gpp` stubs baked before the loader: the calls queued there are answered in order, then every call at
// once; the stub's postMessage relay calls `window.__tcfapi`, so frames get
// the same answers. The widget tells it when the banner shows (`cmpuishown`)
// and each decision (`useractioncomplete`, with the new TC string stored);
// the TC string, TCData and the rules behind them are made in Rust.
import { initSync, Cmp, Us, language } from '../consent/pkg/consent_cmp.js';

const w = window;

/**
 * Starts the CMP from its compiled `module` with the site's TCF and GPP
 * settings (`config.tcf`, `config.gpp`, from details.json, URLs resolved) and
 * the widget's `config` (languages, cookie rules). Resolves to the widget's
 * `framework`: `shown()`, `preferences(root)`, `decided(categories, all,
 * lang)`, `reset()`, `strings()` and `started(consent)`.
 */
export default function start(module, config) {
  initSync({ module });
  const tcf = config.tcf;
  const gpp = config.gpp || null;
  const us = gpp && gpp.usnat ? new Us(gpp.usnat, navigator.globalPrivacyControl === true) : null;
  const cookie = config.cookie || {};
  if (!tcf) return Promise.resolve(install(null, null, cookie, null, us, gpp));
  const langs = Object.keys(tcf.lists);
  const lang = language(langs, document.documentElement.lang || '', navigator.language || '', config.defaultLang || langs[0]);
  return fetch(tcf.lists[lang])
    .then((r) => {
      if (!r.ok) throw new Error('vendor list: HTTP ' + r.status);
      return r.json();
    })
    .then((list) => install(new Cmp(tcf, list), list, cookie, layers(tcf, lang), us, gpp));
}

// What a stack's toggle stands for: the purposes and special features under it.
const MEMBERS = 'ul input[data-p],ul input[data-sf]';

// The TCF layers' own styles, beside the widget's in the banner's shadow root.
const CSS =
  '.tcf{margin:0 0 14px}.tcf h3{font-size:16px;margin:16px 0 6px}' +
  '.tcf-list{margin:0;padding:0;list-style:none;border-top:1px solid var(--line)}' +
  '.tcf-list li{padding:8px 0;border-bottom:1px solid var(--line)}.tcf-list .tcf-list{border:0}' +
  '.tcf label{display:flex;gap:10px;align-items:center;font-weight:600}' +
  '.tcf label.object,.tcf label.all{font-weight:400;font-size:14px;margin:6px 0 0;margin-inline-start:30px}.tcf label.all{margin:0 0 8px}' +
  '.tcf input{flex:none;width:20px;height:20px;margin:0;accent-color:var(--accent)}' +
  '.tcf small{display:block;margin:4px 0 0;margin-inline-start:30px;color:var(--muted)}.tcf details p{margin:4px 0}.tcf .links a{margin-inline-end:12px}';

/**
 * The TCF layers of the preferences (built in Rust by `cmp.render`): put in
 * the banner's shadow `root` when the preferences first open there, their
 * toggles kept in step (a stack and its purposes, "every partner" and each,
 * a category and its purposes), a partner's details built when unfolded.
 */
function layers(tcf, lang) {
  const texts = (tcf.texts || {})[lang] || {};
  let section = null;
  let act = null; // the banner button the visitor last pressed
  // A box standing for several: ticked when all are, half-ticked when some are.
  const mirror = (box, kids) => {
    box.checked = kids.length > 0 && kids.every((k) => k.checked);
    box.indeterminate = !box.checked && kids.some((k) => k.checked);
  };
  // Each box standing for others shows them; a category is accepted when
  // every purpose it stands for is, so gating follows the TCF choice.
  const sync = (root) => {
    for (const box of section.querySelectorAll('input[data-allv]')) mirror(box, [...section.querySelectorAll('input[data-v]')]);
    for (const box of section.querySelectorAll('input[data-stack]')) mirror(box, [...box.closest('li').querySelectorAll(MEMBERS)]);
    for (const [cat, ps] of Object.entries(tcf.categories || {})) {
      const box = root && root.querySelector('input[data-cat="' + cat + '"]:not([disabled])');
      const kids = ps.flatMap((p) => [...section.querySelectorAll('input[data-p="' + p + '"]')]);
      if (box && kids.length) box.checked = kids.every((k) => k.checked);
    }
  };
  const changed = (e, gvl) => {
    const t = e.target;
    const d = (t && t.dataset) || {};
    const set = (selector, on) => section.querySelectorAll(selector).forEach((k) => (k.checked = on));
    if (d.stack) t.closest('li').querySelectorAll(MEMBERS).forEach((k) => (k.checked = t.checked));
    else if (d.allv != null) set('input[data-v]', t.checked);
    else if (d.cat && tcf.categories && tcf.categories[d.cat]) {
      // A category switched on switches on its purposes and the partners that need one.
      const ps = tcf.categories[d.cat];
      for (const p of ps) set('input[data-p="' + p + '"]', t.checked);
      if (t.checked)
        for (const k of section.querySelectorAll('input[data-v]')) {
          const v = gvl.vendors[k.dataset.v] || {};
          if ((v.purposes || []).concat(v.flexiblePurposes || []).some((p) => ps.includes(p))) k.checked = true;
        }
    }
    if (section.isConnected) sync(t.getRootNode());
  };
  return {
    open(cmp, gvl, root) {
      if (root.querySelector('section.tcf')) return;
      const row = root.querySelector('.cc > .row');
      if (!row) return;
      section = document.createElement('section');
      section.className = 'tcf';
      section.setAttribute('data-prefs', '');
      row.before(section);
      const sheet = new CSSStyleSheet();
      sheet.replaceSync(CSS);
      root.adoptedStyleSheets = [...root.adoptedStyleSheets, sheet];
      cmp.render(section, texts);
      sync();
      root.addEventListener('change', (e) => changed(e, gvl));
      root.addEventListener('click', (e) => {
        const b = e.target && e.target.closest && e.target.closest('[data-act]');
        act = b ? b.getAttribute('data-act') : act;
      }, true);
      section.addEventListener('toggle', (e) => {
        const d = e.target;
        if (d.open && d.dataset && d.dataset.vd) cmp.vendorDetails(d, Number(d.dataset.vd), texts, lang);
      }, true);
    },
    // The layers to read the decision from: when "Save choices" was pressed under them.
    saved() {
      const from = act == 'save' && section && section.isConnected ? section : null;
      act = null;
      return from;
    },
  };
}

function readCookie(name) {
  for (const part of document.cookie.split(';')) {
    const i = part.indexOf('=');
    if (part.slice(0, i).trim() == name) return part.slice(i + 1).trim();
  }
  return '';
}

const AC_COOKIE = 'addtl_consent';

/**
 * The framework the widget drives: the TCF CMP (`cmp`, with its list `gvl`
 * and layers `ui`; absent on a `[gpp]` site without `[tcf]`) and the GPP
 * `usnat` section (`us`, absent without `[gpp.usnat]`) behind `__gpp`.
 */
function install(cmp, gvl, cookie, ui, us, gppConfig) {
  let shown = false;
  const tcf = cmp ? tcfApi(cmp, gvl, cookie, () => shown) : null;
  const gpp = gppApi(cmp, us, gppConfig, () => shown);
  const changed = () => {
    if (cmp) gpp.event('sectionChange', 'tcfeuv2');
    if (us) gpp.event('sectionChange', 'usnat');
  };
  return {
    current: tcf ? tcf.current : true,
    shown() {
      shown = true;
      if (tcf) tcf.shown();
      gpp.event('cmpDisplayStatus', 'visible');
    },
    // The preferences opened in the banner's shadow `root`: the TCF layers go in.
    preferences(root) {
      if (ui) ui.open(cmp, gvl, root);
    },
    decided(categories, all, lang) {
      gpp.event('signalStatus', 'not ready');
      if (us) us.decide(categories);
      if (tcf) tcf.decided(categories, all, lang, ui && ui.saved());
      shown = false;
      if (tcf) tcf.notify();
      gpp.event('cmpDisplayStatus', 'hidden');
      changed();
      gpp.event('signalStatus', 'ready');
    },
    // `Consent.reset()`: the strings go with the decision.
    reset() {
      if (tcf) tcf.reset();
      if (us) us.decide(null);
      changed();
    },
    // The TCF strings in force, for the decision's record (none before a decision).
    strings: () => (cmp && cmp.tcString ? [cmp.tcString, cmp.addtlConsent] : null),
    // The widget has started (`consent`: the decision in force): the queued calls are answered in the order they came.
    started(consent) {
      if (us && consent) us.decide(consent.categories);
      if (tcf) tcf.started();
      gpp.started();
    },
  };
}

// `__tcfapi` (TCF v2.3) over the CMP: takes the stub's queue over, answers it
// in order once the widget has started, keeps the listeners, writes the cookies.
function tcfApi(cmp, gvl, cookie, visible) {
  const stubQueue = typeof w.__tcfapi == 'function' ? w.__tcfapi() || [] : [];
  const current = cmp.resume(readCookie(cmp.cookie), readCookie(AC_COOKIE));
  let eventStatus = current ? 'tcloaded' : 'cmpuishown';
  let loaded = false; // the widget has started: the banner's state is known
  const listeners = new Map();
  let nextListener = 1;

  const data = (listenerId, vendorIds) =>
    Object.assign(cmp.tcData(vendorIds), { gdprApplies: true, eventStatus, cmpStatus: 'loaded', listenerId });
  // Whether listeners have something to hear: a TC string, or the banner up.
  const ready = () => visible() || cmp.tcString != '';
  const notify = () => {
    if (loaded && ready()) for (const [id, cb] of listeners) cb(data(id), true);
  };
  const ping = () => ({
    gdprApplies: true,
    cmpLoaded: true,
    cmpStatus: 'loaded',
    displayStatus: visible() ? 'visible' : 'hidden',
    apiVersion: '2.3',
    cmpVersion: data().cmpVersion,
    cmpId: data().cmpId,
    gvlVersion: cmp.gvlVersion,
    tcfPolicyVersion: data().tcfPolicyVersion,
  });
  const ids = (p) => (Array.isArray(p) ? p.filter((v) => Number.isInteger(v) && v > 0 && v < 65536) : undefined);
  const commands = {
    ping: (cb) => cb(ping(), true),
    getTCData: (cb, p) => cb(data(undefined, ids(p)), true),
    addEventListener: (cb) => {
      const id = nextListener++;
      listeners.set(id, cb);
      if (ready()) cb(data(id), true);
    },
    removeEventListener: (cb, id) => cb(listeners.delete(id), true),
    getVendorList: (cb, v) => (v == null || v === 'LATEST' || v == gvl.vendorListVersion ? cb(gvl, true) : cb(null, false)),
  };
  const call = (command, version, cb, parameter) => {
    if (typeof cb != 'function') return;
    const run = commands[command];
    // Version 2 (or none: the latest) only; `ping` answers whatever is asked.
    if (!run || (command != 'ping' && version != null && version !== 0 && version !== 2)) return cb(null, false);
    run(cb, parameter);
  };
  const waiting = [];
  w.__tcfapi = function (command, version, cb, parameter) {
    if (!arguments.length) return waiting;
    if (loaded) call(command, version, cb, parameter);
    else waiting.push([command, version, cb, parameter]);
  };
  waiting.push(...stubQueue.splice(0));

  const line = (name, value, gone) => {
    const age = gone ? '; Max-Age=0' : cookie.session ? '' : '; Max-Age=' + (cookie.maxAgeDays || 0) * 86400;
    const domain = cookie.domain ? '; Domain=' + cookie.domain : '';
    const secure = location.protocol == 'https:' ? '; Secure' : '';
    document.cookie = name + '=' + value + '; Path=/' + age + domain + '; SameSite=Lax' + secure;
  };
  return {
    current,
    notify,
    shown() {
      eventStatus = 'cmpuishown';
      notify();
    },
    // `saved`: the TCF layers, when "Save choices" was pressed under them.
    decided(categories, all, lang, saved) {
      if (saved) cmp.decideFrom(saved, lang, Date.now());
      else cmp.decide(categories, all, lang, Date.now());
      line(cmp.cookie, cmp.tcString);
      line(AC_COOKIE, cmp.addtlConsent);
      eventStatus = 'useractioncomplete';
    },
    reset() {
      cmp.resume('', '');
      line(cmp.cookie, '', true);
      line(AC_COOKIE, '', true);
    },
    started() {
      loaded = true;
      for (const c of waiting.splice(0)) call(...c);
    },
  };
}

// `__gpp` (GPP 1.1): the `tcfeuv2` section of the CMP's decision and the
// `usnat` section. Takes the stub's queue and listeners over; answers in
// order once the widget has started.
function gppApi(cmp, us, config, visible) {
  const stubQueue = typeof w.__gpp == 'function' ? w.__gpp() || [] : [];
  const listeners = new Map();
  for (const l of (w.__gpp && w.__gpp.listeners) || []) if (l) listeners.set(l.listenerId, l.callback);
  let nextListener = listeners.size ? Math.max(...listeners.keys()) + 1 : 1;
  let loaded = false;
  const section = (name) => (name == 'tcfeuv2' && cmp && cmp.tcString ? cmp.gppSection(name) : name == 'usnat' && us ? us.section() : null);
  const sections = () => ['tcfeuv2', 'usnat'].filter((n) => section(n));
  const string = () => (us ? us.gppString(cmp ? cmp.tcString : '') : cmp.gppString);
  const ping = () => ({
    gppVersion: '1.1',
    cmpStatus: loaded ? 'loaded' : 'stub',
    cmpDisplayStatus: visible() ? 'visible' : 'hidden',
    signalStatus: loaded && !visible() ? 'ready' : 'not ready',
    supportedAPIs: (cmp ? ['2:tcfeuv2'] : []).concat(us ? ['7:usnat'] : []),
    cmpId: cmp ? cmp.cmpId : config.cmpId,
    sectionList: sections().map((n) => (n == 'tcfeuv2' ? 2 : 7)),
    applicableSections: config ? config.applicableSections : [2],
    gppString: string(),
    parsedSections: Object.fromEntries(sections().map((n) => [n, section(n)])),
  });
  const event = (eventName, data, only) => {
    if (!loaded) return;
    for (const [listenerId, cb] of listeners) if (only == null || only == listenerId) cb({ eventName, listenerId, data, pingData: ping() }, true);
  };
  const field = (path) => {
    const [name, key] = String(path).split('.');
    const s = section(name);
    return s && key in s ? s[key] : null;
  };
  const commands = {
    ping: (cb) => cb(ping(), true),
    addEventListener: (cb) => {
      const id = nextListener++;
      listeners.set(id, cb);
      event('listenerRegistered', true, id);
    },
    removeEventListener: (cb, id) => {
      const removed = listeners.delete(id);
      cb({ eventName: 'listenerRemoved', listenerId: id, data: removed, pingData: ping() }, true);
    },
    hasSection: (cb, name) => cb(sections().includes(name), true),
    getSection: (cb, name) => cb(section(String(name)), true),
    getField: (cb, path) => cb(field(path), true),
  };
  const call = (command, cb, parameter) => {
    if (typeof cb != 'function') return;
    const run = commands[command];
    if (!run) return cb(null, false);
    run(cb, parameter);
  };
  const waiting = stubQueue.splice(0);
  w.__gpp = function (command, cb, parameter, version) {
    if (!arguments.length) return waiting;
    if (loaded) call(command, cb, parameter);
    else waiting.push([command, cb, parameter, version]);
  };
  return {
    event,
    started() {
      loaded = true;
      event('cmpStatus', 'loaded');
      if (!visible()) event('signalStatus', 'ready');
      for (const c of waiting.splice(0)) call(c[0], c[1], c[2]);
    },
  };
}
