// Trunk post-build hook: writes the page's Content-Security-Policy into the
// staged index.html as a <meta> tag, with the SHA-256 of each inline script
// Trunk generated (the module loader of the app), so no other inline script
// can ever run. A debug build (trunk serve) also allows Trunk's live-reload
// script and its WebSocket. See docs/security.md.
import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';

const dir = process.env.TRUNK_STAGING_DIR;
if (!dir) throw new Error('csp.mjs runs as a Trunk post_build hook (TRUNK_STAGING_DIR is not set)');
const file = path.join(dir, 'index.html');
let html = fs.readFileSync(file, 'utf8');
const hashes = [...html.matchAll(/<script(?![^>]*\bsrc=)[^>]*>([\s\S]*?)<\/script>/g)]
  .map((m) => `'sha256-${crypto.createHash('sha256').update(m[1], 'utf8').digest('base64')}'`);
const debug = process.env.TRUNK_PROFILE === 'debug';
const policy = [
  "default-src 'none'",
  // The app's own files, WebAssembly compilation and the hashed loader.
  `script-src 'self' 'wasm-unsafe-eval' ${hashes.join(' ')}${debug ? " 'unsafe-inline'" : ''}`,
  // Workers start from a small blob: module that imports the app's own glue
  // and WebAssembly (the same module as the page); a module worker's imports
  // count as worker scripts, hence 'self'.
  "worker-src blob: 'self'",
  // fetch() only from this site: report bundles, reports/index.json, wasm.
  `connect-src 'self'${debug ? ' ws: wss:' : ''}`,
  "img-src 'self' data: blob:",
  "style-src 'self'",
  "font-src 'self'",
  "manifest-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
].join('; ');
const meta = `<meta http-equiv="Content-Security-Policy" content="${policy}" />`;
if (html.includes('http-equiv="Content-Security-Policy"')) throw new Error('index.html already has a CSP');
const at = html.indexOf('<meta charset="utf-8" />');
if (at < 0) throw new Error('index.html: <meta charset="utf-8" /> not found');
const end = at + '<meta charset="utf-8" />'.length;
html = `${html.slice(0, end)}\n  ${meta}${html.slice(end)}`;
fs.writeFileSync(file, html);
console.log(`csp.mjs: policy written with ${hashes.length} inline script hash(es)${debug ? ' (debug)' : ''}`);
