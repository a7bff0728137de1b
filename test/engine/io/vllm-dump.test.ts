import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readSparseMlaDump, writeSparseMlaDump } from '../../../engine/io/vllm-dump';
import { isContiguousLayout, tensorSummary } from '../../../engine/io/tensor-summary';
import { TensorFormatError } from '../../../engine/io/format-error';
import { DUMPS } from './fixtures';

const text = readFileSync(join(DUMPS, 'vllm-dump.jsonl'), 'utf8');
const lines = text.trimEnd().split('\n');

function expectFormatError(fn: () => unknown, pattern: RegExp): void {
  let err: unknown;
  try { fn(); } catch (e) { err = e; }
  expect(err, 'expected a TensorFormatError').toBeInstanceOf(TensorFormatError);
  expect((err as Error).message).toMatch(pattern);
}

/** Record 0 with one edit applied at a dotted path (`undefined` deletes the key). */
function edited(path: string, value: unknown, line = 0): string {
  const rec = JSON.parse(lines[line]!);
  const keys = path.split('.');
  let o = rec;
  for (const k of keys.slice(0, -1)) o = o[k];
  if (value === undefined) delete o[keys.at(-1)!];
  else o[keys.at(-1)!] = value;
  return JSON.stringify(rec);
}

describe('readSparseMlaDump on records written by the torch summary code (H100, PyTorch 2.11)', () => {
  const records = readSparseMlaDump(text);

  it('reads all three records with their phases and layer kinds', () => {
    expect(records.map((r) => [r.line, r.phase, r.compress_ratio, r.fields.swa_only])).toEqual([
      [1, 'decode', 4, false], [2, 'prefill', 128, false], [3, 'decode', 1, true],
    ]);
    expect(records.every((r) => r.unknownKeys.length === 0)).toBe(true);
  });

  it('keeps shapes, strides, dtypes and the padded page stride of the caches', () => {
    const r = records[0]!;
    if (r.phase === 'prefill') throw new Error('unreachable');
    expect(r.q).toMatchObject({ shape: [2, 1, 64, 512], dtype: 'torch.bfloat16', device: 'cuda:0', is_contiguous: true });
    expect(r.fields.kv_cache).toMatchObject({ shape: [10, 64, 1, 584], stride: [37440, 584, 584, 1], dtype: 'torch.uint8', is_contiguous: false });
    expect(r.fields.topk_indices!.shape).toEqual([2, 1, 512]);
    expect(r.fields.swa_indices!.shape).toEqual([2, 128]);
    // Python's 512 ** -0.5 is 1 ulp above JavaScript's; the reader keeps the value as written.
    expect(r.fields.scale).toBe(0.04419417382415922);
    expect(Math.abs(r.fields.scale - 512 ** -0.5)).toBeLessThan(1e-17);
    expect(r.swa_metadata).toMatchObject({ block_size: 64, num_decodes: 2, num_decode_tokens: 2, num_prefills: 0 });
    expect(r.flashmla_metadata).toMatchObject({ block_size: 256, topk_tokens: 512, c128a_prefill_topk_indices: null });
    const p = records[1]!;
    if (p.phase !== 'prefill') throw new Error('unreachable');
    expect(p.fields.gathered_kv!.shape).toEqual([2, 302, 512]);
    expect(p.fields.compressed_k_cache!.stride).toEqual([1728, 584, 584, 1]);
    expect(p.fields).toMatchObject({ chunk_start: 0, chunk_end: 2, query_start: 0, query_end: 340 });
    expect(records[2]!.flashmla_metadata).toBeNull();
  });

  it('writes records back byte for byte as Python json.dumps(sort_keys=True) did', () => {
    expect(writeSparseMlaDump(records)).toBe(text);
  });

  it('accepts bytes, blank lines and CRLF line ends', () => {
    const crlf = '\n' + lines.join('\r\n') + '\r\n\n';
    expect(readSparseMlaDump(new TextEncoder().encode(crlf)).map((r) => r.line)).toEqual([2, 3, 4]);
  });

  it('keeps unknown keys visible instead of failing', () => {
    const r = readSparseMlaDump(edited('fields.new_knob', 3))[0]!;
    expect(r.unknownKeys).toEqual(['fields.new_knob']);
  });
});

describe('readSparseMlaDump on corrupt and hostile records', () => {
  const cases: [string, string, RegExp][] = [
    ['NaN-laden JSON', lines[0]!.replace('"scale": 0.04419417382415922', '"scale": NaN'), /line 1: non-finite number NaN at column \d+/],
    ['Infinity in a shape', lines[0]!.replace('"shape": [64]', '"shape": [Infinity]'), /non-finite number Infinity/],
    ['truncated line', lines[0]!.slice(0, 500), /line 1: is not valid JSON/],
    ['not an object', '[1, 2, 3]', /line 1: must be a JSON object/],
    ['missing phase', edited('phase', undefined), /line 1.phase: is missing/],
    ['unknown phase', edited('phase', 'verify'), /"verify" is not "prefill"/],
    ['ratio not 1/4/128', edited('compress_ratio', 8), /compress_ratio: 8 is not 1, 4 or 128/],
    ['unsupported-phase with a supported ratio', edited('phase', 'decode_unsupported_compressed'), /this phase is only written for other ratios/],
    ['swa_only disagrees with the ratio', edited('fields.swa_only', true), /swa_only: is true but compress_ratio is 4/],
    ['compressed cache missing', edited('fields.kv_cache', null), /kv_cache: is missing for a compressed layer/],
    ['q token count disagrees', edited('q.shape', [3, 1, 64, 512]), /num_decode_tokens is 2/],
    ['q rank wrong', JSON.stringify({ ...JSON.parse(lines[0]!), q: { device: 'cuda:0', dtype: 'torch.bfloat16', is_contiguous: true, shape: [2, 64, 512], stride: [32768, 512, 1] } }), /decode q must be/],
    ['stride rank mismatch', edited('fields.topk_lens.stride', [1, 1]), /topk_lens.stride: has 2 entries for a 1-dimensional shape/],
    ['is_contiguous lies', edited('fields.kv_cache.is_contiguous', true), /kv_cache.is_contiguous: is true but shape \[10, 64, 1, 584\]/],
    ['unknown torch dtype', edited('q.dtype', 'torch.complex64'), /q.dtype: "torch.complex64" is not one of/],
    ['bad device', edited('q.device', 'tpu'), /q.device/],
    ['index list with a float dtype', edited('fields.topk_indices.dtype', 'torch.float32'), /topk_indices.dtype: torch.float32 is not one of torch.int32, torch.int64/],
    ['cache with a float dtype', edited('fields.kv_cache.dtype', 'torch.bfloat16'), /kv_cache.dtype/],
    ['lens with the wrong rank', JSON.stringify({ ...JSON.parse(lines[0]!), fields: { ...JSON.parse(lines[0]!).fields, topk_lens: { device: 'cuda:0', dtype: 'torch.int32', is_contiguous: true, shape: [2, 1], stride: [1, 1] } } }), /topk_lens.shape: \[2, 1\] has rank 2; topk_lens has rank 1/],
    ['negative count', edited('swa_metadata.num_decodes', -1), /num_decodes: must be an integer ≥ 0/],
    ['fractional count', edited('fields.padded_heads', 64.5), /padded_heads: must be an integer/],
    ['huge declared shape', edited('q.shape', [2, 1, 2 ** 40, 2 ** 40]), /more elements than can be addressed/],
    ['scale not finite positive', edited('fields.scale', -1), /scale: must be a finite positive number/],
    ['summary with extra keys', edited('output.values', [1]), /output: tensor summary keys must be/],
    ['flashmla metadata wrong type', edited('flashmla_metadata', 3), /flashmla_metadata: must be a JSON object/],
    ['prefill chunk beyond num_prefills', edited('fields.chunk_end', 3, 1), /chunk_end: 3 exceeds swa_metadata.num_prefills \(2\)/],
    ['prefill query range reversed', edited('fields.query_start', 400, 1), /query_end: must not be less than query_start/],
  ];
  for (const [name, line, pattern] of cases) {
    it(name, () => expectFormatError(() => readSparseMlaDump(`${lines[1]}\n${line}\n`), new RegExp(pattern.source.replace(/^line 1/, 'line 2'))));
  }
  it('invalid UTF-8 bytes', () => expectFormatError(() => readSparseMlaDump(Uint8Array.from([0x7b, 0xff, 0x7d])), /UTF-8/));
  it('refuses a non-string input naming the argument', () => {
    expect(() => readSparseMlaDump(42 as unknown as string)).toThrow(/input must be a string/);
  });
});

describe('isContiguousLayout follows torch', () => {
  it('ignores size-1 dimensions and treats empty tensors as contiguous', () => {
    expect(isContiguousLayout([10, 64, 1, 584], [37376, 584, 584, 1])).toBe(true);
    expect(isContiguousLayout([10, 64, 1, 584], [37376, 584, 7, 1])).toBe(true);
    expect(isContiguousLayout([10, 64, 1, 584], [37440, 584, 584, 1])).toBe(false);
    expect(isContiguousLayout([0, 3], [99, 99])).toBe(true);
    expect(isContiguousLayout([3, 2], [1, 3])).toBe(false);
  });
});

describe('tensorSummary (our writer of summaries)', () => {
  it('computes row-major strides and torch contiguity, and round-trips through a record', () => {
    expect(tensorSummary([2, 1, 64, 512], 'torch.bfloat16')).toEqual({ shape: [2, 1, 64, 512], dtype: 'torch.bfloat16', stride: [32768, 32768, 512, 1], device: 'cuda:0', is_contiguous: true });
    expect(tensorSummary([10, 64, 1, 584], 'torch.uint8', { stride: [37440, 584, 584, 1] }).is_contiguous).toBe(false);
    expect(() => tensorSummary([2], 'torch.int32', { stride: [1, 1] })).toThrow(/stride/);
    const rec = readSparseMlaDump(text)[0]!;
    const rebuilt = { ...rec, q: tensorSummary([2, 1, 64, 512], 'torch.bfloat16') };
    expect(writeSparseMlaDump([rebuilt])).toBe(lines[0] + '\n');
  });
});
