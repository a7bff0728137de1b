/**
 * plotly.js spread over N plot outputs so that any N − 1 of them rebuild it: the gzipped
 * library is cut into N − 1 equal shards and the N-th output carries their XOR (one parity
 * shard, as RAID 5 does). Clearing or replacing any single output of a saved notebook therefore
 * loses no plot, at a cost of 1/(N − 1) of the compressed library on top of one copy (about
 * 1.4 MB gzipped against 4.8 MB inlined). Each output's loader script stores its shard in a
 * page-wide registry; the one that completes N − 1 rebuilds the bytes, gunzips them with the
 * browser's DecompressionStream, runs plotly.js and fires the ready event the plots wait for.
 */
import { gzipSync } from 'node:zlib';
import { hashString } from '../../engine/index';
import { PLOTLY_PART, plotlyLibrarySource, plotlyRegisterJs } from './plotly';

let gz: Uint8Array | undefined;

/** The gzipped library (computed once per process). */
export function gzippedLibrary(): Uint8Array {
  gz ??= new Uint8Array(gzipSync(Buffer.from(plotlyLibrarySource(), 'utf8'), { level: 9 }));
  return gz;
}

/** Shards 0 … n−2 (data, zero-padded to equal length) and n−1 (their XOR). */
export function splitWithParity(bytes: Uint8Array, n: number): Uint8Array[] {
  if (!Number.isInteger(n) || n < 2) throw new RangeError(`n must be an integer >= 2, got ${n}`);
  const size = Math.ceil(bytes.byteLength / (n - 1));
  const shards: Uint8Array[] = [];
  const parity = new Uint8Array(size);
  for (let k = 0; k < n - 1; k++) {
    const s = new Uint8Array(size);
    s.set(bytes.subarray(k * size, Math.min(bytes.byteLength, (k + 1) * size)));
    for (let j = 0; j < size; j++) parity[j]! ^= s[j]!;
    shards.push(s);
  }
  shards.push(parity);
  return shards;
}

/** The inverse: `shards[k]` undefined for at most one k; returns the first `length` bytes. */
export function joinWithParity(shards: readonly (Uint8Array | undefined)[], length: number): Uint8Array {
  const n = shards.length;
  const missing = shards.flatMap((s, k) => (s === undefined ? [k] : []));
  if (missing.length > 1) throw new Error(`${missing.length} of ${n} shards are missing; one parity shard rebuilds only one`);
  const size = shards.find((s) => s !== undefined)!.byteLength;
  const parts = [...shards];
  if (missing.length === 1 && missing[0]! < n - 1) {
    const x = new Uint8Array(size);
    for (const s of shards) if (s !== undefined) for (let j = 0; j < size; j++) x[j]! ^= s[j]!;
    parts[missing[0]!] = x;
  }
  const out = new Uint8Array((n - 1) * size);
  for (let k = 0; k < n - 1; k++) out.set(parts[k]!, k * size);
  return out.subarray(0, length);
}

/**
 * The loader `<script>` of shard `index` of `n` (ES5: it runs in classic Notebook, nbconvert
 * pages and JupyterLab alike).
 */
export function shardScripts(n: number): string[] {
  const bytes = gzippedLibrary();
  const key = `plotly-${hashString(plotlyLibrarySource()).toString(16)}`;
  return splitWithParity(bytes, n).map((shard, index) => `<script type="text/javascript" ${PLOTLY_PART}="shard">(function () {`
    + `var K = ${JSON.stringify(key)}, N = ${n}, I = ${index}, LEN = ${bytes.byteLength}, w = window;`
    + 'var all = w.__enginelabPlotlyShards = w.__enginelabPlotlyShards || {}; var S = all[K] = all[K] || { got: {}, count: 0 };'
    + 'if (w.Plotly || S.started) return;'
    + `if (!Object.prototype.hasOwnProperty.call(S.got, I)) { S.got[I] = "${Buffer.from(shard).toString('base64')}"; S.count++; }`
    + 'if (S.count < N - 1 || typeof DecompressionStream === "undefined") return;'
    + 'S.started = true;'
    + 'function bytes(b) { var s = atob(b), a = new Uint8Array(s.length); for (var j = 0; j < s.length; j++) a[j] = s.charCodeAt(j); return a; }'
    + 'var parts = [], missing = -1, k, j, size = 0;'
    + 'for (k = 0; k < N; k++) { if (Object.prototype.hasOwnProperty.call(S.got, k)) { parts[k] = bytes(S.got[k]); size = parts[k].length; } else missing = k; }'
    + 'if (missing >= 0 && missing < N - 1) { var x = new Uint8Array(size); for (k = 0; k < N; k++) if (k !== missing) for (j = 0; j < size; j++) x[j] ^= parts[k][j]; parts[missing] = x; }'
    + 'var gz = new Uint8Array((N - 1) * size); for (k = 0; k < N - 1; k++) gz.set(parts[k], k * size);'
    + 'new Response(new Blob([gz.subarray(0, LEN)]).stream().pipeThrough(new DecompressionStream("gzip"))).text().then(function (src) {'
    + ' if (!w.Plotly) { var el = document.createElement("script"); el.text = src; (document.head || document.documentElement).appendChild(el); }'
    + ` ${plotlyRegisterJs()} });`
    + '})();</script>');
}
