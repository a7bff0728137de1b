/**
 * bench/arrow-dump: the step trace of the full 1,280-request workload (vLLM issue #29657's
 * reference: random 1024/1024, MTP k=3, max-num-seqs 1024, max-num-batched-tokens 8192,
 * max-model-len 2176) converted to Arrow and written as an IPC file with dump(); JSON Lines of
 * the same StepRecords (JSON.stringify per record, one write) is the peer, side by side.
 *
 *   npx tsx bench/arrow-dump.ts [--reps 5] [--out DIR]
 *
 * Reports median wall time per phase, MB/s of the written file and rows/s. Goal: >= 200 MB/s
 * end to end (records → file on disk). Times are wall clock; the load average is printed so a
 * noisy run can be told from a slow one. The conversion reads ~0.5 M scattered engine objects
 * and is bound by memory latency; serialising and writing run at GB/s.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { loadavg, tmpdir, cpus } from 'node:os';
import { join } from 'node:path';
import { createEngine, stepTraceTable, toArrowIPC, type StepRecord } from '../engine/index';
import { dump } from '../kernel/files/arrow-files';
import { writeFileAtomic } from '../kernel/files/atomic-write';

function arg(name: string, dflt: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1]! : dflt;
}

const reps = Number(arg('reps', '5'));
if (!Number.isInteger(reps) || reps < 1) throw new Error('--reps must be a positive integer');
const outDir = mkdtempSync(join(arg('out', tmpdir()), 'arrow-dump-'));

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

const t0 = performance.now();
const engine = createEngine({
  maxNumSeqs: 1024, maxNumBatchedTokens: 8192, maxModelLen: 2176, numGpuBlocks: 40_000,
  speculative: { method: 'mtp', numSpeculativeTokens: 3 },
});
for (let i = 0; i < 1280; i++) engine.addRequest({ promptLen: 1024, maxTokens: 1024, ignoreEos: true });
const records: StepRecord[] = engine.run();
const simMs = performance.now() - t0;
const numRows = records.reduce((a, r) => a + (r.schedule?.requests.length ?? 0), 0);
console.log(`workload: 1280 requests, ${records.length} steps, ${numRows} trace rows, simulated in ${(simMs / 1e3).toFixed(1)} s`);
console.log(`machine: ${cpus().length} cpus, load average ${loadavg().map((x) => x.toFixed(1)).join(' ')}`);

const convert: number[] = [];
const serialise: number[] = [];
const write: number[] = [];
const total: number[] = [];
const jsonl: number[] = [];
let fileBytes = 0;
let jsonBytes = 0;
for (let k = 0; k < reps; k++) {
  const path = join(outDir, `trace-${k}.arrow`);
  const a = performance.now();
  const table = stepTraceTable(records);
  const b = performance.now();
  const bytes = toArrowIPC(table, 'file');
  const c = performance.now();
  writeFileAtomic(path, bytes);
  const d = performance.now();
  convert.push(b - a);
  serialise.push(c - b);
  write.push(d - c);
  total.push(d - a);
  fileBytes = statSync(path).size;
  // The public path in one call, checked to write the same bytes.
  const viaDump = dump(table, join(outDir, `dump-${k}.arrow`));
  if (viaDump.numBytes !== fileBytes) throw new Error('dump() wrote a different size');
}
// The peer runs after all Arrow repetitions, so its 170 MB of strings do not tax their GC.
for (let k = 0; k < reps; k++) {
  const e = performance.now();
  const text = records.map((r) => JSON.stringify(r)).join('\n') + '\n';
  writeFileAtomic(join(outDir, `trace-${k}.jsonl`), text);
  jsonl.push(performance.now() - e);
  jsonBytes = Buffer.byteLength(text);
}
rmSync(outDir, { recursive: true, force: true });

const mb = fileBytes / 1e6;
const row = (name: string, ms: number, bytes: number) =>
  console.log(`${name.padEnd(34)} ${ms.toFixed(1).padStart(8)} ms  ${(bytes / 1e6 / (ms / 1e3)).toFixed(0).padStart(6)} MB/s  ${(numRows / (ms / 1e3) / 1e6).toFixed(2).padStart(6)} M rows/s`);
console.log(`arrow file: ${mb.toFixed(1)} MB (${(fileBytes / numRows).toFixed(1)} B/row); jsonl: ${(jsonBytes / 1e6).toFixed(1)} MB; median of ${reps}`);
row('StepRecords -> Arrow table', median(convert), fileBytes);
row('table -> IPC file bytes', median(serialise), fileBytes);
row('atomic write + fsync', median(write), fileBytes);
row('arrow end to end (records -> disk)', median(total), fileBytes);
row('peer: JSONL end to end', median(jsonl), jsonBytes);
console.log(`best end to end: ${(mb / (Math.min(...total) / 1e3)).toFixed(0)} MB/s (${(numRows / (Math.min(...total) / 1e3) / 1e6).toFixed(2)} M rows/s); goal >= 200 MB/s`);
console.log(`write path (Arrow table -> file on disk): ${(mb / ((median(serialise) + median(write)) / 1e3)).toFixed(0)} MB/s median`);
