/**
 * `enginelab run` on a terminal: mirrors the notebook's progress bars with cli-progress. The
 * runner hands every iopub message of the executing cell to `onMessage`; display_data and
 * update_display_data that carry progress metadata (see progress.ts) drive one bar per
 * display_id. The kernel process itself never draws on the terminal (its stderr is captured).
 */
import cliProgress from 'cli-progress';
import { PROGRESS_METADATA } from './progress';

interface ProgressMeta { readonly value: number; readonly total: number; readonly label: string }

function progressOf(content: unknown): { id: string; p: ProgressMeta } | undefined {
  const c = content as { metadata?: Record<string, unknown>; transient?: { display_id?: unknown } } | undefined;
  const p = c?.metadata?.[PROGRESS_METADATA] as ProgressMeta | undefined;
  const id = c?.transient?.display_id;
  if (!p || typeof id !== 'string' || typeof p.value !== 'number' || typeof p.total !== 'number') return undefined;
  return { id, p };
}

export class TerminalProgressMirror {
  private readonly multi: cliProgress.MultiBar;
  private readonly bars = new Map<string, cliProgress.SingleBar>();

  constructor(stream: NodeJS.WritableStream, options: { readonly forceRedraw?: boolean } = {}) {
    this.multi = new cliProgress.MultiBar({
      stream, format: '{label} [{bar}] {value}/{total} {percentage}%', hideCursor: false, clearOnComplete: false,
      noTTYOutput: options.forceRedraw ?? false, notTTYSchedule: 500, stopOnComplete: false,
    }, cliProgress.Presets.shades_classic);
  }

  /** Feed one iopub message ({ header: { msg_type }, content }). */
  onMessage(msg: { readonly header?: { readonly msg_type?: string }; readonly content?: unknown }): void {
    const type = msg.header?.msg_type;
    if (type !== 'display_data' && type !== 'update_display_data') return;
    const hit = progressOf(msg.content);
    if (!hit) return;
    const bar = this.bars.get(hit.id);
    if (bar) {
      bar.setTotal(hit.p.total);
      bar.update(hit.p.value, { label: hit.p.label });
    } else {
      this.bars.set(hit.id, this.multi.create(hit.p.total, hit.p.value, { label: hit.p.label }));
    }
  }

  /** Number of bars seen so far. */
  get numBars(): number {
    return this.bars.size;
  }

  /** Last value each bar showed, by display_id. */
  values(): Record<string, number> {
    return Object.fromEntries([...this.bars].map(([id, b]) => [id, b.getProgress() * b.getTotal()]));
  }

  stop(): void {
    this.multi.stop();
  }
}
