/**
 * The parameters a sweep axis may vary, and how one value lands in a run's inputs:
 * `set:NAME` (a `simulateServe` setting; `hardware` and `era` are short for `set:hardware` and
 * `set:era`), `env:VAR` (an environment variable of the server line), a `vllm serve` flag
 * (`--max-num-batched-tokens`, `--async-scheduling` true/false), a `vllm bench serve` flag
 * (`--max-concurrency`), `--num-speculative-tokens` (written into the line's
 * `--speculative-config`), or an explicit `serve:--flag` / `bench:--flag` for a flag both programs
 * take (`--seed`). Flags are appended to the pasted command, where argparse keeps the last value;
 * only a store-true flag turned off and the speculative config are edited in place.
 */
import { EngineError } from '../base/errors';
import { shellCommands } from '../config/shell-words';
import { SERVE_FLAGS, SERVE_SHORT_FLAGS } from '../config/vllm-serve-flags';
import { BENCH_ALIASES, BENCH_FLAGS } from '../serve-sim/bench-flags';
import { resolveSettings, type SettingValue } from '../serve-sim/serve-settings';

/** One value of a swept parameter. */
export type ParamValue = string | number | boolean;

export type ParamTarget = 'set' | 'env' | 'serve' | 'bench' | 'spec-tokens';

export interface SweepParam {
  /** As the spec spells it (`--max-concurrency`, `set:era`). */
  readonly name: string;
  /** The table column: the setting or variable name, or the flag in snake case. */
  readonly column: string;
  readonly target: ParamTarget;
  /** Setting name, variable, or canonical flag (`--max-num-batched-tokens`). */
  readonly key: string;
  /** For flags: whether the value is a boolean (`bool`: `--x`/`--no-x`; `flag`: store-true). */
  readonly flagKind?: 'bool' | 'flag' | 'value';
}

/** The inputs of one `simulateServe` run. */
export interface RunInputs {
  readonly serve: string;
  readonly bench: string;
  readonly env: Readonly<Record<string, string>>;
  readonly set: Readonly<Record<string, SettingValue>>;
}

const bad = (field: string, message: string): never => {
  throw new EngineError(`sweep spec: ${field}: ${message}`, field);
};

const snake = (flag: string): string => flag.replace(/^-+/, '').replace(/-/g, '_');

function serveFlag(word: string): { key: string; kind: 'bool' | 'flag' | 'value' } | null {
  const body = word.startsWith('--') ? word.slice(2).replace(/_/g, '-') : SERVE_SHORT_FLAGS[word.slice(1)];
  if (body === undefined) return null;
  const f = SERVE_FLAGS[body];
  if (f === undefined) return null;
  return { key: `--${body}`, kind: f.kind === 'bool' ? 'bool' : f.kind === 'flag' ? 'flag' : 'value' };
}

function benchFlag(word: string): { key: string; kind: 'bool' | 'value' } | null {
  const key = BENCH_ALIASES[word] ?? word.replace(/_/g, '-');
  const f = BENCH_FLAGS[key];
  return f === undefined ? null : { key, kind: f.kind === 'bool' ? 'bool' : 'value' };
}

/** Reads a parameter name; throws naming `field` when no program takes it. */
export function parseParam(name: string, field: string): SweepParam {
  if (name === 'hardware' || name === 'era') return { name, column: name, target: 'set', key: name };
  if (name.startsWith('set:')) return { name, column: name.slice(4), target: 'set', key: name.slice(4) };
  if (name.startsWith('env:')) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name.slice(4))) bad(field, 'expected env:VARIABLE_NAME');
    return { name, column: name.slice(4), target: 'env', key: name.slice(4) };
  }
  if (name === '--num-speculative-tokens') return { name, column: 'num_speculative_tokens', target: 'spec-tokens', key: name };
  const explicit = name.startsWith('serve:') ? 'serve' : name.startsWith('bench:') ? 'bench' : null;
  const word = explicit === null ? name : name.slice(6);
  if (!word.startsWith('-')) {
    return bad(field, 'unknown parameter (expected set:NAME, env:VAR, hardware, era, a vllm serve or vllm bench serve flag such as --max-concurrency, serve:--FLAG, bench:--FLAG or --num-speculative-tokens)');
  }
  const s = explicit === 'bench' ? null : serveFlag(word);
  const b = explicit === 'serve' ? null : benchFlag(word);
  if (s !== null && b !== null) bad(field, `both vllm serve and vllm bench serve take ${word}; write serve:${word} or bench:${word}`);
  if (s !== null) return { name, column: snake(s.key), target: 'serve', key: s.key, flagKind: s.kind };
  if (b !== null) return { name, column: snake(b.key), target: 'bench', key: b.key, flagKind: b.kind };
  return bad(field, `${explicit ?? 'neither vllm serve nor vllm bench serve'}${explicit ? ' does not take' : ' takes'} ${word}`);
}

/** Checks one value for a parameter at parse time (settings through resolveSettings); returns it. */
export function checkParamValue(p: SweepParam, v: ParamValue, field: string): ParamValue {
  if (p.target === 'set') {
    try {
      resolveSettings({ [p.key]: v }, 3);
    } catch (e) {
      if (e instanceof EngineError) bad(field, e.message);
      throw e;
    }
  } else if (p.target === 'spec-tokens') {
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) bad(field, `expected a whole number of speculative tokens ≥ 0, got ${JSON.stringify(v)}`);
  } else if (p.target === 'serve' || p.target === 'bench') {
    const isBool = p.flagKind === 'bool' || p.flagKind === 'flag';
    if (isBool && typeof v !== 'boolean') bad(field, `${p.key} is an on/off flag: expected true or false, got ${JSON.stringify(v)}`);
    if (!isBool && typeof v === 'boolean') bad(field, `${p.key} takes a value, got ${String(v)}`);
  }
  return v;
}

/** A word as a POSIX shell reads it back (single-quoted unless plain). */
export function shellQuote(w: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(w) ? w : `'${w.replace(/'/g, `'\\''`)}'`;
}

const isAssignmentWord = (w: string): boolean => /^[A-Za-z_][A-Za-z0-9_]*=/.test(w);

/** Index of the command to edit: the server command (no `bench` word) or the client command. */
function commandIndex(commands: string[][], client: boolean): number {
  const i = commands.findIndex((c) => c[0] !== 'export' && c.some((w) => !isAssignmentWord(w))
    && (client ? true : !c.some((w) => w === 'bench' || /benchmark_serving/.test(w))));
  if (i < 0) throw new EngineError(`sweep: no ${client ? 'client' : 'server'} command found in the line`, client ? 'bench' : 'serve');
  return i;
}

function setSpecTokens(words: string[], k: number): string[] {
  const at: number[] = [];
  let json: string | undefined;
  for (let i = 0; i < words.length; i++) {
    const w = words[i]!.replace(/_/g, '-');
    if (w === '--speculative-config') { at.push(i, i + 1); json = words[i + 1]; i++; } else if (w.startsWith('--speculative-config=')) { at.push(i); json = words[i]!.slice(words[i]!.indexOf('=') + 1); }
  }
  const kept = words.filter((_, i) => !at.includes(i));
  if (k === 0) return kept;
  let cfg: Record<string, unknown> = { method: 'mtp' };
  if (json !== undefined) {
    try {
      cfg = JSON.parse(json) as Record<string, unknown>;
    } catch {
      throw new EngineError(`sweep: --speculative-config is not JSON, so --num-speculative-tokens cannot be set in it: ${json}`, '--num-speculative-tokens');
    }
  }
  return [...kept, '--speculative-config', JSON.stringify({ ...cfg, num_speculative_tokens: k })];
}

function editCommand(text: string, client: boolean, edit: (words: string[]) => string[]): string {
  const commands = shellCommands(text);
  const i = commandIndex(commands, client);
  commands[i] = edit(commands[i]!);
  return commands.map((c) => c.map(shellQuote).join(' ')).join('\n');
}

/** The run inputs with `values[j]` applied for `params[j]`, in order. */
export function applyParams(base: RunInputs, params: readonly SweepParam[], values: readonly ParamValue[]): RunInputs {
  const set: Record<string, SettingValue> = { ...base.set };
  const env: Record<string, string> = { ...base.env };
  const serveEdits: ((w: string[]) => string[])[] = [];
  const benchWords: string[] = [];
  params.forEach((p, j) => {
    const v = values[j]!;
    if (p.target === 'set') set[p.key] = v;
    else if (p.target === 'env') env[p.key] = String(v);
    else if (p.target === 'spec-tokens') serveEdits.push((w) => setSpecTokens(w, v as number));
    else if (p.target === 'bench') benchWords.push(...(p.flagKind === 'bool' ? (v === true ? [p.key] : []) : [p.key, String(v)]));
    else if (p.flagKind === 'flag') serveEdits.push((w) => (v === true ? [...w, p.key] : w.filter((x) => x.replace(/_/g, '-') !== p.key)));
    else if (p.flagKind === 'bool') serveEdits.push((w) => [...w, v === true ? p.key : `--no-${p.key.slice(2)}`]);
    else serveEdits.push((w) => [...w, p.key, String(v)]);
  });
  const serve = serveEdits.length === 0 ? base.serve : editCommand(base.serve, false, (w) => serveEdits.reduce((acc, f) => f(acc), w));
  // A bench on/off flag cannot be turned off by appending: drop it from the line first.
  const offBench = params.filter((p, j) => p.target === 'bench' && p.flagKind === 'bool' && values[j] === false).map((p) => p.key);
  const bench = benchWords.length === 0 && offBench.length === 0 ? base.bench
    : editCommand(base.bench, true, (w) => [...w.filter((x) => !offBench.includes(BENCH_ALIASES[x] ?? x)), ...benchWords]);
  return { serve, bench, env, set };
}
