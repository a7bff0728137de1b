/**
 * Value → MIME bundle, a pure function of the value and an ordered formatter list that the
 * caller owns (the kernel's composition root passes kernel/display's `richFormatters()`).
 * Precedence: an object's own `Symbol.for('Jupyter.display')` method, then the first formatter
 * in the list that takes the value, then the defaults: `text/plain` (util.inspect, no colours)
 * always, plus `image/png` for PNG bytes and `application/json` for plain JSON data.
 * `{ raw: true }` passes a bundle through unchanged.
 */
import { inspect } from 'node:util';
import { JUPYTER_DISPLAY, type DisplayBundle, type MimeData, type MimeMetadata } from './mime';

export interface DisplayFormatter {
  /** Whether this formatter handles `value`. */
  test(value: unknown): boolean;
  /** The MIME data for `value`, or undefined to let the next formatter try. */
  format(value: unknown): MimeData | DisplayBundle | undefined;
}

export interface FormatOptions {
  /** `value` is already a MIME bundle (`{data, metadata}`) or a data record: send it exactly. */
  readonly raw?: boolean;
  readonly metadata?: MimeMetadata;
  /** util.inspect depth for text/plain (default 4). */
  readonly depth?: number;
}

const PNG_MAGIC = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

function isBundle(v: unknown): v is DisplayBundle {
  return typeof v === 'object' && v !== null && 'data' in v && typeof (v as { data: unknown }).data === 'object' && (v as { data: unknown }).data !== null;
}

function toBundle(v: MimeData | DisplayBundle, extra?: MimeMetadata): DisplayBundle {
  if (isBundle(v)) return { data: { ...v.data }, metadata: { ...(v.metadata ?? {}), ...(extra ?? {}) } };
  return { data: { ...v }, metadata: { ...(extra ?? {}) } };
}

function isPng(v: unknown): v is Uint8Array {
  if (!(v instanceof Uint8Array) || v.length < PNG_MAGIC.length) return false;
  return PNG_MAGIC.every((b, i) => v[i] === b);
}

function isPlainJson(v: unknown, depth = 0): boolean {
  if (depth > 64) return false;
  if (v === null || typeof v === 'string' || typeof v === 'boolean') return true;
  if (typeof v === 'number') return Number.isFinite(v);
  if (Array.isArray(v)) return v.every((x) => isPlainJson(x, depth + 1));
  if (typeof v === 'object') {
    const proto = Object.getPrototypeOf(v);
    if (proto !== Object.prototype && proto !== null) return false;
    return Object.values(v as Record<string, unknown>).every((x) => isPlainJson(x, depth + 1));
  }
  return false;
}

export function textPlain(value: unknown, depth = 4): string {
  return inspect(value, { colors: false, depth, maxArrayLength: 100, maxStringLength: 10_000, breakLength: 100 });
}

/** The display bundle for `value`; `formatters` are tried in order, the first that answers wins. */
export function format(value: unknown, formatters: readonly DisplayFormatter[] = [], options: FormatOptions = {}): DisplayBundle {
  if (options.raw) {
    if (typeof value !== 'object' || value === null) {
      throw new TypeError('format(value, formatters, { raw: true }): value must be a MIME bundle {data, metadata} or a data record');
    }
    return toBundle(value as MimeData | DisplayBundle, options.metadata);
  }
  if (typeof value === 'object' && value !== null) {
    const method = (value as Record<symbol, unknown>)[JUPYTER_DISPLAY];
    if (typeof method === 'function') {
      const out = method.call(value) as unknown;
      if (typeof out === 'object' && out !== null) {
        const b = toBundle(out as MimeData | DisplayBundle, options.metadata);
        if (!('text/plain' in b.data)) b.data['text/plain'] = textPlain(value, options.depth);
        return b;
      }
    }
  }
  for (const f of formatters) {
    if (!f || typeof f.test !== 'function' || typeof f.format !== 'function') {
      throw new TypeError('format(value, formatters): every formatter needs test(value) and format(value) methods');
    }
    let hit = false;
    try {
      hit = f.test(value);
    } catch {
      hit = false;
    }
    if (!hit) continue;
    const out = f.format(value);
    if (out === undefined) continue;
    const b = toBundle(out, options.metadata);
    if (!('text/plain' in b.data)) b.data['text/plain'] = textPlain(value, options.depth);
    return b;
  }
  const data: MimeData = { 'text/plain': textPlain(value, options.depth) };
  if (isPng(value)) data['image/png'] = Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64');
  else if (typeof value === 'object' && value !== null && isPlainJson(value)) data['application/json'] = value;
  return { data, metadata: { ...(options.metadata ?? {}) } };
}
