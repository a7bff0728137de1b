/**
 * `enginelab sweep SPEC.json --slurm …`: submit the sweep as one job array, then either follow
 * it to the end and merge (the default), or print the job id and the collect command
 * (`--no-wait`); `enginelab sweep --collect DIR` on a Slurm out dir comes back here
 * (`collectSlurm`). The merge is the sweep core's `collectSweep` over `DIR/shard-*`; failed tasks
 * are reported by array index with the tail of their logs, and make the exit code 1 (the merged
 * table still holds every config the other tasks finished).
 */
import { collectSweep, type CollectResult } from '../collect-sweep';
import { collectSlurmSweep, type CollectSlurmOptions, type SlurmSweepResult } from './collect-slurm';
import { submitSlurmJob, type SubmitOptions, type Submitted } from './submit-job';

export interface SlurmSweepOptions extends SubmitOptions, Omit<CollectSlurmOptions, 'wait'> {
  /** Submit, print the job id and the collect command, return without waiting. */
  readonly noWait?: boolean;
  /** Where the job id goes with `noWait` (default stdout, so `JOB=$(enginelab sweep … --no-wait)` works). */
  readonly stdout?: (text: string) => void;
  /** Called once the job is in the queue, before following it. */
  readonly onSubmitted?: (submitted: Submitted) => void;
}

/** A merge that fails (no shard wrote anything: every task died early) is reported, not thrown. */
function mergeOrReport(write: (s: string) => void) {
  return (dir: string): CollectResult | undefined => {
    try {
      return collectSweep(dir);
    } catch (err) {
      write(`merge of ${dir} failed: ${err instanceof Error ? err.message : String(err)}\n`);
      return undefined;
    }
  };
}

function summary(r: SlurmSweepResult<CollectResult | undefined>, write: (s: string) => void): void {
  const m = r.merged;
  if (!m) return;
  const rows = m.numConfigs - m.missing.length;
  write(`merged ${rows}/${m.numConfigs} configs (${m.numFailed} with an error row) into ${m.arrow} and ${m.parquet}\n`);
}

export type SlurmSweepOutcome = { readonly kind: 'submitted'; readonly submitted: Submitted } | ({ readonly kind: 'collected' } & SlurmSweepResult<CollectResult | undefined>);

/** Exit status for the CLI: 0 when every task completed and the merge succeeded. */
export function slurmExitCode(o: SlurmSweepOutcome): number {
  if (o.kind === 'submitted') return 0;
  return o.failed.length === 0 && o.merged !== undefined && o.merged.missing.length === 0 ? 0 : 1;
}

export async function submitSlurmSweep(specPath: string, options: SlurmSweepOptions = {}): Promise<SlurmSweepOutcome> {
  const write = options.write ?? ((s: string) => void process.stderr.write(s));
  const submitted = await submitSlurmJob(specPath, { ...options, write });
  const { record, outDir } = submitted;
  options.onSubmitted?.(submitted);
  if (options.noWait) {
    const held = options.hold ? `held: release it with scontrol release ${record.jobId}\n` : '';
    write(`${held}follow it with: squeue -j ${record.jobId}\nthen merge with: enginelab sweep --collect ${outDir}\n`);
    (options.stdout ?? ((t: string) => void process.stdout.write(t)))(`${record.jobId}\n`);
    return { kind: 'submitted', submitted };
  }
  return collectSlurm(outDir, options);
}

/** Follows (unless `wait: false`) and merges the job recorded in `outDir/slurm-job.json`. */
export async function collectSlurm(outDir: string, options: CollectSlurmOptions = {}): Promise<SlurmSweepOutcome> {
  const write = options.write ?? ((s: string) => void process.stderr.write(s));
  const result = await collectSlurmSweep(outDir, mergeOrReport(write), { ...options, write });
  summary(result, write);
  return { kind: 'collected', ...result };
}
