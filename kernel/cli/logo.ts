/**
 * The kernelspec's logos, drawn in code so the repository holds no binary assets: a TypeScript
 * blue square with "EL" in white block letters, as PNG (a minimal encoder: one IDAT, filter 0)
 * and as SVG.
 */
import { deflateSync } from 'node:zlib';

const GLYPHS: Record<string, string[]> = {
  E: ['11111', '10000', '10000', '11110', '10000', '10000', '11111'],
  L: ['10000', '10000', '10000', '10000', '10000', '10000', '11111'],
};

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Uint8Array): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const td = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(td));
  return Buffer.concat([len, td, crc]);
}

/** RGBA pixels of the logo at `size`×`size`. */
export function logoPixels(size: number): Uint8Array {
  if (!Number.isInteger(size) || size < 16) throw new RangeError('logoPixels: size must be an integer >= 16');
  const px = new Uint8Array(size * size * 4);
  const cell = Math.floor(size / 14);
  const x0 = Math.floor((size - 11 * cell) / 2);
  const y0 = Math.floor((size - 7 * cell) / 2);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const i = (y * size + x) * 4;
      const gx = Math.floor((x - x0) / cell);
      const gy = Math.floor((y - y0) / cell);
      const letter = gx < 5 ? 'E' : gx > 5 ? 'L' : undefined;
      const on = x >= x0 && y >= y0 && gy < 7 && gx < 11 && letter !== undefined && GLYPHS[letter]![gy]![letter === 'E' ? gx : gx - 6] === '1';
      px.set(on ? [255, 255, 255, 255] : [49, 120, 198, 255], i);
    }
  }
  return px;
}

export function logoPng(size: number): Buffer {
  const px = logoPixels(size);
  const raw = Buffer.alloc(size * (size * 4 + 1));
  for (let y = 0; y < size; y++) Buffer.from(px.buffer, y * size * 4, size * 4).copy(raw, y * (size * 4 + 1) + 1);
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(size, 0);
  ihdr.writeUInt32BE(size, 4);
  ihdr.set([8, 6, 0, 0, 0], 8); // 8-bit RGBA, deflate, no filter method variants, no interlace
  return Buffer.concat([Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw)), chunk('IEND', new Uint8Array())]);
}

export function logoSvg(): string {
  return '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64"><rect width="64" height="64" fill="#3178c6"/><text x="32" y="44" font-family="sans-serif" font-weight="bold" font-size="30" fill="#fff" text-anchor="middle">EL</text></svg>\n';
}
