// The consent widget's loader: the one script tag a site adds.
//   <script src="/consent/consent.js" data-config="/consent/config.json" defer></script>
// It fetches the config, the Wasm module (compiled while it streams) and its glue
// in parallel, then starts the widget. If anything fails the page keeps working
// and the console says why.
(function () {
  var me = document.currentScript;
  if (!me || window.__consentWidget) return; // included twice: the first one wins
  window.__consentWidget = true;
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
      x[0].start(x[2]);
    })
    .catch(function (e) {
      fail((e && e.message) || e);
    });
})();
