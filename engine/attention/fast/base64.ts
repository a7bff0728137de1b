/**
 * A small base64 decoder (RFC 4648 alphabet, '=' padding) so the engine can turn the embedded
 * WebAssembly bytes into a Uint8Array without Node's Buffer or the DOM's atob (engine/ is pure).
 */
import { EngineError } from '../../base/errors';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const LOOKUP: Int16Array = (() => {
  const t = new Int16Array(128).fill(-1);
  for (let i = 0; i < ALPHABET.length; i++) t[ALPHABET.charCodeAt(i)] = i;
  return t;
})();

/** Decodes base64 text (length a multiple of 4, optional '=' padding) to bytes. */
export function decodeBase64(text: string): Uint8Array {
  if (text.length % 4 !== 0) throw new EngineError(`base64 text length ${text.length} is not a multiple of 4`, 'text');
  let pad = 0;
  if (text.endsWith('==')) pad = 2;
  else if (text.endsWith('=')) pad = 1;
  const out = new Uint8Array((text.length / 4) * 3 - pad);
  let o = 0;
  for (let i = 0; i < text.length; i += 4) {
    let v = 0;
    for (let j = 0; j < 4; j++) {
      const c = text.charCodeAt(i + j);
      const d = c === 61 && i + j >= text.length - pad ? 0 : c < 128 ? LOOKUP[c]! : -1;
      if (d < 0) throw new EngineError(`invalid base64 character at ${i + j}`, 'text');
      v = (v << 6) | d;
    }
    if (o < out.length) out[o++] = (v >>> 16) & 0xff;
    if (o < out.length) out[o++] = (v >>> 8) & 0xff;
    if (o < out.length) out[o++] = v & 0xff;
  }
  return out;
}
