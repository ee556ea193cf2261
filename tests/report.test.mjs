// The whole report in the browser, checked against `puffy run` on the same
// files: KPIs, downloads byte for byte (sessions.csv and every file of the
// ZIP), a settings change that recomputes, and a bad file among good ones.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { serve, launch, launchNoScript, tempDir, root, cspViolations } from './harness.mjs';

const puffy = process.env.PUFFY_BIN ?? path.join(root, 'target', 'release', 'puffy');
let server;
let browser;
let data;
let cli;
let shots;

before(async () => {
  data = tempDir('puffy-data-');
  cli = tempDir('puffy-cli-');
  shots = tempDir('puffy-shots-');
  execFileSync(puffy, ['generate', data, '--days', '14', '--events-per-day', '3500', '--seed', '7']);
  fs.rmSync(path.join(data, 'truth.json'));
  execFileSync(puffy, ['run', data, '--out', cli]);
  server = await serve();
  browser = await launch();
  console.log(`screenshots: ${shots}`);
});

after(async () => {
  await browser?.context.close();
  await server?.close();
});

const files = () => fs.readdirSync(data).filter((f) => f.endsWith('.csv')).sort().map((f) => path.join(data, f));

async function open(page) {
  await page.goto(server.url);
  await page.evaluate(() => localStorage.clear());
  await page.reload();
  await page.locator('input[type=file][multiple]').waitFor({ timeout: 20000 });
}

async function kpis(page) {
  return page.locator('[data-kpi]').evaluateAll((els) => Object.fromEntries(els.map((e) => [e.dataset.kpi, Number(e.dataset.value)])));
}

async function download(page, name) {
  const [dl] = await Promise.all([page.waitForEvent('download'), page.locator(`[data-download="${name}"]`).click()]);
  const target = path.join(tempDir('puffy-dl-'), name);
  await dl.saveAs(target);
  return fs.readFileSync(target);
}

test('14 dropped days give the same report and downloads as puffy run', async () => {
  const { page, errors } = browser;
  await open(page);
  // The worker warms its engine up on a small batch right after start-up,
  // as it does while an analyst picks files; then the drop is timed.
  await page.locator('main[data-engine=warm]').waitFor({ timeout: 20000 });
  const started = Date.now();
  await page.locator('input[type=file][multiple]').setInputFiles(files());
  await page.locator('main[data-state=ready]').waitFor({ timeout: 60000 });
  const wall = Date.now() - started;
  const inPage = Number(await page.locator('[data-timing-ms]').getAttribute('data-timing-ms'));
  console.log(`drop to report: ${inPage} ms measured by the page (${wall} ms including the test's file transfer) for 14 days x 3,500 events`);
  assert.ok(inPage > 0 && inPage <= wall, 'the page times itself within the wall time');
  // One helper worker per core read the files (the machine has several).
  const cores = await page.evaluate(() => navigator.hardwareConcurrency);
  const timing = await page.locator('[data-timing-ms]').textContent();
  if (cores > 1) {
    assert.match(timing, new RegExp(`reading [0-9.]+ s on ${Math.min(cores, 9)} cores`), timing);
    assert.equal(page.workers().length, Math.min(cores, 9), 'a main worker and a helper per further core');
  }

  const report = JSON.parse(fs.readFileSync(path.join(cli, 'report.json'), 'utf8'));
  const got = await kpis(page);
  for (const key of ['revenue', 'orders', 'aov', 'sessions', 'visitors', 'conversion_rate', 'bot_share', 'quality_score']) {
    assert.equal(got[key], report.summary[key], `KPI ${key}`);
  }
  await page.screenshot({ path: path.join(shots, 'overview.png'), fullPage: true });
  // Each insight's "See chart" opens the section the CLI's report names.
  const sections = report.insights.map((i) => i.section);
  assert.ok(sections.length >= 3, `the summary has insights: ${sections}`);
  for (const [i, section] of sections.entries()) {
    await page.locator('[data-tab=overview]').click();
    await page.locator('.insights a.see').nth(i).click();
    await page.locator(`section.panel[data-section=${section}]`).waitFor({ timeout: 5000 });
  }
  for (const tab of ['quality', 'channels', 'funnel', 'trends', 'monitoring', 'settings', 'downloads']) {
    await page.locator(`[data-tab=${tab}]`).click();
    await page.waitForTimeout(300);
    await page.screenshot({ path: path.join(shots, `${tab}.png`), fullPage: true });
  }
  // Alerts carry their hooks and match the CLI's.
  await page.locator('[data-tab=monitoring]').click();
  const alerts = await page.locator('[data-alert-severity]').evaluateAll((els) => els.map((e) => [e.dataset.alertDay, e.dataset.alertSeverity]));
  assert.deepEqual(alerts, report.alerts.map((a) => [a.day, a.severity]));
  // Incidents lead the section, in the CLI's order.
  const incidents = await page.locator('[data-incident]').evaluateAll((els) => els.map((e) => e.dataset.incident));
  assert.deepEqual(incidents, report.incidents.map((i) => i.kind));
  assert.ok(incidents.includes('column_missing:referrer'), 'the missing referrer column is one incident');
  // The payment provider the batch set aside is shown in the settings and
  // goes onto the unwanted list with one click.
  await page.locator('[data-tab=settings]').click();
  const provider = report.set_aside_referrers.find((r) => r.reason === 'detected');
  assert.equal(provider.source, 'source-5e1f0ca7.com');
  await page.locator('[data-set-aside] code', { hasText: provider.source }).waitFor();
  await page.locator('[data-add-unwanted]').first().click();
  assert.match(await page.locator('[data-setting=unwanted_referrers]').inputValue(), /source-5e1f0ca7\.com$/);

  await page.locator('[data-tab=downloads]').click();
  const sessions = await download(page, 'sessions.csv');
  assert.ok(sessions.equals(fs.readFileSync(path.join(cli, 'sessions.csv'))), 'sessions.csv is byte-identical');
  const zip = await download(page, 'all.zip');
  const unzipped = tempDir('puffy-unzip-');
  const zipPath = path.join(unzipped, 'all.zip');
  fs.writeFileSync(zipPath, zip);
  execFileSync('python3', ['-c', 'import sys, zipfile; zipfile.ZipFile(sys.argv[1]).extractall(sys.argv[2])', zipPath, unzipped]);
  for (const name of ['events_enriched.csv', 'sessions.csv', 'conversions.csv', 'attribution.csv', 'channel_summary.csv', 'user_journeys.csv', 'quarantine.csv', 'report.json']) {
    assert.ok(fs.readFileSync(path.join(unzipped, name)).equals(fs.readFileSync(path.join(cli, name))), `${name} in the ZIP is byte-identical`);
  }
  // The standalone HTML report: same numbers as the CLI's report.json and
  // as `puffy report --html`; renders without JavaScript and prints to PDF.
  const html = (await download(page, 'report.html')).toString('utf8');
  const cliHtml = path.join(cli, 'report.html');
  execFileSync(puffy, ['report', data, '--html', cliHtml]);
  const values = (text) => Object.fromEntries([...text.matchAll(/data-kpi="(\w+)" data-value="([^"]+)"/g)].map((m) => [m[1], Number(m[2])]));
  assert.deepEqual(values(html), values(fs.readFileSync(cliHtml, 'utf8')));
  for (const [key, value] of Object.entries(values(html))) assert.equal(value, report.summary[key], `HTML KPI ${key}`);
  assert.ok(!/<script/i.test(html));
  assert.match(html, /<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:;/, 'the report carries a policy with no script');
  const saved = path.join(shots, 'report.html');
  fs.writeFileSync(saved, html);
  const noScript = await launchNoScript();
  await noScript.page.goto(`file://${saved}`);
  assert.match(await noScript.page.locator('[data-kpi=revenue]').textContent(), /^\$[\d,]+$/, 'KPIs render without JavaScript');
  assert.ok(await noScript.page.locator('svg').count() >= 3, 'charts render as inline SVG');
  await noScript.page.screenshot({ path: path.join(shots, 'report-html.png'), fullPage: true });
  const pdf = await noScript.page.pdf({ format: 'A4', printBackground: true });
  fs.writeFileSync(path.join(shots, 'report.pdf'), pdf);
  assert.ok(pdf.length > 10000 && pdf.subarray(0, 4).toString() === '%PDF', 'prints to PDF');
  await noScript.browser.close();

  const manifest = JSON.parse(fs.readFileSync(path.join(unzipped, 'manifest.json'), 'utf8'));
  assert.equal(manifest.inputs.length, 14);
  assert.match(manifest.inputs[0].sha256, /^[0-9a-f]{64}$/);
  assert.deepEqual(manifest.settings, report.settings);
  assert.deepEqual(errors, [], 'no page errors');
  // The whole drop-to-download run met the page's Content-Security-Policy.
  assert.match(await page.locator('meta[http-equiv=Content-Security-Policy]').getAttribute('content'), /connect-src 'self'/);
  assert.deepEqual(await cspViolations(page), [], 'no CSP violations');
});

test('a shorter session timeout recomputes without re-reading and raises sessions', async () => {
  const { page } = browser;
  await page.locator('[data-tab=overview]').click();
  const before = (await kpis(page)).sessions;
  await page.locator('[data-tab=settings]').click();
  await page.locator('[data-setting=session_timeout]').fill('5');
  await page.locator('[data-setting=session_timeout]').dispatchEvent('change');
  await page.locator('[data-apply-settings]').click();
  await page.locator('main[data-state=ready]').waitFor({ timeout: 60000 });
  await page.locator('[data-tab=overview]').click();
  await page.waitForFunction((n) => Number(document.querySelector('[data-kpi=sessions]')?.dataset.value) !== n, before);
  const after = (await kpis(page)).sessions;
  assert.ok(after > before, `sessions ${before} -> ${after}`);
  const saved = await page.evaluate(() => JSON.parse(localStorage.getItem('puffy.settings')).session.timeout_minutes);
  assert.equal(saved, 5, 'settings persist in localStorage');
});

test('an invalid file gets its own error while the report still builds', async () => {
  const { page, errors } = browser;
  await open(page);
  const dir = tempDir('puffy-bad-');
  const bad = path.join(dir, 'events_20250301.csv');
  fs.writeFileSync(bad, Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]));
  const empty = path.join(dir, 'empty.csv');
  fs.writeFileSync(empty, '');
  await page.locator('input[type=file][multiple]').setInputFiles([...files().slice(0, 3), bad, empty]);
  await page.locator('main[data-state=ready]').waitFor({ timeout: 60000 });
  const badRow = page.locator('tr[data-file="events_20250301.csv"] .file-error');
  assert.match(await badRow.textContent(), /PNG image, not a CSV/);
  assert.match(await page.locator('tr[data-file="empty.csv"] .file-error').textContent(), /empty/);
  assert.ok((await kpis(page)).orders > 0, 'the good files still make a report');
  await page.screenshot({ path: path.join(shots, 'bad-file.png'), fullPage: true });
  assert.deepEqual(errors, []);
});

test('a .zip of the daily files gives the same numbers', async () => {
  const { page, errors } = browser;
  await open(page);
  const zip = path.join(tempDir('puffy-zip-'), 'export.zip');
  execFileSync('python3', ['-c', 'import sys, zipfile, os\nwith zipfile.ZipFile(sys.argv[1], "w", zipfile.ZIP_DEFLATED) as z:\n  [z.write(f, "export/" + os.path.basename(f)) for f in sys.argv[2:]]', zip, ...files()]);
  await page.locator('input[type=file][multiple]').setInputFiles([zip]);
  await page.locator('main[data-state=ready]').waitFor({ timeout: 60000 });
  const report = JSON.parse(fs.readFileSync(path.join(cli, 'report.json'), 'utf8'));
  const got = await kpis(page);
  for (const key of ['revenue', 'orders', 'sessions', 'visitors']) {
    assert.equal(got[key], report.summary[key], `KPI ${key}`);
  }
  await page.locator('[data-tab=journeys]').click();
  await page.waitForTimeout(300);
  await page.screenshot({ path: path.join(shots, 'journeys.png'), fullPage: true });
  // The manifest counts the archive's members under the archive's name.
  await page.locator('[data-tab=downloads]').click();
  const manifest = JSON.parse((await download(page, 'manifest.json')).toString('utf8'));
  assert.equal(manifest.inputs.length, 1);
  assert.equal(manifest.inputs[0].name, 'export.zip');
  assert.equal(manifest.inputs[0].members.length, 14);
  assert.equal(manifest.inputs[0].rows, report.inputs.reduce((n, f) => n + f.rows, 0));
  assert.deepEqual(errors, []);
});

test('Cancel while several cores read stops every worker, and the same batch then loads in full', async () => {
  const { page, errors } = browser;
  // Eight copies of a real-shaped export (~130 MB): long enough to cancel.
  const big = tempDir('puffy-big-');
  const bigCli = tempDir('puffy-big-cli-');
  execFileSync(puffy, ['generate', big, '--real-shape', '--events-per-day', '3571', '--copies', '8']);
  fs.rmSync(path.join(big, 'truth.json'));
  execFileSync(puffy, ['run', big, '--out', bigCli]);
  const bigFiles = fs.readdirSync(big).sort().map((f) => path.join(big, f));
  await open(page);
  await page.locator('main[data-engine=warm]').waitFor({ timeout: 30000 });
  const cores = await page.evaluate(() => navigator.hardwareConcurrency);
  const workers = Math.min(cores, 9);
  await page.locator('input[type=file][multiple]').setInputFiles(bigFiles);
  // The progress adds up what every core has read.
  const stage = cores > 1 ? /Reading \d+ files on \d+ cores/ : /Reading/;
  await page.waitForFunction((re) => new RegExp(re).test(document.querySelector('.progress-text')?.textContent ?? ''), stage.source, { timeout: 20000 });
  await page.getByRole('button', { name: 'Cancel' }).click();
  await page.locator('main[data-state=idle]').waitFor({ timeout: 10000 });
  assert.match(await page.locator('main').textContent(), /Cancelled\./);
  // Fresh workers start, warm up, and the batch loads again in full.
  await page.locator('main[data-engine=warm]').waitFor({ timeout: 30000 });
  assert.equal(page.workers().length, workers, 'the cancelled workers are gone and fresh ones run');
  await page.locator('input[type=file][multiple]').setInputFiles(bigFiles);
  await page.locator('main[data-state=ready]').waitFor({ timeout: 120000 });
  const report = JSON.parse(fs.readFileSync(path.join(bigCli, 'report.json'), 'utf8'));
  const got = await kpis(page);
  for (const key of ['revenue', 'orders', 'sessions', 'visitors']) {
    assert.equal(got[key], report.summary[key], `KPI ${key}`);
  }
  // The largest table arrives in 4 MB pieces and is the CLI's byte for byte.
  await page.locator('[data-tab=downloads]').click();
  const enriched = await download(page, 'events_enriched.csv');
  assert.ok(enriched.length > 8 * 1024 * 1024, 'several pieces');
  assert.ok(enriched.equals(fs.readFileSync(path.join(bigCli, 'events_enriched.csv'))), 'events_enriched.csv as puffy run wrote it');
  assert.deepEqual(errors, []);
});
