/**
 * Argument parsing for `enginelab simulate --serve "<vllm serve …>" --bench "<vllm bench serve …>"
 * [--env "VAR=value …"] [--set name=value …] [--json FILE]` as pure data, so the CLI only does I/O:
 * `simulateServe(parsed.options)`, print `result.summary()`, write `result.resultJson(date)` to
 * `parsed.jsonPath` when given. `--set` values that read as numbers or booleans become them.
 */
import { ConfigError, type ConfigIssue } from '../base/errors';
import type { SettingValue, SimulateServeOptions } from './simulate-serve';

export interface SimulateCommand {
  readonly options: SimulateServeOptions;
  /** `--json FILE`: where the CLI writes the `--save-result`-style JSON; `null` = do not write. */
  readonly jsonPath: string | null;
}

function settingValue(v: string): SettingValue {
  if (v === 'true') return true;
  if (v === 'false') return false;
  const n = Number(v);
  return v.trim() !== '' && Number.isFinite(n) ? n : v;
}

/** `argv` after the `simulate` word (already split by the shell). */
export function parseSimulateArgs(argv: readonly string[]): SimulateCommand {
  const issues: ConfigIssue[] = [];
  let serve: string | undefined;
  let bench: string | undefined;
  let env: string | undefined;
  let jsonPath: string | null = null;
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
      case '--json': jsonPath = value() ?? null; break;
      case '--set': {
        const kv = value();
        const j = kv?.indexOf('=') ?? -1;
        if (kv === undefined || j <= 0) issues.push({ path: '--set', message: `expected name=value, got '${kv ?? ''}'` });
        else set[kv.slice(0, j)] = settingValue(kv.slice(j + 1));
        break;
      }
      default:
        issues.push(a.startsWith('-')
          ? { path: flag, message: 'unknown option; expected --serve, --bench, --env, --set or --json' }
          : { path: a, message: 'unexpected argument; quote each whole command line: --serve "vllm serve …" --bench "vllm bench serve …"' });
    }
  }
  if (serve === undefined) issues.push({ path: '--serve', message: 'required: the vllm serve command line, quoted' });
  if (bench === undefined) issues.push({ path: '--bench', message: 'required: the vllm bench serve command line, quoted' });
  if (issues.length > 0) throw new ConfigError(issues);
  return { options: { serve: serve!, bench: bench!, ...(env !== undefined ? { env } : {}), set }, jsonPath };
}
