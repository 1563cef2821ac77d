// The IAB's `__tcfapi` stub (TCF v2.3 CMP API, sites with `[tcf]`) and
// `__gpp` stub (GPP 1.1, sites with `[tcf]` or `[gpp]`), baked before the
// loader of those sites only (`consent_server::bundles`),
// so a vendor's script can call them synchronously from the first byte of the
// page: `ping` answers at once; other calls wait in a queue the full CMP
// answers in order when it loads. Each adds its locator frame
// (`__tcfapiLocator`, `__gppLocator`) so scripts in iframes find it, and
// answers `__tcfapiCall` / `__gppCall` messages with `__tcfapiReturn` /
// `__gppReturn` to the frame that asked. `__CONSENT_TCF__` is replaced with
// the site's values (JSON: `tcf`, absent without `[tcf]`, and `gpp`) when the
// loader is baked.
((c) => {
  const w = window;
  if (w.__tcfapi || w.__gpp) return;
  const t = c.tcf;
  const g = c.gpp;
  const locator = (name) => {
    if (w.frames[name]) return;
    if (!document.body) {
      setTimeout(() => locator(name), 5);
      return;
    }
    const frame = document.createElement('iframe');
    frame.style.display = 'none';
    frame.name = name;
    frame.title = name;
    document.body.appendChild(frame);
  };
  // Answers `{<call>: {command, parameter, version, callId}}` messages (objects or JSON text).
  const relay = (callKey, returnKey, invoke) => {
    w.addEventListener('message', (event) => {
      let data = event.data;
      const text = typeof data === 'string';
      if (text) {
        try {
          data = JSON.parse(data);
        } catch (e) {
          return;
        }
      }
      const call = data && typeof data === 'object' && data[callKey];
      if (!call || typeof call !== 'object') return;
      invoke(call, (returnValue, success) => {
        let answer = { [returnKey]: { returnValue, success, callId: call.callId } };
        if (text) answer = JSON.stringify(answer);
        if (event.source && event.source.postMessage) event.source.postMessage(answer, '*');
      });
    });
  };

  if (t) {
    const tcfQueue = [];
    const tcfPing = () => ({
      gdprApplies: t.gdprApplies,
      cmpLoaded: false,
      cmpStatus: 'stub',
      displayStatus: 'hidden',
      apiVersion: '2.3',
      cmpVersion: t.cmpVersion,
      cmpId: t.cmpId,
      gvlVersion: t.gvlVersion,
      tcfPolicyVersion: t.tcfPolicyVersion,
    });
    w.__tcfapi = function (command, version, callback, parameter) {
      if (!arguments.length) return tcfQueue;
      if (command === 'ping') {
        if (typeof callback === 'function') callback(tcfPing(), true);
        return undefined;
      }
      tcfQueue.push([command, version, callback, parameter]);
      return undefined;
    };
    locator('__tcfapiLocator');
    relay('__tcfapiCall', '__tcfapiReturn', (call, answer) => w.__tcfapi(call.command, call.version, answer, call.parameter));
  }

  const gppQueue = [];
  const gppListeners = [];
  const gppPing = () => ({
    gppVersion: '1.1',
    cmpStatus: 'stub',
    cmpDisplayStatus: 'hidden',
    signalStatus: 'not ready',
    supportedAPIs: g.apis,
    cmpId: g.cmpId,
    sectionList: [],
    applicableSections: g.applicableSections,
    gppString: '',
    parsedSections: {},
  });
  w.__gpp = function (command, callback, parameter, version) {
    if (!arguments.length) return gppQueue;
    if (typeof callback !== 'function') return undefined;
    if (command === 'ping') {
      callback(gppPing(), true);
    } else if (command === 'addEventListener') {
      const listenerId = gppListeners.length + 1;
      gppListeners.push({ listenerId, callback });
      callback({ eventName: 'listenerRegistered', listenerId, data: true, pingData: gppPing() }, true);
    } else if (command === 'removeEventListener') {
      const found = gppListeners.findIndex((l) => l && l.listenerId === parameter);
      if (found >= 0) gppListeners[found] = null;
      callback({ eventName: 'listenerRemoved', listenerId: parameter, data: found >= 0, pingData: gppPing() }, true);
    } else {
      gppQueue.push([command, callback, parameter, version]);
    }
    return undefined;
  };
  // The full CMP takes the listeners over with the queue.
  w.__gpp.listeners = gppListeners;
  locator('__gppLocator');
  relay('__gppCall', '__gppReturn', (call, answer) => w.__gpp(call.command, answer, call.parameter, call.version));
})(__CONSENT_TCF__);
