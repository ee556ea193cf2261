// Hostile links and a crashing engine: `?report=` spellings that browsers
// turn into another origin are refused before any request leaves the site,
// and a worker that dies is replaced with a clear message.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { serve, launch, cspViolations } from './harness.mjs';

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
    assert.match(message, /^The published report could not be opened: ".*" is not a report folder on this site: only folders under reports\/ here can be opened\.$/s, `refused: ${JSON.stringify(spelling)}`);
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
  assert.equal(workers.length, 1, 'one worker runs');
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
