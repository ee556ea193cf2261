// Periods, segments and comparisons in the page, checked against `puffy
// run` with the same flags: the KPI cards (value, baseline, change), the
// URL that keeps the view across a reload, a download named for the slice
// and byte-identical to the CLI's table, and a bad URL value that falls
// back to the whole batch with a notice.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { serve, launch, tempDir, root } from './harness.mjs';

const puffy = process.env.PUFFY_BIN ?? path.join(root, 'target', 'release', 'puffy');
let server;
let browser;
let data;
let shots;

before(async () => {
  data = tempDir('puffy-data-');
  shots = process.env.PUFFY_SHOTS ?? tempDir('puffy-shots-');
  fs.mkdirSync(shots, { recursive: true });
  execFileSync(puffy, ['generate', data, '--days', '14', '--events-per-day', '3500', '--seed', '7']);
  fs.rmSync(path.join(data, 'truth.json'));
  server = await serve();
  browser = await launch();
  console.log(`screenshots: ${shots}`);
});

after(async () => {
  await browser?.context.close();
  await server?.close();
});

const files = () => fs.readdirSync(data).filter((f) => f.endsWith('.csv')).sort().map((f) => path.join(data, f));

function cli(flags) {
  const out = tempDir('puffy-cli-');
  execFileSync(puffy, ['run', data, '--out', out, ...flags]);
  return { dir: out, report: JSON.parse(fs.readFileSync(path.join(out, 'report.json'), 'utf8')) };
}

async function cards(page) {
  return page.locator('[data-kpi]').evaluateAll((els) => Object.fromEntries(els.map((e) => [e.dataset.kpi, {
    value: Number(e.dataset.value),
    baseline: e.dataset.baseline === undefined ? null : Number(e.dataset.baseline),
    change: e.dataset.change === undefined ? null : Number(e.dataset.change),
  }])));
}

function assertCards(got, report) {
  const s = report.summary;
  for (const name of ['revenue', 'orders', 'aov', 'sessions', 'visitors', 'conversion_rate', 'bot_share', 'quality_score']) {
    assert.equal(got[name].value, s[name], `${name} value`);
    const k = report.comparison?.kpis.find((x) => x.name === name);
    assert.equal(got[name].baseline, k ? k.baseline : null, `${name} baseline`);
    assert.equal(got[name].change, k ? k.change : null, `${name} change`);
  }
}

const view = (page) => page.locator('main').getAttribute('data-view');

test('a period, a comparison and a segment match puffy run, and the URL keeps them', async () => {
  const { page, errors } = browser;
  await page.goto(server.url);
  await page.locator('input[type=file][multiple]').setInputFiles(files());
  await page.locator('main[data-state=ready]').waitFor({ timeout: 60000 });
  assert.equal(await view(page), 'whole');

  // The last 7 days against the previous 7, mobile sessions only.
  await page.locator('[data-preset=last7]').click();
  await page.locator('main[data-view="2025-03-02..2025-03-08"]').waitFor({ timeout: 20000 });
  await page.locator('select[data-view=compare]').selectOption('previous');
  await page.locator('main[data-view="2025-03-02..2025-03-08|2025-02-23..2025-03-01"]').waitFor({ timeout: 20000 });
  const started = Date.now();
  await page.locator('select[data-view=device]').selectOption('mobile');
  const shown = '2025-03-02..2025-03-08;device=mobile|2025-02-23..2025-03-01';
  await page.locator(`main[data-view="${shown}"]`).waitFor({ timeout: 20000 });
  console.log(`segment change drawn in ${Date.now() - started} ms`);
  const flags = ['--from', '2025-03-02', '--to', '2025-03-08', '--compare', 'previous', '--segment', 'device=mobile'];
  const want = cli(flags);
  assertCards(await cards(page), want.report);
  assert.match(page.url(), /from=2025-03-02/);
  assert.match(page.url(), /compare=previous/);
  assert.match(page.url(), /segment=device%3Dmobile/);
  await page.locator('.kpi-change').first().waitFor();
  for (const width of [1400, 390]) {
    await page.setViewportSize({ width, height: 1000 });
    await page.screenshot({ path: path.join(shots, `compare-overview-${width}.png`), fullPage: true });
  }
  await page.setViewportSize({ width: 1280, height: 900 });

  // The download is the slice's, named for it, and the CLI's bytes.
  await page.locator('[data-tab=downloads]').click();
  const [dl] = await Promise.all([page.waitForEvent('download'), page.locator('[data-download="sessions.csv"]').click()]);
  assert.equal(dl.suggestedFilename(), 'sessions_2025-03-02_2025-03-08_device-mobile.csv');
  const saved = path.join(tempDir('puffy-dl-'), 'sessions.csv');
  await dl.saveAs(saved);
  assert.ok(fs.readFileSync(saved).equals(fs.readFileSync(path.join(want.dir, 'sessions.csv'))));

  // The channel table and the funnel show the baseline.
  await page.locator('[data-tab=channels]').click();
  const paid = want.report.comparison.channels.find((c) => c.model === 'last_click' && c.channel === 'Paid Search');
  assert.equal(Number(await page.locator('tr[data-channel="Paid Search"] td[data-baseline]').getAttribute('data-baseline')), paid.baseline);
  await page.screenshot({ path: path.join(shots, 'compare-channels-1400.png'), fullPage: true });
  await page.locator('[data-tab=funnel]').click();
  const cart = want.report.comparison.funnel.find((f) => f.name === 'added_to_cart');
  assert.equal(Number(await page.locator('table[data-compare=funnel] tr[data-step=added_to_cart] td[data-baseline]').getAttribute('data-baseline')), cart.baseline);

  await page.locator('[data-tab=trends]').click();
  await page.waitForTimeout(300);
  await page.screenshot({ path: path.join(shots, 'compare-trends-1400.png'), fullPage: true });

  // Another segment as the baseline: mobile against desktop, same days.
  await page.locator('[data-tab=overview]').click();
  await page.locator('select[data-view=compare]').selectOption('segment');
  const against = '2025-03-02..2025-03-08;device=mobile|2025-03-02..2025-03-08;device=desktop';
  await page.locator(`main[data-view="${against}"]`).waitFor({ timeout: 20000 });
  assertCards(await cards(page), cli(['--from', '2025-03-02', '--to', '2025-03-08', '--segment', 'device=mobile', '--compare', 'segment:device=desktop']).report);
  await page.locator('select[data-view=compare]').selectOption('previous');
  await page.locator(`main[data-view="${shown}"]`).waitFor({ timeout: 20000 });

  // The URL alone opens the same view once the files are dropped again.
  await page.reload();
  await page.locator('input[type=file][multiple]').setInputFiles(files());
  await page.locator(`main[data-view="${shown}"][data-state=ready]`).waitFor({ timeout: 60000 });
  assertCards(await cards(page), want.report);
  assert.equal(await page.locator('select[data-view=device]').inputValue(), 'mobile');
  assert.deepEqual(errors, []);
});

test('a URL value that does not fit the batch shows the whole batch with a notice', async () => {
  const { page, errors } = browser;
  await page.goto(`${server.url}?from=2031-01-01&segment=device%3Dphone`);
  await page.locator('input[type=file][multiple]').setInputFiles(files());
  await page.locator('main[data-state=ready][data-view=whole]').waitFor({ timeout: 60000 });
  assert.match(await page.locator('.notice').first().textContent(), /not a day of this batch/);
  assert.doesNotMatch(page.url(), /from=/);
  assertCards(await cards(page), cli([]).report);
  assert.deepEqual(errors, []);
});
