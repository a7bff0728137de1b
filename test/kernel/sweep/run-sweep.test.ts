// runSweep on worker threads: deterministic tables, failing configs as rows, resume from a journal
// with a torn last line, and collectSweep over shard directories equal to the whole run.
import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { collectSweep, shardDir } from '../../../kernel/sweep/collect-sweep';
import { runSweep } from '../../../kernel/sweep/run-sweep';
import { readJournal } from '../../../kernel/sweep/sweep-journal';
import { smallSpec } from '../../engine/sweep/fixtures';

const root = mkdtempSync(join(tmpdir(), 'enginelab-sweep-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const spec = smallSpec({ axes: [{ kind: 'grid', params: { '--max-concurrency': [4, 8, 16], hardware: ['B200', 'GB10'] } }] });
const bytes = (path: string) => readFileSync(path);

describe('runSweep', () => {
  let whole: Buffer;
  it('gives the same table twice, records failing configs with their errors, and resumes without re-running', async () => {
    const seen: number[] = [];
    const a = await runSweep(spec, { workers: 2, outDir: join(root, 'a'), onProgress: (p) => seen.push(p.done) });
    const b = await runSweep(JSON.stringify(spec), { workers: 1, outDir: join(root, 'b') });
    whole = bytes(a.arrow);
    expect(whole.equals(bytes(b.arrow))).toBe(true);
    expect(a.table.numRows).toBe(6);
    expect(a.numFailed).toBe(3);
    expect(seen.at(-1)).toBe(6);
    const rows = a.table.toArray().map((r) => r.toJSON());
    expect(rows.map((r) => r.index)).toEqual([0, 1, 2, 3, 4, 5]);
    for (const r of rows) {
      if (r.hardware === 'GB10') expect(r).toMatchObject({ status: 'error', error: expect.stringContaining('GB10') });
      else expect(r).toMatchObject({ status: 'ok', error: null, completed: 16 });
    }
    const again = await runSweep(spec, { workers: 2, outDir: join(root, 'a') });
    expect(again.numRun).toBe(0);
    expect(again.numResumed).toBe(6);
    expect(readJournal(a.journal).rows).toHaveLength(6);
    expect(bytes(again.arrow).equals(whole)).toBe(true);
  }, 240_000);

  it('resumes from a journal cut mid-line: the torn line is dropped, its config re-run once', async () => {
    const dir = join(root, 'torn');
    const first = await runSweep(spec, { workers: 2, outDir: dir });
    const lines = readFileSync(first.journal, 'utf8').split('\n').filter(Boolean);
    // Keep two rows and half of a third, as a kill during the third write would leave it.
    writeFileSync(first.journal, `${lines[0]}\n${lines[1]}\n${lines[2]!.slice(0, 40)}`);
    expect(readJournal(first.journal)).toMatchObject({ tornTail: true, numBadLines: 0 });
    const r = await runSweep(spec, { workers: 2, outDir: dir });
    expect(r.numResumed).toBe(2);
    expect(r.numRun).toBe(4);
    const j = readJournal(r.journal);
    expect(j).toMatchObject({ tornTail: false, numBadLines: 0 });
    expect(new Set(j.rows.map((x) => x.key)).size).toBe(6);
    expect(j.rows).toHaveLength(6);
    expect(bytes(r.arrow).equals(whole)).toBe(true);
  }, 240_000);

  it('collects shards into the table of the whole run, and names the shard whose configs are missing', async () => {
    const out = join(root, 'sharded');
    for (const index of [0, 1, 2]) await runSweep(spec, { workers: 1, outDir: shardDir(out, index), shard: { index, count: 3 } });
    const c = collectSweep(out);
    expect(c.missing).toEqual([]);
    expect(c.journals).toHaveLength(3);
    expect(bytes(c.arrow).equals(whole)).toBe(true);
    rmSync(join(shardDir(out, 1), 'results.jsonl'));
    const gap = collectSweep(out);
    expect(gap.missing.map((m) => [m.index, m.shard])).toEqual([[1, 1], [4, 1]]);
    expect(gap.incompleteShards).toEqual([1]);
    expect(gap.table.numRows).toBe(4);
    appendFileSync(join(shardDir(out, 0), 'results.jsonl'), '{"torn": ');
    expect(collectSweep(out).table.numRows).toBe(4);
  }, 240_000);
});
