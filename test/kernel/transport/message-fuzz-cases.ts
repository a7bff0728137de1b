/**
 * Seeded cases for the structured kernel fuzzer (message-fuzz.test.ts). Each case is one set of
 * frames for one channel with what the kernel owes for it:
 *   reply  — a reply parented to `msgId` (an error reply is a reply);
 *   log    — no reply, one stderr line of kind `log` (LOG_PATTERNS): a logged drop;
 *   none   — nothing owed (notifications such as comm_msg).
 * `forbidden` cases carry code that writes a marker file if it ever runs: bad signatures,
 * replays, headers or parents the kernel must refuse, nesting over the limit, execute_request
 * on control or stdin. The generator covers wrong types per content field, missing fields,
 * large strings within the limits, nesting just under and over the 512-level limit, unknown
 * msg_types, bad parent headers, duplicated signatures and random binary buffers; a few
 * executes keep the shell busy for a while so control and stdin are fuzzed against a busy kernel.
 * Interrupts and shutdowns are left out: they end or stop the kernel under test by design.
 */
import { Rng } from '../../../engine/base/rng';
import type { RequestChannel } from '../../../kernel/protocol/messages';
import type { Signer } from '../../../kernel/protocol/signing';
import { DELIMITER } from '../../../kernel/protocol/wire';

export const LOG_PATTERNS = {
  'shell-drop': /dropped shell message: /g,
  'control-drop': /dropped control message: /g,
  'stdin-drop': /dropped stdin message: /g,
  'control-not-request': /dropped control \S+: not a request/g,
  'shell-unknown': /unknown message type "[^"\n]*" on shell: ignored/g,
  'stdin-ignored': /ignored stdin |input_reply with no pending input_request/g,
} as const;
export type LogKind = keyof typeof LOG_PATTERNS;

export type Expect = { readonly kind: 'reply' } | { readonly kind: 'log'; readonly log: LogKind } | { readonly kind: 'none' };

export interface FuzzCase {
  readonly index: number;
  readonly channel: RequestChannel;
  readonly frames: Buffer[];
  readonly msgId: string;
  readonly label: string;
  readonly expect: Expect;
  readonly forbidden: boolean;
}

const WEIRD: readonly unknown[] = [null, 0, -1, 1.5, 1e308, -0, '', 'x', '\u0000', '\ud800', [], {}, true, false, [1, [2]], { a: { b: null } }, 'a'.repeat(300)];
const SHELL_REQUESTS = ['execute_request', 'complete_request', 'inspect_request', 'is_complete_request', 'history_request', 'comm_info_request', 'kernel_info_request'] as const;
const FIELDS: Record<string, readonly string[]> = {
  execute_request: ['code', 'silent', 'store_history', 'user_expressions', 'allow_stdin', 'stop_on_error'],
  complete_request: ['code', 'cursor_pos'],
  inspect_request: ['code', 'cursor_pos', 'detail_level'],
  is_complete_request: ['code'],
  history_request: ['output', 'raw', 'hist_access_type', 'session', 'start', 'stop', 'n', 'pattern', 'unique'],
  comm_info_request: ['target_name'],
  kernel_info_request: [],
};

const nest = (depth: number): string => `${'['.repeat(depth)}${']'.repeat(depth)}`;

export function makeCases(signer: Signer, seed: number, count: number, markerDir: string): FuzzCase[] {
  const rng = new Rng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[rng.int(xs.length)]!;
  const randomBytes = (n: number) => Buffer.from(Array.from({ length: n }, () => rng.int(256)));
  const cases: FuzzCase[] = [];
  const admitted: FuzzCase[] = [];
  const forbiddenCode = (i: number) => `(globalThis as any).process.getBuiltinModule('node:fs').writeFileSync(${JSON.stringify(`${markerDir}/ran-${i}`)}, '')`;
  const header = (msgType: string, msgId: string) => JSON.stringify({ msg_id: msgId, session: `fuzz-${seed}`, username: 'fuzz', date: new Date(0).toISOString(), msg_type: msgType, version: '5.3' });
  const sign = (texts: string[], buffers: Buffer[] = []) => {
    const parts = texts.map((t) => Buffer.from(t, 'utf8'));
    return [Buffer.from(DELIMITER), Buffer.from(signer.sign(parts), 'latin1'), ...parts, ...buffers];
  };
  const illTyped = (msgType: string): Record<string, unknown> => {
    const c: Record<string, unknown> = {};
    for (const f of FIELDS[msgType] ?? []) if (rng.int(3) !== 0) c[f] = pick(WEIRD);
    // execute_request code stays harmless when it is a string: only forbidden cases carry marker code.
    if (msgType === 'execute_request' && typeof c.code === 'string') c.code = pick(['1', '', 'x', '"a".repeat(3)', 'undefined']);
    if (rng.int(8) === 0) c.extra_field = pick(WEIRD);
    return c;
  };

  for (let i = 0; i < count; i++) {
    const msgId = `fuzz-${seed}-${i}`;
    const add = (channel: RequestChannel, frames: Buffer[], label: string, expect: Expect, forbidden = false, replayable = false) => {
      const c: FuzzCase = { index: i, channel, frames, msgId, label, expect, forbidden };
      cases.push(c);
      if (replayable) admitted.push(c);
    };
    const r = rng.int(100);
    if (r < 30) {
      // Wrong types per content field, or missing fields, on a known shell request.
      const t = pick(SHELL_REQUESTS);
      const content = rng.int(4) === 0 ? {} : illTyped(t);
      const bufs = rng.int(5) === 0 ? Array.from({ length: 1 + rng.int(4) }, () => randomBytes(rng.int(2048))) : [];
      add('shell', sign([header(t, msgId), '{}', '{}', JSON.stringify(content)], bufs), `ill-typed ${t}`, { kind: 'reply' }, false, true);
    } else if (r < 36) {
      // Large strings within the limits: metadata up to 200 KB (one in 50: 4 MB), is_complete code up to 100 KB.
      const big = 'z'.repeat(rng.int(50) === 0 ? 4_000_000 : 1000 + rng.int(200_000));
      const t = pick(['kernel_info_request', 'comm_info_request', 'is_complete_request'] as const);
      const content = t === 'is_complete_request' ? { code: `let s = "${'q'.repeat(rng.int(100_000))}"` } : {};
      add('shell', sign([header(t, msgId), '{}', JSON.stringify({ big }), JSON.stringify(content)]), `large ${t}`, { kind: 'reply' });
    } else if (r < 44) {
      // Nesting just under (decoded) and over (refused with an error reply) the limit.
      const depth = pick([500, 511, 512, 513, 600, 5000]);
      const over = depth > 512;
      const where = rng.int(3); // 0 content, 1 metadata, 2 parent_header
      const deep = `{"x": ${nest(depth - 1)}}`;
      const content = where === 0 ? deep : JSON.stringify({ code: over ? forbiddenCode(i) : '1', silent: true });
      add('shell', sign([header('execute_request', msgId), where === 2 ? deep : '{}', where === 1 ? deep : '{}', content]), `execute nested ${depth} in part ${where}`, { kind: 'reply' }, over);
    } else if (r < 48) {
      // A header nested over the limit has no usable header: dropped.
      add(pick(['shell', 'control'] as const), sign([`{"msg_id": "${msgId}", "msg_type": "execute_request", "x": ${nest(600)}}`, '{}', '{}', JSON.stringify({ code: forbiddenCode(i) })]), 'deep header', { kind: 'log', log: 'shell-drop' }, true);
      const last = cases[cases.length - 1]!;
      cases[cases.length - 1] = { ...last, expect: { kind: 'log', log: last.channel === 'shell' ? 'shell-drop' : 'control-drop' } };
    } else if (r < 53) {
      // Unknown msg_types: logged on shell, an error reply (request) or a logged drop on control.
      const t = pick(['nonsense_request', 'execute_reply', 'foo', 'x_request', 'comm_nonsense']);
      const ch = pick(['shell', 'control'] as const);
      const exp: Expect = ch === 'shell' ? { kind: 'log', log: 'shell-unknown' } : t.endsWith('_request') ? { kind: 'reply' } : { kind: 'log', log: 'control-not-request' };
      add(ch, sign([header(t, msgId), '{}', '{}', JSON.stringify({ code: forbiddenCode(i) })]), `unknown ${t} on ${ch}`, exp, true);
    } else if (r < 58) {
      // Bad parent headers: not an object → dropped; an odd object → served.
      const bad = rng.int(2) === 0;
      const parent = bad ? pick(['[]', '"x"', '1', 'null', 'true']) : JSON.stringify({ msg_id: pick(WEIRD), msg_type: pick(WEIRD), extra: 'y' });
      add('shell', sign([header('execute_request', msgId), parent, '{}', JSON.stringify({ code: bad ? forbiddenCode(i) : '2', silent: true })]), `parent ${parent.slice(0, 20)}`, bad ? { kind: 'log', log: 'shell-drop' } : { kind: 'reply' }, bad);
    } else if (r < 63 && admitted.length > 0) {
      // A duplicated signature: the exact frames of an earlier admitted message.
      const orig = pick(admitted);
      const replayed: FuzzCase = { ...orig, index: i, label: `replay of case ${orig.index}`, expect: { kind: 'log', log: `${orig.channel}-drop` as LogKind }, forbidden: false, msgId: `${orig.msgId}#replay${i}` };
      cases.push(replayed);
    } else if (r < 70) {
      // A bad signature on code that must never run.
      const frames = sign([header('execute_request', msgId), '{}', '{}', JSON.stringify({ code: forbiddenCode(i), silent: false })]);
      const sig = frames[1]!.toString('latin1');
      const k = rng.int(sig.length);
      frames[1] = Buffer.from(sig.slice(0, k) + (sig[k] === 'a' ? 'b' : 'a') + sig.slice(k + 1), 'latin1');
      const ch = pick(['shell', 'control', 'stdin'] as const);
      add(ch, frames, `bad signature on ${ch}`, { kind: 'log', log: `${ch}-drop` as LogKind }, true);
    } else if (r < 74) {
      // Code on the wrong channel: control answers with an error, stdin logs and ignores.
      const ch = pick(['control', 'stdin'] as const);
      add(ch, sign([header('execute_request', msgId), '{}', '{}', JSON.stringify({ code: forbiddenCode(i) })]), `execute on ${ch}`, ch === 'control' ? { kind: 'reply' } : { kind: 'log', log: 'stdin-ignored' }, true);
    } else if (r < 84) {
      // stdin: input_reply with no pending input, ill-typed or nested over the limit.
      const deep = rng.int(4) === 0;
      add('stdin', sign([header('input_reply', msgId), '{}', '{}', deep ? `{"value": ${nest(1000)}}` : JSON.stringify({ value: pick(WEIRD) })]), deep ? 'deep input_reply' : 'stray input_reply', { kind: 'log', log: 'stdin-ignored' });
    } else if (r < 92) {
      // control: kernel_info with ill-typed content and random buffers.
      const bufs = Array.from({ length: rng.int(4) }, () => randomBytes(rng.int(4096)));
      add('control', sign([header('kernel_info_request', msgId), '{}', JSON.stringify({ m: pick(WEIRD) }), JSON.stringify({ c: pick(WEIRD) })], bufs), 'control kernel_info', { kind: 'reply' }, false, true);
    } else if (r < 95) {
      // A busy shell: a cell that spins for 20-100 ms while the other channels are fuzzed.
      add('shell', sign([header('execute_request', msgId), '{}', '{}', JSON.stringify({ code: `{ const t0 = Date.now(); while (Date.now() - t0 < ${20 + rng.int(80)}) {} }`, silent: true, stop_on_error: false })]), 'busy execute', { kind: 'reply' });
    } else if (r < 97) {
      // Notifications with odd content: nothing owed.
      const t = pick(['comm_open', 'comm_msg', 'comm_close']);
      add('shell', sign([header(t, msgId), '{}', '{}', JSON.stringify({ comm_id: pick(WEIRD), target_name: pick(WEIRD), data: pick(WEIRD) })]), t, { kind: 'none' });
    } else {
      // Random bytes where frames should be.
      const frames = Array.from({ length: 1 + rng.int(7) }, (_, k) => (k === 0 && rng.int(2) === 0 ? Buffer.from(DELIMITER) : randomBytes(rng.int(64))));
      const ch = pick(['shell', 'control', 'stdin'] as const);
      add(ch, frames, `random frames on ${ch}`, { kind: 'log', log: `${ch}-drop` as LogKind }, false);
    }
  }
  return cases;
}
