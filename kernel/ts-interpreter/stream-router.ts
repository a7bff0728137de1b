/**
 * Sends what cells print to the cell that is running: `console` is replaced by one writing to
 * the router, and `process.stdout/stderr.write` are patched. Output that arrives after its
 * cell ended (timers, promises) goes to the most recent cell. A CellIO that throws (its
 * request is closed) never takes the process down: the text falls back to the real stderr.
 */
import { Console } from 'node:console';
import { Writable } from 'node:stream';
import type { CellIO } from '../interpreter';

type Write = typeof process.stdout.write;
type StreamName = 'stdout' | 'stderr';

function toText(chunk: unknown, encoding?: unknown): string {
  if (typeof chunk === 'string') return chunk;
  if (chunk instanceof Uint8Array) return Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength).toString(typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8');
  return String(chunk);
}

export class StreamRouter {
  private target: CellIO | undefined;
  private savedConsole: Console | undefined;
  private savedWrites: { stdout: Write; stderr: Write } | undefined;
  readonly console: Console;

  constructor() {
    const sink = (name: StreamName): Writable =>
      new Writable({
        decodeStrings: false,
        write: (chunk: unknown, encoding: unknown, done: () => void) => {
          this.write(name, toText(chunk, encoding));
          done();
        },
      });
    this.console = new Console({ stdout: sink('stdout'), stderr: sink('stderr'), colorMode: false });
  }

  setTarget(io: CellIO | undefined): void {
    this.target = io;
  }

  get active(): CellIO | undefined {
    return this.target;
  }

  /** Writes to the process's real stream, bypassing the capture. */
  writeRaw(name: StreamName, text: string): void {
    const w = this.savedWrites?.[name] ?? process[name].write;
    try {
      w.call(process[name], text);
    } catch {
      // the real stream is gone too; nothing left to tell
    }
  }

  write(name: StreamName, text: string): void {
    if (text.length === 0) return;
    const io = this.target;
    if (!io) {
      this.writeRaw(name, text);
      return;
    }
    try {
      io.stream(name, text);
    } catch {
      this.writeRaw('stderr', text);
    }
  }

  install(): void {
    if (this.savedWrites) return;
    this.savedConsole = globalThis.console;
    this.savedWrites = { stdout: process.stdout.write, stderr: process.stderr.write };
    Object.defineProperty(globalThis, 'console', { value: this.console, writable: true, configurable: true, enumerable: false });
    for (const name of ['stdout', 'stderr'] as const) {
      const patched = (chunk: unknown, encoding?: unknown, cb?: unknown): boolean => {
        this.write(name, toText(chunk, encoding));
        const done = typeof encoding === 'function' ? encoding : cb;
        if (typeof done === 'function') queueMicrotask(() => (done as () => void)());
        return true;
      };
      Object.defineProperty(process[name], 'write', { value: patched, writable: true, configurable: true });
    }
  }

  uninstall(): void {
    if (!this.savedWrites) return;
    Object.defineProperty(process.stdout, 'write', { value: this.savedWrites.stdout, writable: true, configurable: true });
    Object.defineProperty(process.stderr, 'write', { value: this.savedWrites.stderr, writable: true, configurable: true });
    Object.defineProperty(globalThis, 'console', { value: this.savedConsole, writable: true, configurable: true, enumerable: false });
    this.savedWrites = undefined;
    this.target = undefined;
  }
}
