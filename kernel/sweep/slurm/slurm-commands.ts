/**
 * The real Slurm commands (sbatch, squeue, scontrol, sacct), run as child processes. A failure
 * becomes a `SlurmCommandError` whose message names the command line and carries its stderr, so
 * "no Slurm here" and "bad partition" read as what they are. Every call is asynchronous: the
 * follower polls while the terminal's progress line keeps drawing.
 */
import { execFile } from 'node:child_process';
import { isUnknownJobError, parseSacct, parseScontrolShowJob, parseSqueue, type SlurmTaskState } from './slurm-job-state';

export class SlurmCommandError extends Error {
  override name = 'SlurmCommandError';
  constructor(
    readonly command: string,
    readonly stderr: string,
    readonly exitCode: number | undefined,
    detail: string,
  ) {
    super(`${command}: ${detail}`);
  }
}

function quote(a: string): string {
  return /^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`;
}

/** The command line as a user would type it, for messages. */
export function commandLine(file: string, args: readonly string[]): string {
  return [file, ...args].map(quote).join(' ');
}

/** Runs one Slurm command; resolves with stdout, rejects with a SlurmCommandError. */
export function runSlurm(file: string, args: readonly string[], timeoutMs = 60_000): Promise<string> {
  const line = commandLine(file, args);
  return new Promise((resolve, reject) => {
    execFile(file, args, { encoding: 'utf8', timeout: timeoutMs, maxBuffer: 64 << 20 }, (err, stdout, stderr) => {
      if (!err) return resolve(stdout);
      const e = err as NodeJS.ErrnoException & { code?: string | number; killed?: boolean };
      if (e.code === 'ENOENT') return reject(new SlurmCommandError(line, '', undefined, `${file} not found on PATH: is Slurm installed here (or run this on a login node)?`));
      if (e.killed) return reject(new SlurmCommandError(line, stderr, undefined, `no answer within ${timeoutMs / 1000} s (is slurmctld reachable? try: scontrol ping)`));
      const code = typeof e.code === 'number' ? e.code : undefined;
      const text = stderr.trim() || stdout.trim();
      reject(new SlurmCommandError(line, stderr, code, `exited with ${code ?? e.code}${text ? `:\n${text}` : ''}`));
    });
  });
}

/** `sbatch --parsable` prints `JOBID` or `JOBID;CLUSTER`. */
export function parseSbatchParsable(stdout: string): string {
  const id = stdout.trim().split(';')[0] ?? '';
  if (!/^\d+$/.test(id)) throw new SlurmCommandError('sbatch --parsable', '', 0, `expected a job id, got ${JSON.stringify(stdout.trim())}`);
  return id;
}

/** Submits a batch script; `args` must include --parsable (sbatch-script.ts's sbatchCommandArgs). */
export async function sbatch(args: readonly string[], scriptPath: string): Promise<string> {
  return parseSbatchParsable(await runSlurm('sbatch', [...args, scriptPath]));
}

/** The tasks squeue still lists: pending or running ([] once the job has left the queue). */
export async function squeueTasks(jobId: string): Promise<SlurmTaskState[]> {
  try {
    return parseSqueue(await runSlurm('squeue', ['-h', '-r', '-j', jobId, '-o', '%i|%T|%r']), jobId);
  } catch (err) {
    if (err instanceof SlurmCommandError && isUnknownJobError(err.stderr)) return [];
    throw err;
  }
}

/** What the controller remembers of each task ([] once it has forgotten the job). */
export async function scontrolTasks(jobId: string): Promise<SlurmTaskState[]> {
  try {
    return parseScontrolShowJob(await runSlurm('scontrol', ['show', 'job', '-o', jobId]), jobId);
  } catch (err) {
    if (err instanceof SlurmCommandError && isUnknownJobError(err.stderr)) return [];
    throw err;
  }
}

/**
 * The accounting database's view, or undefined where sacct does not work (no accounting storage:
 * "Slurm accounting storage is disabled"; sacct not installed).
 */
export async function sacctTasks(jobId: string): Promise<SlurmTaskState[] | undefined> {
  try {
    return parseSacct(await runSlurm('sacct', ['-j', jobId, '--parsable2', '--noheader', '--format=JobID,State,ExitCode']), jobId);
  } catch (err) {
    if (err instanceof SlurmCommandError) return undefined;
    throw err;
  }
}

export async function scontrolRelease(jobId: string): Promise<void> {
  await runSlurm('scontrol', ['release', jobId]);
}
