// toDataFrame: danfo DataFrames with the dtypes the Arrow schema says, durations as integer µs,
// and no TensorFlow.js banner in the output (this file is the first tensor use of its worker).
import { describe, expect, it, vi } from 'vitest';
import { toDataFrame } from '../../../kernel/display/dataframe';
import { richFormatters } from '../../../kernel/display/index';
import { format } from '../../../kernel/display/format';
import { requestTable, stepTraceTable } from '../../../engine/index';
import { sampleRequests, sampleSteps } from '../../engine/arrow/samples';

interface Frame {
  dtypes: string[];
  columns: string[];
  groupby(cols: string[]): { agg(spec: Record<string, string>): Frame };
  values: unknown[][];
  [column: string]: unknown;
}

describe('toDataFrame', () => {
  it('prints no TensorFlow.js banner when danfo first touches a tensor', () => {
    const warn = vi.spyOn(console, 'warn');
    const write = vi.spyOn(process.stderr, 'write');
    try {
      const df = toDataFrame(stepTraceTable(sampleSteps(30))) as Frame;
      const g = df.groupby(['kind']).agg({ num_scheduled_tokens: 'sum' });
      expect(g.columns).toEqual(['kind', 'num_scheduled_tokens_sum']);
      // Showing it as a cell's value runs the formatters' duck tests, whose property reads make
      // danfo build its first tensor: the moment the banner would be printed.
      const b = format(g, richFormatters());
      expect(b.data['text/plain']).toContain('2 columns');
      const said = [...warn.mock.calls, ...write.mock.calls].map((c) => String(c[0])).join('\n');
      expect(said).not.toMatch(/TensorFlow\.js|tfjs-node/);
    } finally {
      warn.mockRestore();
      write.mockRestore();
    }
  });

  it('types columns from the Arrow schema: strings, int32, float32 with NaN for null, booleans', () => {
    const df = toDataFrame(requestTable(sampleRequests())) as Frame;
    const dtype = Object.fromEntries(df.columns.map((c, i) => [c, df.dtypes[i]]));
    expect(dtype).toMatchObject({
      request_id: 'string', status: 'string', finish_reason: 'string',
      arrival_us: 'int32', num_prompt_tokens: 'int32',
      first_token_us: 'float32', finish_us: 'float32', num_cached_tokens: 'float32',
    });
    const col = (name: string) => (df[name] as { values: unknown[] }).values;
    expect(col('arrival_us')).toEqual([0, 10_000, 20_000]);
    expect(Number.isNaN(col('finish_us')[2])).toBe(true);
    const trace = toDataFrame(stepTraceTable(sampleSteps(30))) as Frame;
    const t = Object.fromEntries(trace.columns.map((c, i) => [c, trace.dtypes[i]]));
    expect(t.is_prefill_chunk).toBe('boolean');
    expect(t.kind).toBe('string');
    // These samples run past 2^32 µs: beyond int32, so float32-labelled, still exact integers.
    expect(t.time_us).toBe('float32');
    const times = (trace['time_us'] as { values: number[] }).values;
    expect(times[0]).toBe(Number(stepTraceTable(sampleSteps(30)).getChild('time_us')!.get(0)));
    expect(Number.isInteger(times[0])).toBe(true);
  });
});
