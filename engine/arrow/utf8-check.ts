/**
 * UTF-8 validation without allocating (TextDecoder with `fatal` would build the whole string,
 * doubling memory for a large text column): the well-formed byte sequences of Unicode 15,
 * table 3-7 — no overlong forms, no surrogates, nothing above U+10FFFF. Used on the data
 * buffers of Arrow Utf8 columns, where apache-arrow would otherwise decode bad bytes silently
 * into U+FFFD.
 */

/** True when bytes[start, end) is well-formed UTF-8. */
export function isUtf8(bytes: Uint8Array, start: number, end: number): boolean {
  let i = start;
  while (i < end) {
    const b = bytes[i]!;
    if (b < 0x80) { i++; continue; }
    let n: number;
    let lo = 0x80;
    let hi = 0xbf;
    if (b >= 0xc2 && b <= 0xdf) n = 1;
    else if (b >= 0xe0 && b <= 0xef) { n = 2; if (b === 0xe0) lo = 0xa0; else if (b === 0xed) hi = 0x9f; }
    else if (b >= 0xf0 && b <= 0xf4) { n = 3; if (b === 0xf0) lo = 0x90; else if (b === 0xf4) hi = 0x8f; }
    else return false;
    if (i + n >= end) return false; // the character runs past the end
    const second = bytes[i + 1]!;
    if (second < lo || second > hi) return false;
    for (let k = 2; k <= n; k++) {
      const c = bytes[i + k]!;
      if (c < 0x80 || c > 0xbf) return false;
    }
    i += n + 1;
  }
  return true;
}

/** True when `pos` starts a character of the text ending at `end` (or is `end`). */
export function isUtf8Boundary(bytes: Uint8Array, pos: number, end: number): boolean {
  return pos >= end || (bytes[pos]! & 0xc0) !== 0x80;
}
