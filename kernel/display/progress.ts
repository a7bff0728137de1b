/**
 * Progress bars for long runs: in a notebook, an HTML bar in one output updated in place (a
 * rate-limited live display); on a terminal (`enginelab run`), a cli-progress bar on the given
 * stream as well. Both end in the final count.
 */
import cliProgress from 'cli-progress';
import type { CellIO } from '../interpreter';
import type { DisplayBundle } from './mime';
import { LiveDisplay, realClock, type LiveClock, type LiveOptions } from './live';
import { escapeHtml } from './table';

export interface ProgressState {
  readonly value: number;
  readonly total: number;
  readonly label: string;
  /** Free text after the count, e.g. `t=1.23 s`. */
  readonly detail?: string;
}

export function progressBundle(s: ProgressState): DisplayBundle {
  const pct = s.total > 0 ? Math.min(100, (100 * s.value) / s.total) : 0;
  const text = `${s.label} ${s.value}/${s.total} (${pct.toFixed(0)}%)${s.detail ? ` ${s.detail}` : ''}`;
  const html = `<div class="enginelab-progress" style="font-family:monospace;font-size:12px">`
    + `<progress value="${s.value}" max="${s.total}" style="width:40%;vertical-align:middle"></progress> `
    + `${escapeHtml(text)}</div>`;
  // The state rides along as metadata so `enginelab run` can mirror the bar on its terminal.
  return { data: { 'text/html': html, 'text/plain': text }, metadata: { [PROGRESS_METADATA]: { value: s.value, total: s.total, label: s.label } } };
}

/** Output metadata key carrying a progress bar's state. */
export const PROGRESS_METADATA = 'enginelab/progress';

export interface ProgressOptions extends LiveOptions {
  /** Number of items; may be left out when the first `onProgress` report brings it. */
  readonly total?: number;
  readonly label?: string;
  /** Also draw a cli-progress bar here (a TTY stream such as process.stderr under `enginelab run`). */
  readonly terminal?: NodeJS.WritableStream;
}

export class Progress {
  private readonly live: LiveDisplay<ProgressState>;
  private readonly bar: cliProgress.SingleBar | undefined;
  private state: ProgressState;

  constructor(io: CellIO, options: ProgressOptions, clock: LiveClock = realClock) {
    const total = options.total ?? 0;
    if (!Number.isInteger(total) || total < 0) throw new TypeError(`options.total must be a non-negative integer, got ${String(options.total)}`);
    this.state = { value: 0, total, label: options.label ?? 'progress' };
    this.live = new LiveDisplay(io, progressBundle, this.state, options, clock);
    if (options.terminal) {
      this.bar = new cliProgress.SingleBar({
        stream: options.terminal, format: `${this.state.label} [{bar}] {value}/{total} {percentage}% {detail}`,
        hideCursor: false, clearOnComplete: false, noTTYOutput: true, notTTYSchedule: 1000,
      }, cliProgress.Presets.shades_classic);
      this.bar.start(total, 0, { detail: '' });
    }
  }

  get value(): number {
    return this.state.value;
  }

  get displayId(): string {
    return this.live.displayId;
  }

  /** Sets the count (clamped to [0, total]) and optional detail text. */
  set(value: number, detail?: string): void {
    if (typeof value !== 'number' || !Number.isFinite(value)) throw new TypeError(`value must be a finite number, got ${String(value)}`);
    const v = Math.max(0, Math.min(this.state.total, Math.floor(value)));
    this.state = { ...this.state, value: v, ...(detail !== undefined ? { detail } : {}) };
    this.live.update(this.state);
    this.bar?.update(v, { detail: detail ?? '' });
  }

  /** Changes the number of items (a run that learns its size late). */
  setTotal(total: number): void {
    if (!Number.isInteger(total) || total < 0) throw new TypeError(`total must be a non-negative integer, got ${String(total)}`);
    if (total === this.state.total) return;
    this.state = { ...this.state, total, value: Math.min(this.state.value, total) };
    this.bar?.setTotal(total);
    this.live.update(this.state);
  }

  /**
   * A callback for `simulateServe({ …, onProgress: bar.onProgress })`: requests completed of
   * requests sent, with the simulated clock as detail. Bound, so it can be passed as is.
   */
  readonly onProgress = (p: { readonly numCompleted: number; readonly numRequests: number; readonly simulatedUs?: number }): void => {
    if (p.numRequests !== this.state.total) this.setTotal(p.numRequests);
    this.set(p.numCompleted, p.simulatedUs !== undefined ? `${(p.simulatedUs / 1e6).toFixed(1)} s simulated` : undefined);
  };

  tick(n = 1, detail?: string): void {
    this.set(this.state.value + n, detail);
  }

  /** Sends the final state (within the rate limit) and stops the terminal bar. */
  async done(): Promise<void> {
    await this.live.close();
    this.bar?.stop();
  }
}
