// Issue 18: comm handlers get the Jupyter message as the spec (and ipykernel) give it, driven by
// Debian's jupyter_client over zeromq (test/kernel/py/drive_comms.py): a target registered in a
// cell sees comm_open, comm_msg (content.data, content.comm_id, header, message metadata,
// binary buffers) and comm_close; a kernel-opened comm carries its metadata at message level and
// its handler receives the client's answer.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findPython, isCI, pythonEnv, skipUnlessAvailable } from './helpers/external';

const root = resolve(__dirname, '../..');
const python = findPython(['jupyter_client', 'zmq']);

describe.skipIf(skipUnlessAvailable(python !== undefined))('comms over the wire (jupyter_client)', () => {
  let facts: Record<string, any>;
  let dir: string;

  beforeAll(() => {
    if (python === undefined) throw new Error(`python3 with jupyter_client is required${isCI ? ' in CI' : ''}`);
    dir = mkdtempSync(join(tmpdir(), 'enginelab-comms-'));
    const install = spawnSync(process.execPath, [join(root, 'bin/enginelab.mjs'), 'install', '--prefix', dir], { encoding: 'utf8' });
    if (install.status !== 0) throw new Error(`install failed: ${install.stderr}`);
    const r = spawnSync(python, [join(__dirname, 'py/drive_comms.py'), 'enginelab'], {
      encoding: 'utf8', env: pythonEnv({ JUPYTER_PATH: join(dir, 'share', 'jupyter') }), timeout: 280_000,
    });
    const line = r.stdout.trim().split('\n').pop() ?? '';
    if (!line.startsWith('{')) throw new Error(`drive_comms.py failed (${r.status}):\n${r.stderr.slice(-3000)}`);
    facts = JSON.parse(line);
  }, 300_000);

  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('runs the whole scenario', () => {
    expect(facts.failure).toBeUndefined();
    expect(facts.register).toBe('ok');
  });

  it('the target handler gets the comm_open message: content, header, message metadata (and the data shortcut)', () => {
    expect(facts.seen[0]).toEqual({
      kind: 'open', msg_type: 'comm_open', metadata: { origin: 'test' }, shortcut: { hello: 'kernel' },
      content: { comm_id: 'client-comm-1', target_name: 'lab.echo', data: { hello: 'kernel' } },
    });
  });

  it('onMsg gets msg.content.data, msg.content.comm_id, msg.header, msg.metadata and msg.buffers', () => {
    expect(facts.seen[1]).toEqual({
      kind: 'msg', data: { n: 21 }, comm_id: 'client-comm-1', msg_type: 'comm_msg', msg_id: facts.sent_msg_id,
      metadata: { tag: 'm1' }, buffers: [[1, 2, 3]],
      keys: ['buffers', 'content', 'header', 'metadata', 'msg_id', 'msg_type', 'parent_header'],
    });
  });

  it("comm.send(data, metadata) answers with the spec's comm_msg: {comm_id, data} content, metadata on the message", () => {
    expect(facts.answer).toEqual([{ content: { comm_id: 'client-comm-1', data: { echo: 42 } }, metadata: { version: '2.1.0' } }]);
  });

  it('onClose gets the comm_close message', () => {
    expect(facts.seen[2]).toEqual({ kind: 'close', data: { bye: true }, comm_id: 'client-comm-1' });
    expect(facts.seen).toHaveLength(3);
  });

  it('a kernel-opened comm round trip: comm_open with message metadata, the client answer reaches onMsg', () => {
    expect(facts.kernel_open.content).toMatchObject({ target_name: 'lab.client', data: { from: 'kernel' } });
    expect(facts.kernel_open.content).not.toHaveProperty('metadata');
    expect(facts.kernel_open.metadata).toEqual({ m: 1 });
    expect(facts.kernel_comm_got).toEqual([{ ack: 7 }]);
  });
});
