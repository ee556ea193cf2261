// The browser benchmark: the built page (dist/) in headless Chromium, a
// real-shaped batch set on its file input, timed from the drop to the report
// drawn (the page's own timing, data-timing-ms), with the browser's peak
// memory (the summed PSS of every Chromium process, and their summed RSS,
// sampled every 100 ms).
//
// Usage: node scripts/bench-browser.mjs [SIZES...]   (default: 1 100)
// The drop comes SETTLE_MS (default 3000) after every worker has warmed up,
// as an analyst picks files a few seconds after opening the page: right
// after the warm-up the browser still compiles the hot code in the
// background, which on 2 cores slowed a 1x batch from ~0.35 s to ~0.55 s.
// Needs `trunk build --release` first (scripts/test.sh does it) and the
// release `puffy` binary (to generate the batches). Not part of the tests.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { serve, launch, tempDir, root } from '../tests/harness.mjs';

const sizes = process.argv.slice(2).map(Number).filter((n) => n > 0);
const puffy = path.join(root, 'target/release/puffy');
const settle = Number(process.env.SETTLE_MS ?? 3000);

/**
 * Memory of the Chromium processes in MB (Linux /proc): `rss`, the sum of
 * their resident sets, counts the shared libraries every process maps (the
 * Chromium binary alone, ~100 MB, in each of ~10 processes) once per
 * process; `pss`, the sum of their proportional sets, counts each shared
 * page once, split among the processes that map it: the memory the browser
 * takes from the machine.
 */
function chromiumMemory() {
  let rss = 0;
  let pss = 0;
  for (const pid of fs.readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      const cmd = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      if (!cmd.includes('chromium')) continue;
      const rollup = fs.readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
      rss += Number(/^Rss:\s+(\d+)/m.exec(rollup)?.[1] ?? 0);
      pss += Number(/^Pss:\s+(\d+)/m.exec(rollup)?.[1] ?? 0);
    } catch { /* the process ended */ }
  }
  return { rss: rss / 1024, pss: pss / 1024 };
}

// DIST=dir serves another build (for side-by-side runs of two builds).
const server = await serve(process.env.DIST || undefined);
console.log(`date: ${new Date().toISOString().slice(0, 10)}  cores: ${(await import('node:os')).cpus().length}  drop ${settle} ms after the warm-up`);
for (const n of sizes.length ? sizes : [1, 100]) {
  const dir = tempDir(`puffy-bench-${n}x-`);
  execFileSync(puffy, ['generate', dir, '--real-shape', '--events-per-day', '3571', '--copies', String(n)], { stdio: 'ignore' });
  fs.rmSync(path.join(dir, 'truth.json'));
  const files = fs.readdirSync(dir).sort().map((f) => path.join(dir, f));
  const mb = files.reduce((s, f) => s + fs.statSync(f).size, 0) / 1e6;
  const browser = await launch();
  const { page } = browser;
  await page.goto(server.url);
  await page.locator('main[data-engine=warm]').waitFor({ timeout: 60000 });
  await page.waitForTimeout(settle);
  const idle = chromiumMemory();
  const peak = { ...idle };
  const sample = () => {
    const m = chromiumMemory();
    peak.rss = Math.max(peak.rss, m.rss);
    peak.pss = Math.max(peak.pss, m.pss);
  };
  const sampler = setInterval(sample, 100);
  const wallStart = Date.now();
  await page.locator('input[type=file][multiple]').setInputFiles(files);
  await page.locator('main[data-state=ready]').waitFor({ timeout: 30 * 60000 });
  const wall = (Date.now() - wallStart) / 1000;
  clearInterval(sampler);
  sample();
  const inPage = Number(await page.locator('[data-timing-ms]').getAttribute('data-timing-ms')) / 1000;
  const revenue = await page.locator('[data-kpi=revenue]').first().getAttribute('data-value').catch(() => '?');
  const steps = await page.locator('[data-timing-ms]').textContent();
  // Changing the view: recomputed in the worker from the run it holds
  // (no reading, no sessions cut again), timed from the click to the
  // report drawn for the new view (the page's timing again).
  const views = [];
  for (const [what, act, shown] of [
    ['last 7 days', () => page.locator('[data-preset=last7]').click(), '2025-03-02..2025-03-08'],
    ['compare previous', () => page.locator('select[data-view=compare]').selectOption('previous'), '2025-03-02..2025-03-08|2025-02-23..2025-03-01'],
    ['segment mobile', () => page.locator('select[data-view=device]').selectOption('mobile'), '2025-03-02..2025-03-08;device=mobile|2025-02-23..2025-03-01'],
  ]) {
    const t0 = Date.now();
    await act();
    await page.locator(`main[data-view="${shown}"]`).waitFor({ timeout: 10 * 60000 });
    await page.waitForTimeout(50);
    const ms = Number(await page.locator('[data-timing-ms]').getAttribute('data-timing-ms'));
    views.push(`${what} ${ms.toFixed(0)} ms (${Date.now() - t0} ms wall)`);
  }
  console.log(`${n}x view changes: ${views.join('; ')}`);
  console.log(`${n}x ${mb.toFixed(0)} MB: drop to report ${inPage.toFixed(2)} s (page's timing; ${wall.toFixed(2)} s wall incl. file hand-over), browser peak ${peak.pss.toFixed(0)} MB PSS (${idle.pss.toFixed(0)} MB before the drop; summed RSS ${peak.rss.toFixed(0)} MB, ${idle.rss.toFixed(0)} MB before), revenue ${revenue}\n   ${steps}`);
  await browser.context.close();
  fs.rmSync(dir, { recursive: true, force: true });
}
await server.close();
