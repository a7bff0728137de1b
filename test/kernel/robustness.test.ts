// Bad input over the in-memory transport (wire codec included): wrong signatures are dropped and
// logged, never executed; 10,000+ malformed frames never break the core; memory stays flat over
// 10,000 executes.
import { describe, expect, it } from 'vitest';
import { makeMemoryKernel } from './helpers/memory-kernel';
import { FUZZ_KINDS, makeFuzzer } from './helpers/fuzz-frames';
import { createSigner } from '../../kernel/protocol/signing';
import { decodeFrames, encodeMessage } from '../../kernel/protocol/wire';
import { MessageFactory } from '../../kernel/protocol/message-factory';

describe('signing and wire codec', () => {
  const f = new MessageFactory({ session: 's' });
  it('round-trips a message with buffers and routing identities', () => {
    const signer = createSigner('k');
    const msg = f.make('comm_msg', { comm_id: 'c', data: { x: [1, 'é'] } }, undefined, { identities: [Buffer.from('id1'), Buffer.from('id2')], buffers: [Buffer.from([0, 1, 2])] });
    const d = decodeFrames(encodeMessage(msg, signer), signer);
    expect(d.ok).toBe(true);
    if (!d.ok) return;
    expect(d.message.content).toEqual(msg.content);
    expect(d.message.identities.map((b) => Buffer.from(b).toString())).toEqual(['id1', 'id2']);
    expect(d.message.buffers.map((b) => [...b])).toEqual([[0, 1, 2]]);
  });
  it('rejects a message signed with another key, and any single changed byte of the content', () => {
    const msg = f.make('execute_request', { code: '1' });
    const frames = encodeMessage(msg, createSigner('other'));
    expect(decodeFrames(frames, createSigner('k'))).toEqual({ ok: false, reason: 'invalid HMAC signature' });
    const good = encodeMessage(msg, createSigner('k'));
    const tampered = [...good];
    tampered[5] = Buffer.from(JSON.stringify({ code: '2' }));
    expect(decodeFrames(tampered, createSigner('k'))).toEqual({ ok: false, reason: 'invalid HMAC signature' });
    expect(decodeFrames(good, createSigner('k')).ok).toBe(true);
  });
  it('an empty key disables signing (the spec allows it), signatures are then empty', () => {
    const s = createSigner('');
    const frames = encodeMessage(f.make('kernel_info_request', {}), s);
    expect(frames[1]!.toString()).toBe('');
    expect(decodeFrames(frames, s).ok).toBe(true);
  });
  it('names the problem for unsupported schemes', () => {
    expect(() => createSigner('k', 'hmac-sha3')).toThrow(/signature_scheme/);
  });
});

describe('KernelCore under bad input', () => {
  it('drops and logs a message with a wrong signature; it is never executed', async () => {
    const k = await makeMemoryKernel();
    const msg = k.t.client.make('execute_request', { code: 'var hacked = true; 1' }, undefined, { identities: [Buffer.from('x')] });
    const frames = k.t.frames(msg);
    frames[2] = Buffer.from('0'.repeat(64));
    expect(k.t.deliverFrames('shell', frames)).toBe(false);
    expect(k.logs).toContain('dropped shell message: invalid HMAC signature');
    const r = await k.execute('typeof hacked');
    expect(k.iopub(r.req, 'execute_result')[0]!.content.data).toEqual({ 'text/plain': 'undefined' });
    expect(k.interp.numExecutes).toBe(1);
  });

  it('survives 14,000 malformed frames of every kind and still answers', async () => {
    const k = await makeMemoryKernel();
    const next = makeFuzzer('memory-transport-key', 1234);
    let numDropped = 0;
    for (let i = 0; i < 14_000; i++) {
      const kind = FUZZ_KINDS[i % FUZZ_KINDS.length]!;
      if (!k.t.deliverFrames((['shell', 'control', 'stdin'] as const)[i % 3]!, next(kind))) numDropped++;
      if (i % 1000 === 999) {
        await new Promise((r) => setImmediate(r));
        k.t.clearSent();
      }
    }
    // Every unsigned/garbled frame is dropped; the signed ill-typed ones reach handlers and get error replies.
    expect(numDropped).toBeGreaterThanOrEqual(8000);
    expect(k.logs.filter((l) => l.startsWith('dropped')).length).toBe(numDropped);
    const info = await k.request('shell', 'kernel_info_request', {});
    expect(info.reply.content.status).toBe('ok');
    const r = await k.execute('typeof __fuzzExecuted');
    expect(k.iopub(r.req, 'execute_result')[0]!.content.data).toEqual({ 'text/plain': 'undefined' });
  }, 60_000);

  it('10,000 executes in a row grow resident memory by less than 50 MB', async () => {
    const k = await makeMemoryKernel();
    const run = async (n: number) => {
      for (let i = 0; i < n; i++) {
        const req = k.t.request('shell', 'execute_request', { code: `var v${i % 10} = ${i}; v${i % 10} + 1` });
        await k.t.reply(req);
        k.t.clearSent();
      }
    };
    await run(1000);
    const before = process.memoryUsage().rss;
    await run(10_000);
    const grown = (process.memoryUsage().rss - before) / 2 ** 20;
    expect(k.core.executionCount).toBe(11_000);
    expect(grown).toBeLessThan(50);
  }, 60_000);
});

describe('periodic GC', () => {
  it('schedules a collection every N execute requests, and only for executes', async () => {
    const { periodicGc, obtainGc } = await import('../../kernel/core/memory-hygiene');
    let numGcs = 0;
    const after = periodicGc(3, () => numGcs++);
    for (let i = 0; i < 7; i++) after('execute_request');
    after('kernel_info_request');
    after('complete_request');
    await new Promise((r) => setImmediate(r));
    expect(numGcs).toBe(2);
    expect(typeof obtainGc()).toBe('function');
    expect(() => periodicGc(0)).toThrow(/everyN/);
  });
});
