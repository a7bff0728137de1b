// Datasets beyond random: ShareGPT JSON, custom JSONL and per-request rows, read from text; lengths
// from the file or the documented characters/4 estimate, and the summary says which.
import { describe, expect, it } from 'vitest';
import { readCustomJsonl, readRequestRows, readShareGpt, sampleRandomRequests, simulateServe } from '../../../engine/serve-sim/index';

const conv = (q: string, a: string) => ({ conversations: [{ from: 'human', value: q }, { from: 'gpt', value: a }] });
const SHAREGPT = JSON.stringify([conv('x'.repeat(400), 'y'.repeat(80)), conv('hi', 'short'), conv('q'.repeat(40), 'a'.repeat(2000)), { conversations: [{ from: 'human', value: 'alone' }] }]);
const SERVE = 'vllm serve meta-llama/Llama-3.1-8B-Instruct --max-model-len 4096';

describe('datasets', () => {
  it('sharegpt: vLLM\'s filters, lengths estimated from characters unless --sharegpt-output-len', () => {
    const r = readShareGpt(SHAREGPT, { numPrompts: 10, outputLen: null, seed: 0 });
    expect([...r].sort((a, b) => a.promptLen - b.promptLen)).toEqual([
      { promptLen: 10, outputLen: 500, lengthSource: 'estimated from characters' }, { promptLen: 100, outputLen: 20, lengthSource: 'estimated from characters' }]);
    expect(r).toHaveLength(2); // "hi" is under 4 tokens; the one-turn entry is skipped
    expect(readShareGpt(SHAREGPT, { numPrompts: 10, outputLen: 7, seed: 0 }).every((x) => x.outputLen === 7)).toBe(true);
    expect(() => readShareGpt('{"a":1}', { numPrompts: 1, outputLen: null, seed: 0 })).toThrowError(/expected a JSON list/);
    expect(() => readShareGpt('[{"x":1}]', { numPrompts: 1, outputLen: null, seed: 0 })).toThrowError(/entry 0: missing field "conversations"/);
  });

  it('custom JSONL and request rows (JSONL or CSV, optional arrival times); bad rows name the line and field', () => {
    expect(readCustomJsonl('{"prompt":"abcdefgh"}\n\n{"prompt":"abcd"}\n', { numPrompts: 5, outputLen: null })).toEqual([
      { promptLen: 2, outputLen: 256, lengthSource: 'estimated from characters' }, { promptLen: 1, outputLen: 256, lengthSource: 'estimated from characters' }]);
    expect(() => readCustomJsonl('{"text":"x"}', { numPrompts: 1, outputLen: null })).toThrowError(/line 1: missing string field "prompt"/);
    expect(readRequestRows('input_len,output_len,arrival_time\n100,10,0\n200,20,0.5')).toEqual([
      { promptLen: 100, outputLen: 10, arrivalTime: 0, lengthSource: 'file' }, { promptLen: 200, outputLen: 20, arrivalTime: 0.5, lengthSource: 'file' }]);
    expect(readRequestRows('{"input_len": 5, "output_len": 3}')).toEqual([{ promptLen: 5, outputLen: 3, lengthSource: 'file' }]);
    expect(() => readRequestRows('input_len,output_len\n100,ten')).toThrowError(/row 1: "output_len" must be an integer/);
    expect(() => readRequestRows('input_len,output_len,arrival_time\n1,1,2\n1,1,1')).toThrowError(/row 2: "arrival_time"/);
    expect(() => readRequestRows('in,out\n1,2')).toThrowError(/CSV header lacks "input_len"/);
  });

  it('benchmark_serving.py range rule: [int(L·r), L]; r = 1 is fixed lengths', () => {
    const fixed = sampleRandomRequests({ numPrompts: 50, inputLen: 1024, outputLen: 1024, rangeRatio: 1, rangeRule: 'lower-bound', prefixLen: 0, seed: 1 });
    expect(fixed.every((r) => r.promptLen === 1024 && r.expectedOutputLen === 1024)).toBe(true);
    const half = sampleRandomRequests({ numPrompts: 200, inputLen: 100, outputLen: 100, rangeRatio: 0.5, rangeRule: 'lower-bound', prefixLen: 0, seed: 1 });
    expect(Math.min(...half.map((r) => r.promptLen))).toBeGreaterThanOrEqual(50);
    expect(Math.max(...half.map((r) => r.promptLen))).toBeLessThanOrEqual(100);
  });

  it('simulateServe runs a sharegpt client from the file text and says where lengths came from', () => {
    const r = simulateServe({ serve: SERVE, bench: 'vllm bench serve --dataset-name sharegpt --dataset-path sg.json --num-prompts 2', datasetText: SHAREGPT });
    expect(r.metrics.completed).toBe(2);
    expect(r.summary()).toContain('request lengths: sharegpt sg.json: prompt lengths estimated as ceil(characters / 4) without a tokenizer');
    expect(() => simulateServe({ serve: SERVE, bench: 'vllm bench serve --dataset-name sharegpt --dataset-path sg.json' })).toThrowError(/pass the file's text as datasetText/);
    const rows = simulateServe({ serve: SERVE, bench: 'vllm bench serve', workload: readRequestRows('input_len,output_len,arrival_time\n64,4,0\n32,6,0.25'), workloadSource: 'rows.csv' });
    expect(rows.outputs.map((o) => [o.promptLen, o.outputTokens])).toEqual([[64, 4], [32, 6]]);
    expect(rows.outputs[1]!.startTime).toBeCloseTo(0.25, 9);
  });
});
