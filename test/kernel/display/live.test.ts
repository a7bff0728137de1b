import { describe, expect, it } from 'vitest';
import { LiveDisplay, type LiveClock } from '../../../kernel/display/live';
import type { CellIO } from '../../../kernel/interpreter';
import type { DisplayBundle } from '../../../kernel/display/mime';

class FakeClock implements LiveClock {
  t = 0;
  timers: { at: number; fn: () => void; id: number }[] = [];
  private nextId = 1;
  now() { return this.t; }
  setTimer(fn: () => void, ms: number) { const id = this.nextId++; this.timers.push({ at: this.t + ms, fn, id }); return id; }
  clearTimer(h: unknown) { this.timers = this.timers.filter((x) => x.id !== h); }
  advance(ms: number) {
    const end = this.t + ms;
    for (;;) {
      this.timers.sort((a, b) => a.at - b.at);
      const next = this.timers[0];
      if (!next || next.at > end) break;
      this.timers.shift();
      this.t = next.at;
      next.fn();
    }
    this.t = end;
  }
}

interface Sent { at: number; update: boolean; id?: string; text: unknown }

function recorder(clock: FakeClock) {
  const sent: Sent[] = [];
  const io: CellIO = {
    stream: () => undefined,
    clearOutput: () => undefined,
    input: () => Promise.reject(new Error('no stdin')),
    display: (b: DisplayBundle, o = {}) => sent.push({ at: clock.t, update: o.update === true, id: o.displayId, text: b.data['text/plain'] }),
  };
  return { io, sent };
}

const render = (v: number): DisplayBundle => ({ data: { 'text/plain': `v=${v}` }, metadata: {} });

function maxInWindow(times: number[], windowMs: number): number {
  let best = 0;
  for (let i = 0, j = 0; i < times.length; i++) {
    while (times[i]! - times[j]! >= windowMs) j++;
    best = Math.max(best, i - j + 1);
  }
  return best;
}

describe('live display rate limiting', () => {
  it('coalesces 1,000 updates over 3 s into at most N per second and ends in the final state', async () => {
    const clock = new FakeClock();
    const { io, sent } = recorder(clock);
    const live = new LiveDisplay<number>(io, render, 0, { maxUpdatesPerSecond: 10 }, clock);
    for (let i = 1; i <= 1000; i++) {
      live.update(i);
      clock.advance(3); // one engine step every 3 ms
    }
    const done = live.flush();
    clock.advance(200);
    await done;
    expect(sent[0]).toEqual({ at: 0, update: false, id: live.displayId, text: 'v=0' });
    const updates = sent.filter((s) => s.update);
    expect(updates.every((u) => u.id === live.displayId)).toBe(true);
    expect(maxInWindow(updates.map((u) => u.at), 1000)).toBeLessThanOrEqual(10);
    expect(updates.length).toBeGreaterThanOrEqual(29); // it does keep updating while running
    expect(updates.at(-1)!.text).toBe('v=1000');
    expect(live.numUpdates).toBe(1000);
  });

  it('sends the final state through the trailing timer when nobody flushes', () => {
    const clock = new FakeClock();
    const { io, sent } = recorder(clock);
    const live = new LiveDisplay<number>(io, render, 0, { maxUpdatesPerSecond: 4 }, clock);
    for (let i = 1; i <= 50; i++) live.update(i); // a synchronous burst: one send, the rest pending
    expect(sent.filter((s) => s.update).map((s) => s.text)).toEqual(['v=1']);
    clock.advance(249);
    expect(sent.filter((s) => s.update).length).toBe(1);
    clock.advance(1);
    expect(sent.filter((s) => s.update).map((s) => [s.at, s.text])).toEqual([[0, 'v=1'], [250, 'v=50']]);
    clock.advance(5000);
    expect(sent.filter((s) => s.update).length).toBe(2); // nothing new: no repeat sends
  });

  it('respects other rates and rejects bad ones by name', async () => {
    const clock = new FakeClock();
    const { io, sent } = recorder(clock);
    const live = new LiveDisplay<number>(io, render, 0, { maxUpdatesPerSecond: 2 }, clock);
    for (let i = 1; i <= 400; i++) { live.update(i); clock.advance(10); }
    await Promise.all([live.close(), Promise.resolve(clock.advance(600))]);
    const updates = sent.filter((s) => s.update);
    expect(maxInWindow(updates.map((u) => u.at), 1000)).toBeLessThanOrEqual(2);
    expect(updates.at(-1)!.text).toBe('v=400');
    expect(() => live.update(1)).toThrow(/closed/);
    expect(() => new LiveDisplay<number>(io, render, 0, { maxUpdatesPerSecond: 0 }, clock)).toThrow(/maxUpdatesPerSecond must be a positive number/);
    expect(() => new LiveDisplay<number>(io, render, 0, { displayId: '' }, clock)).toThrow(/displayId/);
  });
});
