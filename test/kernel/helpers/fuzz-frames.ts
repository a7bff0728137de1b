/**
 * Seeded generator of malformed Jupyter wire messages: random bytes, truncated JSON (signed and
 * unsigned), missing parts, bad signatures, wrong JSON shapes and well-formed requests with
 * ill-typed fields. Deterministic for a seed, so a failure reproduces.
 */
import { createSigner } from '../../../kernel/protocol/signing';
import { DELIMITER } from '../../../kernel/protocol/wire';

export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const REQUESTS = ['execute_request', 'complete_request', 'inspect_request', 'is_complete_request', 'history_request', 'comm_info_request', 'comm_open', 'comm_msg', 'comm_close', 'kernel_info_request', 'nonsense_request', 'input_reply'];
const WEIRD: unknown[] = [null, 0, -1, 1e308, 'x', '', [], {}, true, [1, 2], { a: { b: null } }, 'a'.repeat(300)];

export type FuzzKind = 'random' | 'truncated-signed' | 'truncated' | 'missing-parts' | 'bad-signature' | 'wrong-shape' | 'ill-typed-request';
export const FUZZ_KINDS: FuzzKind[] = ['random', 'truncated-signed', 'truncated', 'missing-parts', 'bad-signature', 'wrong-shape', 'ill-typed-request'];

export function makeFuzzer(key: string, seed: number) {
  const rnd = mulberry32(seed);
  const signer = createSigner(key);
  const int = (n: number) => Math.floor(rnd() * n);
  const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)]!;
  const bytes = (n: number) => Buffer.from(Array.from({ length: n }, () => int(256)));
  const header = (msgType: string) => ({ msg_id: `fuzz-${int(1e9)}`, session: 'fuzz', username: 'fuzz', date: new Date(0).toISOString(), msg_type: msgType, version: '5.3' });
  const signed = (parts: Buffer[]) => [Buffer.from('fuzz-id'), Buffer.from(DELIMITER), Buffer.from(signer.sign(parts)), ...parts];
  const json = (v: unknown) => Buffer.from(JSON.stringify(v));
  const illTyped = () => {
    const content: Record<string, unknown> = {};
    for (const f of ['code', 'cursor_pos', 'detail_level', 'hist_access_type', 'n', 'pattern', 'session', 'start', 'stop', 'comm_id', 'target_name', 'data', 'user_expressions', 'silent', 'value', 'restart']) if (rnd() < 0.4) content[f] = pick(WEIRD);
    return content;
  };

  return function next(kind: FuzzKind): Buffer[] {
    switch (kind) {
      case 'random':
        return Array.from({ length: 1 + int(8) }, (_, i) => (i === 1 && rnd() < 0.5 ? Buffer.from(DELIMITER) : bytes(int(64))));
      case 'truncated-signed':
      case 'truncated': {
        const parts = [json(header(pick(REQUESTS))), json({}), json({}), json({ code: '1' })];
        const k = int(4);
        parts[k] = parts[k]!.subarray(0, int(parts[k]!.length));
        return kind === 'truncated-signed' ? signed(parts) : [Buffer.from(DELIMITER), Buffer.from('0'.repeat(64)), ...parts];
      }
      case 'missing-parts': {
        const full = signed([json(header('kernel_info_request')), json({}), json({}), json({})]);
        return full.slice(0, 1 + int(full.length - 1));
      }
      case 'bad-signature': {
        const parts = [json(header('execute_request')), json({}), json({}), json({ code: 'globalThis.__fuzzExecuted = true' })];
        const f = signed(parts);
        const sig = f[2]!.toString();
        const i = int(sig.length);
        f[2] = Buffer.from(sig.slice(0, i) + (sig[i] === 'a' ? 'b' : 'a') + sig.slice(i + 1));
        return f;
      }
      case 'wrong-shape': {
        const shapes = [json(pick(WEIRD)), json(header('kernel_info_request')), json({ msg_type: 5 }), json({ msg_id: 'x' })];
        return signed([pick(shapes), pick(shapes), pick(shapes), pick(shapes)]);
      }
      case 'ill-typed-request':
        return signed([json(header(pick(REQUESTS))), json(pick([{}, header('x')])), json({}), json(illTyped())]);
    }
  };
}
