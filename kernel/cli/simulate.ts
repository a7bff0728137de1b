/**
 * `enginelab simulate --serve "<vllm serve …>" --bench "<vllm bench serve …>" [--env "VAR=value …"]
 * [--set name=value …] [--json FILE]`: the engine's simulated `vllm bench serve` from a terminal.
 * Stdout carries exactly vLLM's benchmark summary block (so it diffs against a real run's log);
 * one line of simulation facts goes to stderr; `--json` writes the `--save-result` JSON atomically
 * (a directory gets vLLM's default file name inside it). Parsing and simulation are the engine's
 * (`parseSimulateArgs`, `simulateServe`); this file only does I/O and exit codes:
 * 0 = done, 1 = the simulation or the write failed, 2 = bad command line or configuration.
 */
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { EngineError, parseSimulateArgs, simulateServe } from '../../engine/index';
import { FileExistsError, writeFileAtomic } from '../files/atomic-write';

export const SIMULATE_USAGE = `usage: enginelab simulate --serve "<vllm serve command line>" --bench "<vllm bench serve command line>"
                         [--env "VAR=value ..."] [--set name=value ...] [--json FILE|DIR [--overwrite]]
  --set era=NAME                  pre-27922, report-2025-11-28, pr-29542, pr-29759, pr-31998, current (default)
  --set hardware=NAME             B200 (default), H100, H200, RTX-PRO-6000, GB10
  --set NAME=VALUE                asyncScheduling, maxTokensCapPolicy, asyncSpecHostSync,
                                  uniformDecodeRequiresExactK, uniformQueryLenSplit,
                                  acceptanceRates=a,b,c, acceptanceDispersion (default 0.1),
                                  hardware.<field>, or any cost constant
  --json FILE|DIR                 write the --save-result JSON (vLLM's file name inside a DIR)
  --overwrite                     let --json replace an existing file (without it, an existing file is an error)`;

export interface SimulateIo {
  readonly stdout: (s: string) => void;
  readonly stderr: (s: string) => void;
  /** The clock for the result's `date` field (vLLM: local time at the end of the run). */
  readonly now: () => Date;
}

const defaultIo: SimulateIo = {
  stdout: (s) => process.stdout.write(s),
  stderr: (s) => process.stderr.write(s),
  now: () => new Date(),
};

/** vLLM's `%Y%m%d-%H%M%S` in local time. */
export function resultDate(d: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}${p(d.getMonth() + 1)}${p(d.getDate())}-${p(d.getHours())}${p(d.getMinutes())}${p(d.getSeconds())}`;
}

/** Runs the subcommand on `argv` (the words after `simulate`) and returns the exit code. */
export async function simulateCommand(argv: string[], io: SimulateIo = defaultIo): Promise<number> {
  if (argv.length === 0 || argv.includes('--help') || argv.includes('-h')) {
    (argv.length === 0 ? io.stderr : io.stdout)(SIMULATE_USAGE + '\n');
    return argv.length === 0 ? 2 : 0;
  }
  // --overwrite is ours, not vLLM's: taken out before the vLLM-style parser sees the words.
  const overwrite = argv.includes('--overwrite');
  let parsed;
  try {
    parsed = parseSimulateArgs(argv.filter((a) => a !== '--overwrite'));
  } catch (e) {
    io.stderr(`enginelab simulate: ${(e as Error).message}\n${SIMULATE_USAGE}\n`);
    return 2;
  }
  if (!overwrite && parsed.jsonPath !== null && existsSync(parsed.jsonPath) && !statSync(parsed.jsonPath).isDirectory()) {
    io.stderr(`enginelab simulate: --json: ${parsed.jsonPath} exists; pass --overwrite to replace it\n`);
    return 1;
  }
  let result;
  const t0 = performance.now();
  try {
    result = simulateServe(parsed.options);
  } catch (e) {
    // Configuration mistakes (unknown flag, model, hardware, setting) name their argument.
    io.stderr(`enginelab simulate: ${(e as Error).message}\n`);
    return e instanceof EngineError ? 2 : 1;
  }
  const wall = (performance.now() - t0) / 1000;
  io.stdout(result.summary() + '\n');
  const s = result.settings;
  io.stderr(
    `simulated ${result.simulatedSeconds.toFixed(2)} s (${result.numSteps} engine steps, era ${s.era}, ${s.asyncScheduling ? 'async' : 'sync'} scheduling, `
    + `${s.hardware.name}, ${s.attentionBackend}) in ${wall.toFixed(2)} s of wall time\n`,
  );
  if (parsed.jsonPath !== null) {
    const date = resultDate(io.now());
    const target = existsSync(parsed.jsonPath) && statSync(parsed.jsonPath).isDirectory()
      ? join(parsed.jsonPath, result.resultFilename(date))
      : parsed.jsonPath;
    try {
      writeFileAtomic(target, JSON.stringify(result.resultJson(date)), { overwrite });
    } catch (e) {
      const why = e instanceof FileExistsError ? `${target} exists; pass --overwrite to replace it` : (e as Error).message;
      io.stderr(`enginelab simulate: --json: ${why}\n`);
      return 1;
    }
    io.stderr(`result JSON written to ${target}\n`);
  }
  return 0;
}
