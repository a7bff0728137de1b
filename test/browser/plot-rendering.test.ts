// Must-show 1: the quickstart notebook, executed through the kernel, opened (a) in Debian's
// classic Notebook served on 127.0.0.1 and (b) as the HTML `enginelab run --html` writes, in
// headless Chromium: every plot is drawn (plotly's SVG exists), nothing is fetched from any host
// but this machine, and a screenshot of each lands in out/browser/. Issue 18: plots survive
// their neighbours — with the first plot output cleared every other plot still draws on reopen,
// and without JavaScript (or trust) each plot shows its execution-time image.
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

  /** The executed quickstart with its first plot output cleared, as Jupyter's "Clear output" leaves it. */
  function withFirstPlotCleared(dir: string): { path: string; numPlots: number; titles: string[] } {
    const nb = JSON.parse(readFileSync(executed.ipynb, 'utf8')) as { cells: { outputs?: { data?: Record<string, any> }[] }[] };
    const isPlot = (o: { data?: Record<string, any> }) => o.data?.['application/vnd.plotly.v1+json'] !== undefined;
    const cell = nb.cells.find((c) => (c.outputs ?? []).some(isPlot))!;
    cell.outputs = cell.outputs!.filter((o) => !isPlot(o));
    const remaining = nb.cells.flatMap((c) => (c.outputs ?? []).filter(isPlot));
    ensureDir(dir);
    const path = join(dir, 'cleared.ipynb');
    writeFileSync(path, JSON.stringify(nb));
    return { path, numPlots: remaining.length, titles: remaining.map((o) => o.data!['application/vnd.plotly.v1+json'].layout.title.text) };
  }

  it('a saved notebook whose first plot output was cleared still draws every other plot on reopen', async () => {
    const cleared = withFirstPlotCleared(join(work, 'nb'));
    expect(cleared.numPlots).toBe(NUM_PLOTS - 1);
    trustNotebook(cleared.path, dirs);
    // Reopened in classic Notebook (trusted), and converted by nbconvert: every remaining plot draws.
    const pages = [`${server!.url}/notebooks/cleared.ipynb`];
    const r = spawnSync('/usr/bin/jupyter', ['nbconvert', '--to', 'html', '--output-dir', join(work, 'cleared-html'), cleared.path], { env: dirs.env, encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    pages.push(`file://${join(work, 'cleared-html', 'cleared.html')}`);
    for (const [i, url] of pages.entries()) {
      const page = await browser!.newPage({ viewport: { width: 1280, height: 900 } });
      const errors: string[] = [];
      const requests: string[] = [];
      page.on('pageerror', (e) => errors.push(String(e)));
      page.on('request', (q) => requests.push(q.url()));
      await page.goto(url, { waitUntil: 'load', timeout: 90_000 });
      await page.waitForFunction((n) => (globalThis as any).document.querySelectorAll('.js-plotly-plot .main-svg .gtitle').length >= n, cleared.numPlots, { timeout: 90_000, polling: 250 });
      const titles = await page.evaluate(() => [...(globalThis as any).document.querySelectorAll('.enginelab-plot')].map((el: any) => el.querySelector('.main-svg .gtitle')?.textContent ?? ''));
      expect(titles).toEqual(cleared.titles);
      expect(await page.locator('.enginelab-plot-static').count()).toBe(0); // static fallbacks gave way to the live plots
      await page.locator('.js-plotly-plot').first().scrollIntoViewIfNeeded();
      await page.screenshot({ path: join(outDir, `first-plot-cleared-${i === 0 ? 'classic-notebook' : 'nbconvert'}.png`) });
      expect(errors).toEqual([]);
      expect(requests.filter((u) => !isLocal(u))).toEqual([]);
      await page.close();
    }
  }, 240_000);

  it('without JavaScript or trust, every plot still shows as the image rendered at execution time', async () => {
    const nb = JSON.parse(readFileSync(executed.ipynb, 'utf8')) as { cells: { outputs?: { data?: Record<string, any> }[] }[] };
    const plots = nb.cells.flatMap((c) => c.outputs ?? []).filter((o) => o.data?.['application/vnd.plotly.v1+json']);
    expect(plots).toHaveLength(NUM_PLOTS);
    for (const o of plots) expect(Buffer.from(o.data!['image/png'], 'base64').subarray(1, 4).toString()).toBe('PNG');
    // An HTML viewer without JavaScript: nbconvert's page with scripts off shows the static SVGs.
    const target = join(work, 'nojs');
    const r = spawnSync('/usr/bin/jupyter', ['nbconvert', '--to', 'html', '--output-dir', target, executed.ipynb], { env: dirs.env, encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    const ctx = await browser!.newContext({ javaScriptEnabled: false, viewport: { width: 1280, height: 900 } });
    const page = await ctx.newPage();
    await page.goto(`file://${join(target, '01-quickstart.html')}`, { waitUntil: 'load' });
    const imgs = page.locator('.enginelab-plot-static img[src^="data:image/svg+xml;base64,"]');
    expect(await imgs.count()).toBe(NUM_PLOTS);
    await page.waitForFunction(() => [...(globalThis as any).document.querySelectorAll('.enginelab-plot-static img')].every((i: any) => i.complete && i.naturalWidth > 0), undefined, { timeout: 30_000 });
    await imgs.nth(1).scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(outDir, 'no-javascript-static-plots.png') });
    await ctx.close();
    // Classic Notebook showing the notebook untrusted runs none of its scripts and sanitises its
    // HTML: each plot shows as its static image there.
    // Trust is by content signature: change the content so the earlier signature does not apply.
    const untrusted = join(work, 'nb', 'untrusted.ipynb');
    writeFileSync(untrusted, JSON.stringify({ ...nb, metadata: { ...(nb as { metadata?: object }).metadata, copy: 'untrusted' } }));
    const p2 = await browser!.newPage({ viewport: { width: 1280, height: 900 } });
    await p2.goto(`${server!.url}/notebooks/untrusted.ipynb`, { waitUntil: 'load', timeout: 90_000 });
    await p2.waitForFunction(() => (globalThis as any).document.querySelector('#notification_trusted')?.textContent?.includes('Not Trusted'), undefined, { timeout: 90_000 });
    await p2.waitForFunction((n) => {
      const imgs = [...(globalThis as any).document.querySelectorAll('.output_area .enginelab-plot-static img')] as any[];
      return imgs.length >= n && imgs.every((i) => i.complete && i.naturalWidth > 0);
    }, NUM_PLOTS, { timeout: 90_000 });
    const shown = await p2.evaluate(() => ({
      images: (globalThis as any).document.querySelectorAll('.output_area .enginelab-plot-static img').length,
      drawn: (globalThis as any).document.querySelectorAll('.js-plotly-plot').length,
    }));
    await p2.screenshot({ path: join(outDir, 'untrusted-classic-notebook.png') });
    expect(shown).toEqual({ images: NUM_PLOTS, drawn: 0 });
    await p2.close();
  }, 240_000);
});
