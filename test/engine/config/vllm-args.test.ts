import { describe, expect, it } from 'vitest';
import { fromVllmArgs } from '../../../engine/config/vllm-args';
import { shellWords } from '../../../engine/config/shell-words';
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
  it('puts every value of the DeepSeek-R1 async + MTP benchmark command in place', () => {
    const { config, unmodelled, notes } = fromVllmArgs(R1);
    expect(config).toMatchObject({
      model: 'deepseek-ai/DeepSeek-R1-0528',
      tensorParallelSize: 8,
      kvCacheDtype: 'fp8',
      maxNumSeqs: 1024,
      maxModelLen: 2176,
      maxNumBatchedTokens: 8192,
      enablePrefixCaching: false,
      asyncScheduling: true,
      maxCudagraphCaptureSize: 2048,
      speculative: { method: 'mtp', numSpeculativeTokens: 3 },
      gpuMemoryUtilization: 0.9,
      attentionBackend: 'FLASHINFER_MLA',
      blockSize: 32,
      cudagraphMode: 'FULL_AND_PIECEWISE',
    });
    expect(config.numGpuBlocks).toBe(1024 * 68 + 1);
    expect(unmodelled).toEqual(['--trust-remote-code', '--port', 'VLLM_USE_FLASHINFER_MOE_FP8']);
    expect(notes.some((n) => n.includes('FLASHINFER_MLA'))).toBe(true);
  });

  it('accepts both spellings, --flag=value, python -m entry points, JSON and key=value options, -O levels', () => {
    const a = fromVllmArgs(['python3', '-m', 'vllm.entrypoints.openai.api_server', '--model', 'm', '--max_num_seqs=7', '--max-num-batched-tokens', '4096',
      '--compilation-config', '{"cudagraph_mode": "PIECEWISE", "cudagraph_capture_sizes": [1, 2, 4]}', '-tp', '2']);
    expect(a.config).toMatchObject({ model: 'm', maxNumSeqs: 7, maxNumBatchedTokens: 4096, cudagraphMode: 'PIECEWISE', cudagraphCaptureSizes: [1, 2, 4], tensorParallelSize: 2 });
    const b = fromVllmArgs('vllm serve m --speculative-config method=mtp,num_speculative_tokens=2 --compilation-config cudagraph_mode=FULL_DECODE_ONLY -O3');
    expect(b.config.speculative).toEqual({ method: 'mtp', numSpeculativeTokens: 2 });
    expect(b.config.cudagraphMode).toBe('FULL_DECODE_ONLY');
    expect(fromVllmArgs('vllm serve m -O1').config.cudagraphMode).toBe('PIECEWISE');
    expect(fromVllmArgs('vllm serve m --enforce-eager').config.cudagraphMode).toBe('NONE');
    const c = fromVllmArgs('vllm serve m --speculative_config.method eagle3 --speculative_config.num_speculative_tokens 4 --speculative-config.model x');
    expect(c.config.speculative).toEqual({ method: 'eagle3', numSpeculativeTokens: 4 });
    expect(c.unmodelled).toEqual(['--speculative-config.model']);
  });

  it('names a typo in a flag, with a suggestion', () => {
    const issues = issuesOf(() => fromVllmArgs('vllm serve m --max-num-seq 256'));
    expect(issues).toEqual([{ path: '--max-num-seq', message: 'unknown flag (did you mean --max-num-seqs?)' }]);
    expect(() => fromVllmArgs('vllm serve m --max-num-seq 256')).toThrow(/--max-num-seq: unknown flag/);
  });

  it('reports every problem at once: unknown flags, bad values, contradictions, vLLM validation rules', () => {
    const issues = issuesOf(() => fromVllmArgs(
      'vllm serve m --max-num-seq 4 --max-num-batched-tokens lots --enable-prefix-caching --no-enable-prefix-caching '
      + '--max-model-len 4096 --max-num-batched-tokens 2048 --no-enable-chunked-prefill --kv-cache-dtype fp4 --enforce-eager '
      + '--compilation-config \'{"cudagraph_mode": "FULL"}\'', { VLLM_ATTENTON_BACKEND: 'X' }));
    const paths = issues.map((i) => i.path);
    expect(paths).toContain('--max-num-seq');
    expect(paths).toContain('--no-enable-prefix-caching');
    expect(paths).toContain('--max-num-batched-tokens');
    expect(paths).toContain('--kv-cache-dtype');
    expect(paths).toContain('--enforce-eager');
    expect(issues.find((i) => i.path === 'VLLM_ATTENTON_BACKEND')?.message).toMatch(/did you mean VLLM_ATTENTION_BACKEND/);
    expect(issues.length).toBeGreaterThanOrEqual(6);
  });

  it('applies vLLM validation: max_num_batched_tokens < max_model_len without chunked prefill', () => {
    const issues = issuesOf(() => fromVllmArgs('vllm serve m --max-model-len 4096 --max-num-batched-tokens 2048 --no-enable-chunked-prefill'));
    expect(issues).toHaveLength(1);
    expect(issues[0]!.path).toBe('--max-num-batched-tokens');
    expect(issues[0]!.message).toMatch(/smaller than maxModelLen/);
    expect(fromVllmArgs('vllm serve m --max-model-len 4096 --max-num-batched-tokens 2048').config.enableChunkedPrefill).toBe(true);
  });

  it('rejects async scheduling with an unsupported speculative method, and bad option JSON', () => {
    expect(issuesOf(() => fromVllmArgs('vllm serve m --async-scheduling --speculative-config method=ngram,num_speculative_tokens=3')).map((i) => i.path)).toEqual(['--async-scheduling']);
    expect(fromVllmArgs('vllm serve m --speculative-config method=ngram,num_speculative_tokens=3').config.asyncScheduling).toBe(false);
    expect(issuesOf(() => fromVllmArgs(`vllm serve m --speculative-config '{"method": "mtp",'`))[0]!.path).toBe('--speculative-config');
    expect(issuesOf(() => fromVllmArgs('vllm serve m --speculative-config method=mtp,num_speculative_token=3')).map((i) => i.path))
      .toEqual(['--speculative-config.num_speculative_token', '--speculative-config.num_speculative_tokens']);
  });

  it('rejects what is not a vllm serve command', () => {
    expect(issuesOf(() => fromVllmArgs('sglang serve m'))[0]!.path).toBe('command');
    expect(issuesOf(() => fromVllmArgs('vllm serve m --max-num-seqs'))[0]).toEqual({ path: '--max-num-seqs', message: 'expects a value' });
    expect(issuesOf(() => fromVllmArgs('vllm serve m --async-scheduling=yes'))[0]!.message).toBe('takes no value');
  });
});

describe('shellWords', () => {
  it('handles quotes, escapes, continuations and comments', () => {
    expect(shellWords(`a 'b c' "d \\"e\\"" f\\ g \\\n h # comment\n i`)).toEqual(['a', 'b c', 'd "e"', 'f g', 'h', 'i']);
    expect(() => shellWords(`a 'b`)).toThrow(/unterminated single quote/);
  });
});
