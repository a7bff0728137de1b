/**
 * The Slurm forms of `enginelab sweep`, for kernel/cli/sweep.ts to hand over to:
 *   enginelab sweep SPEC.json --slurm [--out DIR] [--partition P] [--array-size N] [--time T]
 *                   [--max-running K] [--cpus-per-task C] [--sbatch-args "…"] [--hold] [--no-wait] [--poll S]
 *   enginelab sweep --collect DIR [--no-wait] [--poll S]     (DIR holding slurm-job.json)
 * `slurmSweepCommand` answers undefined for any other command line, so the local sweep handles
 * it. Exit codes as the sweep command's: 0 done, 1 a task failed or configs are missing (the
 * merged table is still written) or Slurm refused, 2 a bad command line or spec.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { EngineError } from '../../../engine/index';
import { parseArgs, UsageError } from '../../cli/args';
import { InputFileError } from '../../files/read-text';
import { JOB_FILE } from './slurm-layout';
import { SlurmCommandError } from './slurm-commands';
import { SLURM_FLAGS, SLURM_VALUES, slurmOptionsFromArgs } from './slurm-cli-args';
import { collectSlurm, slurmExitCode, submitSlurmSweep } from './submit-sweep';
import type { Submitted } from './submit-job';

export const SLURM_USAGE = `       enginelab sweep SPEC.json --slurm [--out DIR] [--partition P] [--array-size N] [--time T]
                       [--max-running K] [--cpus-per-task C] [--sbatch-args "…"] [--hold] [--no-wait] [--poll S]
       enginelab sweep --collect DIR [--no-wait]   (after --slurm --no-wait: follow the job, merge, report failed tasks)
  --slurm              submit one sbatch job array; task I runs shard I (DIR and the repo must be on a shared file system)
  --partition P        sbatch --partition       --time T       per-task limit (MM, HH:MM:SS, D-HH)
  --array-size N       shards = array tasks (default: one per config up to 100)
  --max-running K      at most K tasks at once (array %K)   --cpus-per-task C   cores and workers per task
  --sbatch-args "…"    more sbatch options (--account=A --qos=Q)   --hold   submit held (scontrol release JOBID)
  --no-wait            print the job id and return          --poll S   seconds between squeue calls (default 10)`;

export interface SlurmIo {
  readonly stdout: (s: string) => void;
  readonly stderr: (s: string) => void;
}

function isSlurmCollect(argv: readonly string[]): string | undefined {
  const i = argv.findIndex((a) => a === '--collect' || a.startsWith('--collect='));
  if (i < 0) return undefined;
  const dir = argv[i]!.includes('=') ? argv[i]!.slice('--collect='.length) : argv[i + 1];
  return dir !== undefined && existsSync(join(dir, JOB_FILE)) ? dir : undefined;
}

/** Runs a Slurm form of the sweep command; undefined when `argv` is not one. */
export async function slurmSweepCommand(argv: readonly string[], io: SlurmIo): Promise<number | undefined> {
  const collectDir = isSlurmCollect(argv);
  if (!argv.includes('--slurm') && collectDir === undefined) {
    // --partition without --slurm is a mistake, not an option of the local sweep.
    const known: readonly string[] = [...SLURM_FLAGS, ...SLURM_VALUES];
    const stray = argv.map((a) => a.split('=')[0]!).filter((n) => known.includes(n));
    if (stray.length === 0) return undefined;
    io.stderr(`enginelab sweep: ${stray.join(', ')} only apply with --slurm (or --collect DIR of a --slurm run)\n${SLURM_USAGE}\n`);
    return 2;
  }
  let args;
  let parsed;
  try {
    if (collectDir !== undefined) {
      args = parseArgs(argv, { flags: ['--no-wait'], values: ['--collect', '--poll'] }, 'sweep');
      if (args.positional.length > 0) throw new UsageError('sweep: --collect DIR takes no SPEC.json');
    } else {
      args = parseArgs(argv, { flags: [...SLURM_FLAGS], values: [...SLURM_VALUES, '--workers', '--out'] }, 'sweep');
      if (args.positional.length !== 1) throw new UsageError('sweep: --slurm needs exactly one SPEC.json');
    }
    parsed = slurmOptionsFromArgs(args); // checks --array-size, --time, --poll: a bad value is a usage error too
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    io.stderr(`enginelab ${e.message}\n${SLURM_USAGE}\n`);
    return 2;
  }
  // Ctrl-C while following stops the following, not the job: say so, and how to come back.
  let interruptHint = '';
  const onInterrupt = () => {
    io.stderr(`\ninterrupted${interruptHint}\n`);
    process.exit(130);
  };
  const options = {
    ...parsed, write: io.stderr, stdout: io.stdout,
    onSubmitted: (s: Submitted) => void (interruptHint = `: slurm job ${s.record.jobId} keeps running (scancel ${s.record.jobId} stops it); merge later with: enginelab sweep --collect ${s.outDir}`),
  };
  if (collectDir !== undefined) interruptHint = `: the job keeps running; collect again with: enginelab sweep --collect ${collectDir}`;
  process.once('SIGINT', onInterrupt);
  try {
    const outcome = collectDir !== undefined
      ? await collectSlurm(collectDir, { ...options, wait: !args.flags.has('--no-wait') })
      : await submitSlurmSweep(args.positional[0]!, options);
    return slurmExitCode(outcome);
  } catch (e) {
    if (e instanceof UsageError) {
      io.stderr(`enginelab ${e.message}\n${SLURM_USAGE}\n`);
      return 2;
    }
    io.stderr(`enginelab sweep: ${(e as Error).message}\n`);
    if (e instanceof SlurmCommandError) return 1;
    return e instanceof EngineError || e instanceof InputFileError || e instanceof RangeError ? 2 : 1;
  } finally {
    process.removeListener('SIGINT', onInterrupt);
  }
}
