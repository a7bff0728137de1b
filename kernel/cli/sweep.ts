/**
 * `enginelab sweep SPEC.json [--workers N] [--out DIR] [--shard i/N]` and
 * `enginelab sweep --collect DIR`: runs a sweep spec (engine/sweep) on worker threads into DIR
 * (journal, results.arrow, results.parquet; a rerun resumes), or merges the shard journals under
 * DIR. `--shard i/N` runs the i-th of N round-robin shards (0-based) into DIR/shard-i: what each
 * Slurm array task runs. A progress bar goes to stderr when it is a terminal; one summary line to
 * stdout. Exit codes: 0 = done (failed configs are rows, not failures), 1 = the run or the write
 * failed, or --collect found configs missing, 2 = bad command line or spec.
 */
import cliProgress from 'cli-progress';
import { EngineError } from '../../engine/index';
import { readTextFile } from '../files/read-text';
import { collectSweep, shardDir } from '../sweep/collect-sweep';
import { runSweep, type SweepProgress } from '../sweep/run-sweep';
import { defaultWorkerCount } from '../sweep/worker-pool';
import { SLURM_USAGE, slurmSweepCommand } from '../sweep/slurm/slurm-sweep-command';
import { numberArg, parseArgs, UsageError } from './args';

export const SWEEP_USAGE = `usage: enginelab sweep SPEC.json [--workers N] [--out DIR] [--shard i/N]
       enginelab sweep --collect DIR
  SPEC.json            { "serve": "vllm serve …", "bench": "vllm bench serve …", "env"?, "set"?, "axes": [ … ] }
  --workers N          worker threads (default: one per core, ${defaultWorkerCount()} here)
  --out DIR            where the journal and tables go (default sweep-out); a rerun resumes from its journal
  --shard i/N          run only shard i (0-based) of N, into DIR/shard-i (what a Slurm array task runs)
  --collect DIR        merge DIR/shard-*/results.jsonl into DIR/results.arrow and .parquet; list missing configs
${SLURM_USAGE}`;

export interface SweepIo {
  readonly stdout: (s: string) => void;
  readonly stderr: (s: string) => void;
  readonly terminal: NodeJS.WriteStream | null;
}

const defaultIo: SweepIo = {
  stdout: (s) => process.stdout.write(s),
  stderr: (s) => process.stderr.write(s),
  terminal: process.stderr.isTTY ? process.stderr : null,
};

/** Reads `i/N` (0 ≤ i < N). */
export function parseShard(text: string): { index: number; count: number } {
  const m = /^(\d+)\/(\d+)$/.exec(text.trim());
  const index = m ? Number(m[1]) : NaN;
  const count = m ? Number(m[2]) : NaN;
  if (!m || count < 1 || index >= count) throw new UsageError(`sweep: --shard must be i/N with 0 ≤ i < N (e.g. 0/20), got ${JSON.stringify(text)}`);
  return { index, count };
}

function progressBar(io: SweepIo): { onProgress: (p: SweepProgress) => void; stop: () => void } {
  if (io.terminal === null) return { onProgress: () => {}, stop: () => {} };
  const bar = new cliProgress.SingleBar({ stream: io.terminal, format: 'sweep [{bar}] {value}/{total} configs {percentage}% | {failed} failed | eta {eta_formatted}', hideCursor: false, clearOnComplete: false }, cliProgress.Presets.shades_classic);
  let started = false;
  return {
    onProgress: (p) => {
      if (!started) {
        bar.start(p.total, p.done, { failed: p.failed });
        started = true;
      } else bar.update(p.done, { failed: p.failed });
    },
    stop: () => bar.stop(),
  };
}

function collect(dir: string, io: SweepIo): number {
  const r = collectSweep(dir);
  io.stdout(`collected ${r.table.numRows}/${r.numConfigs} configs (${r.numFailed} failed) from ${r.journals.length} journal(s) → ${r.arrow}, ${r.parquet}\n`);
  if (r.missing.length === 0) return 0;
  const shards = r.incompleteShards.length > 0 ? `; shards with missing configs: ${r.incompleteShards.join(', ')}` : '';
  io.stderr(`enginelab sweep: ${r.missing.length} config(s) missing (indices ${r.missing.slice(0, 20).map((m) => m.index).join(', ')}${r.missing.length > 20 ? ', …' : ''})${shards}\n`);
  return 1;
}

/** Runs the subcommand on `argv` (the words after `sweep`) and returns the exit code. */
export async function sweepCommand(argv: string[], io: SweepIo = defaultIo): Promise<number> {
  if (argv.length === 0 || argv.includes('--help') || argv.includes('-h')) {
    (argv.length === 0 ? io.stderr : io.stdout)(SWEEP_USAGE + '\n');
    return argv.length === 0 ? 2 : 0;
  }
  const viaSlurm = await slurmSweepCommand(argv, io); // --slurm, or --collect of a --slurm out dir
  if (viaSlurm !== undefined) return viaSlurm;
  let args;
  try {
    args = parseArgs(argv, { values: ['--workers', '--out', '--shard', '--collect'] }, 'sweep');
    if (args.values.has('--collect')) {
      if (args.positional.length > 0 || args.values.size > 1) throw new UsageError('sweep: --collect DIR takes no SPEC.json and no other option');
    } else if (args.positional.length !== 1) throw new UsageError(`sweep: give exactly one SPEC.json${args.positional.length > 1 ? ` (got ${args.positional.join(', ')})` : ''}`);
  } catch (e) {
    io.stderr(`enginelab ${(e as Error).message}\n${SWEEP_USAGE}\n`);
    return 2;
  }
  try {
    const collectDir = args.values.get('--collect');
    if (collectDir !== undefined) return collect(collectDir, io);
    const workersText = args.values.get('--workers');
    const workers = workersText === undefined ? defaultWorkerCount() : numberArg(workersText, '--workers', 'sweep', { min: 1, max: 1024, what: 'a whole number of threads ≥ 1' });
    if (!Number.isInteger(workers)) throw new UsageError(`sweep: --workers must be a whole number of threads ≥ 1, got ${JSON.stringify(workersText)}`);
    const shardText = args.values.get('--shard');
    const shard = shardText === undefined ? undefined : parseShard(shardText);
    const out = args.values.get('--out') ?? 'sweep-out';
    const specPath = args.positional[0]!;
    const spec = readTextFile(specPath, 'SPEC.json');
    const bar = progressBar(io);
    let r;
    try {
      r = await runSweep(spec, { workers, outDir: shard === undefined ? out : shardDir(out, shard.index), ...(shard ? { shard } : {}), onProgress: bar.onProgress });
    } finally {
      bar.stop();
    }
    io.stdout(`${r.numConfigs} configs${shard ? ` (shard ${shard.index}/${shard.count})` : ''}: ${r.numRun} run, ${r.numResumed} resumed, ${r.numFailed} failed → ${r.arrow}, ${r.parquet}\n`);
    return 0;
  } catch (e) {
    if (e instanceof UsageError) {
      io.stderr(`enginelab ${e.message}\n${SWEEP_USAGE}\n`);
      return 2;
    }
    io.stderr(`enginelab sweep: ${(e as Error).message}\n`);
    return e instanceof EngineError || e instanceof SyntaxError ? 2 : 1;
  }
}
