/**
 * Reader and writer for vLLM's sparse-MLA diagnostic dump (`VLLM_TRITON_MLA_SPARSE_DUMP`,
 * sparse-mla.md §9): JSON Lines, one record per attention call, keys sorted, tensor summaries
 * instead of values. Field names are kept exactly as vLLM writes them (an upstream format at
 * its boundary). Every field of the schema is checked: required keys, types, phase-specific
 * `fields`, integer ranges, tensor summaries, and the cross-field facts a replay relies on
 * (decode `q` is `[T_dec, 1, H_pad, D]` with `T_dec = num_decode_tokens`, `swa_only` agrees with
 * `compress_ratio`, a compressed cache is present exactly when the layer compresses). Python's
 * `NaN`/`Infinity` literals, which `json.dumps` emits by default, are reported as such.
 * Unknown keys are kept in `unknownKeys` rather than rejected, since dump hooks drifted across
 * the PR's commits.
 */
import { EngineError } from '../base/errors';
import { TensorFormatError, check, describeValue } from './format-error';
import { parseTensorSummary } from './tensor-summary';
import type { TensorSummary } from './tensor-summary';

const F = 'vllm-dump' as const;
type TS = TensorSummary | null;

export type DumpPhase = 'prefill' | 'decode' | 'decode_unsupported_compressed';

export interface SwaMetadataSummary {
  readonly block_table: TS; readonly slot_mapping: TS; readonly seq_lens: TS; readonly query_start_loc: TS;
  readonly is_valid_token: TS; readonly token_to_req_indices: TS; readonly decode_swa_indices: TS;
  readonly decode_swa_lens: TS; readonly prefill_seq_lens: TS; readonly prefill_gather_lens: TS;
  readonly block_size: number; readonly num_decodes: number; readonly num_prefills: number;
  readonly num_decode_tokens: number; readonly num_prefill_tokens: number;
}

export interface FlashMlaMetadataSummary {
  readonly block_table: TS; readonly slot_mapping: TS; readonly c128a_global_decode_topk_indices: TS;
  readonly c128a_decode_topk_lens: TS; readonly c128a_prefill_topk_indices: TS;
  readonly block_size: number | null; readonly topk_tokens: number | null;
}

export interface DecodeFields {
  readonly kv_cache: TS; readonly swa_cache: TS; readonly topk_indices: TS; readonly topk_lens: TS;
  readonly swa_indices: TS; readonly swa_lens: TS; readonly attn_sink: TS;
  readonly scale: number; readonly swa_only: boolean; readonly padded_heads: number;
  readonly num_decodes: number; readonly num_decode_tokens: number;
}

export interface PrefillFields {
  readonly compressed_k_cache: TS; readonly swa_k_cache: TS; readonly gathered_kv: TS; readonly topk_indices: TS;
  readonly combined_indices: TS; readonly combined_lens: TS; readonly attn_sink: TS;
  readonly scale: number; readonly swa_only: boolean;
  readonly chunk_start: number; readonly chunk_end: number; readonly query_start: number; readonly query_end: number;
}

interface RecordBase {
  /** 1-based line of the record in the file it was read from. */
  readonly line: number;
  readonly prefix: string;
  readonly compress_ratio: number;
  readonly q: TS;
  readonly output: TS;
  readonly attn_metadata_present: boolean;
  readonly swa_metadata: SwaMetadataSummary;
  readonly flashmla_metadata: FlashMlaMetadataSummary | null;
  /** Dotted paths of keys the schema does not know (kept, not rejected). */
  readonly unknownKeys: readonly string[];
}
export type SparseMlaDumpRecord =
  | (RecordBase & { readonly phase: 'prefill'; readonly fields: PrefillFields })
  | (RecordBase & { readonly phase: 'decode' | 'decode_unsupported_compressed'; readonly fields: DecodeFields });

const SWA_TS = ['block_table', 'slot_mapping', 'seq_lens', 'query_start_loc', 'is_valid_token', 'token_to_req_indices',
  'decode_swa_indices', 'decode_swa_lens', 'prefill_seq_lens', 'prefill_gather_lens'] as const;
const SWA_INT = ['block_size', 'num_decodes', 'num_prefills', 'num_decode_tokens', 'num_prefill_tokens'] as const;
const FM_TS = ['block_table', 'slot_mapping', 'c128a_global_decode_topk_indices', 'c128a_decode_topk_lens', 'c128a_prefill_topk_indices'] as const;
const DEC_TS = ['kv_cache', 'swa_cache', 'topk_indices', 'topk_lens', 'swa_indices', 'swa_lens', 'attn_sink'] as const;
const DEC_INT = ['padded_heads', 'num_decodes', 'num_decode_tokens'] as const;
const PRE_TS = ['compressed_k_cache', 'swa_k_cache', 'gathered_kv', 'topk_indices', 'combined_indices', 'combined_lens', 'attn_sink'] as const;
const PRE_INT = ['chunk_start', 'chunk_end', 'query_start', 'query_end'] as const;
const TOP = ['phase', 'prefix', 'compress_ratio', 'q', 'output', 'attn_metadata_present', 'swa_metadata', 'flashmla_metadata', 'fields'];

function obj(v: unknown, part: string): Record<string, unknown> {
  check(typeof v === 'object' && v !== null && !Array.isArray(v), F, part, 'must be a JSON object');
  return v as Record<string, unknown>;
}

function has(o: Record<string, unknown>, k: string, part: string): unknown {
  check(Object.prototype.hasOwnProperty.call(o, k), F, `${part}.${k}`, 'is missing');
  return o[k];
}

function int(v: unknown, part: string, min = 0): number {
  check(Number.isSafeInteger(v) && (v as number) >= min, F, part, `must be an integer ≥ ${min} (got ${describeValue(v)})`);
  return v as number;
}

function unknown(o: Record<string, unknown>, known: readonly string[], part: string, out: string[]): void {
  for (const k of Object.keys(o)) if (!known.includes(k)) out.push(part ? `${part}.${k}` : k);
}

const FLOAT = ['torch.bfloat16', 'torch.float16', 'torch.float32'];
const INT = ['torch.int32', 'torch.int64'];
const BYTES = ['torch.uint8', 'torch.int8', 'torch.float8_e4m3fn'];
/** What each tensor field may be: dtype class and allowed ranks (from the dump hook's call sites). */
const FIELD_RULES: Record<string, { dtypes: readonly string[]; ranks: readonly number[] }> = {
  q: { dtypes: FLOAT, ranks: [3, 4] }, output: { dtypes: FLOAT, ranks: [3, 4] }, gathered_kv: { dtypes: FLOAT, ranks: [3] },
  attn_sink: { dtypes: FLOAT, ranks: [1] },
  kv_cache: { dtypes: BYTES, ranks: [2, 3, 4] }, swa_cache: { dtypes: BYTES, ranks: [2, 3, 4] },
  compressed_k_cache: { dtypes: BYTES, ranks: [2, 3, 4] }, swa_k_cache: { dtypes: BYTES, ranks: [2, 3, 4] },
  block_table: { dtypes: INT, ranks: [2] }, slot_mapping: { dtypes: INT, ranks: [1] }, seq_lens: { dtypes: INT, ranks: [1] },
  query_start_loc: { dtypes: INT, ranks: [1] }, is_valid_token: { dtypes: ['torch.bool'], ranks: [1] },
  token_to_req_indices: { dtypes: INT, ranks: [1] }, decode_swa_indices: { dtypes: INT, ranks: [2] }, decode_swa_lens: { dtypes: INT, ranks: [1] },
  prefill_seq_lens: { dtypes: INT, ranks: [1] }, prefill_gather_lens: { dtypes: INT, ranks: [1] },
  c128a_global_decode_topk_indices: { dtypes: INT, ranks: [2, 3] }, c128a_decode_topk_lens: { dtypes: INT, ranks: [1] },
  c128a_prefill_topk_indices: { dtypes: INT, ranks: [2] }, topk_indices: { dtypes: INT, ranks: [2, 3] }, topk_lens: { dtypes: INT, ranks: [1] },
  swa_indices: { dtypes: INT, ranks: [2] }, swa_lens: { dtypes: INT, ranks: [1] }, combined_indices: { dtypes: INT, ranks: [2] },
  combined_lens: { dtypes: INT, ranks: [1] },
};

function summary(v: unknown, key: string, part: string): TS {
  const ts = parseTensorSummary(v, part, true);
  const rule = FIELD_RULES[key];
  if (ts && rule) {
    check(rule.dtypes.includes(ts.dtype), F, `${part}.dtype`, `${ts.dtype} is not one of ${rule.dtypes.join(', ')} for ${key}`);
    check(rule.ranks.includes(ts.shape.length), F, `${part}.shape`, `[${ts.shape.join(', ')}] has rank ${ts.shape.length}; ${key} has rank ${rule.ranks.join(' or ')}`);
  }
  return ts;
}

function summaries<K extends string>(o: Record<string, unknown>, keys: readonly K[], part: string): Record<K, TS> {
  const r = {} as Record<K, TS>;
  for (const k of keys) r[k] = summary(has(o, k, part), k, `${part}.${k}`);
  return r;
}

/** Validates one parsed record; `at` is e.g. `line 3`. */
export function parseSparseMlaDumpRecord(raw: unknown, line = 1): SparseMlaDumpRecord {
  const at = `line ${line}`;
  const o = obj(raw, at);
  const extra: string[] = [];
  unknown(o, TOP, '', extra);
  const phase = has(o, 'phase', at);
  check(phase === 'prefill' || phase === 'decode' || phase === 'decode_unsupported_compressed', F, `${at}.phase`,
    `${describeValue(phase)} is not "prefill", "decode" or "decode_unsupported_compressed"`);
  const prefix = has(o, 'prefix', at);
  check(typeof prefix === 'string', F, `${at}.prefix`, 'must be a string');
  const ratio = int(has(o, 'compress_ratio', at), `${at}.compress_ratio`, 1);
  if (phase !== 'decode_unsupported_compressed') {
    check(ratio === 1 || ratio === 4 || ratio === 128, F, `${at}.compress_ratio`, `${ratio} is not 1, 4 or 128`);
  } else check(ratio !== 1 && ratio !== 4 && ratio !== 128, F, `${at}.compress_ratio`, `${ratio} is supported; this phase is only written for other ratios`);
  const q = summary(has(o, 'q', at), 'q', `${at}.q`);
  const output = summary(has(o, 'output', at), 'output', `${at}.output`);
  const present = has(o, 'attn_metadata_present', at);
  check(typeof present === 'boolean', F, `${at}.attn_metadata_present`, 'must be true or false');

  const sp = `${at}.swa_metadata`;
  const sm = obj(has(o, 'swa_metadata', at), sp);
  unknown(sm, [...SWA_TS, ...SWA_INT], 'swa_metadata', extra);
  const swa = { ...summaries(sm, SWA_TS, sp) } as Record<string, unknown>;
  for (const k of SWA_INT) swa[k] = int(has(sm, k, sp), `${sp}.${k}`, k === 'block_size' ? 1 : 0);

  const fp = `${at}.flashmla_metadata`;
  const fmRaw = has(o, 'flashmla_metadata', at);
  let flashmla: FlashMlaMetadataSummary | null = null;
  if (fmRaw !== null) {
    const fm = obj(fmRaw, fp);
    unknown(fm, [...FM_TS, 'block_size', 'topk_tokens'], 'flashmla_metadata', extra);
    const r = { ...summaries(fm, FM_TS, fp) } as Record<string, unknown>;
    for (const k of ['block_size', 'topk_tokens']) {
      const v = has(fm, k, fp);
      r[k] = v === null ? null : int(v, `${fp}.${k}`, 1);
    }
    flashmla = r as unknown as FlashMlaMetadataSummary;
  }

  const fq = `${at}.fields`;
  const f = obj(has(o, 'fields', at), fq);
  const scale = has(f, 'scale', fq);
  check(typeof scale === 'number' && Number.isFinite(scale) && scale > 0, F, `${fq}.scale`, `must be a finite positive number (got ${describeValue(scale)})`);
  const swaOnly = has(f, 'swa_only', fq);
  check(typeof swaOnly === 'boolean', F, `${fq}.swa_only`, 'must be true or false');
  check(swaOnly === (ratio === 1), F, `${fq}.swa_only`, `is ${String(swaOnly)} but compress_ratio is ${ratio}`);
  let fields: Record<string, unknown>;
  if (phase === 'prefill') {
    unknown(f, [...PRE_TS, ...PRE_INT, 'scale', 'swa_only'], 'fields', extra);
    fields = { ...summaries(f, PRE_TS, fq), scale, swa_only: swaOnly };
    for (const k of PRE_INT) fields[k] = int(has(f, k, fq), `${fq}.${k}`);
    check((fields.chunk_start as number) < (fields.chunk_end as number), F, `${fq}.chunk_end`, 'must be greater than chunk_start');
    check((fields.chunk_end as number) <= (swa.num_prefills as number), F, `${fq}.chunk_end`,
      `${fields.chunk_end as number} exceeds swa_metadata.num_prefills (${swa.num_prefills as number})`);
    check((fields.query_start as number) <= (fields.query_end as number), F, `${fq}.query_end`, 'must not be less than query_start');
    check((fields.compressed_k_cache === null) === swaOnly, F, `${fq}.compressed_k_cache`,
      swaOnly ? 'must be null for an SWA-only layer' : 'is missing for a compressed layer');
    if (q) check(q.shape.length === 3, F, `${at}.q.shape`, `prefill q must be [T, H_pad, D], got [${q.shape.join(', ')}]`);
  } else {
    unknown(f, [...DEC_TS, ...DEC_INT, 'scale', 'swa_only'], 'fields', extra);
    fields = { ...summaries(f, DEC_TS, fq), scale, swa_only: swaOnly };
    for (const k of DEC_INT) fields[k] = int(has(f, k, fq), `${fq}.${k}`);
    check((fields.kv_cache === null) === swaOnly, F, `${fq}.kv_cache`, swaOnly ? 'must be null for an SWA-only layer' : 'is missing for a compressed layer');
    check(fields.num_decode_tokens === swa.num_decode_tokens, F, `${fq}.num_decode_tokens`,
      `${fields.num_decode_tokens as number} differs from swa_metadata.num_decode_tokens (${swa.num_decode_tokens as number})`);
    check((fields.num_decodes as number) <= (fields.num_decode_tokens as number), F, `${fq}.num_decodes`, 'exceeds num_decode_tokens');
    if (q) {
      check(q.shape.length === 4 && q.shape[1] === 1, F, `${at}.q.shape`, `decode q must be [T_dec, 1, H_pad, D], got [${q.shape.join(', ')}]`);
      check(q.shape[0] === fields.num_decode_tokens, F, `${at}.q.shape`,
        `has ${q.shape[0]} tokens but num_decode_tokens is ${fields.num_decode_tokens as number}`);
    }
  }
  return {
    line, phase, prefix, compress_ratio: ratio, q, output, attn_metadata_present: present,
    swa_metadata: swa as unknown as SwaMetadataSummary, flashmla_metadata: flashmla, fields, unknownKeys: extra,
  } as unknown as SparseMlaDumpRecord;
}

/** Finds a bare NaN/Infinity token outside JSON strings; returns its column (1-based) or 0. */
function nonFiniteLiteral(s: string): { token: string; column: number } | undefined {
  let inStr = false;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (inStr) {
      if (c === '\\') i++;
      else if (c === '"') inStr = false;
      continue;
    }
    if (c === '"') { inStr = true; continue; }
    for (const token of ['NaN', '-Infinity', 'Infinity']) if (s.startsWith(token, i)) return { token, column: i + 1 };
  }
  return undefined;
}

/** Reads a dump file (text or UTF-8 bytes). Blank lines are skipped; every record is validated. */
export function readSparseMlaDump(input: string | Uint8Array): SparseMlaDumpRecord[] {
  let text: string;
  if (typeof input === 'string') text = input;
  else if (input instanceof Uint8Array) {
    try { text = new TextDecoder('utf-8', { fatal: true }).decode(input); } catch { throw new TensorFormatError(F, 'file', 'is not valid UTF-8'); }
  } else throw new EngineError('input must be a string or a Uint8Array', 'input');
  const out: SparseMlaDumpRecord[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const s = lines[i]!.trim();
    if (s === '') continue;
    let parsed: unknown;
    try {
      parsed = JSON.parse(s);
    } catch (e) {
      const bad = nonFiniteLiteral(s);
      if (bad) throw new TensorFormatError(F, `line ${i + 1}`, `non-finite number ${bad.token} at column ${bad.column} (Python json.dumps wrote a NaN/Infinity; dump values must be finite)`);
      throw new TensorFormatError(F, `line ${i + 1}`, `is not valid JSON (${(e as Error).message})`);
    }
    out.push(parseSparseMlaDumpRecord(parsed, i + 1));
  }
  return out;
}

/** Python's `repr(float)`: shortest round-trip digits, exponent form below 1e-4 or from 1e16. */
function pyFloat(x: number): string {
  if (Number.isInteger(x) && Math.abs(x) < 1e16) return `${Object.is(x, -0) ? '-' : ''}${Math.abs(x)}.0`;
  const [m, eStr] = x.toExponential().split('e') as [string, string];
  const e = Number(eStr);
  if (e < -4 || e >= 16) return `${m}e${e < 0 ? '-' : '+'}${String(Math.abs(e)).padStart(2, '0')}`;
  return String(x);
}

/** `json.dumps(v, sort_keys=True)` with Python's separators and ASCII escapes; `scale` is a float. */
function pyJson(v: unknown, key = ''): string {
  if (v === null) return 'null';
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw new EngineError(`${key} must be finite`, 'records');
    return key === 'scale' ? pyFloat(v) : String(v);
  }
  if (typeof v === 'string') return JSON.stringify(v).replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  if (Array.isArray(v)) return `[${v.map((x) => pyJson(x, key)).join(', ')}]`;
  const o = v as Record<string, unknown>;
  return `{${Object.keys(o).filter((k) => o[k] !== undefined).sort().map((k) => `${JSON.stringify(k)}: ${pyJson(o[k], k)}`).join(', ')}}`;
}

/**
 * Writes records as the vLLM hook does (`json.dumps(record, sort_keys=True)`, one per line), so a
 * record read from a vLLM dump is written back byte for byte. Our `line`/`unknownKeys` are dropped.
 */
export function writeSparseMlaDump(records: readonly SparseMlaDumpRecord[]): string {
  return records.map((r) => {
    const { line: _line, unknownKeys: _u, ...rest } = r;
    parseSparseMlaDumpRecord(JSON.parse(JSON.stringify(rest)), r.line);
    return pyJson(rest);
  }).join('\n') + (records.length ? '\n' : '');
}
