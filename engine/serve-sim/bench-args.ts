/**
 * `fromBenchArgs(commandLine)`: a pasted client line → `BenchServeConfig` with that program's own
 * defaults (bench-flags.ts). Recognises `vllm bench serve …`, `python -m vllm.entrypoints.cli.main
 * bench serve …` and `python3 …/benchmark_serving.py …` (vLLM's old script and the harness fork),
 * inside a longer paste too (export lines and server commands are skipped). Flags that only matter
 * to a real HTTP client are accepted and listed with their values; unknown flags and bad values are
 * one `ConfigError` listing every problem, each naming its flag.
 */
import { ConfigError, type ConfigIssue } from '../base/errors';
import { didYouMean } from '../config/vllm-flags';
import { isAssignment, shellCommands } from '../config/shell-words';
import { BENCH_ALIASES, BENCH_DEFAULTS, BENCH_FLAGS, type BenchDialect, type BenchServeConfig } from './bench-flags';
import { PERCENTILE_METRICS, type PercentileMetric } from './metrics';

export type { BenchServeConfig } from './bench-flags';

const DATASETS = ['random', 'sharegpt', 'custom'];

/** The client command of a paste and its program's dialect. */
function clientCommand(text: string): { dialect: BenchDialect; words: string[] } {
  for (const cmd of shellCommands(text)) {
    let words = cmd[0] === 'env' || cmd[0] === 'export' ? cmd.slice(1) : cmd;
    while (words.length > 0 && isAssignment(words[0]!)) words = words.slice(1);
    const i = words.findIndex((t) => t.startsWith('-') && t !== '-m');
    const head = i < 0 ? words : words.slice(0, i);
    const rest = i < 0 ? [] : words.slice(i);
    if (head.length === 0 && rest.length > 0) return { dialect: 'vllm-bench-serve', words: rest };
    if (head.some((t) => /(^|\/)(bench_)?benchmark_serving\.py$|(^|\/)bench_serving\.py$/.test(t))) return { dialect: 'benchmark_serving', words: rest };
    if (head.includes('bench') && head.includes('serve')) return { dialect: 'vllm-bench-serve', words: rest };
  }
  const first = shellCommands(text).find((c) => c[0] !== 'export' && !c.every(isAssignment));
  throw new ConfigError([{ path: 'commandLine', message: `expected a 'vllm bench serve' or 'benchmark_serving.py' command, got '${(first ?? []).slice(0, 3).join(' ')}'` }]);
}

export function fromBenchArgs(commandLine: string): BenchServeConfig {
  if (typeof commandLine !== 'string') throw new ConfigError([{ path: 'commandLine', message: 'expected a string' }]);
  let found;
  try {
    found = clientCommand(commandLine);
  } catch (e) {
    if (e instanceof ConfigError) throw e;
    throw new ConfigError([{ path: 'commandLine', message: (e as Error).message }]);
  }
  const { dialect, words: tokens } = found;
  const defaults = BENCH_DEFAULTS[dialect];
  const out: Record<string, unknown> = { ...defaults, metadata: {}, ignoredFlags: [] };
  const issues: ConfigIssue[] = [];
  const ignored: string[] = [];
  const seen = new Set<string>();
  for (let i = 0; i < tokens.length; i++) {
    let tok = tokens[i]!;
    let inline: string | undefined;
    const eq = tok.indexOf('=');
    if (tok.startsWith('--') && eq > 0) {
      inline = tok.slice(eq + 1);
      tok = tok.slice(0, eq);
    }
    const name = BENCH_ALIASES[tok] ?? tok.replace(/_/g, '-');
    const spec = BENCH_FLAGS[name];
    if (!spec) {
      issues.push(tok.startsWith('-')
        ? { path: tok, message: `unrecognized argument for ${dialect === 'benchmark_serving' ? 'benchmark_serving.py' : 'vllm bench serve'}${didYouMean(name, Object.keys(BENCH_FLAGS))}` }
        : { path: tok, message: 'unexpected positional argument' });
      if (tok.startsWith('-') && inline === undefined) while (i + 1 < tokens.length && !tokens[i + 1]!.startsWith('--')) i++;
      continue;
    }
    seen.add(name);
    let values: string[] = [];
    if (spec.kind === 'bool') {
      if (inline !== undefined) issues.push({ path: name, message: `ignored explicit argument '${inline}' (a flag takes no value)` });
    } else if (spec.kind === 'list') {
      if (inline !== undefined) values.push(inline);
      while (i + 1 < tokens.length && !tokens[i + 1]!.startsWith('--')) values.push(tokens[++i]!);
    } else if (inline !== undefined) values = [inline];
    else if (i + 1 < tokens.length && !tokens[i + 1]!.startsWith('--')) values = [tokens[++i]!];
    if (spec.kind !== 'bool' && values.length === 0) {
      issues.push({ path: name, message: 'expected a value' });
      continue;
    }
    if (spec.key === null) {
      ignored.push(values.length > 0 ? `${name} ${values.join(' ')}` : name);
      continue;
    }
    const v = values[0] ?? '';
    switch (spec.kind) {
      case 'bool':
        out[spec.key] = true;
        break;
      case 'int': {
        const n = Number(v);
        if (!/^-?\d+$/.test(v.trim()) || n < 0) issues.push({ path: name, message: `invalid int value: '${v}'` });
        else out[spec.key] = n;
        break;
      }
      case 'float': {
        const n = /^inf(inity)?$/i.test(v) ? Infinity : Number(v);
        if (Number.isNaN(n) || v.trim() === '') issues.push({ path: name, message: `invalid float value: '${v}'` });
        else out[spec.key] = n;
        break;
      }
      case 'string':
        out[spec.key] = v;
        break;
      case 'list':
        if (name === '--metadata') readMetadata(values, out.metadata as Record<string, string>, issues);
        else out.goodput = readGoodput(values, issues);
        break;
    }
  }
  check(out, dialect, seen, issues);
  if (issues.length > 0) throw new ConfigError(issues);
  out.ignoredFlags = ignored;
  return out as unknown as BenchServeConfig;
}

function readMetadata(values: string[], into: Record<string, string>, issues: ConfigIssue[]): void {
  for (const kv of values) {
    const j = kv.indexOf('=');
    if (j <= 0) issues.push({ path: '--metadata', message: `expected KEY=VALUE, got '${kv}'` });
    else into[kv.slice(0, j)] = kv.slice(j + 1);
  }
}

function readGoodput(values: string[], issues: ConfigIssue[]): Record<string, number> {
  const slos: Record<string, number> = {};
  for (const kv of values) {
    const [k, val] = kv.split(':');
    const n = Number(val);
    if (!k || !['ttft', 'tpot', 'e2el'].includes(k) || !(n >= 0)) issues.push({ path: '--goodput', message: `expected ttft|tpot|e2el:MS, got '${kv}'` });
    else slos[k] = n;
  }
  return slos;
}

/** The program's own value checks (what it would refuse before sending a request). */
function check(out: Record<string, unknown>, dialect: BenchDialect, seen: Set<string>, issues: ConfigIssue[]): void {
  if (!DATASETS.includes(String(out.datasetName))) {
    issues.push({ path: '--dataset-name', message: `'${String(out.datasetName)}' is not simulated; one of ${DATASETS.join(', ')}${didYouMean(String(out.datasetName), DATASETS)}` });
  }
  if (out.datasetName !== 'random' && out.datasetPath === null) issues.push({ path: '--dataset-path', message: `is required for --dataset-name ${String(out.datasetName)}` });
  if (dialect === 'benchmark_serving' && !seen.has('--model')) issues.push({ path: '--model', message: 'is required by benchmark_serving.py' });
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
  if (dialect === 'vllm-bench-serve' && !(rr >= 0 && rr < 1)) issues.push({ path: '--random-range-ratio', message: `expected a ratio in [0, 1) for vllm bench serve, got ${rr}` });
  if (dialect === 'benchmark_serving' && !(rr >= 0 && rr <= 1)) issues.push({ path: '--random-range-ratio', message: `expected a lower-bound ratio in [0, 1] for benchmark_serving.py, got ${rr}` });
  if (!((out.requestRate as number) > 0)) issues.push({ path: '--request-rate', message: 'expected > 0 or inf' });
  if (!((out.burstiness as number) > 0)) issues.push({ path: '--burstiness', message: 'expected > 0' });
  if ((out.numPrompts as number) < 1) issues.push({ path: '--num-prompts', message: 'expected ≥ 1' });
  if (out.maxConcurrency === 0) issues.push({ path: '--max-concurrency', message: 'expected ≥ 1' });
}
