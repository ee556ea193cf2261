// Shared browser-test harness: serves dist/ on 127.0.0.1 and drives Debian's
// Chromium through playwright-core. Every page error is collected so a WASM
// start-up failure fails the test.
import http from 'node:http';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = path.dirname(fileURLToPath(import.meta.url));
export const root = path.resolve(here, '..');
export const dist = path.join(root, 'dist');

// Every folder a test makes (data, downloads, screenshots, Chromium
// profiles) lives under one scratch folder per test process, removed when
// the process exits: a 100x benchmark writes gigabytes, and runs add up on
// a shared disk. PUFFY_KEEP_TEMP=1 keeps it (its path is printed) for a
// look at the screenshots.
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'puffy-test-'));
process.on('exit', () => {
  if (process.env.PUFFY_KEEP_TEMP) {
    console.error(`kept test files in ${scratch}`);
  } else {
    fs.rmSync(scratch, { recursive: true, force: true, maxRetries: 3 });
  }
});

const TYPES = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.wasm': 'application/wasm',
  '.css': 'text/css', '.json': 'application/json', '.csv': 'text/csv', '.svg': 'image/svg+xml',
  '.png': 'image/png', '.zip': 'application/zip',
};

/** Serves `dir` on an ephemeral loopback port; resolves to { url, close }. */
export function serve(dir = dist) {
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, 'http://127.0.0.1');
    let file = path.join(dir, decodeURIComponent(url.pathname));
    if (!file.startsWith(dir)) { res.writeHead(403).end(); return; }
    if (fs.existsSync(file) && fs.statSync(file).isDirectory()) file = path.join(file, 'index.html');
    fs.readFile(file, (err, body) => {
      if (err) { res.writeHead(404).end('not found'); return; }
      res.writeHead(200, { 'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream' });
      res.end(body);
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => {
    const { port } = server.address();
    resolve({ url: `http://127.0.0.1:${port}/`, close: () => new Promise((r) => server.close(r)) });
  }));
}

/** Launches headless Chromium with the flags this machine needs. */
export async function launch() {
  const userDataDir = tempDir('puffy-chromium-');
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: '/usr/bin/chromium',
    headless: true,
    acceptDownloads: true,
    viewport: { width: 1280, height: 900 },
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
  });
  // Every Content-Security-Policy violation on any page is recorded, so a
  // test can assert that a whole run met the policy.
  await context.addInitScript(() => {
    window.__cspViolations = [];
    document.addEventListener('securitypolicyviolation', (e) => {
      window.__cspViolations.push(`${e.violatedDirective} blocked ${e.blockedURI || 'inline'}`);
    });
  });
  const errors = [];
  const page = context.pages()[0] ?? await context.newPage();
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(`console: ${m.text()}`); });
  return { context, page, errors };
}

/** The CSP violations the current document has seen. */
export async function cspViolations(page) {
  return page.evaluate(() => window.__cspViolations ?? ['no CSP listener']);
}

/** A fresh temporary folder for test artefacts (files, screenshots). */
export function tempDir(prefix) {
  return fs.mkdtempSync(path.join(scratch, prefix));
}

/** A browser context with JavaScript disabled (for the standalone report). */
export async function launchNoScript() {
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
  });
  const context = await browser.newContext({ javaScriptEnabled: false, viewport: { width: 1200, height: 900 } });
  return { browser, page: await context.newPage() };
}
