// Helpers for apps built with a bundler. The widget itself is never bundled: it
// is the one script tag the consent server serves (`/s/<site>/consent.js`), added
// here by `loadConsent`, so it behaves exactly as on any other page (the same
// `window.Consent`, its queue, its DOM events).

let loading;

/**
 * Adds the widget's script tag once (later calls return the same promise). It
 * resolves once the loader has run: `window.Consent` exists, and commands given
 * to it wait for the widget (they are queued and replayed, as on any page).
 * @param {string} src e.g. `https://consent.example.net/s/<site>/consent.js`
 * @param {{ nonce?: string }} [options] the page's CSP nonce, for scripts that wait for consent
 * @returns {Promise<void>}
 */
export function loadConsent(src, options = {}) {
  if (loading) return loading;
  loading = new Promise((resolve, reject) => {
    const s = document.createElement('script');
    s.src = src;
    s.defer = true;
    s.setAttribute('data-consent-loader', '');
    if (options.nonce) s.nonce = options.nonce;
    s.onload = () => resolve();
    s.onerror = () => reject(new Error('the consent widget did not load: ' + src));
    document.head.append(s);
  });
  return loading;
}

/**
 * The visitor's choice once it is known: a stored decision (`consent:ready`) or
 * a new one (`consent:change`).
 * @returns {Promise<{ accepted: string[], rejected: string[] }>}
 */
export function whenReady() {
  const known = current();
  if (known) return Promise.resolve(known);
  return new Promise((resolve) => {
    const done = (e) => {
      document.removeEventListener('consent:ready', done);
      document.removeEventListener('consent:change', done);
      resolve(e.detail);
    };
    document.addEventListener('consent:ready', done);
    document.addEventListener('consent:change', done);
  });
}

/**
 * Runs `fn` once `category` is accepted: now, if it is already, else when the
 * visitor accepts it. Returns a function that cancels the wait.
 * @param {string} category
 * @param {() => void} fn
 * @returns {() => void}
 */
export function onConsent(category, fn) {
  const known = current();
  if (known && known.accepted.includes(category)) {
    fn();
    return () => {};
  }
  const check = (e) => {
    if (e.detail && e.detail.accepted.includes(category)) {
      stop();
      fn();
    }
  };
  const stop = () => {
    document.removeEventListener('consent:ready', check);
    document.removeEventListener('consent:change', check);
  };
  document.addEventListener('consent:ready', check);
  document.addEventListener('consent:change', check);
  return stop;
}

/** The stored decision, if the widget runs and has one. */
function current() {
  const c = typeof window !== 'undefined' && window.Consent && window.Consent.getConsent && window.Consent.getConsent();
  if (!c) return null;
  const accepted = c.categories || [];
  return { accepted, rejected: [] };
}
