// A live display driven by 1,000 engine steps, through KernelCore over the memory transport:
// the cell awaits runLive(), which yields between steps so update_display_data goes out while
// the engine runs; at most the configured rate reaches iopub and the last update is the end state.
import { afterAll, describe, expect, it } from 'vitest';
import { makeMemoryKernel, type MemoryKernel } from '../helpers/memory-kernel';
import { richDisplayGlobals } from '../../../kernel/display/index';
import { createEngine } from '../../../engine/index';

function maxInWindow(times: number[], windowMs: number): number {
  let best = 0;
  for (let i = 0, j = 0; i < times.length; i++) {
    while (times[i]! - times[j]! >= windowMs) j++;
    best = Math.max(best, i - j + 1);
  }
  return best;
}

let k: MemoryKernel;
afterAll(async () => { await k?.core.transport.close?.(); });

describe('live display through the kernel', () => {
  it('1,000 engine steps: at most N updates per second, ending in the final state', async () => {
    k = await makeMemoryKernel();
    const rate = 8;
    k.interp.defineGlobals({ ...richDisplayGlobals({ currentIO: () => k.core.currentIO(), maxUpdatesPerSecond: rate }), createEngine });
    const code = `(async () => {
      const e = createEngine({ maxNumSeqs: 64, maxNumBatchedTokens: 2048, numGpuBlocks: 6000, maxModelLen: 2048 });
      for (let i = 0; i < 300; i++) e.addRequest({ promptLen: 256 + (i % 7) * 64, maxTokens: 400, ignoreEos: true });
      const fig = (n, eng) => ({ data: [{ type: 'scatter', x: [n], y: [eng.kvUsage.usage] }], layout: { title: { text: 'step ' + n } } });
      const view = live(fig(0, e));
      globalThis.view = view;
      const t0 = Date.now();
      const r = await runLive(e, { steps: 1000, every: 1, sliceMs: 1000, view, render: (eng, n) => fig(n, eng), progress: 'engine' });
      return JSON.stringify({ steps: r.numSteps, ms: Date.now() - t0, clock: e.clockUs });
    })()`;
    const { req, reply } = await k.execute(code);
    expect(reply.content).toMatchObject({ status: 'ok' });
    const result = JSON.parse((k.iopub(req, 'execute_result')[0]!.content as any).data['text/plain'].replace(/^'|'$/g, ''));
    expect(result.steps).toBe(1000);
    expect(result.ms).toBeGreaterThan(1000 / rate); // long enough for the limit to matter

    type Msg = { header: { date: string }; content: any };
    const displays = k.iopub(req, 'display_data') as unknown as Msg[];
    const liveId = (k.interp.context as { view: { displayId: string } }).view.displayId;
    const first = displays.find((m) => m.content.transient?.display_id === liveId)!;
    expect(first.content.data['application/vnd.plotly.v1+json'].layout.title.text).toBe('step 0');
    // plotly.js went out once, in an output of its own before the live plot (updates replace the plot).
    const libs = displays.filter((m) => String(m.content.data['text/html'] ?? '').includes('if (!window.Plotly) {'));
    expect(libs.length).toBe(1);
    expect(displays.indexOf(libs[0]!)).toBeLessThan(displays.indexOf(first));

    const updates = k.iopub(req, 'update_display_data') as unknown as Msg[];
    const plotUpdates = updates.filter((m) => m.content.transient.display_id === liveId);
    const times = plotUpdates.map((m) => Date.parse(m.header.date));
    expect(plotUpdates.length).toBeGreaterThan(1);
    expect(plotUpdates.length).toBeLessThan(1000 / 4);
    expect(maxInWindow(times, 1000)).toBeLessThanOrEqual(rate);
    expect(plotUpdates.length).toBeLessThanOrEqual(Math.ceil((result.ms / 1000) * rate) + 1);
    const last = plotUpdates.at(-1)!.content;
    expect(last.data['application/vnd.plotly.v1+json'].layout.title.text).toBe('step 1000');
    expect(last.data['text/plain']).toBe('Figure(1 trace: scatter; "step 1000")');
    expect(last.data['text/html']).not.toContain('if (!window.Plotly) {');

    // The progress bar is a second live output, rate-limited the same way, ending at 1000/1000.
    const bar = displays.find((m) => String(m.content.data['text/plain']).startsWith('engine 0/1000'))!;
    const barUpdates = updates.filter((m) => m.content.transient.display_id === bar.content.transient.display_id);
    expect(maxInWindow(barUpdates.map((m) => Date.parse(m.header.date)), 1000)).toBeLessThanOrEqual(rate);
    expect(barUpdates.at(-1)!.content.data['text/plain']).toBe('engine 1000/1000 (100%)');
    // Everything was sent before the reply: nothing trails into the next cell.
    const all = k.t.childrenOf(req, 'iopub').map((s) => s.message.header.msg_type);
    expect(all.lastIndexOf('update_display_data')).toBeLessThan(all.lastIndexOf('status'));
  }, 120_000);
});
