/**
 * The argv half of `fromVllmArgs`: strips `VAR=value` prefixes and the program (`vllm serve MODEL`,
 * `python3 -m vllm.entrypoints.openai.api_server`), then reads flags in vLLM's spellings
 * (`--a-b`/`--a_b`, `--flag=value`, `--no-flag`, `-tp 8`, `-O3`, dotted `--x-config.key v`) into
 * raw values keyed by canonical flag name. Unknown or repeated-and-contradicting flags become issues.
 */
import type { ConfigIssue } from '../base/errors';
import { VLLM_FLAGS, VLLM_SHORT_FLAGS, suggest } from './vllm-flags';

export function stripProgram(words: string[], env: Record<string, string>, issues: ConfigIssue[]): { rest: string[]; model: string | null } {
  let i = 0;
  if (words[i] === 'env') i++;
  while (i < words.length && /^[A-Za-z_][A-Za-z0-9_]*=/.test(words[i]!)) {
    const w = words[i]!;
    const eq = w.indexOf('=');
    env[w.slice(0, eq)] = w.slice(eq + 1);
    i++;
  }
  const w0 = words[i];
  let model: string | null = null;
  if (w0 === undefined) return { rest: [], model };
  if (w0 === 'vllm' || w0.endsWith('/vllm')) {
    if (words[i + 1] !== 'serve') issues.push({ path: 'command', message: `expected "vllm serve", got "vllm ${words[i + 1] ?? ''}"` });
    i += 2;
    if (words[i] !== undefined && !words[i]!.startsWith('-')) model = words[i++]!;
  } else if (/(^|\/)python(3(\.\d+)?)?$/.test(w0)) {
    const mod = words[i + 2];
    if (words[i + 1] !== '-m' || (mod !== 'vllm.entrypoints.openai.api_server' && mod !== 'vllm.entrypoints.cli.main')) {
      issues.push({ path: 'command', message: 'expected "python3 -m vllm.entrypoints.openai.api_server …"' });
    }
    i += 3;
    if (mod === 'vllm.entrypoints.cli.main' && words[i] === 'serve') i++;
    if (words[i] !== undefined && !words[i]!.startsWith('-')) model = words[i++]!;
  } else if (!w0.startsWith('-')) {
    issues.push({ path: 'command', message: `expected "vllm serve …", "python3 -m vllm.entrypoints.openai.api_server …" or bare flags, got "${w0}"` });
    i++;
  }
  return { rest: words.slice(i), model };
}

export interface Parsed {
  readonly values: Map<string, { value: string | boolean; shown: string }>;
  readonly dotted: Map<string, Map<string, string>>;
}

export function parseFlags(rest: string[], issues: ConfigIssue[]): Parsed {
  const values = new Map<string, { value: string | boolean; shown: string }>();
  const dotted = new Map<string, Map<string, string>>();
  const set = (name: string, value: string | boolean, shown: string): void => {
    const prev = values.get(name);
    if (prev !== undefined && prev.value !== value) {
      issues.push({ path: shown, message: `contradicts ${prev.shown}${typeof prev.value === 'string' ? ` ${prev.value}` : ''}` });
      return;
    }
    values.set(name, { value, shown });
  };
  for (let i = 0; i < rest.length; i++) {
    const word = rest[i]!;
    if (!word.startsWith('-') || word === '-' || word === '--') {
      issues.push({ path: word, message: 'unexpected positional argument' });
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
      const long = VLLM_SHORT_FLAGS[head];
      if (long === undefined) {
        issues.push({ path: word, message: 'unknown flag' });
        continue;
      }
      head = long === 'optimization-level' && sub.length > 0 ? 'compilation-config' : long;
    }
    let spec = VLLM_FLAGS[head];
    let negated = false;
    if (spec === undefined && head.startsWith('no-') && VLLM_FLAGS[head.slice(3)]?.kind === 'bool') {
      head = head.slice(3);
      spec = VLLM_FLAGS[head];
      negated = true;
    }
    const shown = `--${negated ? 'no-' : ''}${head}`;
    if (spec === undefined) {
      const hint = suggest(head, Object.keys(VLLM_FLAGS));
      issues.push({ path: `--${headRaw}`, message: `unknown flag${hint ? ` (did you mean --${hint}?)` : ''}` });
      if (inline === undefined && rest[i + 1] !== undefined && !rest[i + 1]!.startsWith('-')) i++;
      continue;
    }
    if (sub.length > 0) {
      if (spec.kind !== 'json') {
        issues.push({ path: word, message: `--${head} is not a config object; dotted keys are not allowed` });
        continue;
      }
      const v = inline ?? rest[++i];
      if (v === undefined) {
        issues.push({ path: `--${head}.${sub.join('.')}`, message: 'expects a value' });
        continue;
      }
      let m = dotted.get(head);
      if (m === undefined) dotted.set(head, (m = new Map()));
      m.set(sub.join('.'), v);
      continue;
    }
    if (spec.kind === 'bool') {
      if (inline !== undefined) issues.push({ path: shown, message: 'takes no value' });
      else set(head, !negated, shown);
      continue;
    }
    if (negated) {
      issues.push({ path: shown, message: 'is not a boolean flag' });
      continue;
    }
    const v = inline ?? rest[i + 1];
    if (v === undefined || (inline === undefined && v.startsWith('--'))) {
      issues.push({ path: shown, message: 'expects a value' });
      continue;
    }
    if (inline === undefined) i++;
    set(head, v, shown);
  }
  return { values, dotted };
}

