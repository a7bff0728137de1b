/**
 * The display, stdin and comm helpers every cell sees as globals: `display(value, options?)`,
 * `updateDisplay(id, value, options?)`, `clearOutput({ wait })`, `await input(prompt,
 * { password })` and `comms`. They write to whichever request is running (the core's current
 * CellIO), so a helper called from a timer after its cell ended still reaches that cell.
 */
import type { CommManager } from '../session/comms';
import type { DisplayBundle } from '../display/mime';
import type { CellIO } from '../interpreter';

export interface DisplayOptions {
  /** Send `value` as a MIME bundle exactly as given: a `{ mime: data }` record or `{ data, metadata }`. */
  readonly raw?: boolean;
  /** display_id: later `updateDisplay(id, …)` calls replace this output in place. */
  readonly id?: string;
  /** Extra output metadata, merged over the formatter's. */
  readonly metadata?: Record<string, unknown>;
}

export interface CellGlobalsDeps {
  readonly currentIO: () => CellIO;
  /** value → MIME bundle; the composition root passes kernel/display/format's `format()` over its formatter list. */
  readonly format: (value: unknown) => DisplayBundle;
  readonly comms: CommManager;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A raw bundle: either `{ data, metadata? }` or a MIME record whose every key is a MIME type. */
export function rawBundle(value: unknown, fn: string): DisplayBundle {
  if (!isRecord(value)) throw new TypeError(`${fn}: with { raw: true }, value must be a MIME bundle object`);
  const keys = Object.keys(value);
  if (keys.length > 0 && keys.every((k) => k.includes('/'))) return { data: value, metadata: {} };
  if (isRecord(value.data) && keys.every((k) => k === 'data' || k === 'metadata')) {
    if (value.metadata !== undefined && !isRecord(value.metadata)) throw new TypeError(`${fn}: value.metadata must be an object`);
    return { data: value.data, metadata: (value.metadata as Record<string, unknown> | undefined) ?? {} };
  }
  throw new TypeError(`${fn}: with { raw: true }, value must map MIME types to data (e.g. { 'text/html': '<b>hi</b>' }) or be { data, metadata }`);
}

function checkOptions(options: unknown, fn: string): DisplayOptions {
  if (options === undefined) return {};
  if (!isRecord(options)) throw new TypeError(`${fn}: options must be an object`);
  const o = options as DisplayOptions;
  if (o.id !== undefined && (typeof o.id !== 'string' || o.id === '')) throw new TypeError(`${fn}: options.id must be a non-empty string`);
  if (o.metadata !== undefined && !isRecord(o.metadata)) throw new TypeError(`${fn}: options.metadata must be an object`);
  return o;
}

export function createCellGlobals(deps: CellGlobalsDeps) {
  const bundleOf = (value: unknown, o: DisplayOptions, fn: string): DisplayBundle => {
    const b = o.raw === true ? rawBundle(value, fn) : deps.format(value);
    return o.metadata === undefined ? b : { data: b.data, metadata: { ...b.metadata, ...o.metadata } };
  };
  return {
    display(value: unknown, options?: DisplayOptions): void {
      const o = checkOptions(options, 'display');
      deps.currentIO().display(bundleOf(value, o, 'display'), o.id === undefined ? {} : { displayId: o.id });
    },
    updateDisplay(id: string, value: unknown, options?: Omit<DisplayOptions, 'id'>): void {
      if (typeof id !== 'string' || id === '') throw new TypeError('updateDisplay: id must be a non-empty string');
      const o = checkOptions(options, 'updateDisplay');
      deps.currentIO().display(bundleOf(value, o, 'updateDisplay'), { displayId: id, update: true });
    },
    clearOutput(options?: { readonly wait?: boolean }): void {
      if (options !== undefined && !isRecord(options)) throw new TypeError('clearOutput: options must be an object');
      deps.currentIO().clearOutput(options?.wait === true);
    },
    input(prompt = '', options?: { readonly password?: boolean }): Promise<string> {
      if (typeof prompt !== 'string') return Promise.reject(new TypeError('input: prompt must be a string'));
      return deps.currentIO().input(prompt, options?.password === true);
    },
    comms: deps.comms.api(),
  };
}

export type CellGlobals = ReturnType<typeof createCellGlobals>;
