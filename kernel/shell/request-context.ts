/**
 * The per-request publisher a running cell writes through (`CellIO`): streams, displays,
 * clear_output and stdin input, all parented to the request that caused them. Stream text is
 * coalesced (flushed on the next turn of the event loop, before any other output, or at 64 KiB)
 * so a loop of `console.log` costs one message per turn, not one per call.
 */
import type { CellIO } from '../interpreter';
import type { DisplayBundle } from '../display/mime';
import type { JupyterMessage } from '../protocol/messages';

export type Publish = (msgType: string, content: Record<string, unknown>, parent: JupyterMessage<unknown> | undefined) => void;
export type RequestInput = (prompt: string, password: boolean, parent: JupyterMessage<unknown>) => Promise<string>;

const MAX_PENDING_STREAM = 64 * 1024;

export class RequestContext implements CellIO {
  private pending: { name: 'stdout' | 'stderr'; text: string } | undefined;
  private flushScheduled = false;

  constructor(
    readonly parent: JupyterMessage<unknown> | undefined,
    private readonly publishRaw: Publish,
    private readonly requestInput: RequestInput | undefined,
    /** Silent executions publish nothing on iopub except status (spec: `silent`). */
    readonly silent: boolean,
  ) {}

  stream(name: 'stdout' | 'stderr', text: string): void {
    if (name !== 'stdout' && name !== 'stderr') throw new TypeError(`stream: name must be 'stdout' or 'stderr', got ${String(name)}`);
    if (typeof text !== 'string') text = String(text);
    if (text === '' || this.silent) return;
    if (this.pending !== undefined && this.pending.name !== name) this.flush();
    if (this.pending === undefined) this.pending = { name, text };
    else this.pending.text += text;
    if (this.pending.text.length >= MAX_PENDING_STREAM) this.flush();
    else if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(() => {
        this.flushScheduled = false;
        this.flush();
      });
    }
  }

  /** Sends buffered stream text now; called before any other output and before the reply. */
  flush(): void {
    const p = this.pending;
    if (p === undefined) return;
    this.pending = undefined;
    this.publishRaw('stream', { name: p.name, text: p.text }, this.parent);
  }

  publish(msgType: string, content: Record<string, unknown>): void {
    if (this.silent) return;
    this.flush();
    this.publishRaw(msgType, content, this.parent);
  }

  display(bundle: DisplayBundle, options: { readonly displayId?: string; readonly update?: boolean } = {}): void {
    if (typeof bundle !== 'object' || bundle === null || typeof bundle.data !== 'object' || bundle.data === null) {
      throw new TypeError('display: bundle must be { data, metadata }');
    }
    const { displayId, update = false } = options;
    if (displayId !== undefined && (typeof displayId !== 'string' || displayId === '')) throw new TypeError('display: displayId must be a non-empty string');
    if (update && displayId === undefined) throw new TypeError('display: update requires a displayId');
    const content: Record<string, unknown> = { data: bundle.data, metadata: bundle.metadata ?? {} };
    if (displayId !== undefined) content.transient = { display_id: displayId };
    this.publish(update ? 'update_display_data' : 'display_data', content);
  }

  clearOutput(wait: boolean): void {
    this.publish('clear_output', { wait: wait === true });
  }

  input(prompt: string, password: boolean): Promise<string> {
    if (this.requestInput === undefined || this.parent === undefined) {
      return Promise.reject(new Error('input: stdin is not available (the frontend sent allow_stdin: false)'));
    }
    this.flush();
    return this.requestInput(String(prompt ?? ''), password === true, this.parent);
  }
}
