/**
 * The Slurm flags of `enginelab sweep`, for the sweep command's argv parser: which names are
 * flags and which take a value, and their translation into `SlurmSweepOptions`, checked with
 * errors that name the flag. Kept here so the Slurm surface changes in one place.
 *
 *   --slurm                submit as a Slurm job array instead of running here
 *   --partition P          sbatch --partition
 *   --array-size N         number of array tasks (shards); default min(configs, 100)
 *   --time T               per-task time limit in Slurm's format (MM, HH:MM:SS, D-HH)
 *   --max-running K        at most K tasks at once (the array's %K throttle)
 *   --cpus-per-task C      cores per task; the task's sweep uses C workers (default: --workers, else 1)
 *   --sbatch-args "…"      more sbatch options, space-separated (--account=A --qos=Q --mem=2G)
 *   --hold                 submit held (sbatch --hold); inspect the out dir, then scontrol release
 *   --no-wait              print the job id and the collect command, return at once
 *   --poll S               seconds between squeue calls while following (default 10)
 */
import { numberArg, UsageError, type ParsedArgs } from '../../cli/args';
import type { SlurmSweepOptions } from './submit-sweep';

export const SLURM_FLAGS = ['--slurm', '--hold', '--no-wait'] as const;
export const SLURM_VALUES = ['--partition', '--array-size', '--time', '--max-running', '--cpus-per-task', '--sbatch-args', '--poll'] as const;

/** Slurm's time formats: MM, MM:SS, HH:MM:SS, D-HH, D-HH:MM, D-HH:MM:SS (and UNLIMITED). */
const SLURM_TIME = /^(\d+(:\d{1,2}){0,2}|\d+-\d{1,2}(:\d{1,2}){0,2}|UNLIMITED|INFINITE)$/i;

const int = (args: ParsedArgs, name: string, what: string, max = 1_000_000): number | undefined => {
  const v = args.values.get(name);
  if (v === undefined) return undefined;
  const n = numberArg(v, name, 'sweep', { min: 1, max, what });
  if (!Number.isInteger(n)) throw new UsageError(`sweep: ${name} must be ${what}, got ${JSON.stringify(v)}`);
  return n;
};

export function slurmOptionsFromArgs(args: ParsedArgs): SlurmSweepOptions {
  const time = args.values.get('--time');
  if (time !== undefined && !SLURM_TIME.test(time)) throw new UsageError(`sweep: --time must be in Slurm's format (MM, HH:MM:SS, D-HH:MM), got ${JSON.stringify(time)}`);
  const poll = args.values.get('--poll');
  const pollS = poll === undefined ? undefined : numberArg(poll, '--poll', 'sweep', { min: 0.1, max: 3600, what: 'seconds between 0.1 and 3600' });
  const workers = int(args, '--workers', 'a whole number ≥ 1', 1024);
  const cpusPerTask = int(args, '--cpus-per-task', 'a whole number ≥ 1', 1024) ?? workers;
  const extra = args.values.get('--sbatch-args')?.split(/\s+/).filter((a) => a !== '');
  const out = args.values.get('--out');
  const partition = args.values.get('--partition');
  const arraySize = int(args, '--array-size', 'a whole number ≥ 1');
  const maxRunning = int(args, '--max-running', 'a whole number ≥ 1');
  return {
    ...(out === undefined ? {} : { out }),
    ...(partition === undefined ? {} : { partition }),
    ...(arraySize === undefined ? {} : { arraySize }),
    ...(time === undefined ? {} : { time }),
    ...(maxRunning === undefined ? {} : { maxRunning }),
    ...(cpusPerTask === undefined ? {} : { cpusPerTask }),
    ...(extra === undefined ? {} : { extraArgs: extra }),
    ...(pollS === undefined ? {} : { pollMs: Math.round(pollS * 1000) }),
    hold: args.flags.has('--hold'),
    noWait: args.flags.has('--no-wait'),
  };
}
