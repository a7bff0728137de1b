/**
 * Argument parsing for `enginelab simulate --serve "<server line>" --bench "<client line>"
 * [--env "VAR=value …"] [--hardware NAME] [--set name=value …] [--json FILE|DIR]
 * [--compare RESULT.json] [--replay RESULT.json] [--workload ROWS]` as pure data, so the CLI only
 * does I/O. `--set` values that read as numbers or booleans become them; `--hardware X` is
 * `--set hardware=X`. `checkCommandLines` reads both pasted lines at once so every problem of
 * either line is reported together.
 */
import { ConfigError, EngineError, type ConfigIssue } from '../base/errors';
import { fromVllmArgs } from '../config/vllm-args';
import { fromBenchArgs } from './bench-args';
import type { SettingValue } from './serve-settings';
import type { SimulateServeOptions } from './simulate-serve';

export interface SimulateCommand {
  readonly options: SimulateServeOptions;
  /** `--json FILE`: where the CLI writes the `--save-result`-style JSON; `null` = do not write. */
  readonly jsonPath: string | null;
  /** `--compare FILE`: a measured result file to compare the run with. */
  readonly comparePath: string | null;
  /** `--replay FILE`: a measured result file whose per-request lengths (and start times) the run sends. */
  readonly replayPath: string | null;
  /** `--workload FILE`: per-request rows (input_len, output_len[, arrival_time]). */
  readonly workloadPath: string | null;
}

function settingValue(v: string): SettingValue {
  if (v === 'true') return true;
  if (v === 'false') return false;
  const n = Number(v);
  return v.trim() !== '' && Number.isFinite(n) ? n : v;
}

const OPTIONS = '--serve, --bench, --env, --hardware, --set, --json, --compare, --replay, --workload';

/** `argv` after the `simulate` word (already split by the shell). */
export function parseSimulateArgs(argv: readonly string[]): SimulateCommand {
  const issues: ConfigIssue[] = [];
  let serve: string | undefined;
  let bench: string | undefined;
  let env: string | undefined;
  const paths: Record<string, string | null> = { json: null, compare: null, replay: null, workload: null };
  const set: Record<string, SettingValue> = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const eq = a.startsWith('--') ? a.indexOf('=') : -1;
    const flag = eq > 0 ? a.slice(0, eq) : a;
    const value = (): string | undefined => (eq > 0 ? a.slice(eq + 1) : argv[++i]);
    switch (flag) {
      case '--serve': serve = value(); break;
      case '--bench': bench = value(); break;
      case '--env': env = [env, value()].filter(Boolean).join(' '); break;
      case '--json': case '--compare': case '--replay': case '--workload': {
        const v = value();
        if (v === undefined || v === '') issues.push({ path: flag, message: 'expected a file path' });
        else paths[flag.slice(2)] = v;
        break;
      }
      case '--hardware': {
        const v = value();
        if (v === undefined) issues.push({ path: '--hardware', message: 'expected a GPU name' });
        else if (set.hardware !== undefined && set.hardware !== v) issues.push({ path: '--hardware', message: `contradicts --set hardware=${String(set.hardware)}` });
        else set.hardware = v;
        break;
      }
      case '--set': {
        const kv = value();
        const j = kv?.indexOf('=') ?? -1;
        if (kv === undefined || j <= 0) issues.push({ path: '--set', message: `expected name=value, got '${kv ?? ''}'` });
        else if (kv.slice(0, j) === 'hardware' && set.hardware !== undefined && set.hardware !== kv.slice(j + 1)) {
          issues.push({ path: '--set', message: `hardware=${kv.slice(j + 1)} contradicts --hardware ${String(set.hardware)}` });
        } else set[kv.slice(0, j)] = settingValue(kv.slice(j + 1));
        break;
      }
      default:
        issues.push(a.startsWith('-')
          ? { path: flag, message: `unknown option; expected ${OPTIONS}` }
          : { path: a, message: 'unexpected argument; quote each whole command line: --serve "vllm serve …" --bench "vllm bench serve …"' });
    }
  }
  if (serve === undefined) issues.push({ path: '--serve', message: 'required: the vllm serve command line, quoted' });
  if (bench === undefined) issues.push({ path: '--bench', message: 'required: the vllm bench serve command line, quoted' });
  if (paths.replay !== null && paths.workload !== null) issues.push({ path: '--replay', message: 'contradicts --workload: give one workload' });
  if (issues.length > 0) throw new ConfigError(issues);
  return {
    options: { serve: serve!, bench: bench!, ...(env !== undefined ? { env } : {}), set },
    jsonPath: paths.json!, comparePath: paths.compare!, replayPath: paths.replay!, workloadPath: paths.workload!,
  };
}

/** Every problem of both pasted lines, server issues first (empty when both read cleanly). */
export function checkCommandLines(o: SimulateServeOptions): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const collect = (f: () => unknown, prefix: string): void => {
    try {
      f();
    } catch (e) {
      if (e instanceof ConfigError) issues.push(...e.issues.map((i) => ({ path: i.path, message: `${i.message} [${prefix}]` })));
      else if (e instanceof EngineError) issues.push({ path: prefix, message: e.message });
      else throw e;
    }
  };
  const env: Record<string, string> = {};
  for (const tok of (typeof o.env === 'string' ? o.env.split(/\s+/) : []).filter(Boolean)) {
    const i = tok.indexOf('=');
    if (i > 0) env[tok.slice(0, i)] = tok.slice(i + 1);
  }
  collect(() => fromVllmArgs(o.serve, typeof o.env === 'object' ? o.env : env), '--serve');
  collect(() => fromBenchArgs(o.bench), '--bench');
  return issues;
}
