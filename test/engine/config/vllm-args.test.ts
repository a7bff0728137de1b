import { describe, expect, it } from 'vitest';
import { fromVllmArgs } from '../../../engine/config/vllm-args';
import { humanReadableInt } from '../../../engine/config/vllm-argv';
import { shellCommands, shellWords } from '../../../engine/config/shell-words';
import { SERVE_FLAGS } from '../../../engine/config/vllm-serve-flags';
import { ConfigError } from '../../../engine/base/errors';

const R1 = String.raw`VLLM_USE_FLASHINFER_MOE_FP8=1 VLLM_ATTENTION_BACKEND=FLASHINFER_MLA \
vllm serve deepseek-ai/DeepSeek-R1-0528 \
  --tensor-parallel-size 8 \
  --kv-cache-dtype fp8 \
  --max-num-seqs 1024 \
  --max-model-len 2176 \
  --max-num-batched-tokens 8192 \
  --no-enable-prefix-caching \
  --async-scheduling \
  --compilation_config.max_cudagraph_capture_size 2048 \
  --speculative-config '{"method": "deepseek_mtp", "num_speculative_tokens": 3}' \
  --trust-remote-code --port 8000 --gpu-memory-utilization 0.9`;

function issuesOf(f: () => unknown): { path: string; message: string }[] {
  try {
    f();
  } catch (e) {
    if (e instanceof ConfigError) return [...e.issues];
    throw e;
  }
  throw new Error('expected a ConfigError');
}

describe('fromVllmArgs', () => {
  it('puts every value of a DeepSeek-R1 async + MTP command in place', () => {
    const { config, unmodelled, notes, explicit } = fromVllmArgs(R1);
    expect(config).toMatchObject({
      model: 'deepseek-ai/DeepSeek-R1-0528', tensorParallelSize: 8, kvCacheDtype: 'fp8', maxNumSeqs: 1024, maxModelLen: 2176,
      maxNumBatchedTokens: 8192, enablePrefixCaching: false, asyncScheduling: true, maxCudagraphCaptureSize: 2048,
      speculative: { method: 'mtp', numSpeculativeTokens: 3 }, gpuMemoryUtilization: 0.9, attentionBackend: 'FLASHINFER_MLA',
      blockSize: 32, cudagraphMode: 'FULL_AND_PIECEWISE',
    });
    expect(config.numGpuBlocks).toBe(1024 * 68 + 1);
    expect(unmodelled).toEqual(['--trust-remote-code', '--port 8000', 'VLLM_USE_FLASHINFER_MOE_FP8=1']);
    expect(notes.some((n) => n.includes('FLASHINFER_MLA'))).toBe(true);
    expect(explicit).toContain('maxCudagraphCaptureSize');
    expect(explicit).not.toContain('blockSize');
  });

  it('accepts both spellings, --flag=value, python -m entry points, JSON and key=value options, -O levels, lists', () => {
    const a = fromVllmArgs(['python3', '-m', 'vllm.entrypoints.openai.api_server', '--model', 'm', '--max_num_seqs=7', '--max-num-batched-tokens', '4k',
      '--compilation-config', '{"cudagraph_mode": "PIECEWISE", "cudagraph_capture_sizes": [1, 2, 4]}', '-tp', '2']);
    expect(a.config).toMatchObject({ model: 'm', maxNumSeqs: 7, maxNumBatchedTokens: 4000, cudagraphMode: 'PIECEWISE', cudagraphCaptureSizes: [1, 2, 4], tensorParallelSize: 2 });
    const b = fromVllmArgs('vllm serve m --speculative-config method=mtp,num_speculative_tokens=2 --compilation-config cudagraph_mode=FULL_DECODE_ONLY -O3');
    expect(b.config.speculative).toEqual({ method: 'mtp', numSpeculativeTokens: 2 });
    expect(b.config.cudagraphMode).toBe('FULL_DECODE_ONLY');
    expect(fromVllmArgs('vllm serve m -O1').config.cudagraphMode).toBe('PIECEWISE');
    expect(fromVllmArgs('vllm serve m --enforce-eager').config.cudagraphMode).toBe('NONE');
    const c = fromVllmArgs('vllm serve m --speculative_config.method eagle3 --speculative_config.num_speculative_tokens 4 --speculative-config.model x');
    expect(c.config.speculative).toEqual({ method: 'eagle3', numSpeculativeTokens: 4 });
    expect(c.unmodelled).toEqual(['--speculative-config.model x']);
    const d = fromVllmArgs('vllm serve m --cudagraph-capture-sizes 1 2 4 8 --served-model-name a b --max-model-len 2K');
    expect(d.config).toMatchObject({ cudagraphCaptureSizes: [1, 2, 4, 8], maxModelLen: 2048 });
    expect(d.unmodelled).toEqual(['--served-model-name a b']);
    const e = fromVllmArgs('python3 -m vllm.entrypoints.cli.main serve m --kv_events_config.publisher.endpoint tcp://x --hf-token');
    expect(e.unmodelled).toEqual(['--hf-token', '--kv-events-config.publisher.endpoint tcp://x']);
  });

  it('dotted options reach any depth and merge with a JSON value', () => {
    const r = fromVllmArgs(`vllm serve m --compilation-config '{"pass_config": {"enable_noop": true}}' --compilation_config.pass_config.enable_attn_fusion true`);
    expect(r.unmodelled).toEqual(['--compilation-config.pass_config.enable_noop true', '--compilation-config.pass_config.enable_attn_fusion true']);
    expect(issuesOf(() => fromVllmArgs('vllm serve m --compilation_config.pass_config.enable_atn_fusion true'))).toEqual([
      { path: '--compilation-config.pass_config.enable_atn_fusion', message: 'unknown field of PassConfig (did you mean enable_attn_fusion?)' },
    ]);
  });

  it('a typo in a flag is named, with a suggestion', () => {
    expect(issuesOf(() => fromVllmArgs('vllm serve m --max-num-seq 256'))).toEqual([
      { path: '--max-num-seq', message: 'unrecognized argument (did you mean --max-num-seqs?)' },
    ]);
  });

  it('reports every problem at once: unknown flags, wrong-typed values, invalid choices, contradictions, vLLM rules', () => {
    const issues = issuesOf(() => fromVllmArgs(
      'vllm serve m --max-num-seq 4 --max-num-batched-tokens lots --tensor-parallel-size eight --async-scheduling --pipeline-parallel-size 2 '
      + '--max-model-len 4096 --no-enable-chunked-prefill --kv-cache-dtype fp4 --enforce-eager '
      + '--compilation-config \'{"cudagraph_mode": "FULL"}\' --enable-auto-tool-choice', { VLLM_ATTENTION_BACKEND: 'FLASHINFER_ML' }));
    const byPath = Object.fromEntries(issues.map((i) => [i.path, i.message]));
    expect(byPath['--max-num-seq']).toMatch(/did you mean --max-num-seqs/);
    expect(byPath['--max-num-batched-tokens']).toBe("invalid int value: 'lots'");
    expect(byPath['--tensor-parallel-size']).toBe("invalid int value: 'eight'");
    expect(byPath['--kv-cache-dtype']).toMatch(/invalid choice: 'fp4'/);
    expect(byPath['--enforce-eager']).toBe('contradicts cudagraph_mode FULL');
    expect(byPath['--async-scheduling']).toBe('is not supported with --pipeline-parallel-size 2 (> 1)');
    expect(byPath['--enable-auto-tool-choice']).toBe('requires --tool-call-parser');
    expect(byPath.VLLM_ATTENTION_BACKEND).toMatch(/invalid value 'FLASHINFER_ML'.*did you mean FLASHINFER_MLA/);
    expect(issues).toHaveLength(8);
  });

  it('applies vLLM validation: max_num_batched_tokens < max_model_len without chunked prefill', () => {
    const issues = issuesOf(() => fromVllmArgs('vllm serve m --max-model-len 4096 --max-num-batched-tokens 2048 --no-enable-chunked-prefill'));
    expect(issues).toHaveLength(1);
    expect(issues[0]!.path).toBe('--max-num-batched-tokens');
    expect(issues[0]!.message).toMatch(/smaller than maxModelLen/);
    expect(fromVllmArgs('vllm serve m --max-model-len 4096 --max-num-batched-tokens 2048').config.enableChunkedPrefill).toBe(true);
  });

  it('async scheduling: unsupported drafters are rejected, left unset it follows the auto rule', () => {
    expect(issuesOf(() => fromVllmArgs('vllm serve m --async-scheduling --speculative-config method=ngram,num_speculative_tokens=3')).map((i) => i.path)).toEqual(['--async-scheduling']);
    const ngram = fromVllmArgs('vllm serve m --speculative-config method=ngram,num_speculative_tokens=3');
    expect(ngram.config.asyncScheduling).toBe(false);
    expect(ngram.asyncReason).toMatch(/ngram has no async support/);
    const old = fromVllmArgs('vllm serve m', {}, { asyncDefault: { withoutSpec: false, withSpec: false, label: 'vLLM of era x' } });
    expect(old.config.asyncScheduling).toBe(false);
    expect(issuesOf(() => fromVllmArgs(`vllm serve m --speculative-config '{"method": "mtp",'`))[0]!.path).toBe('--speculative-config');
    expect(issuesOf(() => fromVllmArgs('vllm serve m --speculative-config method=mtp,num_speculative_token=3')).map((i) => i.path))
      .toEqual(['--speculative-config.num_speculative_token', '--speculative-config.num_speculative_tokens']);
  });

  it('environment: export lines and prefixes; unknown VLLM_ names only warn (as vLLM does); bad values are errors', () => {
    const r = fromVllmArgs('export VLLM_ATTENTION_BACKEND=FLASHMLA NCCL_DEBUG=INFO\nVLLM_ATTENTON_BACKEND=X vllm serve m');
    expect(r.config.attentionBackend).toBe('FLASHMLA');
    expect(r.unmodelled).toEqual(['NCCL_DEBUG=INFO', 'VLLM_ATTENTON_BACKEND=X']);
    expect(r.warnings).toEqual(['VLLM_ATTENTON_BACKEND: not a vLLM environment variable (vLLM warns and ignores it) (did you mean VLLM_ATTENTION_BACKEND?)']);
    expect(issuesOf(() => fromVllmArgs('vllm serve m', { VLLM_USE_FLASHINFER_MOE_FP4: 'yes', VLLM_FLASHINFER_MOE_BACKEND: 'fast' })).map((i) => i.path))
      .toEqual(['VLLM_USE_FLASHINFER_MOE_FP4', 'VLLM_FLASHINFER_MOE_BACKEND']);
  });

  it('rejects what is not a server command; repeated flags keep the last value with a note', () => {
    expect(issuesOf(() => fromVllmArgs('sglang serve m'))[0]!.path).toBe('command');
    expect(issuesOf(() => fromVllmArgs('vllm serve m --max-num-seqs'))[0]).toEqual({ path: '--max-num-seqs', message: 'expected one argument' });
    expect(issuesOf(() => fromVllmArgs('vllm serve m --async-scheduling=yes'))[0]!.message).toMatch(/takes no value/);
    const r = fromVllmArgs('vllm serve m --enable-prefix-caching --no-enable-prefix-caching');
    expect(r.config.enablePrefixCaching).toBe(false);
    expect(r.notes[0]).toMatch(/given twice; argparse keeps the last/);
  });

  it('the flag table covers vLLM\'s serve surface (spot checks from arg_utils.py and cli_args.py)', () => {
    for (const f of ['swap-space', 'pipeline-parallel-size', 'decode-context-parallel-size', 'enable-eplb', 'mm-encoder-tp-mode', 'max-loras',
      'otlp-traces-endpoint', 'kv-transfer-config', 'structured-outputs-config', 'uvicorn-log-level', 'lora-modules', 'tool-call-parser',
      'headless', 'api-server-count', 'h11-max-header-count', 'enable-log-requests']) expect(SERVE_FLAGS[f]).toBeDefined();
    expect(Object.keys(SERVE_FLAGS).length).toBeGreaterThan(190);
  });
});

describe('shellWords / shellCommands', () => {
  it('handles quotes, escapes, continuations, comments and command separators', () => {
    expect(shellWords(`a 'b c' "d \\"e\\"" f\\ g \\\n h # comment\n i`)).toEqual(['a', 'b c', 'd "e"', 'f g', 'h', 'i']);
    expect(shellCommands('export A=1\n\nb --x \\\n  1 && c; d')).toEqual([['export', 'A=1'], ['b', '--x', '1'], ['c'], ['d']]);
    expect(() => shellWords(`a 'b`)).toThrow(/unterminated single quote/);
  });

  it('human-readable ints as vLLM reads them', () => {
    expect(humanReadableInt('25.6k')).toBe(25_600);
    expect(humanReadableInt('1K')).toBe(1024);
    expect(humanReadableInt('2m')).toBe(2_000_000);
    expect(humanReadableInt('lots')).toBeUndefined();
  });
});
