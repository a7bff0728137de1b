// Issue 16, must-show 1 and 3: the same executed notebooks (02 and 04) as our HTML export and as
// Debian's `jupyter nbconvert --to html`, both opened in headless Chromium, have the same
// structure: GFM tables are <table>, numbered lists <ol>, code highlighted, every plot drawn as
// plotly SVG with its title (02's runs-overlay chart and 04's titled plots among them), and no
// request leaves the machine. Screenshots and both HTML files are kept under out/browser/.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import type { Browser } from 'playwright-core';
import { root, CHROMIUM, CHROMIUM_ARGS, executeNotebook, isLocal, ensureDir, hasCommand } from './helpers/browser-env';

const isCI = process.env.CI === 'true';
const available = existsSync(CHROMIUM) && hasCommand('/usr/bin/jupyter', ['nbconvert', '--version']);
const skip = !available && !isCI;
const outDir = ensureDir(join(root, 'out', 'browser'));

interface Structure {
  readonly mdTables: number;
  readonly mdPipeParagraphs: number;
  readonly mdOrderedLists: number[];
  readonly highlightedInputs: number;
  readonly numInputs: number;
  readonly plots: { readonly title: string; readonly svg: boolean }[];
}

/** What the page shows, read the same way from both exports (selectors per exporter). */
async function structureOf(browser: Browser, url: string, kind: 'ours' | 'nbconvert', shot: string): Promise<{ s: Structure; offMachine: string[]; errors: string[] }> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
  const requests: string[] = [];
  const errors: string[] = [];
  page.on('request', (r) => requests.push(r.url()));
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(url, { waitUntil: 'load', timeout: 120_000 });
  const numPlotOutputs = await page.evaluate(() => (globalThis as any).document.querySelectorAll('.enginelab-plot').length);
  await page.waitForFunction((n) => (globalThis as any).document.querySelectorAll('.js-plotly-plot .main-svg .gtitle').length >= n, numPlotOutputs, { timeout: 120_000, polling: 250 });
  const sel = kind === 'ours'
    ? { md: '.markdown-cell .body', input: '.code-cell pre.code', keyword: '.hljs-keyword' }
    : { md: '.jp-MarkdownCell .jp-RenderedMarkdown', input: '.jp-InputArea .highlight', keyword: '.k, .kd, .kr, .kn' };
  const s = await page.evaluate((sel) => {
    const doc = (globalThis as any).document;
    const md = [...doc.querySelectorAll(sel.md)] as any[];
    const inputs = [...doc.querySelectorAll(sel.input)] as any[];
    return {
      mdTables: md.reduce((a, m) => a + m.querySelectorAll('table').length, 0),
      mdPipeParagraphs: md.reduce((a, m) => a + [...m.querySelectorAll('p')].filter((p: any) => /\|\s*-{3}/.test(p.textContent)).length, 0),
      mdOrderedLists: md.flatMap((m) => [...m.querySelectorAll('ol')].map((ol: any) => ol.querySelectorAll(':scope > li').length)),
      highlightedInputs: inputs.filter((i) => i.querySelector(sel.keyword) !== null).length,
      numInputs: inputs.length,
      plots: ([...doc.querySelectorAll('.enginelab-plot')] as any[]).map((el) => ({
        title: el.querySelector('.main-svg .gtitle')?.textContent ?? '',
        // Drawn: plotly's SVG with marks in its plot area (paths for bars and lines, an image for heatmaps).
        svg: el.querySelector('svg.main-svg') !== null && el.querySelectorAll('.main-svg .cartesianlayer .trace path, .main-svg .cartesianlayer image').length > 0,
      })),
    };
  }, sel);
  await page.screenshot({ path: join(outDir, `${shot}.png`) });
  const first = page.locator('.js-plotly-plot').first();
  await first.scrollIntoViewIfNeeded();
  await first.screenshot({ path: join(outDir, `${shot}-plot-1.png`) });
  await page.close();
  return { s, offMachine: requests.filter((u) => !isLocal(u)), errors };
}

/** Titles of the plot outputs in an executed notebook, and its markdown's GFM tables and ordered lists. */
function expectations(ipynb: string) {
  const nb = JSON.parse(readFileSync(ipynb, 'utf8')) as { cells: { cell_type: string; source: string[]; outputs?: { data?: Record<string, any> }[] }[] };
  const md = nb.cells.filter((c) => c.cell_type === 'markdown').map((c) => c.source.join(''));
  return {
    titles: nb.cells.flatMap((c) => (c.outputs ?? []).flatMap((o) => (o.data?.['application/vnd.plotly.v1+json'] ? [o.data['application/vnd.plotly.v1+json'].layout.title.text as string] : []))),
    numTables: md.reduce((a, m) => a + (m.match(/^\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)+\|?\s*$/gm) ?? []).length, 0),
    numCodeCells: nb.cells.filter((c) => c.cell_type === 'code').length,
  };
}

describe.skipIf(skip)('our HTML export and nbconvert show the same notebook the same way', () => {
  let browser: Browser | undefined;
  let work: string;
  const runs: Record<string, { ipynb: string; ours: string; nbconvert: string }> = {};

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'enginelab-html-export-'));
    for (const name of ['02-async-scheduling-regression', '04-reproduce-a-dump']) {
      const run = await executeNotebook(join(root, `notebooks/${name}.ipynb`), join(work, 'nb'));
      expect(run.failure).toBeUndefined();
      const conv = spawnSync('/usr/bin/jupyter', ['nbconvert', '--to', 'html', '--output-dir', join(work, 'nbconvert'), run.outPath], { encoding: 'utf8' });
      expect(conv.status, conv.stderr).toBe(0);
      runs[name] = { ipynb: run.outPath, ours: run.htmlPath!, nbconvert: join(work, 'nbconvert', `${name}.html`) };
      copyFileSync(run.htmlPath!, join(outDir, `${name}.enginelab.html`));
      copyFileSync(runs[name]!.nbconvert, join(outDir, `${name}.nbconvert.html`));
    }
    const { chromium } = await import('playwright-core');
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
  }, 900_000);

  afterAll(async () => {
    await browser?.close();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  for (const name of ['02-async-scheduling-regression', '04-reproduce-a-dump']) {
    it(`${name}: tables, lists, highlighting and every titled plot, in both`, async () => {
      const r = runs[name]!;
      const want = expectations(r.ipynb);
      const ours = await structureOf(browser!, `file://${r.ours}`, 'ours', `${name}.enginelab`);
      const nbc = await structureOf(browser!, `file://${r.nbconvert}`, 'nbconvert', `${name}.nbconvert`);
      for (const got of [ours, nbc]) {
        expect(got.offMachine).toEqual([]);
        expect(got.errors).toEqual([]);
        expect(got.s.mdTables).toBe(want.numTables);
        expect(got.s.mdPipeParagraphs).toBe(0);
        expect(got.s.numInputs).toBe(want.numCodeCells);
        expect(got.s.highlightedInputs).toBe(want.numCodeCells);
        expect(got.s.plots.map((p) => p.title)).toEqual(want.titles);
        expect(got.s.plots.every((p) => p.svg)).toBe(true);
      }
      expect(ours.s).toEqual(nbc.s);
      if (name.startsWith('02')) {
        expect(want.numTables).toBeGreaterThan(0);
        // The overlay chart that carries the regression is among the titled plots (the compare plots come first).
        expect(want.titles.filter((t) => /^Report era: output tokens over simulated time, async ÷ sync = 0\.9\d\d$/.test(t))).toHaveLength(1);
      } else {
        expect(ours.s.mdOrderedLists).toEqual([2]);
        expect(want.titles).toEqual(['max |error| per (token, head), planted off-by-one slot (heads 0–15 of 64)', 'scheduled tokens per step after the snapshot']);
      }
      // Our file inlines plotly.js once, and nothing is fetched from anywhere.
      const html = readFileSync(r.ours, 'utf8');
      expect(html.split('if (!window.Plotly) {').length - 1).toBe(1);
      expect(html).not.toMatch(/<(script|link)[^>]+(src|href)="https?:/);
      expect(basename(r.ours)).toBe(`${name}.html`);
    }, 300_000);
  }
});
