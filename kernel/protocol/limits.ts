/**
 * Limits on what one incoming message may hold, checked on the raw bytes before anything parses,
 * copies or structured-clones it (a postMessage clone recurses, and 4,000 nested arrays in a
 * signed message overflowed the socket thread's stack, ending its receive loop). The depth scan
 * is a loop over the bytes with a counter, so a hostile frame cannot make it recurse either.
 *
 * The values are assumed, not measured against clients: real Jupyter messages nest a few levels
 * (ipywidgets state ~10) and carry code or widget data of at most a few MB; the limits sit far
 * above that and far below what breaks the kernel (structured clone in the socket thread's 4 MB
 * stack handles well over 1,000 levels; 512 is checked by test/kernel/fuzz).
 */

export interface MessageLimits {
  /** Deepest nesting of arrays/objects in any JSON part. */
  readonly maxDepth: number;
  /** Bytes of the header and of the parent_header part. */
  readonly maxHeaderBytes: number;
  /** Bytes of the metadata part. */
  readonly maxMetadataBytes: number;
  /** Bytes of the content part. */
  readonly maxContentBytes: number;
  /** Number of binary buffers after the content. */
  readonly maxBuffers: number;
  /** Bytes of one frame of any kind (also set as zeromq's maxMessageSize on the kernel sockets). */
  readonly maxFrameBytes: number;
}

export const MESSAGE_LIMITS: MessageLimits = {
  maxDepth: 512,
  maxHeaderBytes: 64 * 1024,
  maxMetadataBytes: 16 * 2 ** 20,
  maxContentBytes: 256 * 2 ** 20,
  maxBuffers: 1024,
  maxFrameBytes: 512 * 2 ** 20,
};

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPENERS = new Uint8Array(256);
OPENERS[0x5b] = 1; // [
OPENERS[0x7b] = 1; // {
const CLOSERS = new Uint8Array(256);
CLOSERS[0x5d] = 1; // ]
CLOSERS[0x7d] = 1; // }

/**
 * True when the JSON text in `bytes` nests arrays/objects deeper than `maxDepth` (brackets inside
 * strings do not count). Works on any bytes: malformed JSON is JSON.parse's problem afterwards.
 */
export function nestsDeeperThan(bytes: Uint8Array, maxDepth: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    if (inString) {
      if (b === BACKSLASH) i++;
      else if (b === QUOTE) inString = false;
    } else if (b === QUOTE) inString = true;
    else if (OPENERS[b] === 1) {
      if (++depth > maxDepth) return true;
    } else if (CLOSERS[b] === 1) depth--;
  }
  return false;
}

/** Names the limit a JSON part breaks, or undefined when it is within both of its limits. */
export function partLimitProblem(part: Uint8Array, name: string, maxBytes: number, maxDepth: number): string | undefined {
  if (part.byteLength > maxBytes) return `${name} is ${part.byteLength} bytes, over the limit of ${maxBytes} bytes`;
  if (nestsDeeperThan(part, maxDepth)) return `${name} nests deeper than the limit of ${maxDepth} levels`;
  return undefined;
}
