// `enginelab simulate`: summary block on stdout, result JSON written atomically (file or directory),
// and clear errors (exit 2) for a wrong flag, an unknown model or hardware, a bad --set.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { resultDate, simulateCommand, type SimulateIo } from '../../kernel/cli/simulate';
import { HARDWARE_PRESETS, knownModelNames, simulateServe } from '../../engine/index';

const SERVE = 'vllm serve deepseek-ai/DeepSeek-R1-0528 -tp 8 --max-num-seqs 256 --max-model-len 2176 --max-num-batched-tokens 8192 '
  + '--no-enable-prefix-caching --kv-cache-dtype fp8 --speculative-config \'{"method":"mtp","num_speculative_tokens":3}\' --async-scheduling';
const BENCH = 'vllm bench serve --model deepseek-ai/DeepSeek-R1-0528 --dataset-name random --random-input-len 256 --random-output-len 64 --num-prompts 24 --max-concurrency 8 --ignore-eos';

function capture(now = new Date(2026, 0, 2, 3, 4, 5)): SimulateIo & { out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, stdout: (s) => out.push(s), stderr: (s) => err.push(s), now: () => now };
}

const dir = mkdtempSync(join(tmpdir(), 'enginelab-simulate-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('enginelab simulate', () => {
  it('prints exactly the summary block of the same simulation and writes its JSON', async () => {
    const io = capture();
    const file = join(dir, 'r.json');
    const code = await simulateCommand(['--serve', SERVE, '--bench', BENCH, '--env', 'VLLM_ATTENTION_BACKEND=FLASHINFER_MLA', '--set', 'era=pr-29542', '--json', file], io);
    expect(io.err.join('')).not.toContain('enginelab simulate:');
    expect(code).toBe(0);
    const direct = simulateServe({ serve: SERVE, bench: BENCH, env: 'VLLM_ATTENTION_BACKEND=FLASHINFER_MLA', set: { era: 'pr-29542' } });
    expect(io.out.join('')).toBe(direct.summary() + '\n');
    expect(io.out.join('')).toContain('============ Serving Benchmark Result ============');
    expect(io.out.join('')).toMatch(/Successful requests:\s+24 /);
    expect(io.err.join('')).toMatch(/era pr-29542, async scheduling, 8×B200, FLASHINFER_MLA/);
    const json = JSON.parse(readFileSync(file, 'utf8'));
    expect(json).toEqual(JSON.parse(JSON.stringify(direct.resultJson('20260102-030405'))));
    expect(json.date).toBe('20260102-030405');
    expect(json.completed).toBe(24);
    expect(json.total_output_tokens).toBe(24 * 64);
    expect(Object.keys(json).slice(0, 3)).toEqual(['date', 'endpoint_type', 'backend']);
    expect(json.spec_decode_num_drafts).toBeGreaterThan(0);
    // No temporary file is left beside the result.
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('--set changes the simulation (sync vs async give different durations)', async () => {
    const a = capture();
    const b = capture();
    await simulateCommand(['--serve', SERVE, '--bench', BENCH, '--json', join(dir, 'a.json')], a);
    await simulateCommand(['--serve', SERVE, '--bench', BENCH, '--set', 'asyncScheduling=false', '--json', join(dir, 'b.json')], b);
    expect(b.err.join('')).toContain('sync scheduling');
    const ja = JSON.parse(readFileSync(join(dir, 'a.json'), 'utf8'));
    const jb = JSON.parse(readFileSync(join(dir, 'b.json'), 'utf8'));
    expect(ja.duration).not.toBe(jb.duration);
    expect(ja.total_output_tokens).toBe(jb.total_output_tokens);
  });

  it('--json DIR writes vLLM’s default file name inside it, replacing an older result with --overwrite', async () => {
    const sub = mkdtempSync(join(dir, 'dir-'));
    for (let i = 0; i < 2; i++) expect(await simulateCommand(['--serve', SERVE, '--bench', BENCH, `--json=${sub}`, ...(i > 0 ? ['--overwrite'] : [])], capture())).toBe(0);
    expect(readdirSync(sub)).toEqual(['vllm-infqps-concurrency8-DeepSeek-R1-0528-20260102-030405.json']);
  });

  it('formats the date as vLLM does (%Y%m%d-%H%M%S)', () => {
    expect(resultDate(new Date(2025, 10, 28, 9, 5, 7))).toBe('20251128-090507');
  });

  it('a wrong flag is an error naming it, exit 2, nothing on stdout', async () => {
    const io = capture();
    expect(await simulateCommand(['--serve', SERVE, '--bench', BENCH, '--jsn', 'x.json'], io)).toBe(2);
    expect(io.out).toEqual([]);
    expect(io.err.join('')).toContain('--jsn: unknown option; expected --serve, --bench, --env, --hardware, --set, --json');
  });

  it('missing --bench and a malformed --set are both reported', async () => {
    const io = capture();
    expect(await simulateCommand(['--serve', SERVE, '--set', 'era'], io)).toBe(2);
    expect(io.err.join('')).toContain("--set: expected name=value, got 'era'");
    expect(io.err.join('')).toContain('--bench: required');
  });

  it('an unknown vllm serve flag is named', async () => {
    const io = capture();
    expect(await simulateCommand(['--serve', `${SERVE} --max-num-seq 4`, '--bench', BENCH], io)).toBe(2);
    expect(io.err.join('')).toContain('--max-num-seq');
  });

  it('an unknown model lists the known models', async () => {
    const io = capture();
    expect(await simulateCommand(['--serve', 'vllm serve acme/NotAModel-7B', '--bench', BENCH], io)).toBe(2);
    const err = io.err.join('');
    expect(err).toContain("unknown model 'acme/NotAModel-7B'");
    for (const m of knownModelNames()) expect(err).toContain(m);
  });

  it('an unknown hardware name lists the known hardware', async () => {
    const io = capture();
    expect(await simulateCommand(['--serve', SERVE, '--bench', BENCH, '--set', 'hardware=A100'], io)).toBe(2);
    const err = io.err.join('');
    expect(err).toContain("unknown hardware 'A100'");
    for (const h of HARDWARE_PRESETS) expect(err).toContain(h.name);
  });

  it('an unknown --set name and an unknown era are named with the known ones', async () => {
    const io = capture();
    expect(await simulateCommand(['--serve', SERVE, '--bench', BENCH, '--set', 'warpSpeed=9'], io)).toBe(2);
    expect(io.err.join('')).toContain("unknown setting 'warpSpeed'");
    const io2 = capture();
    expect(await simulateCommand(['--serve', SERVE, '--bench', BENCH, '--set', 'era=2019'], io2)).toBe(2);
    expect(io2.err.join('')).toContain("unknown vLLM era '2019'; known: pre-27922, report-2025-11-28");
  });

  it('an unwritable --json path fails with exit 1 after printing the summary', async () => {
    const io = capture();
    expect(await simulateCommand(['--serve', SERVE, '--bench', BENCH, '--json', join(dir, 'no-such-dir', 'r.json')], io)).toBe(1);
    expect(io.out.join('')).toContain('Serving Benchmark Result');
    expect(io.err.join('')).toContain('--json: cannot write');
  });

  it('--help prints the usage (exit 0); no arguments prints it to stderr (exit 2)', async () => {
    const h = capture();
    expect(await simulateCommand(['--help'], h)).toBe(0);
    expect(h.out.join('')).toContain('usage: enginelab simulate --serve');
    const n = capture();
    expect(await simulateCommand([], n)).toBe(2);
    expect(n.err.join('')).toContain('usage: enginelab simulate');
  });
});
