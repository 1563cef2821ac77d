// Bakes a loader for the browser tests' fixtures: www/loader/consent.js, minified,
// with a config.json and the first layer (first.wasm) inside. The served loaders
// are baked the same way, without Node, by `consent_bundle::loader` (from the
// template `cargo xtask build` makes).
//   node www/loader/bake.mjs www/consent
// The browser tests call `bake()` after they edit a config.json.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { buildSync } from 'esbuild';

const SOURCE = join(import.meta.dirname, 'consent.js');

/** Writes `dir`/`out` from the loader source, `dir`/`config` and `dir`/first.wasm. */
export function bake(dir, { config: configFile = 'config.json', out = 'consent.js' } = {}) {
  const config = readFileSync(join(dir, configFile), 'utf8');
  // A broken config.json fails here, named, not in a visitor's browser. As an object
  // literal, a "__proto__" key would set the prototype where JSON.parse makes a key.
  JSON.parse(config, (key, value) => {
    if (key === '__proto__') throw new Error(`${join(dir, configFile)}: the key "__proto__" is not allowed`);
    return value;
  });
  // One character per byte (U+0000–U+00FF), so gzip sees the bytes almost as they
  // are (base64 would cost 1.3 KB more); the loader turns them back into bytes.
  const wasm = readFileSync(join(dir, 'first.wasm'));
  const first = JSON.stringify(Array.from(wasm, (b) => String.fromCharCode(b)).join(''));
  const built = buildSync({
    entryPoints: [SOURCE],
    define: { __CONFIG__: config, __FIRST__: first },
    minify: true,
    format: 'iife', // the config becomes a variable: keep it out of the page's globals
    target: 'es2017',
    charset: 'utf8', // keep U+0080–U+00FF as they are (escaped, each would cost 4 bytes)
    write: false,
    logLevel: 'warning',
  });
  // The byte order mark makes browsers read the file as UTF-8 whatever the page's
  // encoding or the server's Content-Type say, so the first layer arrives intact.
  writeFileSync(join(dir, out), '\uFEFF' + built.outputFiles[0].text);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  if (!process.argv[2]) {
    console.error('usage: node www/loader/bake.mjs DIR  (DIR holds config.json and first.wasm)');
    process.exit(2);
  }
  bake(process.argv[2]);
}
