// `enginelab simulate` with the report's lines pasted verbatim (the same config as fromVllmArgs and
// simulateServe), every rejection of both lines reported at once with exit 2, and --compare /
// --replay / --workload reading real result files.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { simulateCommand, type SimulateIo } from '../../../kernel/cli/simulate';
import { fromVllmArgs, simulateServe } from '../../../engine/index';
import { REPORT_FP4_SYNC, REPORT_FP8_ASYNC, V4_FLASH } from '../../engine/serve-sim/report-lines';

const root = join(__dirname, '../../..');
const dir = mkdtempSync(join(tmpdir(), 'enginelab-sim-pasted-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function capture(): SimulateIo & { out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, stdout: (s) => out.push(s), stderr: (s) => err.push(s), now: () => new Date(2025, 10, 28, 12, 0, 0) };
}
const small = (s: string) => s.replace('--num-prompts 1280', '--num-prompts 32').replace('--max-concurrency 256', '--max-concurrency 16');

describe('enginelab simulate with pasted lines', () => {
  it.each([['FP8 async', REPORT_FP8_ASYNC], ['FP4 sync', REPORT_FP4_SYNC]])('%s: the whole paste as --serve and --bench; config equals simulateServe\'s', async (n, text) => {
    const io = capture();
    // One file per case: --json refuses to replace an existing file without --overwrite.
    const file = join(dir, `r-${n.replace(' ', '-')}.json`);
    expect(await simulateCommand(['--serve', text, '--bench', small(text), '--set', 'era=report-2025-11-28', '--json', file], io)).toBe(0);
    const direct = simulateServe({ serve: text, bench: small(text), set: { era: 'report-2025-11-28' } });
    expect(io.out.join('')).toBe(direct.summary() + '\n');
    const j = JSON.parse(readFileSync(file, 'utf8'));
    expect(j.enginelab.engineConfig).toEqual(JSON.parse(JSON.stringify(direct.engineConfig)));
    for (const k of fromVllmArgs(text).explicit) expect(j.enginelab.engineConfig[k]).toEqual((fromVllmArgs(text).config as never)[k]);
    expect(j.enginelab.hardwareReason).toMatch(/^not named/);
  });

  it('the V4 line with --hardware runs; the facts name the GPU', async () => {
    const io = capture();
    const bench = 'vllm bench serve --model deepseek-ai/DeepSeek-V4-Flash --random-input-len 256 --random-output-len 16 --num-prompts 4';
    expect(await simulateCommand(['--serve', V4_FLASH, '--bench', bench, '--hardware', 'B200'], io)).toBe(0);
    expect(io.out.join('')).toContain('hardware: 2 × B200 (named (B200))');
    expect(io.out.join('')).toContain('--tool-call-parser deepseek_v4');
  });

  it('rejections: a misspelt flag, a wrong-typed value, contradictory flags — one line each, all together, exit 2', async () => {
    const io = capture();
    const serve = 'vllm serve deepseek-ai/DeepSeek-R1-0528 --max-num-seq 256 --tensor-parallel-size eight --async-scheduling --pipeline-parallel-size 2';
    const bench = 'python3 bench_serving/benchmark_serving.py --model deepseek-ai/DeepSeek-R1-0528 --dataset-name random --random-input-lne 1024 --num-prompts many';
    expect(await simulateCommand(['--serve', serve, '--bench', bench], io)).toBe(2);
    expect(io.out).toEqual([]);
    const lines = io.err.join('').trim().split('\n');
    expect(lines[0]).toBe('enginelab simulate: 5 problem(s) in the pasted lines:');
    expect(lines.slice(1)).toEqual([
      '  --max-num-seq: unrecognized argument (did you mean --max-num-seqs?) [--serve]',
      "  --tensor-parallel-size: invalid int value: 'eight' [--serve]",
      '  --async-scheduling: is not supported with --pipeline-parallel-size 2 (> 1) [--serve]',
      '  --random-input-lne: unrecognized argument for benchmark_serving.py (did you mean --random-input-len?) [--bench]',
      "  --num-prompts: invalid int value: 'many' [--bench]",
    ]);
  });

  it('contradictory --hardware and --set hardware, and a bad input file, exit 2 naming them', async () => {
    const a = capture();
    expect(await simulateCommand(['--serve', 'vllm serve m', '--bench', 'vllm bench serve', '--hardware', 'H100', '--set', 'hardware=B200'], a)).toBe(2);
    expect(a.err.join('')).toContain('--set: hardware=B200 contradicts --hardware H100');
    const b = capture();
    expect(await simulateCommand(['--serve', REPORT_FP8_ASYNC, '--bench', REPORT_FP8_ASYNC, '--compare', join(dir, 'missing.json')], b)).toBe(2);
    expect(b.err.join('')).toContain(`--compare ${join(dir, 'missing.json')}: no such file`);
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ model_id: 'm', request_rate: 'inf', num_prompts: 1, duration: 'x' }));
    const c = capture();
    expect(await simulateCommand(['--serve', REPORT_FP8_ASYNC, '--bench', REPORT_FP8_ASYNC, '--compare', bad], c)).toBe(2);
    expect(c.err.join('')).toContain('result file: "duration" must be a non-negative number');
  });

  it('--compare prints the measured-vs-simulated table; --replay sends the file\'s per-request lengths', async () => {
    const fixture = join(root, 'fixtures/results/benchmark_serving-format.json');
    const io = capture();
    const bench = small(REPORT_FP8_ASYNC);
    expect(await simulateCommand(['--serve', REPORT_FP8_ASYNC, '--bench', bench, '--compare', fixture, '--replay', fixture, '--json', join(dir, 'replay.json')], io)).toBe(0);
    const out = io.out.join('');
    expect(out).toContain(`measured (${fixture}) vs simulated:`);
    expect(out).toMatch(/metric\s+measured\s+simulated\s+Δ%/);
    expect(out).toMatch(/p99_ttft_ms\s+[\d.]+\s+[\d.]+\s+-?[\d.]+/);
    const measured = JSON.parse(readFileSync(fixture, 'utf8'));
    const j = JSON.parse(readFileSync(join(dir, 'replay.json'), 'utf8'));
    expect(j.total_input_tokens).toBe(measured.input_lens.reduce((a: number, b: number) => a + b, 0));
    expect(j.total_output_tokens).toBe(measured.output_lens.reduce((a: number, b: number) => a + b, 0));
    expect(j.enginelab.lengthSource).toContain(`replay of ${fixture} (benchmark_serving.py)`);
  });
});
