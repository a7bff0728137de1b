// `enginelab sweep`: a run killed with SIGKILL mid-sweep and rerun gives every row once and the
// same table as an uninterrupted run; --shard/--collect; bad command lines name the flag (exit 2).
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { sweepCommand, type SweepIo } from '../../../kernel/cli/sweep';
import { readJournal } from '../../../kernel/sweep/sweep-journal';
import { smallSpec } from '../../engine/sweep/fixtures';

const root = join(__dirname, '../../..');
const dir = mkdtempSync(join(tmpdir(), 'enginelab-sweep-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const specPath = join(dir, 'spec.json');
// Ten configs of a few hundred ms each: the kill lands while most are still to run.
writeFileSync(specPath, JSON.stringify(smallSpec({ axes: [{ kind: 'grid', params: { '--max-concurrency': [1, 2, 3, 4, 5, 6, 7, 8, 12, 16] } }] })));

function capture(): SweepIo & { out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, stdout: (s) => out.push(s), stderr: (s) => err.push(s), terminal: null };
}

function cli(args: string[]): { child: ReturnType<typeof spawn>; exited: Promise<number | null> } {
  const child = spawn(process.execPath, [join(root, 'bin/enginelab.mjs'), 'sweep', ...args], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, exited };
}

const completeLines = (path: string): number => (existsSync(path) ? readFileSync(path, 'utf8').split('\n').length - 1 : 0);

async function until(cond: () => boolean, what: string, timeoutMs = 180_000): Promise<void> {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('enginelab sweep', () => {
  it('a killed run, rerun, has no duplicate and no lost row, and the table of an uninterrupted run', async () => {
    const out = join(dir, 'killed');
    const journal = join(out, 'results.jsonl');
    const run = cli([specPath, '--workers', '1', '--out', out]);
    let exitedEarly = false;
    void run.exited.then(() => (exitedEarly = true));
    await until(() => completeLines(journal) >= 2 || exitedEarly, 'two journaled rows');
    run.child.kill('SIGKILL');
    await run.exited;
    const atKill = readJournal(journal);
    expect(atKill.rows.length).toBeGreaterThanOrEqual(2);
    const rerun = cli([specPath, '--workers', '2', '--out', out]);
    let stdout = '';
    rerun.child.stdout!.on('data', (b: Buffer) => (stdout += b.toString()));
    expect(await rerun.exited).toBe(0);
    // The rerun resumed exactly what the killed run had journaled, and ran the rest.
    expect(stdout).toContain(`10 configs: ${10 - atKill.rows.length} run, ${atKill.rows.length} resumed, 0 failed`);
    const after = readJournal(journal);
    expect(after.rows).toHaveLength(10);
    expect(new Set(after.rows.map((r) => r.key)).size).toBe(10);
    // The rows journaled before the kill were kept, not re-run.
    expect(after.rows.slice(0, atKill.rows.length)).toEqual(atKill.rows);
    const clean = join(dir, 'clean');
    const io = capture();
    expect(await sweepCommand([specPath, '--workers', '2', '--out', clean], io)).toBe(0);
    expect(io.out.join('')).toContain('10 configs: 10 run, 0 resumed, 0 failed');
    expect(readFileSync(join(out, 'results.arrow')).equals(readFileSync(join(clean, 'results.arrow')))).toBe(true);
    expect(readFileSync(join(out, 'results.parquet')).length).toBeGreaterThan(0);
  }, 400_000);

  it('--shard i/N writes DIR/shard-i; --collect merges them into the whole table', async () => {
    const out = join(dir, 'shards');
    for (const i of [0, 1]) expect(await sweepCommand([specPath, '--workers', '1', '--shard', `${i}/2`, '--out', out], capture())).toBe(0);
    expect(readJournal(join(out, 'shard-1', 'results.jsonl')).rows.map((r) => r.index).sort((a, b) => a - b)).toEqual([1, 3, 5, 7, 9]);
    const io = capture();
    expect(await sweepCommand(['--collect', out], io)).toBe(0);
    expect(io.out.join('')).toContain('collected 10/10 configs');
    expect(readFileSync(join(out, 'results.arrow')).equals(readFileSync(join(dir, 'clean', 'results.arrow')))).toBe(true);
    rmSync(join(out, 'shard-0', 'results.jsonl'));
    const gap = capture();
    expect(await sweepCommand(['--collect', out], gap)).toBe(1);
    expect(gap.err.join('')).toContain('shards with missing configs: 0');
  }, 400_000);

  it.each([
    [['--workers', '0'], '--workers'],
    [['--workers', 'two'], '--workers'],
    [['--shard', '2/2'], '--shard'],
    [['--shard', 'first'], '--shard'],
    [['--bogus'], 'unknown option --bogus'],
    [['--partition', 'p'], '--partition only apply with --slurm'],
    [['--slurm', '--shard', '0/2'], 'unknown option --shard'],
    [['--out'], '--out needs a value'],
    [['--slurm', '--array-size', '0'], '--array-size'],
  ])('rejects %j naming the flag (exit 2)', async (extra, named) => {
    const io = capture();
    expect(await sweepCommand([specPath, ...extra], io)).toBe(2);
    expect(io.err.join('')).toContain(named);
  });

  it('a bad spec exits 2 naming the field; --collect takes no spec', async () => {
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify(smallSpec({ axes: [{ kind: 'grid', params: { '--max-concurency': [1] } }] })));
    const io = capture();
    expect(await sweepCommand([bad, '--out', join(dir, 'bad-out')], io)).toBe(2);
    expect(io.err.join('')).toContain('axes[0].params.--max-concurency');
    const c = capture();
    expect(await sweepCommand([specPath, '--collect', dir], c)).toBe(2);
    expect(c.err.join('')).toContain('--collect DIR takes no SPEC.json');
    expect(await sweepCommand([], capture())).toBe(2);
  });
});
