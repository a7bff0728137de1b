/**
 * The batch script of a Slurm sweep: one job array `0-(N-1)` whose task I runs
 * `node <repo>/bin/enginelab.mjs sweep DIR/shard-I/spec.json --shard I/N --out DIR` with the
 * absolute Node path of the submitting process (as the kernelspec does), so compute nodes need
 * the same Node at the same path — true where the repository sits on the shared file system with
 * its Node, or where nodes share one image. When the task ends the script writes its exit marker
 * (`shard-I/status.json`, atomically through a rename), also after Slurm's SIGTERM (time limit,
 * scancel), which the script traps so the marker still gets written.
 */
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** bin/enginelab.mjs of this checkout (kernel/sweep/slurm → repository root). */
export const ENGINELAB_BIN = resolve(dirname(fileURLToPath(import.meta.url)), '../../../bin/enginelab.mjs');

export interface SbatchOptions {
  readonly outDir: string;
  readonly numShards: number;
  /** At most this many tasks run at once (the array's `%` throttle). */
  readonly maxRunning?: number;
  readonly partition?: string;
  /** Slurm's time format per task: `MM`, `HH:MM:SS`, `D-HH`, … */
  readonly time?: string;
  /** Cores per task; the task's sweep uses as many workers. Default 1. */
  readonly cpusPerTask?: number;
  readonly jobName?: string;
  /** Submit held (`sbatch --hold`): nothing runs until `scontrol release JOBID`. */
  readonly hold?: boolean;
  /** Passed to sbatch as they are (`--account=A`, `--qos=Q`, `--mem=2G`, …). */
  readonly extraArgs?: readonly string[];
  readonly nodePath?: string;
  readonly enginelabBin?: string;
}

/** Single-quoted for bash: paths with spaces or quotes stay one word. */
export function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/**
 * The job's sbatch options. They go into the script as #SBATCH lines, so that
 * `sbatch --array=7,12 DIR/sweep.sbatch` later resubmits chosen tasks with the same options
 * (command-line options override #SBATCH lines); only `--hold` stays on the command line.
 */
export function sbatchDirectives(o: SbatchOptions): string[] {
  if (!Number.isInteger(o.numShards) || o.numShards < 1) throw new RangeError(`numShards must be a positive integer, got ${o.numShards}`);
  // #SBATCH lines split on white space; an out dir with a space would break --output.
  if (/\s/.test(o.outDir)) throw new RangeError(`the out dir must not contain white space (it goes into #SBATCH --output), got ${JSON.stringify(o.outDir)}`);
  const throttle = o.maxRunning === undefined ? '' : `%${o.maxRunning}`;
  const args = [`--array=0-${o.numShards - 1}${throttle}`, `--job-name=${o.jobName ?? 'enginelab-sweep'}`, `--output=${o.outDir}/shard-%a/task.log`, '--ntasks=1', `--cpus-per-task=${o.cpusPerTask ?? 1}`];
  if (o.partition !== undefined) args.push(`--partition=${o.partition}`);
  if (o.time !== undefined) args.push(`--time=${o.time}`);
  for (const a of o.extraArgs ?? []) {
    if (!a.startsWith('-') || /[\n\r]/.test(a)) throw new RangeError(`extra sbatch arguments must be options such as --account=A, got ${JSON.stringify(a)}`);
    args.push(a);
  }
  return args;
}

/** What goes on sbatch's command line besides the script path. */
export function sbatchCommandArgs(o: SbatchOptions): string[] {
  return ['--parsable', ...(o.hold ? ['--hold'] : [])];
}

export function sbatchScript(o: SbatchOptions): string {
  const node = shellQuote(o.nodePath ?? process.execPath);
  const bin = shellQuote(o.enginelabBin ?? ENGINELAB_BIN);
  const out = shellQuote(o.outDir);
  const workers = o.cpusPerTask ?? 1;
  const directives = sbatchDirectives(o)
    .map((a) => `#SBATCH ${a}`)
    .join('\n');
  return `#!/bin/bash
${directives}
# enginelab sweep, one Slurm array task per shard (${o.numShards} shards); written by
# kernel/sweep/slurm/sbatch-script.ts. Task I runs shard I of the spec copy in shard-I/.
i="\${SLURM_ARRAY_TASK_ID:?not run as a Slurm array task}"
out=${out}
shard="$out/shard-$i"
rm -f "$shard/status.json" # a marker left by an earlier run of this shard does not speak for this one
# Slurm signals the whole task on a time limit or scancel; with a trap set, bash runs it only once
# the sweep process has ended and lives on to write the exit marker.
trap 'echo "enginelab: task $i got SIGTERM (time limit or scancel)" >&2' TERM
cmd=(${node} ${bin} sweep "$shard/spec.json" --shard "$i/${o.numShards}" --out "$out" --workers ${workers})
echo "enginelab: task $i of ${o.numShards} on $(hostname) (job \${SLURM_ARRAY_JOB_ID}_$i): \${cmd[*]}"
"\${cmd[@]}"
code=$?
printf '{"taskIndex":%d,"exitCode":%d,"jobId":"%s","host":"%s"}\\n' "$i" "$code" "\${SLURM_ARRAY_JOB_ID}_$i" "$(hostname)" >"$shard/status.json.tmp" &&
  mv -f "$shard/status.json.tmp" "$shard/status.json"
echo "enginelab: task $i exit $code"
exit "$code"
`;
}
