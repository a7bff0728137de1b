import { describe, expect, it } from 'vitest';
import { Writable } from 'node:stream';
import { Progress, progressBundle, PROGRESS_METADATA } from '../../../kernel/display/progress';
import { TerminalProgressMirror } from '../../../kernel/display/terminal-progress';
import type { CellIO } from '../../../kernel/interpreter';
import type { LiveClock } from '../../../kernel/display/live';

const clock = (): LiveClock & { t: number } => {
  const c = { t: 0, now: () => c.t, setTimer: () => 1, clearTimer: () => undefined };
  return c;
};

function sink() {
  const msgs: { header: { msg_type: string }; content: Record<string, unknown> }[] = [];
  const io: CellIO = {
    stream: () => undefined, clearOutput: () => undefined, input: () => Promise.reject(new Error('no')),
    display: (b, o = {}) => msgs.push({ header: { msg_type: o.update ? 'update_display_data' : 'display_data' }, content: { data: b.data, metadata: b.metadata, transient: { display_id: o.displayId } } }),
  };
  return { io, msgs };
}

describe('progress bars', () => {
  it('renders an HTML bar and a text line with the state as metadata', () => {
    const b = progressBundle({ value: 25, total: 100, label: 'steps', detail: 't=1 s' });
    expect(b.data['text/plain']).toBe('steps 25/100 (25%) t=1 s');
    expect(b.data['text/html']).toContain('<progress value="25" max="100"');
    expect(b.metadata[PROGRESS_METADATA]).toEqual({ value: 25, total: 100, label: 'steps' });
  });

  it('clamps, rate-limits and ends at the final count', async () => {
    const c = clock();
    const { io, msgs } = sink();
    const p = new Progress(io, { total: 50, label: 'run', maxUpdatesPerSecond: 5 }, c);
    for (let i = 0; i < 60; i++) { p.tick(); c.t += 10; }
    expect(p.value).toBe(50);
    c.t += 1000;
    await p.done();
    const updates = msgs.filter((m) => m.header.msg_type === 'update_display_data');
    expect(updates.length).toBeLessThanOrEqual(5);
    expect(updates.at(-1)!.content.data).toMatchObject({ 'text/plain': 'run 50/50 (100%)' });
    expect(() => new Progress(io, { total: -1 }, c)).toThrow(/options.total/);
    expect(() => p.set(Number.NaN)).toThrow(/value must be a finite number/);
  });

  it('is mirrored on a terminal by enginelab run', async () => {
    const c = clock();
    const { io, msgs } = sink();
    const p = new Progress(io, { total: 10, label: 'engine', maxUpdatesPerSecond: 1000 }, c);
    for (let i = 0; i < 10; i++) { c.t += 5; p.tick(); }
    await p.done();
    let text = '';
    const out = new Writable({ write(chunk, _enc, cb) { text += String(chunk); cb(); } });
    const mirror = new TerminalProgressMirror(out, { forceRedraw: true });
    for (const m of msgs) mirror.onMessage(m);
    mirror.onMessage({ header: { msg_type: 'stream' }, content: { name: 'stdout', text: 'x' } });
    mirror.stop();
    expect(mirror.numBars).toBe(1);
    expect(Object.values(mirror.values())).toEqual([10]);
    expect(text).toContain('engine');
    expect(text).toContain('10/10');
  });

  it('simulateServe drives a bar through onProgress, and the run is the same without it', async () => {
    const { simulateServe } = await import('../../../engine/index');
    const opts = { serve: 'vllm serve deepseek-ai/DeepSeek-R1 -tp 8 --max-num-seqs 64', bench: 'vllm bench serve --model deepseek-ai/DeepSeek-R1 --dataset-name random --random-input-len 256 --random-output-len 32 --num-prompts 24 --max-concurrency 8 --ignore-eos' };
    const c = clock();
    const { io, msgs } = sink();
    const p = new Progress(io, { label: 'serve', maxUpdatesPerSecond: 1000 }, c);
    const reports: number[] = [];
    const withBar = simulateServe({ ...opts, onProgress: (r) => { reports.push(r.numCompleted); c.t += 5; p.onProgress(r); } });
    c.t += 1000;
    await p.done();
    expect(reports).toEqual(Array.from({ length: 24 }, (_, i) => i + 1));
    const last = msgs.at(-1)!.content.data as Record<string, string>;
    expect(last['text/plain']).toMatch(/^serve 24\/24 \(100%\) \d+\.\d s simulated$/);
    const without = simulateServe(opts);
    expect(JSON.stringify(without.timeline)).toBe(JSON.stringify(withBar.timeline));
    expect(without.metrics).toEqual(withBar.metrics);
  }, 60_000);
});
