/**
 * Datasets beyond `random`, read from the text of a file the caller loaded (the engine reads no
 * files): vLLM's `sharegpt` (a JSON list of `{ conversations: [{ from, value }, …] }`; the first turn
 * is the prompt, the second the reference completion), vLLM's `custom` (JSONL rows with a `prompt`),
 * and enginelab's per-request rows (JSONL or CSV with `input_len`, `output_len` and optionally
 * `arrival_time` seconds). Without a tokenizer, token counts of text are estimated as
 * `ceil(characters / 4)` — the usual ~4 characters per token of English BPE vocabularies
 * [assumed; a tokenizer would replace it] — and every request says which source its lengths have.
 */
import { EngineError } from '../base/errors';
import { Rng } from '../base/rng';

/** Characters per token for the no-tokenizer estimate (see the module comment). */
export const CHARS_PER_TOKEN_ESTIMATE = 4;

export type LengthSource = 'random' | 'file' | 'estimated from characters';

/** One request of a workload, whatever dataset it came from. */
export interface WorkloadRequest {
  readonly promptLen: number;
  /** Becomes `max_tokens`. */
  readonly outputLen: number;
  /** Seconds from the benchmark start, when the file gives it; else the traffic model decides. */
  readonly arrivalTime?: number;
  readonly lengthSource: LengthSource;
}

export const estimateTokens = (text: string): number => Math.max(1, Math.ceil(text.length / CHARS_PER_TOKEN_ESTIMATE));

function fail(what: string, message: string): never {
  throw new EngineError(`${what}: ${message}`, 'dataset');
}

/**
 * vLLM's ShareGPT sampling: conversations with ≥ 2 turns, shuffled with the seed, prompt = turn 0,
 * output = turn 1's length or `--sharegpt-output-len`; pairs with prompt or output < 4 tokens, or
 * prompt > 1024 / total > 2048 tokens are skipped (vLLM's `is_valid_sequence` defaults).
 */
export function readShareGpt(text: string, o: { numPrompts: number; outputLen: number | null; seed: number }): WorkloadRequest[] {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    fail('sharegpt', `not valid JSON (${(e as Error).message})`);
  }
  if (!Array.isArray(data)) fail('sharegpt', 'expected a JSON list of conversations');
  const pairs: [string, string][] = [];
  data.forEach((entry, i) => {
    const conv = (entry as { conversations?: unknown } | null)?.conversations;
    if (!Array.isArray(conv)) fail('sharegpt', `entry ${i}: missing field "conversations"`);
    if (conv.length < 2) return;
    const [a, b] = conv as { value?: unknown }[];
    if (typeof a?.value !== 'string' || typeof b?.value !== 'string') fail('sharegpt', `entry ${i}: conversations[0..1] need a string "value"`);
    pairs.push([a.value, b.value]);
  });
  const rng = new Rng(o.seed);
  for (let i = pairs.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [pairs[i], pairs[j]] = [pairs[j]!, pairs[i]!];
  }
  const out: WorkloadRequest[] = [];
  for (const [prompt, completion] of pairs) {
    if (out.length >= o.numPrompts) break;
    const promptLen = estimateTokens(prompt);
    const outputLen = o.outputLen ?? estimateTokens(completion);
    if (promptLen < 4 || outputLen < 4 || promptLen > 1024 || promptLen + outputLen > 2048) continue;
    out.push({ promptLen, outputLen, lengthSource: 'estimated from characters' });
  }
  if (out.length === 0) fail('sharegpt', 'no conversation passed vLLM\'s length filter (prompt and output ≥ 4 tokens, prompt ≤ 1024, total ≤ 2048)');
  return out;
}

/** vLLM's `custom` dataset: JSONL with a `prompt` per line; output length `--custom-output-len` (256). */
export function readCustomJsonl(text: string, o: { numPrompts: number; outputLen: number | null }): WorkloadRequest[] {
  const out: WorkloadRequest[] = [];
  text.split('\n').forEach((line, i) => {
    if (line.trim() === '' || out.length >= o.numPrompts) return;
    let row: unknown;
    try {
      row = JSON.parse(line);
    } catch (e) {
      fail('custom', `line ${i + 1}: not valid JSON (${(e as Error).message})`);
    }
    const prompt = (row as { prompt?: unknown } | null)?.prompt;
    if (typeof prompt !== 'string') fail('custom', `line ${i + 1}: missing string field "prompt"`);
    out.push({ promptLen: estimateTokens(prompt), outputLen: o.outputLen ?? 256, lengthSource: 'estimated from characters' });
  });
  if (out.length === 0) fail('custom', 'no rows');
  return out;
}

function lengthOf(v: unknown, where: string, field: string, min: number): number {
  const n = typeof v === 'string' && v.trim() !== '' ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < min) fail('request rows', `${where}: "${field}" must be an integer ≥ ${min}, got ${JSON.stringify(v)}`);
  return n;
}

/** Per-request rows: JSONL objects or CSV with a header naming `input_len,output_len[,arrival_time]`. */
export function readRequestRows(text: string): WorkloadRequest[] {
  const lines = text.split('\n').map((l) => l.trim()).filter((l) => l !== '');
  if (lines.length === 0) fail('request rows', 'the file is empty');
  const rows: Record<string, unknown>[] = [];
  if (lines[0]!.startsWith('{')) {
    lines.forEach((l, i) => {
      try {
        rows.push(JSON.parse(l) as Record<string, unknown>);
      } catch (e) {
        fail('request rows', `line ${i + 1}: not valid JSON (${(e as Error).message})`);
      }
    });
  } else {
    const header = lines[0]!.split(',').map((h) => h.trim());
    for (const need of ['input_len', 'output_len']) if (!header.includes(need)) fail('request rows', `CSV header lacks "${need}" (got ${header.join(',')})`);
    lines.slice(1).forEach((l, i) => {
      const cells = l.split(',');
      if (cells.length !== header.length) fail('request rows', `line ${i + 2}: ${cells.length} cells for ${header.length} columns`);
      rows.push(Object.fromEntries(header.map((h, j) => [h, cells[j]!.trim()])));
    });
  }
  let last = 0;
  return rows.map((r, i) => {
    const where = `row ${i + 1}`;
    const req: WorkloadRequest = { promptLen: lengthOf(r.input_len, where, 'input_len', 1), outputLen: lengthOf(r.output_len, where, 'output_len', 1), lengthSource: 'file' };
    if (r.arrival_time === undefined || r.arrival_time === '') return req;
    const t = Number(r.arrival_time);
    if (!Number.isFinite(t) || t < last) fail('request rows', `${where}: "arrival_time" must be a number ≥ the previous row's, got ${JSON.stringify(r.arrival_time)}`);
    last = t;
    return { ...req, arrivalTime: t };
  });
}
