/**
 * Rich displays for cells: `richDisplayGlobals(ctx)` returns the helpers every cell sees
 * (`plot`, `table`, `live`, `progress`, `runLive`, `dump`, `load`, `toDataFrame`), and
 * `richFormatters()` the ordered list with which format.ts's `format()` shows plotly figures,
 * Arrow tables, DataFrames and the engine's objects. Both share one plotly session, which
 * decides which output carries plotly.js.
 */
import type { CellIO } from '../interpreter';
import type { DisplayBundle } from './mime';
import { JUPYTER_DISPLAY } from './mime';
import { isPlotlyFigure, checkFigure, plotlyLibraryHtml, type PlotlyFigure } from './plotly';
import { PlotlySession, executionOf } from './plotly-session';
import { tableBundle, isArrowTable, isDanfoFrame, isPolarsFrame, type TableOptions } from './table';
import { LiveDisplay, checkRate, type LiveOptions } from './live';
import { Progress, type ProgressOptions } from './progress';
import { runLive, type RunLiveOptions, type Steppable } from './run-live';
import { toDataFrame } from './dataframe';
import { dump, load } from '../files/arrow-files';
import { engineFormatters, kvGridFigure, kvCells, stepTimelineFigure } from './engine-views';
import { latencyDistributionFigure, throughputBarsFigure } from './compare-plots';
import { runsOverlayFigure, throughputLadderFigure } from './run-charts';
import { requestGanttFigure, kvOccupancyFigure, requestPhases } from './engine-charts';
import { tornadoFigure, paretoFrontFigure } from './sensitivity-charts';
import { numericFormatters } from './numeric-views';
import { tensorFormatters } from './tensor-views';

export interface RichDisplayContext {
  /** The CellIO of the request now running (KernelCore.currentIO). */
  readonly currentIO: () => CellIO;
  /** `enginelab run`: a terminal stream for cli-progress bars (process.stderr when it is a TTY). */
  readonly terminal?: NodeJS.WritableStream;
  /** Default rate limit of live displays and progress bars (updates per second, default 10). */
  readonly maxUpdatesPerSecond?: number;
}

/** One entry of the list kernel/display/format.ts's `format()` tries in order. */
export interface RichFormatter {
  readonly name: string;
  test(value: unknown): boolean;
  format(value: unknown): DisplayBundle;
}

let context: RichDisplayContext | undefined;
const session = new PlotlySession(() => {
  try {
    return context ? executionOf(context.currentIO()) : undefined;
  } catch {
    return undefined;
  }
});

/** The plotly session shared by plot(), live plots and the formatters. */
export function plotlySession(): PlotlySession {
  return session;
}

/** A value that displays as a plotly figure. */
export class Plot {
  constructor(readonly figure: PlotlyFigure, private readonly options: { readonly embedLibrary?: boolean } = {}) {}
  [JUPYTER_DISPLAY](): DisplayBundle {
    return session.bundle(this.figure, this.options);
  }
  toJSON(): PlotlyFigure {
    return this.figure;
  }
}

/** A value that displays as an HTML table. */
export class TableView {
  constructor(readonly input: unknown, private readonly options: TableOptions = {}) {}
  [JUPYTER_DISPLAY](): DisplayBundle {
    return tableBundle(this.input, this.options);
  }
}

function render(value: unknown): DisplayBundle {
  if (value instanceof Plot) return value[JUPYTER_DISPLAY]();
  if (isPlotlyFigure(value)) return session.bundle(value, { embedLibrary: false });
  const own = (value as { [JUPYTER_DISPLAY]?: () => DisplayBundle } | null)?.[JUPYTER_DISPLAY];
  if (typeof own === 'function') return own.call(value);
  return tableBundle(value);
}

export function richDisplayGlobals(ctx: RichDisplayContext) {
  if (typeof ctx?.currentIO !== 'function') throw new TypeError('ctx.currentIO must be a function returning the running CellIO');
  context = ctx;
  const rate = checkRate(ctx.maxUpdatesPerSecond, 'ctx.maxUpdatesPerSecond');
  return {
    /** plotly figure `{ data, layout?, config? }` → displayable (last expression or display()). */
    plot(figure: PlotlyFigure, options?: { readonly embedLibrary?: boolean }): Plot {
      return new Plot(checkFigure(figure), options);
    },
    /** rows (objects), an Arrow table or a DataFrame → displayable HTML table. */
    table(rows: unknown, options?: TableOptions): TableView {
      tableBundle(rows, options); // validate now, so a mistake points at this call
      return new TableView(rows, options);
    },
    /**
     * Shows a figure or table now and returns a handle whose `update(next)` replaces it in place,
     * at most `maxUpdatesPerSecond` times a second; `await handle.flush()` waits for the last state.
     */
    live<T>(initial: T, options: LiveOptions = {}): LiveDisplay<T> {
      const io = ctx.currentIO();
      if (isPlotlyFigure(initial) || initial instanceof Plot) {
        // Updates replace the whole output, so the library must live in an output of its own.
        if (session.claimLibrary()) io.display({ data: { 'text/html': plotlyLibraryHtml(), 'text/plain': '' }, metadata: {} });
      }
      return new LiveDisplay<T>(io, render, initial, { maxUpdatesPerSecond: rate, ...options });
    },
    /**
     * A progress bar (HTML in the notebook; cli-progress on the terminal under `enginelab run`).
     * `simulateServe({ …, onProgress: bar.onProgress })` drives one through a run.
     */
    progress(options: number | (Omit<ProgressOptions, 'terminal'> & { readonly label?: string }) = {}): Progress {
      const o = typeof options === 'number' ? { total: options } : options;
      return new Progress(ctx.currentIO(), { maxUpdatesPerSecond: rate, ...o, ...(ctx.terminal ? { terminal: ctx.terminal } : {}) });
    },
    /** Steps `engine` in slices, yielding between them so displays update while it runs. */
    runLive<E extends Steppable, T>(engine: E, options: RunLiveOptions<E, T>) {
      return runLive({ io: ctx.currentIO(), terminal: ctx.terminal, maxUpdatesPerSecond: rate }, engine, options);
    },
    dump,
    load,
    toDataFrame,
    /** Figures for engine objects, to pass to plot() or live(). */
    kvGridFigure,
    kvCells,
    stepTimelineFigure,
    /** Figures for compareWithMeasured(measured, simulated). */
    latencyDistributionFigure,
    throughputBarsFigure,
    /** simulateServe runs overlaid: cumulative output tokens, step time, graph-mode strip. */
    runsOverlayFigure,
    /** Output throughput of a list of runs as bars, with ratios to a baseline. */
    throughputLadderFigure,
    /** Per-request Gantt (queued, prefill, decode, preempted) from StepRecords. */
    requestGanttFigure,
    requestPhases,
    /** KV usage over time with preemption markers, from StepRecords. */
    kvOccupancyFigure,
    /** sensitivity(...) as a tornado chart; a sweep's throughput per GPU vs tokens/s per user with Pareto fronts. */
    tornadoFigure,
    paretoFrontFigure,
  };
}

export type RichDisplayGlobals = ReturnType<typeof richDisplayGlobals>;

/** Names of the globals richDisplayGlobals() returns. */
export const RICH_DISPLAY_GLOBAL_NAMES = [
  'plot', 'table', 'live', 'progress', 'runLive', 'dump', 'load', 'toDataFrame', 'kvGridFigure', 'kvCells', 'stepTimelineFigure',
  'latencyDistributionFigure', 'throughputBarsFigure',
  'runsOverlayFigure', 'throughputLadderFigure', 'requestGanttFigure', 'requestPhases', 'kvOccupancyFigure',
  'tornadoFigure', 'paretoFrontFigure',
] as const;

/**
 * TypeScript types of those globals for the interpreter's `defineGlobals(values, types)`, so
 * cells get checked calls and inferred callback parameters instead of `any`.
 * `modulePath`: absolute path of this file (kernel/display/index.ts).
 */
export function richDisplayGlobalTypes(modulePath: string): Record<string, string> {
  const g = `ReturnType<typeof import(${JSON.stringify(modulePath.replace(/\.ts$/, ''))}).richDisplayGlobals>`;
  return Object.fromEntries(RICH_DISPLAY_GLOBAL_NAMES.map((n) => [n, `${g}[${JSON.stringify(n)}]`]));
}

/**
 * Formatters for values shown as a cell's result or through display(), in the order format()
 * tries them. Listed general → specific and reversed, so the engine, numeric and tensor views
 * come before the generic tables and figures (the precedence registration order used to give).
 */
export function richFormatters(): RichFormatter[] {
  const generalFirst: RichFormatter[] = [
    { name: 'plotly-figure', test: isPlotlyFigure, format: (v) => session.bundle(v as PlotlyFigure) },
    { name: 'arrow-table', test: isArrowTable, format: (v) => tableBundle(v) },
    { name: 'danfo-dataframe', test: isDanfoFrame, format: (v) => tableBundle(v) },
    { name: 'polars-dataframe', test: isPolarsFrame, format: (v) => tableBundle(v) },
    ...engineFormatters(session),
    ...numericFormatters(session),
    ...tensorFormatters(session),
  ];
  return generalFirst.reverse();
}

export { PlotlySession, executionOf } from './plotly-session';
export { plotlyBundle, plotHtml, plotlyLibraryHtml, plotlyLibrarySource, isPlotlyFigure, PLOTLY_MIME } from './plotly';
export { tableBundle, toTabular } from './table';
export { LiveDisplay } from './live';
export { Progress, progressBundle, PROGRESS_METADATA } from './progress';
export { TerminalProgressMirror } from './terminal-progress';
export { runLive } from './run-live';
export { toDataFrame } from './dataframe';
export { kvGridFigure, kvCells, stepTimelineFigure } from './engine-views';
export { latencyDistributionFigure, throughputBarsFigure } from './compare-plots';
export { runsOverlayFigure, throughputLadderFigure } from './run-charts';
export { requestGanttFigure, kvOccupancyFigure, requestPhases } from './engine-charts';
export { tornadoFigure, paretoFrontFigure } from './sensitivity-charts';
export { persistPlots, persistNotebookPlots } from './plotly-persist';
export { compareHeatmapFigure, attentionLseFigure } from './numeric-views';
export { tensorFigure, tensorStats, replayLseFigure } from './tensor-views';
