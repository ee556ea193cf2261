// The drop zone end to end: CSV files set on the file input, dropped as a
// folder anywhere on the page, or chosen with the folder picker are read by
// the engine in WASM and listed with their names, row counts and columns.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { serve, launch, tempDir } from './harness.mjs';

let server;
let browser;

before(async () => {
  server = await serve();
  browser = await launch();
});

after(async () => {
  await browser?.context.close();
  await server?.close();
});

const HEADER = 'client_id,page_url,referrer,timestamp,event_name,event_data,user_agent';
function csv(rows) {
  const lines = [HEADER];
  for (let i = 0; i < rows; i++) {
    lines.push(`1740300000-AbCdEfGhIj${String(i).padStart(2, '0')},https://puffy.com/,,2025-02-23T08:15:0${i % 10}.120Z,page_viewed,,"Mozilla/5.0 (X11; Linux x86_64)"`);
  }
  return lines.join('\r\n') + '\r\n';
}

test('two dropped CSV files are listed with their row counts', async () => {
  const { page, errors } = browser;
  const dir = tempDir('puffy-upload-');
  const a = path.join(dir, 'events_20250223.csv');
  const b = path.join(dir, 'events_20250224.csv');
  fs.writeFileSync(a, '\ufeff' + csv(3));
  fs.writeFileSync(b, csv(12));

  await page.goto(server.url);
  // The input is rendered by the WASM app: if the module fails to load,
  // this times out and the collected page errors explain why.
  const input = page.locator('input[type=file][multiple]');
  await input.waitFor({ timeout: 20000 }).catch((e) => {
    throw new Error(`app did not start: ${errors.join(' | ') || e.message}`);
  });
  assert.equal(await page.locator('main').getAttribute('data-state'), 'idle');

  await input.setInputFiles([a, b]);
  await page.locator('main[data-state=ready]').waitFor({ timeout: 20000 });

  const rows = await page.locator('.file-list tbody tr').evaluateAll((trs) => trs.map((tr) => ({
    name: tr.querySelector('.name').textContent,
    rows: Number(tr.querySelector('[data-rows]')?.getAttribute('data-rows')),
    columns: tr.querySelector('.columns')?.textContent,
  })));
  assert.deepEqual(rows.map((r) => [r.name, r.rows]), [['events_20250223.csv', 3], ['events_20250224.csv', 12]]);
  assert.equal(rows[0].columns, HEADER.split(',').join(', '), 'BOM stripped, columns listed');

  const shot = path.join(tempDir('puffy-shots-'), 'upload.png');
  await page.screenshot({ path: shot, fullPage: true });
  assert.ok(fs.statSync(shot).size > 1000, `screenshot written to ${shot}`);
  console.log(`screenshot: ${shot}`);
  assert.deepEqual(errors, [], 'no page errors');
});

/** Lists the loaded files as [name, rows] pairs. */
function fileRows(page) {
  return page.locator('.file-list tbody tr').evaluateAll((trs) => trs.map((tr) => [
    tr.querySelector('.name').textContent,
    Number(tr.querySelector('[data-rows]')?.getAttribute('data-rows')),
  ]));
}

/** A folder of exports as an analyst's disk has it: a nested folder and a
 *  hidden file left by the operating system. */
function exportFolder() {
  const dir = path.join(tempDir('puffy-folder-'), 'march-exports');
  fs.mkdirSync(path.join(dir, 'week-2'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'events_20250223.csv'), csv(3));
  fs.writeFileSync(path.join(dir, 'week-2', 'events_20250224.csv'), csv(12));
  fs.writeFileSync(path.join(dir, '.DS_Store'), Buffer.from([0, 0, 0, 1, 66, 117, 100, 49]));
  return dir;
}

async function openApp(page, errors) {
  await page.goto(server.url);
  await page.locator('input[type=file][multiple]').waitFor({ timeout: 20000 }).catch((e) => {
    throw new Error(`app did not start: ${errors.join(' | ') || e.message}`);
  });
}

test('a folder dropped on the page loads every CSV inside it, nested ones too', async () => {
  const { page, errors } = browser;
  const dir = exportFolder();
  await openApp(page, errors);

  // A real drag and drop of the folder, as the OS delivers it, dropped on the
  // page header (the whole page is a drop target, not only the drop zone).
  const box = await page.locator('.app-header h1').boundingBox();
  const at = { x: box.x + box.width / 2, y: box.y + box.height / 2 };
  const cdp = await page.context().newCDPSession(page);
  const data = { items: [], files: [dir], dragOperationsMask: 1 };
  for (const type of ['dragEnter', 'dragOver', 'drop']) {
    await cdp.send('Input.dispatchDragEvent', { type, ...at, data });
  }
  await cdp.detach();

  await page.locator('main[data-state=ready]').waitFor({ timeout: 20000 });
  assert.deepEqual(await fileRows(page), [['events_20250223.csv', 3], ['events_20250224.csv', 12]]);
  const notice = await page.locator('.notice').textContent();
  assert.match(notice, /Hidden files left out: march-exports\/\.DS_Store/);
  assert.deepEqual(errors, [], 'no page errors');
});

test('the folder picker loads a chosen folder and leaves hidden files out', async () => {
  const { page, errors } = browser;
  const dir = exportFolder();
  await openApp(page, errors);

  await page.locator('input[type=file][webkitdirectory]').setInputFiles(dir);
  await page.locator('main[data-state=ready]').waitFor({ timeout: 20000 });
  assert.deepEqual(await fileRows(page), [['events_20250223.csv', 3], ['events_20250224.csv', 12]]);
  assert.match(await page.locator('.notice').textContent(), /Hidden files left out: march-exports\/\.DS_Store/);
  assert.deepEqual(errors, [], 'no page errors');
});

test('settings saved by an older version are not dropped silently', async () => {
  const { page } = browser;
  await page.goto(server.url);
  // The thresholds once lived under [monitor]; that shape no longer parses.
  await page.evaluate(() => localStorage.setItem('puffy.settings', JSON.stringify({ monitor: { max_null_client_rate: 0.1 } })));
  await page.reload();
  await page.locator('p.notice', { hasText: 'Your saved settings could not be used' }).waitFor({ timeout: 10000 });
  assert.match(await page.locator('p.notice').first().textContent(), /unknown field `max_null_client_rate`.*defaults are in use/);
  await page.evaluate(() => localStorage.clear());
});
