// runSweepConfig: every bench metric of simulateServe's result, or the error; sweepTable: sorted, joined by key.
import { describe, expect, it } from 'vitest';
import { expandSweep, parseSweepSpec, runSweepConfig, simulateServe, sweepTable, toArrowIPC } from '../../../engine/index';
import { smallSpec } from './fixtures';

const configs = expandSweep(parseSweepSpec(smallSpec()));

describe('runSweepConfig', () => {
  it('carries simulateServe\'s metrics under vLLM\'s result keys', () => {
    const c = configs[0]!;
    const row = runSweepConfig(c);
    const r = simulateServe({ ...c.inputs });
    expect(row.status).toBe('ok');
    expect(row.error).toBeNull();
    expect(row.metrics.output_throughput).toBe(r.metrics.outputThroughput);
    expect(row.metrics.mean_ttft_ms).toBe(r.metrics.ttft.meanMs);
    expect(row.metrics.p99_itl_ms).toBe(r.metrics.itl.percentilesMs[0]![1]);
    expect(row.metrics.spec_decode_acceptance_length).toBe(r.specDecode!.meanAcceptanceLength);
    expect(row.metrics.completed).toBe(16);
    expect(row.metrics.num_steps).toBe(r.numSteps);
    expect(row.metrics).not.toHaveProperty('max_concurrency');
    expect(row.columns).toEqual({ max_concurrency: 4, hardware: 'B200' });
  });

  it('turns a config that throws into an error row', () => {
    const row = runSweepConfig(configs[1]!);
    expect(row).toMatchObject({ index: 1, status: 'error', metrics: {} });
    expect(row.error).toMatch(/^EngineError: .*GB10/);
  });
});

describe('sweepTable', () => {
  it('sorts by index whatever the arrival order, lists missing configs, and is byte-stable', () => {
    const rows = configs.map(runSweepConfig);
    const a = sweepTable(configs, [...rows].reverse());
    const b = sweepTable(configs, rows);
    expect(a.table.getChild('index')!.toArray()).toEqual(new Uint32Array([0, 1, 2, 3]));
    expect(Buffer.from(toArrowIPC(a.table)).equals(Buffer.from(toArrowIPC(b.table)))).toBe(true);
    expect(a.numFailed).toBe(2);
    expect(a.table.getChild('status')!.toArray().length).toBe(4);
    expect(a.table.get(1)!.toJSON()).toMatchObject({ hardware: 'GB10', status: 'error', output_throughput: null });
    const partial = sweepTable(configs, [rows[2]!, rows[2]!]);
    expect(partial.table.numRows).toBe(1);
    expect(partial.missing.map((c) => c.index)).toEqual([0, 1, 3]);
  });
});
