/**
 * Which plot carries plotly.js. A kernel session inlines the library into its first plot; later
 * plots reuse it. The carrier is remembered by execution (msg_id) and by cell (the frontend's
 * `cellId` metadata, else the cell's code): when that cell is executed again its old output is
 * about to be cleared, so the next plot carries the library again. Other re-executions reuse it.
 * A request from a client session (execute_request `header.session`) other than the carrier's
 * comes from a page that has not seen the library — a reloaded JupyterLab tab, a second
 * frontend — so its first plot carries the library again.
 */
import { hashString } from '../../engine/index';
import type { DisplayBundle } from './mime';
import { plotlyBundle, scriptJson, toJsonValue, checkFigure, type PlotlyFigure } from './plotly';

export interface ExecutionInfo {
  /** execute_request msg_id: one execution. */
  readonly msgId?: string;
  /** The cell: frontend cellId, else `code:<hash of the code>`. */
  readonly cellKey?: string;
  /** The frontend's client session (`header.session`): one per page connection. */
  readonly clientSession?: string;
}

/**
 * Reads the execution behind a CellIO: the kernel's RequestContext keeps its execute_request as
 * `parent` ({ header: { msg_id }, content: { code }, metadata: { cellId } }).
 */
export function executionOf(io: unknown): ExecutionInfo | undefined {
  const parent = (io as { parent?: unknown } | undefined)?.parent as
    | { header?: { msg_id?: unknown; session?: unknown }; content?: { code?: unknown }; metadata?: { cellId?: unknown } }
    | undefined;
  if (!parent || typeof parent !== 'object') return undefined;
  const msgId = typeof parent.header?.msg_id === 'string' ? parent.header.msg_id : undefined;
  const cellId = parent.metadata?.cellId;
  const code = parent.content?.code;
  const cellKey = typeof cellId === 'string' && cellId !== '' ? `cell:${cellId}` : typeof code === 'string' ? `code:${hashString(code).toString(16)}:${code.length}` : undefined;
  const clientSession = typeof parent.header?.session === 'string' && parent.header.session !== '' ? parent.header.session : undefined;
  return { msgId, cellKey, clientSession };
}

export class PlotlySession {
  private carrier: ExecutionInfo | undefined;
  private carried = false;
  /** Client sessions whose page has been sent the library. */
  private readonly servedSessions = new Set<string>();
  private numPlots = 0;

  constructor(private readonly current: () => ExecutionInfo | undefined = () => undefined) {}

  /** Decides whether the plot about to be shown must carry plotly.js, and records it. */
  claimLibrary(): boolean {
    const now = this.current();
    if (!this.carried) return this.mark(now);
    const c = this.carrier;
    if (!c || !now) return false;
    if (now.clientSession !== undefined && !this.servedSessions.has(now.clientSession)) return this.mark(now); // a page without it
    if (c.msgId !== undefined && c.msgId === now.msgId) return false; // same execution: already above
    if (c.cellKey !== undefined && c.cellKey === now.cellKey) return this.mark(now); // carrier cell re-run
    return false;
  }

  /** Forgets the carrier (kernel restart, or a frontend page known to lack the library). */
  reset(): void {
    this.carried = false;
    this.carrier = undefined;
    this.servedSessions.clear();
  }

  private mark(now: ExecutionInfo | undefined): true {
    this.carried = true;
    this.carrier = now;
    if (now?.clientSession !== undefined) this.servedSessions.add(now.clientSession);
    return true;
  }

  /** Deterministic div id: content hash plus the session's plot counter. */
  nextDivId(fig: PlotlyFigure): string {
    this.numPlots++;
    return `enginelab-plot-${hashString(scriptJson(fig)).toString(16)}-${this.numPlots}`;
  }

  /** A figure's bundle, carrying the library when this session needs it there. */
  bundle(figure: PlotlyFigure, options: { readonly embedLibrary?: boolean } = {}): DisplayBundle {
    const fig = toJsonValue(checkFigure(figure)) as PlotlyFigure;
    const embed = options.embedLibrary === true ? this.mark(this.current()) : options.embedLibrary === false ? false : this.claimLibrary();
    return plotlyBundle(fig, { embedLibrary: embed, divId: this.nextDivId(fig) });
  }
}
