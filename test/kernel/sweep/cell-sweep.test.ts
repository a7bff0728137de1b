// sweep(spec) in a cell of the real kernel: typed, runs on worker threads, shows a progress bar
// that ends at the number of configs, returns the Arrow table, and resumes when run again.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KernelClient } from '../../../kernel/client/kernel-client';
import { defaultKernelArgv } from '../../../kernel/cli/run-notebook';
import { PROGRESS_METADATA } from '../../../kernel/display/progress';
import { smallSpec } from '../../engine/sweep/fixtures';

const dir = mkdtempSync(join(tmpdir(), 'enginelab-cell-sweep-'));
let client: KernelClient;
beforeAll(async () => {
  client = await KernelClient.launch({ argv: defaultKernelArgv(), startTimeoutMs: 120_000 });
}, 180_000);
afterAll(async () => {
  await client?.shutdown();
  rmSync(dir, { recursive: true, force: true });
});

describe('sweep() in a cell', () => {
  it('returns the result table, drives a progress bar to the end, and resumes on a rerun', async () => {
    const code = `const t = await sweep(${JSON.stringify(smallSpec())}, { workers: 2, outDir: ${JSON.stringify(join(dir, 'out'))} });\n`
      + '`${t.numRows} ${t.getChild("status")!.toArray().join(",")} ${t.schema.fields.map((f) => f.name).slice(0, 5).join(",")}`';
    const r = await client.execute(code, { timeoutMs: 240_000 });
    expect(r.reply.content.status, JSON.stringify(r.reply.content)).toBe('ok');
    const result = r.outputs.find((m) => m.header.msg_type === 'execute_result');
    expect((result?.content.data as Record<string, unknown>)['text/plain']).toBe("'4 ok,error,ok,error index,key,max_concurrency,hardware,status'");
    const bars = r.outputs
      .filter((m) => m.header.msg_type === 'display_data' || m.header.msg_type === 'update_display_data')
      .map((m) => (m.content.metadata as Record<string, { value: number; total: number }> | undefined)?.[PROGRESS_METADATA])
      .filter((p) => p !== undefined);
    expect(bars.at(-1)).toMatchObject({ value: 4, total: 4 });
    const again = await client.execute(`(await sweep(${JSON.stringify(smallSpec())}, { outDir: ${JSON.stringify(join(dir, 'out'))} })).numRows`, { timeoutMs: 240_000 });
    expect(again.reply.content.status).toBe('ok');
    const text = JSON.stringify(again.outputs.map((m) => m.content));
    expect(text).toContain('2 failed, 4 resumed');
  }, 400_000);
});
