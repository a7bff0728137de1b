/**
 * The scheduling behaviour of each vLLM era as named toggle sets (engine-semantics.md §11.1, §11.7),
 * so a notebook can replay the DeepSeek-R1 report (issue #29657, 2025-11-28) and then apply each fix
 * in merge order. `current` is today's vLLM and the default.
 */
import { EngineError } from '../base/errors';
import type { AsyncDefaultRule } from '../config/vllm-defaults';
import type { AsyncSpecHostSync } from '../cost/step-timing';

export type MaxTokensCapToggle = 'none' | 'cap_27922' | 'cap_29542' | 'skip_29759';

export interface EraToggles {
  readonly maxTokensCapPolicy: MaxTokensCapToggle;
  readonly asyncSpecHostSync: AsyncSpecHostSync;
  /** Whether `vllm serve` without `--async-scheduling` runs async with EAGLE/MTP (PR #31998). */
  readonly asyncByDefaultWithSpec: boolean;
  /** Whether it runs async without speculative decoding (`async_scheduling` auto; the report era's default was off). */
  readonly asyncByDefaultWithoutSpec: boolean;
  readonly description: string;
}

export const VLLM_ERAS: Readonly<Record<string, EraToggles>> = {
  'pre-27922': {
    maxTokensCapPolicy: 'none', asyncSpecHostSync: 'sync_24799', asyncByDefaultWithSpec: false, asyncByDefaultWithoutSpec: false,
    description: 'before #27922: no max_tokens cap (async wastes one in-flight step per request at the end)',
  },
  'report-2025-11-28': {
    maxTokensCapPolicy: 'cap_27922', asyncSpecHostSync: 'sync_24799', asyncByDefaultWithSpec: false, asyncByDefaultWithoutSpec: false,
    description: 'the DeepSeek-R1 report (#29657): #27922 cap counts in-flight drafts as certain; #24799 host sync on accepted counts',
  },
  'pr-29542': {
    maxTokensCapPolicy: 'cap_29542', asyncSpecHostSync: 'sync_24799', asyncByDefaultWithSpec: false, asyncByDefaultWithoutSpec: false,
    description: '#29542: cap assumes in-flight drafts are rejected (no mid-life unscheduling; partial drafts near the end remain)',
  },
  'pr-29759': {
    maxTokensCapPolicy: 'skip_29759', asyncSpecHostSync: 'sync_24799', asyncByDefaultWithSpec: false, asyncByDefaultWithoutSpec: false,
    description: '#29759: cap removed; skip only when the in-flight step certainly finishes the request (uniform decode kept)',
  },
  'pr-31998': {
    maxTokensCapPolicy: 'skip_29759', asyncSpecHostSync: 'sync_24799', asyncByDefaultWithSpec: true, asyncByDefaultWithoutSpec: true,
    description: '#31998: async scheduling on by default with EAGLE/MTP',
  },
  current: {
    maxTokensCapPolicy: 'skip_29759', asyncSpecHostSync: 'zero_bubble_32951', asyncByDefaultWithSpec: true, asyncByDefaultWithoutSpec: true,
    description: '#32951 zero-bubble async + spec (optimistic host preparation, GPU-side correction): current vLLM',
  },
};

export function vllmEra(name: string): EraToggles {
  const e = VLLM_ERAS[name];
  if (!e) throw new EngineError(`era: unknown vLLM era '${name}'; known: ${Object.keys(VLLM_ERAS).join(', ')}`, 'era');
  return e;
}

/** The era's `async_scheduling` auto rule, for `fromVllmArgs`. */
export function asyncDefaultRule(name: string): AsyncDefaultRule {
  const e = vllmEra(name);
  return { withoutSpec: e.asyncByDefaultWithoutSpec, withSpec: e.asyncByDefaultWithSpec, label: name === 'current' ? 'current vLLM' : `vLLM of era ${name}` };
}
