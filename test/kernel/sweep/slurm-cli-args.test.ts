// The --slurm flags of `enginelab sweep` into submit options: each flag lands where sbatch and
// the follower read it, bad values are refused naming the flag, and Slurm flags without --slurm
// are a mistake (exit 2), not silently ignored by the local sweep.
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseArgs, UsageError } from '../../../kernel/cli/args';
import { SLURM_FLAGS, SLURM_VALUES, slurmOptionsFromArgs } from '../../../kernel/sweep/slurm/slurm-cli-args';
import { slurmSweepCommand } from '../../../kernel/sweep/slurm/slurm-sweep-command';

const dir = mkdtempSync(join(tmpdir(), 'enginelab-slurm-args-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const parse = (argv: string[]) => slurmOptionsFromArgs(parseArgs(argv, { flags: [...SLURM_FLAGS], values: [...SLURM_VALUES, '--workers', '--out'] }, 'sweep'));

describe('--slurm flags', () => {
  it('map onto the submit options', () => {
    const o = parse(['s.json', '--slurm', '--out', '/shared/o', '--partition', 'cpu', '--array-size', '20', '--time', '1-00:00', '--max-running', '4', '--workers', '2', '--sbatch-args', ' --account=lab  --qos=low ', '--hold', '--no-wait', '--poll', '0.5']);
    expect(o).toEqual({ out: '/shared/o', partition: 'cpu', arraySize: 20, time: '1-00:00', maxRunning: 4, cpusPerTask: 2, extraArgs: ['--account=lab', '--qos=low'], pollMs: 500, hold: true, noWait: true });
    expect(parse(['s.json', '--slurm', '--workers', '2', '--cpus-per-task', '4']).cpusPerTask).toBe(4);
    expect(parse(['s.json', '--slurm'])).toEqual({ hold: false, noWait: false });
  });

  it('refuse bad values naming the flag', () => {
    expect(() => parse(['--time', 'soon'])).toThrow(new UsageError(`sweep: --time must be in Slurm's format (MM, HH:MM:SS, D-HH:MM), got "soon"`));
    expect(() => parse(['--array-size', '0'])).toThrow(/--array-size must be a whole number ≥ 1/);
    expect(() => parse(['--array-size', '2.5'])).toThrow(/--array-size must be a whole number ≥ 1/);
    expect(() => parse(['--poll', '0'])).toThrow(/--poll must be seconds/);
  });

  it('are refused without --slurm; other command lines are left to the local sweep', async () => {
    const err: string[] = [];
    const io = { stdout: () => {}, stderr: (s: string) => void err.push(s) };
    expect(await slurmSweepCommand(['s.json', '--array-size', '4', '--time=10'], io)).toBe(2);
    expect(err.join('')).toContain('enginelab sweep: --array-size, --time only apply with --slurm');
    expect(await slurmSweepCommand(['s.json', '--workers', '2', '--out', 'o'], io)).toBeUndefined();
    expect(await slurmSweepCommand(['--collect', '/nonexistent-dir'], io)).toBeUndefined();
    expect(await slurmSweepCommand(['a.json', 'b.json', '--slurm'], io)).toBe(2);
    expect(err.join('')).toContain('sweep: --slurm needs exactly one SPEC.json');
  });

  it('check the spec before anything reaches sbatch', async () => {
    const spec = join(dir, 'bad.json');
    writeFileSync(spec, JSON.stringify({ serve: 'vllm serve m', bench: 'vllm bench serve --num-prompts 8', axes: [{ kind: 'grid', params: { '--no-such-flag': [1] } }] }));
    const err: string[] = [];
    const code = await slurmSweepCommand([spec, '--slurm', '--out', join(dir, 'o')], { stdout: () => {}, stderr: (s) => void err.push(s) });
    expect(code).toBe(2);
    expect(err.join('')).toContain(`enginelab sweep: ${spec}: sweep spec: axes[0].params.--no-such-flag`);
    expect(existsSync(join(dir, 'o'))).toBe(false);
    expect(await slurmSweepCommand([join(dir, 'missing.json'), '--slurm'], { stdout: () => {}, stderr: (s) => void err.push(s) })).toBe(2);
    expect(err.join('')).toContain(`enginelab sweep: SPEC.json ${join(dir, 'missing.json')}: no such file`);
  });
});
