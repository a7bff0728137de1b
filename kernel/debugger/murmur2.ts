/**
 * MurmurHash2 (32-bit, x86) over the UTF-8 bytes of a string: the hash JupyterLab's debugger
 * and ipykernel agree on for naming cell files (debugInfo's `hashMethod: 'Murmur2'`). The
 * frontend computes a cell's path itself from `tmpFilePrefix + murmur2(source, seed) +
 * tmpFileSuffix`, so this must match its implementation bit for bit.
 */

const M = 0x5bd1e995;

function mul32(a: number, b: number): number {
  return Math.imul(a, b) >>> 0;
}

export function murmur2(text: string, seed: number): number {
  const data = new TextEncoder().encode(text);
  let length = data.length;
  let h = (seed ^ length) >>> 0;
  let i = 0;
  while (length >= 4) {
    let k = data[i]! | (data[i + 1]! << 8) | (data[i + 2]! << 16) | (data[i + 3]! << 24);
    k = mul32(k, M);
    k ^= k >>> 24;
    k = mul32(k, M);
    h = (mul32(h, M) ^ k) >>> 0;
    i += 4;
    length -= 4;
  }
  if (length >= 3) h ^= data[i + 2]! << 16;
  if (length >= 2) h ^= data[i + 1]! << 8;
  if (length >= 1) {
    h ^= data[i]!;
    h = mul32(h, M);
  }
  h ^= h >>> 13;
  h = mul32(h, M);
  h ^= h >>> 15;
  return h >>> 0;
}
