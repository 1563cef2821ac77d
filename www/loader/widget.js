// The full widget's start: bundled with wasm-bindgen's glue into pkg/widget.js by
// `cargo xtask build`. The loader (consent.js) imports it once the banner is up,
// so none of this is on the banner's critical path.
import { initSync, start } from '../consent/pkg/consent_widget.js';

// Each API method with its argument as the widget takes it.
const as = {
  showPolicy: (section) => (section == null ? undefined : String(section)),
  acceptCategories: (list) => Array.from(list || [], String),
  accepted: String,
};

/**
 * Starts the full widget from its compiled `module` with `details` (details.json)
 * under `config` (config.json wins), finishing the first layer's `early` click;
 * then serves `api`: its `commands`, called meanwhile and waiting in `queue`, and
 * the queries. `nonce` is the page's, as the loader's tag carried it: inert
 * scripts added later run only with it. The URLs in `details` are the consent
 * server's: they are resolved against `base` (where the config came from), not
 * against the page, which may be on another origin.
 */
export default function boot(module, details, config, early, api, queue, commands, nonce, base) {
  initSync({ module });
  if (base) resolveUrls(details, base);
  const merged = merge(details, config);
  const go = (framework) => {
    const widget = start(merged, early, nonce || '', framework);
    for (const m of commands.concat('accepted', 'getConsent')) {
      api[m] = (arg) => widget[m](as[m] ? as[m](arg) : undefined);
    }
    for (const [m, args] of queue.splice(0)) api[m](...args);
    if (framework) {
      // A TC string that is missing or out of date while the decision stands: ask again.
      if (!framework.current && widget.getConsent()) widget.show();
      framework.started(widget.getConsent());
    }
  };
  if (!merged.tcf && !merged.gpp) return go();

  // `[tcf]` and `[gpp]` sites only: the CMP (cmp.js and its Wasm, beside this
  // file) first, so that a decision replayed at the start gets its strings.
  const at = (name) => new URL((merged.pkg || 'pkg/') + name, base || location.href).href;
  // If it cannot start, the widget runs without it: vendors then hear nothing,
  // which is no consent, and the next page asks again.
  Promise.all([import(at('cmp.js')), WebAssembly.compileStreaming(fetch(at('consent_cmp_bg.wasm')))])
    .then(([cmp, wasm]) => cmp.default(wasm, merged))
    .then(go, (e) => {
      console.warn('[consent] TCF CMP not started: ' + ((e && e.message) || e));
      go();
    });
}

function resolveUrls(details, base) {
  const at = (u) => (typeof u == 'string' ? new URL(u, base).href : u);
  details.endpoint = at(details.endpoint);
  for (const k of ['policyDocs', 'policyPages']) {
    const m = details[k];
    if (m && typeof m == 'object') for (const l of Object.keys(m)) m[l] = at(m[l]);
  }
  const lists = details.tcf && details.tcf.lists;
  if (lists) for (const l of Object.keys(lists)) lists[l] = at(lists[l]);
}

// `from` over `into`, objects and lists item by item (config.json wins over details.json).
function merge(into, from) {
  for (const k of Object.keys(from)) {
    const a = into[k];
    const b = from[k];
    if (k != '__proto__') into[k] = a && b && typeof a == 'object' && typeof b == 'object' ? merge(a, b) : b;
  }
  return into;
}
