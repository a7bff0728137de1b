/**
 * Submitting a sweep as one Slurm job array: read and expand the spec here (a bad spec fails
 * before anything reaches the queue), lay out the out dir (a spec copy per shard, the batch
 * script, the job record), then `sbatch --parsable`. Resubmitting into an out dir whose job has
 * left the queue is a resume: the shards' journals keep their finished configs, and the old exit
 * markers are removed so they cannot speak for the new tasks. A job of that dir still in the queue
 * is refused (two jobs writing one journal).
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { EngineError, expandSweep, parseSweepSpec } from '../../../engine/index';
import { readTextFile } from '../../files/read-text';
import { sbatchCommandArgs, sbatchDirectives, sbatchScript, type SbatchOptions } from './sbatch-script';
import { JOB_FILE, SCRIPT_FILE, readJobRecord, shardDir, shardSpecPath, statusPath, type SlurmJobRecord } from './slurm-layout';
import { commandLine, sbatch, squeueTasks } from './slurm-commands';

/** The default shard count: one task per config up to this many (a sweep's configs take seconds). */
export const DEFAULT_MAX_SHARDS = 100;

export interface SubmitOptions extends Omit<SbatchOptions, 'outDir' | 'numShards'> {
  /** The out dir; on a file system that the compute nodes see. Default: `<spec name>.slurm` here. */
  readonly out?: string;
  /** Number of array tasks (shards); default min(configs, 100), never more than the configs. */
  readonly arraySize?: number;
  readonly write?: (text: string) => void;
}

export interface Submitted {
  readonly record: SlurmJobRecord;
  readonly outDir: string;
}

export async function submitSlurmJob(specPath: string, o: SubmitOptions = {}): Promise<Submitted> {
  const write = o.write ?? ((s: string) => void process.stderr.write(s));
  const specText = readTextFile(specPath, 'SPEC.json');
  let spec;
  try {
    spec = parseSweepSpec(JSON.parse(specText) as unknown);
  } catch (err) {
    // Still an EngineError (a bad spec: exit 2), now naming the file.
    throw new EngineError(`${specPath}: ${err instanceof Error ? err.message : String(err)}`, err instanceof EngineError ? err.argument : 'spec');
  }
  const numConfigs = expandSweep(spec).length;
  if (numConfigs === 0) throw new Error(`${specPath}: the sweep has no configs`);
  if (o.arraySize !== undefined && (!Number.isInteger(o.arraySize) || o.arraySize < 1)) throw new RangeError(`--array-size must be a whole number ≥ 1, got ${o.arraySize}`);
  const numShards = Math.min(o.arraySize ?? DEFAULT_MAX_SHARDS, numConfigs);
  if (o.arraySize !== undefined && o.arraySize > numConfigs) write(`--array-size ${o.arraySize} > ${numConfigs} configs: submitting ${numShards} tasks\n`);

  // Absolute: the tasks start in another working directory, maybe on another machine.
  const outDir = resolve(o.out ?? `${spec.name}.slurm`);
  const previous = readJobRecord(outDir);
  if (previous && (await squeueTasks(previous.jobId)).length > 0) {
    throw new Error(`${outDir} belongs to slurm job ${previous.jobId}, still in the queue; wait for it (enginelab sweep --collect ${outDir}) or scancel ${previous.jobId}`);
  }
  if (previous && previous.numShards !== numShards) {
    throw new Error(`${outDir} holds ${previous.numShards} shards of an earlier job (${previous.jobId}); resubmit with --array-size ${previous.numShards}, or use a new --out`);
  }
  const sb: SbatchOptions = { ...o, outDir, numShards };
  const script = sbatchScript(sb); // checks the options before anything is written
  for (let i = 0; i < numShards; i++) {
    mkdirSync(shardDir(outDir, i), { recursive: true }); // sbatch --output needs the directory to exist
    writeFileSync(shardSpecPath(outDir, i), specText);
    rmSync(statusPath(outDir, i), { force: true });
  }
  const scriptPath = join(outDir, SCRIPT_FILE);
  writeFileSync(scriptPath, script, { mode: 0o755 });
  const args = sbatchCommandArgs(sb);
  const jobId = await sbatch(args, scriptPath);
  const record: SlurmJobRecord = {
    jobId,
    numShards,
    numConfigs,
    specPath: isAbsolute(specPath) ? specPath : resolve(specPath),
    submitTime: new Date().toISOString(),
    sbatchArgs: [...sbatchDirectives(sb), ...args],
  };
  writeFileSync(join(outDir, JOB_FILE), JSON.stringify(record, null, 1) + '\n');
  write(`submitted slurm job ${jobId}: ${numConfigs} configs in ${numShards} array tasks (${commandLine('sbatch', [...args, scriptPath])})\n`);
  return { record, outDir };
}
