/**
 * Makes a notebook's plot outputs self-sufficient before it is saved (`enginelab run`): every
 * plot gets a static image rendered now (SVG inside its `text/html` fallback box, PNG as
 * `image/png` for untrusted viewers), the copies of plotly.js the live session put in whichever
 * output came first are taken out, and the library is spread over all plot outputs with one
 * parity shard (plotly-shards.ts), so clearing or replacing any one output leaves every other
 * plot drawable on reopen. A notebook with a single plot carries the library inline in it.
 * Running it twice gives the same notebook (shards and images are replaced, not added).
 */
import { PLOTLY_MIME, PLOTLY_PART, plotlyLibraryHtml, staticFallbackHtml, type PlotlyFigure } from './plotly';
import { shardScripts } from './plotly-shards';
import type { StaticRenderer } from './static-plots';

export interface PersistableNotebook {
  readonly cells: { outputs?: Record<string, unknown>[] }[];
}

export interface PersistReport {
  readonly numPlots: number;
  readonly numStaticImages: number;
  /** Outputs that held only plotly.js (live plots put it in one of its own); removed. */
  readonly numLibraryOutputsRemoved: number;
  /** Why static images are missing, when they are. */
  readonly staticError?: string;
}

const text = (v: unknown): string => (Array.isArray(v) ? v.join('') : typeof v === 'string' ? v : '');

/** Script tags this module and plotly.ts write, by role; the library never contains `</script`. */
const partScripts = (role: string) => new RegExp(`<script type="text/javascript" ${PLOTLY_PART}="${role}">[\\s\\S]*?</script>`, 'g');
const STATIC_BOX = new RegExp(`<div class="enginelab-plot-static" ${PLOTLY_PART}="static">[\\s\\S]*?</div>`);

function stripLibrary(html: string): string {
  return html.replace(partScripts('library'), '').replace(partScripts('register'), '').replace(partScripts('shard'), '');
}

export function isPlotOutput(o: Record<string, unknown>): boolean {
  const data = o.data as Record<string, unknown> | undefined;
  return !!data && typeof data[PLOTLY_MIME] === 'object' && data[PLOTLY_MIME] !== null && text(data['text/html']).includes('class="enginelab-plot"');
}

function isLibraryOnly(o: Record<string, unknown>): boolean {
  const html = text((o.data as Record<string, unknown> | undefined)?.['text/html']);
  return html.includes(`${PLOTLY_PART}="library"`) && !html.includes('class="enginelab-plot"') && stripLibrary(html).trim() === '';
}

export async function persistPlots(nb: PersistableNotebook, options: { readonly renderer?: StaticRenderer } = {}): Promise<PersistReport> {
  let numLibraryOutputsRemoved = 0;
  const plots: Record<string, unknown>[] = [];
  for (const cell of nb.cells) {
    if (!cell.outputs) continue;
    const kept = cell.outputs.filter((o) => !isLibraryOnly(o));
    numLibraryOutputsRemoved += cell.outputs.length - kept.length;
    cell.outputs.splice(0, cell.outputs.length, ...kept);
    for (const o of kept) {
      const data = o.data as Record<string, unknown> | undefined;
      if (!data || data['text/html'] === undefined) continue;
      const html = text(data['text/html']);
      if (html.includes(PLOTLY_PART)) data['text/html'] = stripLibrary(html);
      if (isPlotOutput(o)) plots.push(data);
    }
  }
  let numStaticImages = 0;
  let staticError: string | undefined;
  if (options.renderer) {
    for (const data of plots) {
      const fig = data[PLOTLY_MIME] as PlotlyFigure;
      try {
        const img = await options.renderer.render(fig);
        const src = `data:image/svg+xml;base64,${Buffer.from(img.svg, 'utf8').toString('base64')}`;
        data['text/html'] = text(data['text/html']).replace(STATIC_BOX, staticFallbackHtml(fig, src));
        data['image/png'] = img.png;
        numStaticImages++;
      } catch (e) {
        staticError ??= (e as Error).message.split('\n')[0];
      }
    }
  }
  if (plots.length === 1) plots[0]!['text/html'] = plotlyLibraryHtml() + text(plots[0]!['text/html']);
  else if (plots.length > 1) {
    const shards = shardScripts(plots.length);
    plots.forEach((data, i) => { data['text/html'] = shards[i]! + text(data['text/html']); });
  }
  return { numPlots: plots.length, numStaticImages, numLibraryOutputsRemoved, ...(staticError ? { staticError } : {}) };
}

/**
 * `persistPlots` with static images from headless Chromium when it is there (and
 * ENGINELAB_STATIC_PLOTS is not `0`); started only for notebooks that plot.
 */
export async function persistNotebookPlots(nb: PersistableNotebook, options: { readonly staticImages?: boolean } = {}): Promise<PersistReport> {
  const wantStatic = options.staticImages ?? process.env.ENGINELAB_STATIC_PLOTS !== '0';
  const hasPlots = nb.cells.some((c) => (c.outputs ?? []).some(isPlotOutput));
  let renderer: StaticRenderer | undefined;
  let launchError: string | undefined;
  if (hasPlots && wantStatic) {
    try {
      const { ChromiumPlotRenderer } = await import('./static-plots');
      renderer = await ChromiumPlotRenderer.launch();
      if (renderer === undefined) launchError = 'no Chromium (set ENGINELAB_CHROMIUM or install chromium)';
    } catch (e) {
      launchError = `Chromium did not start: ${(e as Error).message.split('\n')[0]}`;
    }
  }
  try {
    const report = await persistPlots(nb, renderer ? { renderer } : {});
    return launchError && report.numPlots > 0 ? { ...report, staticError: launchError } : report;
  } finally {
    await renderer?.close();
  }
}
