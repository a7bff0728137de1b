// Must-show 1: the quickstart notebook, executed through the kernel, opened (a) in Debian's
// classic Notebook served on 127.0.0.1 and (b) as the HTML `enginelab run --html` writes, in
// headless Chromium: every plot is drawn (plotly's SVG exists), nothing is fetched from any host
// but this machine, and a screenshot of each lands in out/browser/.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, copyFileSync, readFileSync, existsSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';

import {
  root, CHROMIUM, CHROMIUM_ARGS, executeNotebook, jupyterDirs, trustNotebook, startNotebookServer,
  isLocal, ensureDir, hasCommand, type NotebookServer, type JupyterDirs,
} from './helpers/browser-env';

const isCI = process.env.CI === 'true';
const available = existsSync(CHROMIUM) && hasCommand('/usr/bin/jupyter', ['notebook', '--version']);
const skip = !available && !isCI;
const outDir = ensureDir(join(root, 'out', 'browser'));

/** The plots the quickstart draws: engine KV grid (twice), live KV grid, step timeline. */
const NUM_PLOTS = 4;

let browser: Browser | undefined;
let server: NotebookServer | undefined;
let work: string;
let executed: { ipynb: string; html: string };
let dirs: JupyterDirs;

async function openAndCheck(url: string, shot: string): Promise<{ page: Page; requests: string[]; numPlots: number }> {
  const page = await browser!.newPage({ viewport: { width: 1280, height: 900 } });
  const requests: string[] = [];
  page.on('request', (r) => requests.push(r.url()));
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(url, { waitUntil: 'load', timeout: 90_000 });
  await page.waitForFunction((n) => (globalThis as any).document.querySelectorAll('.js-plotly-plot svg.main-svg').length >= n, NUM_PLOTS, { timeout: 90_000, polling: 250 });
  const numPlots = await page.evaluate(() => (globalThis as any).document.querySelectorAll('.js-plotly-plot').length);
  // Scroll a KV grid into view and photograph page and plot.
  const plot = page.locator('.js-plotly-plot').nth(1); // the KV grid after three steps, coloured by owner
  await plot.scrollIntoViewIfNeeded();
  await page.screenshot({ path: join(outDir, `${shot}.png`) });
  await plot.screenshot({ path: join(outDir, `${shot}-plot.png`) });
  expect(errors).toEqual([]);
  return { page, requests, numPlots };
}

describe.skipIf(skip)('plots render offline in a browser', () => {
  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'enginelab-browser-'));
    const run = await executeNotebook(join(root, 'notebooks/01-quickstart.ipynb'), join(work, 'nb'));
    expect(run.failure).toBeUndefined();
    expect(run.numErrors).toBe(0);
    executed = { ipynb: run.outPath, html: run.htmlPath! };
    copyFileSync(run.outPath, join(outDir, '01-quickstart.ipynb'));
    copyFileSync(run.htmlPath!, join(outDir, '01-quickstart.html'));
    dirs = jupyterDirs(join(work, 'jupyter'));
    trustNotebook(executed.ipynb, dirs);
    server = await startNotebookServer(join(work, 'nb'), dirs);
    const { chromium } = await import('playwright-core');
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
  }, 600_000);

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('classic Notebook draws every plot of the executed notebook, with no request off this machine', async () => {
    const { page, requests, numPlots } = await openAndCheck(`${server!.url}/notebooks/01-quickstart.ipynb`, 'classic-notebook');
    expect(numPlots).toBe(NUM_PLOTS);
    expect(requests.length).toBeGreaterThan(10);
    expect(requests.filter((u) => !isLocal(u))).toEqual([]);
    // The notebook page loads require.js, so this is the AMD path of the fallback script.
    expect(await page.evaluate(() => typeof (globalThis as any).requirejs)).toBe('function');
    // Heatmap cells are drawn as an image layer inside the SVG; the timeline has bars.
    expect(await page.locator('.js-plotly-plot .heatmaplayer').count()).toBeGreaterThanOrEqual(3);
    expect(await page.locator('.js-plotly-plot .barlayer .point').count()).toBeGreaterThan(10);
    await page.close();
  }, 240_000);

  it('HTML from enginelab run --html draws every plot offline', async () => {
    const html = readFileSync(executed.html, 'utf8');
    expect(html).not.toMatch(/<script[^>]+src="https?:/);
    const { page, requests, numPlots } = await openAndCheck(`file://${executed.html}`, 'run-html');
    expect(numPlots).toBe(NUM_PLOTS);
    expect(requests.filter((u) => !isLocal(u))).toEqual([]);
    expect(requests.every((u) => u.startsWith('file:') || u.startsWith('data:'))).toBe(true);
    expect(await page.evaluate(() => typeof (globalThis as any).requirejs)).toBe('undefined');
    await page.close();
  }, 240_000);

  it('HTML from jupyter nbconvert (require.js from Debian, no CDN) draws every plot offline', async () => {
    const target = join(work, 'nbconvert');
    const r = spawnSync('/usr/bin/jupyter', ['nbconvert', '--to', 'html', '--output-dir', target, executed.ipynb], { env: dirs.env, encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    const htmlPath = join(target, '01-quickstart.html');
    const { page, requests, numPlots } = await openAndCheck(`file://${htmlPath}`, 'nbconvert-html');
    expect(numPlots).toBe(NUM_PLOTS);
    // Our outputs fetch nothing; the page's own requests stay on file:/data: too.
    expect(requests.filter((u) => !isLocal(u))).toEqual([]);
    expect(await page.evaluate(() => typeof (globalThis as any).requirejs)).toBe('function');
    await page.close();
  }, 240_000);

  it('a notebook whose library-carrying output was lost says so instead of drawing blank', async () => {
    // Simulates outputs saved after the carrier cell's output was cleared and not re-run.
    const nb = JSON.parse(readFileSync(executed.ipynb, 'utf8')) as { cells: { outputs?: { data?: Record<string, unknown> }[] }[] };
    let stripped = 0;
    for (const c of nb.cells) for (const o of c.outputs ?? []) {
      const h = o.data?.['text/html'];
      const text = Array.isArray(h) ? h.join('') : h;
      if (typeof text === 'string' && text.includes('if (!window.Plotly) {')) {
        o.data!['text/html'] = text.replace(/<script type="text\/javascript">if \(!window\.Plotly\) \{[\s\S]*?\n\}<\/script>/, '');
        stripped++;
      }
    }
    expect(stripped).toBe(1);
    const lost = join(work, 'lost');
    ensureDir(lost);
    writeFileSync(join(lost, 'lost.ipynb'), JSON.stringify(nb));
    const r = spawnSync('/usr/bin/jupyter', ['nbconvert', '--to', 'html', join(lost, 'lost.ipynb')], { env: dirs.env, encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    const page = await browser!.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.goto(`file://${join(lost, 'lost.html')}`, { waitUntil: 'load' });
    await page.waitForFunction((n) => (globalThis as any).document.body.innerText.split('plotly.js is not loaded in this page').length - 1 >= n, NUM_PLOTS, { timeout: 30_000 });
    const notices = await page.evaluate(() => (globalThis as any).document.body.innerText.split('plotly.js is not loaded in this page').length - 1);
    expect(notices).toBe(NUM_PLOTS);
    expect(await page.locator('svg.main-svg').count()).toBe(0);
    expect(errors).toEqual([]);
    await page.close();
  }, 240_000);
});
