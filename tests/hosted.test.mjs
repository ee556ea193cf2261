// Hosted reports: a bundle written by `puffy report --bundle` opens
// read-only at ?report=, the start page lists published bundles, and a
// missing or malformed bundle shows a clear message.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { serve, launch, tempDir, root, dist } from './harness.mjs';

const puffy = process.env.PUFFY_BIN ?? path.join(root, 'target', 'release', 'puffy');
let server;
let browser;
let site;

before(async () => {
  site = tempDir('puffy-site-');
  fs.cpSync(dist, site, { recursive: true });
  const data = tempDir('puffy-hosted-data-');
  execFileSync(puffy, ['generate', data, '--days', '14', '--events-per-day', '1500', '--seed', '11']);
  fs.rmSync(path.join(data, 'truth.json'));
  execFileSync(puffy, ['report', data, '--bundle', path.join(site, 'reports', '2025-03-08')]);
  fs.mkdirSync(path.join(site, 'reports', 'broken'));
  fs.writeFileSync(path.join(site, 'reports', 'broken', 'report.json'), '{not json');
  server = await serve(site);
  browser = await launch();
});

after(async () => {
  await browser?.context.close();
  await server?.close();
});

test('a published bundle opens read-only with the bundle\'s numbers', async () => {
  const { page, errors } = browser;
  await page.goto(`${server.url}index.html?report=reports/2025-03-08/`);
  await page.locator('main[data-state=ready]').waitFor({ timeout: 30000 });
  const bundle = JSON.parse(fs.readFileSync(path.join(site, 'reports', '2025-03-08', 'report.json'), 'utf8'));
  const kpis = await page.locator('[data-kpi]').evaluateAll((els) => Object.fromEntries(els.map((e) => [e.dataset.kpi, Number(e.dataset.value)])));
  for (const key of ['revenue', 'orders', 'aov', 'sessions', 'visitors', 'conversion_rate', 'bot_share', 'quality_score']) {
    assert.equal(kpis[key], bundle.summary[key], `KPI ${key}`);
  }
  assert.equal(await page.locator('input[type=file]').count(), 0, 'read-only: no upload');
  await page.locator('[data-tab=downloads]').click();
  assert.equal(await page.locator('[data-download="sessions.csv"]').getAttribute('href'), 'reports/2025-03-08/sessions.csv');
  assert.deepEqual(errors, []);
});

test('the start page lists the published bundles', async () => {
  const { page } = browser;
  await page.goto(server.url);
  const link = page.locator('.published a', { hasText: '2025-03-08' });
  await link.waitFor({ timeout: 20000 });
  assert.equal(await link.getAttribute('href'), '?report=reports/2025-03-08/');
});

test('missing and malformed bundles show a clear message', async () => {
  const { page } = browser;
  for (const [bundle, expected] of [['reports/nope/', /could not be opened: reports\/nope\/report\.json answered HTTP 404/], ['reports/broken/', /not a valid report/]]) {
    await page.goto(`${server.url}index.html?report=${bundle}`);
    await page.locator('main[data-state=error]').waitFor({ timeout: 20000 });
    assert.match(await page.locator('.error-panel').textContent(), expected);
  }
});
