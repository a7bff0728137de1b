/**
 * `enginelab simulate --serve "<server line>" --bench "<client line>" [--env "VAR=value …"]
 * [--hardware NAME] [--set name=value …] [--json FILE|DIR] [--compare RESULT.json]
 * [--replay RESULT.json] [--workload ROWS]`: the engine's simulated `vllm bench serve` from a
 * terminal. Stdout carries vLLM's benchmark summary block, then the enginelab facts block (what the
 * run assumed), then with `--compare` the measured-vs-simulated table; one line of simulation facts
 * goes to stderr; `--json` writes the `--save-result` JSON atomically (a directory gets vLLM's
 * default file name inside it). Parsing, reading and simulation are the engine's; this file does
 * I/O and exit codes: 0 = done, 1 = the simulation or the write failed, 2 = bad command line,
 * configuration or input file (every problem of both pasted lines is listed at once).
 */
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import {
  EngineError, checkCommandLines, compareWithMeasured, formatComparison, fromBenchArgs, parseSimulateArgs, readBenchResult,
  readRequestRows, simulateServe, workloadFromMeasured, type MeasuredResult, type SimulateServeOptions,
} from '../../engine/index';
import { FileExistsError, writeFileAtomic } from '../files/atomic-write';
import { readTextFile } from '../files/read-text';

export const SIMULATE_USAGE = `usage: enginelab simulate --serve "<vllm serve command line>" --bench "<vllm bench serve | benchmark_serving.py line>"
                         [--env "VAR=value ..."] [--hardware NAME] [--set name=value ...] [--json FILE|DIR [--overwrite]]
                         [--compare RESULT.json] [--replay RESULT.json] [--workload ROWS.jsonl|csv]
  --serve may hold the pasted export lines too; --bench's --dataset-path FILE is read for sharegpt/custom
  --hardware NAME                 B200 (the default rule when none is named), H100, H200, RTX-PRO-6000, GB10
  --set era=NAME                  pre-27922, report-2025-11-28, pr-29542, pr-29759, pr-31998, current (default)
  --set NAME=VALUE                asyncScheduling, maxTokensCapPolicy, asyncSpecHostSync,
                                  uniformDecodeRequiresExactK, uniformQueryLenSplit,
                                  acceptanceRates=a,b,c, acceptanceDispersion (default 0.1),
                                  hardware.<field>, or any cost constant
  --json FILE|DIR                 write the --save-result JSON (vLLM's file name inside a DIR)
  --compare RESULT.json           print measured vs simulated (vllm bench serve or benchmark_serving.py JSON)
  --replay RESULT.json            send that run's per-request lengths and start times (needs --save-detailed)
  --workload ROWS                 per-request rows: input_len,output_len[,arrival_time] (CSV or JSONL)
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

/** Reads the files the command names into the engine's inputs; throws with the path on bad input. */
function loadInputs(parsed: ReturnType<typeof parseSimulateArgs>): { options: SimulateServeOptions; measured: MeasuredResult | null } {
  let options: SimulateServeOptions = parsed.options;
  const bench = fromBenchArgs(options.bench);
  if (bench.datasetName !== 'random' && bench.datasetPath !== null) {
    options = { ...options, datasetText: readTextFile(bench.datasetPath, `--dataset-path (${bench.datasetName})`) };
  }
  if (parsed.workloadPath !== null) {
    options = { ...options, workload: readRequestRows(readTextFile(parsed.workloadPath, '--workload')), workloadSource: `request rows ${parsed.workloadPath}` };
  }
  if (parsed.replayPath !== null) {
    const replay = readBenchResult(readTextFile(parsed.replayPath, '--replay'));
    options = { ...options, workload: workloadFromMeasured(replay), workloadSource: `replay of ${parsed.replayPath} (${replay.format})` };
  }
  const measured = parsed.comparePath !== null ? readBenchResult(readTextFile(parsed.comparePath, '--compare')) : null;
  return { options, measured };
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
  const lineIssues = checkCommandLines(parsed.options);
  if (lineIssues.length > 0) {
    io.stderr(`enginelab simulate: ${lineIssues.length} problem(s) in the pasted lines:\n${lineIssues.map((i) => `  ${i.path}: ${i.message}`).join('\n')}\n`);
    return 2;
  }
  let inputs;
  try {
    inputs = loadInputs(parsed);
  } catch (e) {
    io.stderr(`enginelab simulate: ${(e as Error).message}\n`);
    return 2;
  }
  let result;
  const t0 = performance.now();
  try {
    result = simulateServe(inputs.options);
  } catch (e) {
    // Configuration mistakes (unknown model, hardware, setting) name their argument.
    io.stderr(`enginelab simulate: ${(e as Error).message}\n`);
    return e instanceof EngineError ? 2 : 1;
  }
  const wall = (performance.now() - t0) / 1000;
  io.stdout(result.summary() + '\n');
  if (inputs.measured !== null) io.stdout(`measured (${parsed.comparePath}) vs simulated:\n${formatComparison(compareWithMeasured(inputs.measured, result))}\n`);
  const f = result.facts;
  io.stderr(
    `simulated ${result.simulatedSeconds.toFixed(2)} s (${result.numSteps} engine steps, era ${f.era}, ${f.asyncScheduling ? 'async' : 'sync'} scheduling, `
    + `${f.numGpus}×${f.hardware}, ${f.attentionBackend}) in ${wall.toFixed(2)} s of wall time\n`,
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
