/**
 * The argv half of `fromVllmArgs`. A pasted text is split into shell commands; `export A=1 B=2`
 * lines and `A=1 vllm serve …` prefixes become environment, the one server command
 * (`vllm serve MODEL …`, `python3 -m vllm.entrypoints.openai.api_server …`,
 * `python3 -m vllm.entrypoints.cli.main serve …`, or bare flags) is read into raw flag values the
 * way vLLM's `FlexibleArgumentParser` reads them: `--a-b`/`--a_b`, `--flag=value`, `--no-flag`
 * for boolean options, `nargs='+'` lists, short options (`-tp 8`, `-O3`), and dotted keys at any
 * depth (`--compilation_config.pass_config.enable_fi_allreduce_fusion true`). Client commands in
 * the same paste are skipped (fromBenchArgs reads them).
 */
import type { ConfigIssue } from '../base/errors';
import { isAssignment, shellCommands, splitAssignment } from './shell-words';
import { SERVE_FLAGS, SERVE_SHORT_FLAGS } from './vllm-serve-flags';
import { didYouMean } from './vllm-flags';

export type RawValue = string | boolean | string[];

export interface ParsedServeLine {
  /** Canonical flag name → its last value (argparse keeps the last) and how it was written. */
  readonly values: Map<string, { value: RawValue; shown: string }>;
  /** Dotted keys per option flag: `compilation-config` → [[`pass_config`, `enable_attn_fusion`], "true"]. */
  readonly dotted: Map<string, [string[], string][]>;
  readonly positionalModel: string | null;
  readonly env: Record<string, string>;
  readonly notes: string[];
}

const CLIENT = /(^|\/)(benchmark_serving\.py|bench_serving\.py)$/;
const SERVER_MODULES = ['vllm.entrypoints.openai.api_server', 'vllm.entrypoints.cli.main'];

function isClient(words: string[]): boolean {
  const i = words.findIndex((w) => w.startsWith('-') && w !== '-m');
  const head = i < 0 ? words : words.slice(0, i);
  return head.some((w) => CLIENT.test(w)) || (head.includes('bench') && (head.includes('vllm') || head.some((w) => w.endsWith('cli.main'))));
}

/** Strips the program; returns the flag words and the positional model, or null when not a server command. */
function serverArgs(words: string[], issues: ConfigIssue[]): { rest: string[]; model: string | null } | null {
  const w0 = words[0]!;
  let i = 0;
  if (w0 === 'vllm' || w0.endsWith('/vllm')) {
    if (words[1] !== 'serve') {
      issues.push({ path: 'command', message: `expected "vllm serve", got "vllm ${words[1] ?? ''}"` });
      return { rest: [], model: null };
    }
    i = 2;
  } else if (/(^|\/)python(3(\.\d+)?)?$/.test(w0)) {
    const mod = words[2];
    if (words[1] !== '-m' || mod === undefined || !SERVER_MODULES.includes(mod)) return null;
    i = 3;
    if (mod === 'vllm.entrypoints.cli.main') {
      if (words[i] !== 'serve') return null;
      i++;
    }
  } else if (!w0.startsWith('-')) return null;
  const model = words[i] !== undefined && !words[i]!.startsWith('-') ? words[i++]! : null;
  return { rest: words.slice(i), model };
}

/** Splits a paste into env and the server command, then reads its flags. */
export function readServeLine(input: string | readonly string[], env: Record<string, string>, issues: ConfigIssue[]): ParsedServeLine {
  const notes: string[] = [];
  const commands = typeof input === 'string' ? shellCommands(input) : [[...input]];
  let server: { rest: string[]; model: string | null } | null = null;
  for (const cmd of commands) {
    let words = cmd;
    if (words[0] === 'export') {
      for (const w of words.slice(1)) if (isAssignment(w)) env[splitAssignment(w)[0]] = splitAssignment(w)[1];
      continue;
    }
    if (words[0] === 'env') words = words.slice(1);
    let j = 0;
    while (j < words.length && isAssignment(words[j]!)) {
      const [k, v] = splitAssignment(words[j++]!);
      env[k] = v;
    }
    words = words.slice(j);
    if (words.length === 0) continue;
    if (isClient(words)) {
      notes.push(`skipped the client command "${words.slice(0, 3).join(' ')} …" (fromBenchArgs reads it)`);
      continue;
    }
    const found = serverArgs(words, issues);
    if (found === null) {
      issues.push({ path: 'command', message: `expected "vllm serve …", "python3 -m vllm.entrypoints.openai.api_server …" or bare flags, got "${words.slice(0, 3).join(' ')}"` });
    } else if (server !== null) {
      issues.push({ path: 'command', message: 'more than one server command in the paste; give one vllm serve line' });
    } else server = found;
  }
  const parsed = readFlags(server?.rest ?? [], issues, notes);
  return { ...parsed, positionalModel: server?.model ?? null, env, notes };
}

function readFlags(rest: string[], issues: ConfigIssue[], notes: string[]): Pick<ParsedServeLine, 'values' | 'dotted'> {
  const values = new Map<string, { value: RawValue; shown: string }>();
  const dotted = new Map<string, [string[], string][]>();
  const set = (name: string, value: RawValue, shown: string): void => {
    const prev = values.get(name);
    if (prev !== undefined && JSON.stringify(prev.value) !== JSON.stringify(value)) {
      notes.push(`${shown} given twice; argparse keeps the last (${JSON.stringify(value)}, not ${JSON.stringify(prev.value)})`);
    }
    values.set(name, { value, shown });
  };
  const takesValue = (w: string | undefined): w is string => w !== undefined && !(w.startsWith('-') && !/^-\d/.test(w));
  for (let i = 0; i < rest.length; i++) {
    const word = rest[i]!;
    if (!word.startsWith('-') || word === '-' || word === '--') {
      issues.push({ path: word, message: 'unexpected positional argument (vllm serve takes one model tag)' });
      continue;
    }
    const single = !word.startsWith('--');
    let body = word.replace(/^--?/, '');
    let inline: string | undefined;
    const eq = body.indexOf('=');
    if (eq >= 0) {
      inline = body.slice(eq + 1);
      body = body.slice(0, eq);
    }
    if (single && /^O\d$/.test(body)) {
      set('optimization-level', body.slice(1), '-O');
      continue;
    }
    const [headRaw, ...sub] = body.split('.');
    let head = headRaw!.replace(/_/g, '-');
    if (single) {
      const long = SERVE_SHORT_FLAGS[head];
      if (long === undefined) {
        issues.push({ path: word, message: `unknown option${didYouMean(head, Object.keys(SERVE_SHORT_FLAGS), '-')}` });
        continue;
      }
      head = long;
    }
    let spec = SERVE_FLAGS[head];
    let negated = false;
    if (spec === undefined && head.startsWith('no-') && SERVE_FLAGS[head.slice(3)]?.kind === 'bool') {
      head = head.slice(3);
      spec = SERVE_FLAGS[head];
      negated = true;
    }
    const shown = `--${negated ? 'no-' : ''}${head}`;
    if (spec === undefined) {
      issues.push({ path: `--${headRaw}`, message: `unrecognized argument${didYouMean(head, Object.keys(SERVE_FLAGS), '--')}` });
      if (inline === undefined && takesValue(rest[i + 1])) i++;
      continue;
    }
    if (spec.deprecated) notes.push(`${shown} is deprecated in vLLM (still accepted)`);
    if (sub.length > 0) {
      if (spec.kind !== 'json') {
        issues.push({ path: word, message: `--${head} is not a config object; dotted keys are not allowed` });
        continue;
      }
      const v = inline ?? rest[++i];
      if (v === undefined) {
        issues.push({ path: `--${head}.${sub.join('.')}`, message: 'expected one argument' });
        continue;
      }
      let list = dotted.get(head);
      if (list === undefined) dotted.set(head, (list = []));
      list.push([sub, v]);
      continue;
    }
    if (spec.kind === 'bool' || spec.kind === 'flag') {
      if (inline !== undefined) issues.push({ path: shown, message: `ignored explicit argument '${inline}' (a boolean flag takes no value)` });
      else set(head, !negated, shown);
      continue;
    }
    if (negated) {
      issues.push({ path: shown, message: 'is not a boolean flag' });
      continue;
    }
    if (spec.kind === 'optstr') {
      set(head, inline ?? (takesValue(rest[i + 1]) ? rest[++i]! : true), shown);
      continue;
    }
    if (spec.kind === 'list') {
      const items: string[] = inline !== undefined ? [inline] : [];
      while (inline === undefined && takesValue(rest[i + 1])) items.push(rest[++i]!);
      if (items.length === 0) issues.push({ path: shown, message: 'expected at least one argument' });
      else set(head, items, shown);
      continue;
    }
    const v = inline ?? rest[i + 1];
    if (inline === undefined && !takesValue(v)) {
      issues.push({ path: shown, message: 'expected one argument' });
      continue;
    }
    if (inline === undefined) i++;
    if (spec.choices && !spec.choices.includes(v!)) {
      issues.push({ path: shown, message: `invalid choice: '${v}' (choose from ${spec.choices.join(', ')})${didYouMean(v!, spec.choices)}` });
      continue;
    }
    set(head, v!, shown);
  }
  return { values, dotted };
}

/** vLLM's `human_readable_int`: `25.6k` = 25,600 (decimal k/m/g/t), `1K` = 1,024 (binary K/M/G/T). */
export function humanReadableInt(v: string): number | undefined {
  const t = v.trim();
  if (/^-?\d+$/.test(t)) return Number(t);
  const dec = /^(\d+(?:\.\d+)?)([kmgt])$/.exec(t);
  if (dec) {
    const n = Number(dec[1]) * 1000 ** ('kmgt'.indexOf(dec[2]!) + 1);
    return Number.isInteger(Math.round(n * 1e6) / 1e6) ? Math.round(n) : undefined;
  }
  const bin = /^(\d+)([KMGT])$/.exec(t);
  if (bin) return Number(bin[1]) * 1024 ** ('KMGT'.indexOf(bin[2]!) + 1);
  return undefined;
}
