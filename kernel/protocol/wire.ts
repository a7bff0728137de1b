/**
 * Frames ↔ messages, with no sockets: `[identities…, '<IDS|MSG>', hmac, header, parent_header,
 * metadata, content, buffers…]`. Decoding never throws: anything malformed (missing delimiter,
 * too few frames, bad signature, invalid JSON, wrong shapes) comes back as a reason string, so a
 * transport can log it and keep serving.
 */
import type { JupyterMessage, MessageHeader } from './messages';
import type { Signer } from './signing';

export const DELIMITER = '<IDS|MSG>';
const DELIMITER_BYTES = Buffer.from(DELIMITER, 'latin1');

export type DecodeResult =
  | { readonly ok: true; readonly message: JupyterMessage }
  | { readonly ok: false; readonly reason: string };

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function asBuffer(frame: Uint8Array): Buffer {
  return Buffer.isBuffer(frame) ? frame : Buffer.from(frame.buffer, frame.byteOffset, frame.byteLength);
}

function parseJson(frame: Uint8Array, what: string): { value: unknown } | { reason: string } {
  try {
    return { value: JSON.parse(asBuffer(frame).toString('utf8')) };
  } catch {
    return { reason: `${what} is not valid JSON` };
  }
}

function isHeader(v: unknown): v is MessageHeader {
  return isPlainObject(v) && typeof v.msg_id === 'string' && typeof v.msg_type === 'string' && v.msg_type !== '';
}

export function decodeFrames(frames: readonly Uint8Array[], signer: Signer): DecodeResult {
  if (!Array.isArray(frames)) return { ok: false, reason: 'frames must be an array' };
  let delim = -1;
  for (let i = 0; i < frames.length; i++) {
    const f = frames[i];
    if (!(f instanceof Uint8Array)) return { ok: false, reason: `frame ${i} is not bytes` };
    if (f.byteLength === DELIMITER_BYTES.length && asBuffer(f).equals(DELIMITER_BYTES)) {
      delim = i;
      break;
    }
  }
  if (delim < 0) return { ok: false, reason: 'no <IDS|MSG> delimiter' };
  if (frames.length < delim + 6) return { ok: false, reason: `expected at least 5 frames after the delimiter, got ${frames.length - delim - 1}` };
  const signature = frames[delim + 1]!;
  const parts = frames.slice(delim + 2, delim + 6);
  if (!signer.verify(signature, parts)) return { ok: false, reason: 'invalid HMAC signature' };
  const names = ['header', 'parent_header', 'metadata', 'content'] as const;
  const values: unknown[] = [];
  for (let i = 0; i < 4; i++) {
    const r = parseJson(parts[i]!, names[i]!);
    if ('reason' in r) return { ok: false, reason: r.reason };
    if (!isPlainObject(r.value)) return { ok: false, reason: `${names[i]} must be a JSON object` };
    values.push(r.value);
  }
  const [header, parent, metadata, content] = values as [unknown, Record<string, unknown>, Record<string, unknown>, Record<string, unknown>];
  if (!isHeader(header)) return { ok: false, reason: 'header lacks a string msg_id or msg_type' };
  return {
    ok: true,
    message: {
      identities: frames.slice(0, delim),
      header,
      parent_header: parent as JupyterMessage['parent_header'],
      metadata,
      content,
      buffers: frames.slice(delim + 6),
    },
  };
}

/** Serialises and signs a message. Throws when its content cannot be JSON-encoded (e.g. BigInt, cycles). */
export function encodeMessage(message: JupyterMessage<unknown>, signer: Signer): Buffer[] {
  const parts = [message.header, message.parent_header, message.metadata, message.content].map((v) => Buffer.from(JSON.stringify(v) ?? '{}', 'utf8'));
  const ids = message.identities.map(asBuffer);
  return [...ids, DELIMITER_BYTES, Buffer.from(signer.sign(parts), 'latin1'), ...parts, ...message.buffers.map(asBuffer)];
}
