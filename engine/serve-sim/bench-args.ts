/**
 * `fromBenchArgs(commandLine)`: a pasted `vllm bench serve …` command line → `BenchServeConfig`,
 * with vLLM's defaults (engine-semantics.md §12.1–12.2). Shell quoting and `\` line continuations
 * are understood; `--flag=value` and `--flag value` both work. Flags that only matter to a real
 * HTTP client (host, port, headers, sampling knobs the simulator does not model) are accepted and
 * listed in `ignoredFlags`; an unknown flag or a bad value is a `ConfigError` naming the flag.
 */
import { ConfigError, type ConfigIssue } from '../base/errors';
import { PERCENTILE_METRICS, type PercentileMetric } from './metrics';
import { splitCommandLine } from './command-line';

export interface BenchServeConfig {
  readonly backend: string;
  readonly endpoint: string;
  readonly model: string | null;
  readonly tokenizer: string | null;
  readonly servedModelName: string | null;
  readonly label: string | null;
  readonly datasetName: 'random';
  readonly numPrompts: number;
  readonly randomInputLen: number;
  readonly randomOutputLen: number;
  readonly randomRangeRatio: number;
  readonly randomPrefixLen: number;
  /** Requests per second; `Infinity` = all at t = 0 (the default). */
  readonly requestRate: number;
  readonly burstiness: number;
  readonly maxConcurrency: number | null;
  readonly seed: number;
  readonly ignoreEos: boolean;
  readonly percentileMetrics: readonly PercentileMetric[];
  readonly metricPercentiles: readonly number[];
  readonly goodput: Partial<Record<'ttft' | 'tpot' | 'e2el', number>> | null;
  readonly saveResult: boolean;
  readonly saveDetailed: boolean;
  readonly appendResult: boolean;
  readonly resultDir: string | null;
  readonly resultFilename: string | null;
  readonly metadata: Readonly<Record<string, string>>;
  readonly numWarmups: number;
  readonly temperature: number | null;
  /** Flags accepted but not modelled (e.g. `--host`). */
  readonly ignoredFlags: readonly string[];
}

export const DEFAULT_BENCH_SERVE_CONFIG: BenchServeConfig = {
  backend: 'vllm', endpoint: '/v1/completions', model: null, tokenizer: null, servedModelName: null, label: null,
  datasetName: 'random', numPrompts: 1000, randomInputLen: 1024, randomOutputLen: 128, randomRangeRatio: 0, randomPrefixLen: 0,
  requestRate: Infinity, burstiness: 1, maxConcurrency: null, seed: 0, ignoreEos: false,
  percentileMetrics: ['ttft', 'tpot', 'itl'], metricPercentiles: [99], goodput: null, saveResult: false, saveDetailed: false,
  appendResult: false, resultDir: null, resultFilename: null, metadata: {}, numWarmups: 0, temperature: null, ignoredFlags: [],
};

type Kind = 'string' | 'int' | 'float' | 'bool' | 'list';
const FLAGS: Record<string, { key: keyof BenchServeConfig | null; kind: Kind }> = {
  '--backend': { key: 'backend', kind: 'string' },
  '--endpoint': { key: 'endpoint', kind: 'string' },
  '--model': { key: 'model', kind: 'string' },
  '--tokenizer': { key: 'tokenizer', kind: 'string' },
  '--served-model-name': { key: 'servedModelName', kind: 'string' },
  '--label': { key: 'label', kind: 'string' },
  '--dataset-name': { key: 'datasetName', kind: 'string' },
  '--num-prompts': { key: 'numPrompts', kind: 'int' },
  '--random-input-len': { key: 'randomInputLen', kind: 'int' },
  '--random-output-len': { key: 'randomOutputLen', kind: 'int' },
  '--random-range-ratio': { key: 'randomRangeRatio', kind: 'float' },
  '--random-prefix-len': { key: 'randomPrefixLen', kind: 'int' },
  '--request-rate': { key: 'requestRate', kind: 'float' },
  '--burstiness': { key: 'burstiness', kind: 'float' },
  '--max-concurrency': { key: 'maxConcurrency', kind: 'int' },
  '--seed': { key: 'seed', kind: 'int' },
  '--ignore-eos': { key: 'ignoreEos', kind: 'bool' },
  '--percentile-metrics': { key: 'percentileMetrics', kind: 'string' },
  '--metric-percentiles': { key: 'metricPercentiles', kind: 'string' },
  '--goodput': { key: 'goodput', kind: 'list' },
  '--save-result': { key: 'saveResult', kind: 'bool' },
  '--save-detailed': { key: 'saveDetailed', kind: 'bool' },
  '--append-result': { key: 'appendResult', kind: 'bool' },
  '--result-dir': { key: 'resultDir', kind: 'string' },
  '--result-filename': { key: 'resultFilename', kind: 'string' },
  '--metadata': { key: 'metadata', kind: 'list' },
  '--num-warmups': { key: 'numWarmups', kind: 'int' },
  '--temperature': { key: 'temperature', kind: 'float' },
  // Accepted, not modelled: client plumbing and sampling knobs.
  '--host': { key: null, kind: 'string' }, '--port': { key: null, kind: 'string' }, '--base-url': { key: null, kind: 'string' },
  '--header': { key: null, kind: 'list' }, '--top-p': { key: null, kind: 'string' }, '--top-k': { key: null, kind: 'string' },
  '--min-p': { key: null, kind: 'string' }, '--trust-remote-code': { key: null, kind: 'bool' }, '--disable-tqdm': { key: null, kind: 'bool' },
  '--tokenizer-mode': { key: null, kind: 'string' }, '--endpoint-type': { key: null, kind: 'string' },
  '--ready-check-timeout-sec': { key: null, kind: 'string' }, '--profile': { key: null, kind: 'bool' },
  '--request-id-prefix': { key: null, kind: 'string' }, '--frequency-penalty': { key: null, kind: 'string' },
  '--presence-penalty': { key: null, kind: 'string' }, '--repetition-penalty': { key: null, kind: 'string' },
  '--disable-shuffle': { key: null, kind: 'bool' },
};
const ALIASES: Record<string, string> = { '--random-input': '--random-input-len', '--random-output': '--random-output-len', '--num-prompt': '--num-prompts' };

/** Drops the program prefix: `vllm bench serve`, `python -m vllm.entrypoints.cli.main bench serve`, `benchmark_serving.py`. */
function stripProgram(tokens: string[]): string[] {
  const i = tokens.findIndex((t) => t.startsWith('-'));
  const head = i < 0 ? tokens : tokens.slice(0, i);
  const isBench = head.length === 0 || (head.includes('bench') && head.includes('serve')) || head.some((t) => t.endsWith('benchmark_serving.py'));
  if (!isBench) throw new ConfigError([{ path: 'commandLine', message: `expected a 'vllm bench serve' command, got '${head.join(' ')}'` }]);
  return i < 0 ? [] : tokens.slice(i);
}

export function fromBenchArgs(commandLine: string): BenchServeConfig {
  if (typeof commandLine !== 'string') throw new ConfigError([{ path: 'commandLine', message: 'expected a string' }]);
  const tokens = stripProgram(splitCommandLine(commandLine));
  const out: Record<string, unknown> = { ...DEFAULT_BENCH_SERVE_CONFIG, metadata: {}, ignoredFlags: [] };
  const issues: ConfigIssue[] = [];
  const ignored: string[] = [];
  for (let i = 0; i < tokens.length; i++) {
    let tok = tokens[i]!;
    let inline: string | undefined;
    const eq = tok.indexOf('=');
    if (tok.startsWith('--') && eq > 0) {
      inline = tok.slice(eq + 1);
      tok = tok.slice(0, eq);
    }
    const name = ALIASES[tok] ?? tok;
    const spec = FLAGS[name];
    if (!spec) {
      issues.push({ path: tok, message: tok.startsWith('-') ? 'unknown flag for vllm bench serve' : 'unexpected positional argument' });
      if (tok.startsWith('-') && inline === undefined) while (i + 1 < tokens.length && !tokens[i + 1]!.startsWith('--')) i++;
      continue;
    }
    let values: string[] = [];
    if (spec.kind === 'bool') {
      if (inline !== undefined) values = [inline];
    } else if (spec.kind === 'list') {
      if (inline !== undefined) values.push(inline);
      while (i + 1 < tokens.length && !tokens[i + 1]!.startsWith('--')) values.push(tokens[++i]!);
    } else if (inline !== undefined) {
      values = [inline];
    } else if (i + 1 < tokens.length) {
      values = [tokens[++i]!];
    }
    if (spec.kind !== 'bool' && values.length === 0) {
      issues.push({ path: name, message: 'expected a value' });
      continue;
    }
    if (spec.key === null) {
      ignored.push(name);
      continue;
    }
    const v = values[0] ?? '';
    switch (spec.kind) {
      case 'bool':
        out[spec.key] = values.length === 0 ? true : !/^(false|0|no)$/i.test(v);
        break;
      case 'int': {
        const n = Number(v);
        if (!Number.isInteger(n) || n < 0) issues.push({ path: name, message: `expected a non-negative integer, got '${v}'` });
        else out[spec.key] = n;
        break;
      }
      case 'float': {
        const n = /^inf(inity)?$/i.test(v) ? Infinity : Number(v);
        if (Number.isNaN(n) || v.trim() === '') issues.push({ path: name, message: `expected a number, got '${v}'` });
        else out[spec.key] = n;
        break;
      }
      case 'string':
        out[spec.key] = v;
        break;
      case 'list':
        if (name === '--metadata') {
          for (const kv of values) {
            const j = kv.indexOf('=');
            if (j <= 0) issues.push({ path: name, message: `expected KEY=VALUE, got '${kv}'` });
            else (out.metadata as Record<string, string>)[kv.slice(0, j)] = kv.slice(j + 1);
          }
        } else {
          const slos: Record<string, number> = {};
          for (const kv of values) {
            const [k, val] = kv.split(':');
            const n = Number(val);
            if (!k || !['ttft', 'tpot', 'e2el'].includes(k) || !(n >= 0)) issues.push({ path: name, message: `expected ttft|tpot|e2el:MS, got '${kv}'` });
            else slos[k] = n;
          }
          out.goodput = slos;
        }
        break;
    }
  }
  if (out.datasetName !== 'random') issues.push({ path: '--dataset-name', message: `only 'random' is simulated, got '${String(out.datasetName)}'` });
  if (typeof out.percentileMetrics === 'string') {
    const ms = (out.percentileMetrics as string).split(',').map((s) => s.trim()).filter(Boolean);
    const bad = ms.filter((m) => !PERCENTILE_METRICS.includes(m as PercentileMetric));
    if (bad.length > 0) issues.push({ path: '--percentile-metrics', message: `unknown metric(s) ${bad.join(', ')}; known: ${PERCENTILE_METRICS.join(', ')}` });
    out.percentileMetrics = ms;
  }
  if (typeof out.metricPercentiles === 'string') {
    const ps = (out.metricPercentiles as string).split(',').map((s) => Number(s.trim()));
    if (ps.some((p) => !(p >= 0 && p <= 100))) issues.push({ path: '--metric-percentiles', message: `expected numbers in [0, 100], got '${String(out.metricPercentiles)}'` });
    out.metricPercentiles = ps;
  }
  const rr = out.randomRangeRatio as number;
  if (!(rr >= 0 && rr < 1)) issues.push({ path: '--random-range-ratio', message: `expected a ratio in [0, 1), got ${rr}` });
  if (!((out.requestRate as number) > 0)) issues.push({ path: '--request-rate', message: 'expected > 0 or inf' });
  if (!((out.burstiness as number) > 0)) issues.push({ path: '--burstiness', message: 'expected > 0' });
  if ((out.numPrompts as number) < 1) issues.push({ path: '--num-prompts', message: 'expected ≥ 1' });
  if (out.maxConcurrency === 0) issues.push({ path: '--max-concurrency', message: 'expected ≥ 1' });
  if (issues.length > 0) throw new ConfigError(issues);
  out.ignoredFlags = ignored;
  return out as unknown as BenchServeConfig;
}
