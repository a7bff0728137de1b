/**
 * Live displays: one output updated in place with `update_display_data`. Updates are coalesced
 * so at most `maxUpdatesPerSecond` go out (any half-open one-second window holds at most that
 * many), and the latest value is always sent in the end: a trailing timer sends it once the
 * interval has passed, and `await flush()`/`await close()` resolve once it is out (still within
 * the rate). Between sends only the newest value is kept, so a burst costs one render. The
 * CellIO is captured when the display is created, so late updates stay with their cell.
 */
import type { CellIO } from '../interpreter';
import type { DisplayBundle } from './mime';

export interface LiveClock {
  now(): number;
  setTimer(fn: () => void, ms: number): unknown;
  clearTimer(handle: unknown): void;
}

export const realClock: LiveClock = {
  now: () => performance.now(),
  setTimer: (fn, ms) => setTimeout(fn, ms),
  clearTimer: (h) => clearTimeout(h as NodeJS.Timeout),
};

export interface LiveOptions {
  /** Most update_display_data messages per second (default 10). */
  readonly maxUpdatesPerSecond?: number;
  /** display_id to use (default: a fresh `enginelab-live-<n>`). */
  readonly displayId?: string;
}

let liveCounter = 0;

export function checkRate(v: unknown, argument = 'maxUpdatesPerSecond'): number {
  if (v === undefined) return 10;
  if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) throw new TypeError(`${argument} must be a positive number, got ${String(v)}`);
  return v;
}

export class LiveDisplay<T = unknown> {
  readonly displayId: string;
  readonly intervalMs: number;
  private latest: T;
  private dirty = false;
  private lastSentAt = -Infinity;
  private timer: unknown;
  private closed = false;
  private waiters: (() => void)[] = [];
  /** update_display_data messages sent so far (the first display_data is not counted). */
  numUpdatesSent = 0;
  /** update() calls so far. */
  numUpdates = 0;

  constructor(
    private readonly io: CellIO,
    private readonly render: (value: T) => DisplayBundle,
    initial: T,
    options: LiveOptions = {},
    private readonly clock: LiveClock = realClock,
  ) {
    this.intervalMs = 1000 / checkRate(options.maxUpdatesPerSecond);
    if (options.displayId !== undefined && (typeof options.displayId !== 'string' || options.displayId === '')) {
      throw new TypeError('options.displayId must be a non-empty string');
    }
    this.displayId = options.displayId ?? `enginelab-live-${++liveCounter}`;
    this.latest = initial;
    this.io.display(this.render(initial), { displayId: this.displayId });
  }

  /** The value most recently given (sent or pending). */
  get value(): T {
    return this.latest;
  }

  /** Replaces the shown value; sent now if the rate allows, else coalesced. */
  update(value: T): void {
    if (this.closed) throw new Error(`live display ${this.displayId} is closed`);
    this.latest = value;
    this.dirty = true;
    this.numUpdates++;
    const now = this.clock.now();
    const due = this.lastSentAt + this.intervalMs;
    if (now >= due) this.send(now);
    else if (this.timer === undefined) this.timer = this.clock.setTimer(() => this.onTimer(), due - now);
  }

  /** Resolves once the latest value has been sent (at the earliest moment the rate allows). */
  flush(): Promise<void> {
    if (!this.dirty) return Promise.resolve();
    const now = this.clock.now();
    if (now >= this.lastSentAt + this.intervalMs) {
      this.send(now);
      return Promise.resolve();
    }
    if (this.timer === undefined) this.timer = this.clock.setTimer(() => this.onTimer(), this.lastSentAt + this.intervalMs - now);
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Flushes, then stops; later update() calls throw. */
  async close(): Promise<void> {
    await this.flush();
    this.closed = true;
  }

  private onTimer(): void {
    this.timer = undefined;
    if (!this.dirty) return this.release();
    const now = this.clock.now();
    const due = this.lastSentAt + this.intervalMs;
    if (now >= due) this.send(now);
    else this.timer = this.clock.setTimer(() => this.onTimer(), due - now);
  }

  private send(now: number): void {
    if (this.timer !== undefined) {
      this.clock.clearTimer(this.timer);
      this.timer = undefined;
    }
    this.dirty = false;
    this.lastSentAt = now;
    this.numUpdatesSent++;
    try {
      this.io.display(this.render(this.latest), { displayId: this.displayId, update: true });
    } finally {
      this.release();
    }
  }

  private release(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const r of w) r();
  }
}
