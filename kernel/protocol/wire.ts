/**
 * Frames ↔ messages, with no sockets: `[identities…, '<IDS|MSG>', hmac, header, parent_header,
 * metadata, content, buffers…]`. Decoding never throws: anything malformed (missing delimiter,
 * too few frames, bad signature, invalid JSON, wrong shapes) comes back as a reason string, so a
 * transport can log it and keep serving. Sizes and nesting depth (limits.ts) are checked on the
 * bytes before JSON.parse; when only a part after a valid signed header breaks a limit, the
 * failure carries that header, so the kernel can answer with an error naming the limit.
 */
import { MESSAGE_LIMITS, partLimitProblem, type MessageLimits } from './limits';
import type { JupyterMessage, MessageHeader } from './messages';
import type { Signer } from './signing';

export const DELIMITER = '<IDS|MSG>';
const DELIMITER_BYTES = Buffer.from(DELIMITER, 'latin1');

export type DecodeResult =
  | { readonly ok: true; readonly message: JupyterMessage; readonly signature: string }
  | { readonly ok: false; readonly reason: string }
  /** A signed message whose header is fine but another part breaks a limit: worth an error reply. */
  | { readonly ok: false; readonly reason: string; readonly header: MessageHeader; readonly identities: readonly Uint8Array[]; readonly signature: string };

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

export function decodeFrames(frames: readonly Uint8Array[], signer: Signer, limits: MessageLimits = MESSAGE_LIMITS): DecodeResult {
  if (!Array.isArray(frames)) return { ok: false, reason: 'frames must be an array' };
  let delim = -1;
  for (let i = 0; i < frames.length; i++) {
    const f = frames[i];
    if (!(f instanceof Uint8Array)) return { ok: false, reason: `frame ${i} is not bytes` };
    if (f.byteLength > limits.maxFrameBytes) return { ok: false, reason: `frame ${i} is ${f.byteLength} bytes, over the limit of ${limits.maxFrameBytes} bytes` };
    if (delim < 0 && f.byteLength === DELIMITER_BYTES.length && asBuffer(f).equals(DELIMITER_BYTES)) delim = i;
  }
  if (delim < 0) return { ok: false, reason: 'no <IDS|MSG> delimiter' };
  if (frames.length < delim + 6) return { ok: false, reason: `expected at least 5 frames after the delimiter, got ${frames.length - delim - 1}` };
  if (frames.length - delim - 6 > limits.maxBuffers) return { ok: false, reason: `${frames.length - delim - 6} buffers, over the limit of ${limits.maxBuffers}` };
  const signatureFrame = frames[delim + 1]!;
  const parts = frames.slice(delim + 2, delim + 6);
  if (!signer.verify(signatureFrame, parts)) return { ok: false, reason: 'invalid HMAC signature' };
  const signature = asBuffer(signatureFrame).toString('latin1');
  const names = ['header', 'parent_header', 'metadata', 'content'] as const;
  const maxBytes = [limits.maxHeaderBytes, limits.maxHeaderBytes, limits.maxMetadataBytes, limits.maxContentBytes];
  const headerProblem = partLimitProblem(parts[0]!, 'header', maxBytes[0]!, limits.maxDepth);
  if (headerProblem !== undefined) return { ok: false, reason: headerProblem };
  const h = parseJson(parts[0]!, 'header');
  if ('reason' in h) return { ok: false, reason: h.reason };
  if (!isPlainObject(h.value)) return { ok: false, reason: 'header must be a JSON object' };
  if (!isHeader(h.value)) return { ok: false, reason: 'header lacks a string msg_id or msg_type' };
  const header = h.value;
  const identities = frames.slice(0, delim);
  const values: unknown[] = [header];
  for (let i = 1; i < 4; i++) {
    const problem = partLimitProblem(parts[i]!, names[i]!, maxBytes[i]!, limits.maxDepth);
    if (problem !== undefined) return { ok: false, reason: problem, header, identities, signature };
    const r = parseJson(parts[i]!, names[i]!);
    if ('reason' in r) return { ok: false, reason: r.reason };
    if (!isPlainObject(r.value)) return { ok: false, reason: `${names[i]} must be a JSON object` };
    values.push(r.value);
  }
  const [, parent, metadata, content] = values as [unknown, Record<string, unknown>, Record<string, unknown>, Record<string, unknown>];
  return {
    ok: true,
    signature,
    message: {
      identities,
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
