// The consent widget's loader: the one script tag a site adds.
//   <script src="/consent/consent.js" data-config="/consent/config.json" defer></script>
// It fetches the config, the Wasm module (compiled while it streams) and its glue
// in parallel, then starts the widget. If anything fails the page keeps working
// and the console says why. `window.Consent` exists at once; calls made before
// the Wasm is ready are queued and replayed.
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
  api.accepted = function () { return false; };
  api.getConsent = function () { return null; };
  var fail = function (why) {
    console.warn('[consent] widget not started: ' + why);
  };
  if (typeof WebAssembly !== 'object' || typeof WebAssembly.compileStreaming !== 'function') {
    fail('this browser cannot stream WebAssembly');
    return;
  }
  var base = new URL('.', me.src);
  var at = function (path) { return new URL(path, base).href; };
  var config = fetch(new URL(me.getAttribute('data-config') || 'config.json', base).href).then(function (r) {
    if (!r.ok) throw new Error('config ' + r.url + ' answered ' + r.status);
    return r.json();
  });
  Promise.all([import(at('pkg/consent_widget.js')), WebAssembly.compileStreaming(fetch(at('pkg/consent_widget_bg.wasm'))), config])
    .then(function (x) {
      x[0].initSync({ module: x[1] });
      var h = x[0].start(x[2]);
      api.show = function () { h.show(); };
      api.hide = function () { h.hide(); };
      api.showPreferences = function () { h.showPreferences(); };
      api.showPolicy = function (section) { h.showPolicy(section == null ? undefined : String(section)); };
      api.acceptCategories = function (list) { h.acceptCategories(Array.from(list || [], String)); };
      api.reset = function () { h.reset(); };
      api.accepted = function (category) { return h.accepted(String(category)); };
      api.getConsent = function () { return h.getConsent(); };
      queue.forEach(function (call) {
        api[call[0]].apply(api, call[1]);
      });
      queue = [];
    })
    .catch(function (e) {
      fail((e && e.message) || e);
    });
})();
