/**
 * Static images of plotly figures, rendered at execution time by plotly.js itself in headless
 * Chromium (Debian's /usr/bin/chromium, or ENGINELAB_CHROMIUM, driven by playwright-core): an SVG
 * for pages without JavaScript and a PNG (`image/png`) for front ends that show untrusted
 * notebooks' safe outputs only. The page loads plotly.js from node_modules and makes no request:
 * every request it would make is refused. Without Chromium, `launch` returns undefined and
 * plots keep their text summary.
 */
import { existsSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { plotlyLibrarySource, plotHeight, type PlotlyFigure } from './plotly';
import { localRequire } from './local-require';

export const DEFAULT_CHROMIUM = '/usr/bin/chromium';
export const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'];
/** Width of static images (px): the text column of classic Notebook and of our HTML export. */
export const STATIC_WIDTH = 900;

export interface StaticImages {
  readonly svg: string;
  /** base64 PNG. */
  readonly png: string;
  readonly width: number;
  readonly height: number;
}

export interface StaticRenderer {
  render(fig: PlotlyFigure): Promise<StaticImages>;
  close(): Promise<void>;
}

export function chromiumPath(): string | undefined {
  const p = process.env.ENGINELAB_CHROMIUM ?? DEFAULT_CHROMIUM;
  return existsSync(p) ? p : undefined;
}

export class ChromiumPlotRenderer implements StaticRenderer {
  private constructor(private readonly browser: Browser, private readonly page: Page) {}

  /** Starts Chromium with plotly.js loaded; undefined when there is no Chromium (or it will not start). */
  static async launch(executablePath = chromiumPath()): Promise<ChromiumPlotRenderer | undefined> {
    if (executablePath === undefined) return undefined;
    const { chromium } = localRequire()('playwright-core') as typeof import('playwright-core');
    const browser = await chromium.launch({ executablePath, args: CHROMIUM_ARGS, headless: true, timeout: 120_000 });
    try {
      const page = await browser.newPage({ viewport: { width: STATIC_WIDTH + 40, height: 800 } });
      await page.route('**/*', (route) => route.abort());
      await page.setContent('<!DOCTYPE html><html><head><meta charset="utf-8"></head><body></body></html>');
      await page.addScriptTag({ content: plotlyLibrarySource() });
      return new ChromiumPlotRenderer(browser, page);
    } catch (e) {
      await browser.close();
      throw e;
    }
  }

  async render(fig: PlotlyFigure): Promise<StaticImages> {
    const width = typeof fig.layout?.width === 'number' ? fig.layout.width : STATIC_WIDTH;
    const height = plotHeight(fig);
    const arg: { fig: { data: unknown; layout?: Record<string, unknown>; config?: Record<string, unknown> }; width: number; height: number } = { fig: fig as never, width, height };
    const out = await this.page.evaluate(async ({ fig, width, height }) => {
      const P = (globalThis as unknown as { Plotly: any }).Plotly;
      const doc = (globalThis as unknown as { document: any }).document;
      const div = doc.createElement('div');
      doc.body.appendChild(div);
      try {
        await P.newPlot(div, fig.data, { ...(fig.layout ?? {}), width, height }, { ...(fig.config ?? {}), staticPlot: true, responsive: false });
        const svg: string = await P.toImage(div, { format: 'svg', width, height });
        const png: string = await P.toImage(div, { format: 'png', width, height });
        return { svg, png };
      } finally {
        P.purge(div);
        div.remove();
      }
    }, arg);
    const svgText = out.svg.startsWith('data:image/svg+xml,') ? decodeURIComponent(out.svg.slice('data:image/svg+xml,'.length)) : out.svg;
    const png = out.png.replace(/^data:image\/png;base64,/, '');
    return { svg: svgText, png, width, height };
  }

  async close(): Promise<void> {
    await this.browser.close();
  }
}
