import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createEngine } from '../../../engine/api/create-engine';

const root = join(__dirname, '..', '..', '..');
const workloads = readdirSync(join(root, 'fixtures', 'workloads')).filter((f) => f.endsWith('.json')).sort();

/** Golden step traces: each seeded workload's JSONL trace equals its committed golden file. */
describe('golden engine traces', () => {
  it('has workloads', () => {
    expect(workloads.length).toBeGreaterThanOrEqual(3);
  });
  it.each(workloads)('%s', async (file) => {
    const w = JSON.parse(readFileSync(join(root, 'fixtures', 'workloads', file), 'utf8'));
    const engine = createEngine(w.config);
    for (const r of w.requests) engine.addRequest(r);
    const records = engine.run();
    expect(engine.hasWork()).toBe(false);
    const jsonl = records.map((r) => JSON.stringify(r)).join('\n') + '\n';
    await expect(jsonl).toMatchFileSnapshot(join(root, 'fixtures', 'golden', 'engine', file.replace(/\.json$/, '.jsonl')));
  });
});
