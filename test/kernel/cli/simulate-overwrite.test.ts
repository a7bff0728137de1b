// `enginelab simulate --json FILE` never replaces an existing file unless --overwrite is given.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { simulateCommand, type SimulateIo } from '../../../kernel/cli/simulate';

const SERVE = 'vllm serve deepseek-ai/DeepSeek-R1-0528 -tp 8 --max-num-seqs 16 --max-model-len 2176 --async-scheduling';
const BENCH = 'vllm bench serve --model deepseek-ai/DeepSeek-R1-0528 --dataset-name random --random-input-len 64 --random-output-len 8 --num-prompts 4 --ignore-eos';

function capture(): SimulateIo & { out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, stdout: (s) => out.push(s), stderr: (s) => err.push(s), now: () => new Date(2026, 0, 2, 3, 4, 5) };
}

const dir = mkdtempSync(join(tmpdir(), 'enginelab-simulate-ow-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('enginelab simulate --json and an existing file', () => {
  it('refuses to replace it (exit 1, file untouched, the flag named) and replaces it with --overwrite', async () => {
    const file = join(dir, 'result.json');
    writeFileSync(file, 'precious');
    const refused = capture();
    expect(await simulateCommand(['--serve', SERVE, '--bench', BENCH, '--json', file], refused)).toBe(1);
    expect(refused.err.join('')).toContain(`enginelab simulate: --json: ${file} exists; pass --overwrite to replace it`);
    expect(readFileSync(file, 'utf8')).toBe('precious');
    const replaced = capture();
    expect(await simulateCommand(['--serve', SERVE, '--bench', BENCH, '--json', file, '--overwrite'], replaced)).toBe(0);
    expect(JSON.parse(readFileSync(file, 'utf8')).completed).toBe(4);
  });

  it('a new file needs no flag, and --help documents --overwrite', async () => {
    const io = capture();
    expect(await simulateCommand(['--serve', SERVE, '--bench', BENCH, '--json', join(dir, 'fresh.json')], io)).toBe(0);
    expect(JSON.parse(readFileSync(join(dir, 'fresh.json'), 'utf8')).completed).toBe(4);
    const h = capture();
    await simulateCommand(['--help'], h);
    expect(h.out.join('')).toContain('--overwrite');
  });
});
