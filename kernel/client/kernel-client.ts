/**
 * Our own Jupyter client over zeromq (no Python): launches a kernel process with a fresh
 * connection file, waits until it answers kernel_info and its iopub stream reaches us, then runs
 * execute requests, collecting the iopub messages parented to each. Used by `enginelab run` and
 * by the latency benchmark (for any kernel argv, ipykernel included).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as zmq from 'zeromq';
import { MessageFactory } from '../protocol/message-factory';
import type { JupyterMessage } from '../protocol/messages';
import { createSigner, type Signer } from '../protocol/signing';
import { decodeFrames, encodeMessage } from '../protocol/wire';
import { endpoint, type ConnectionInfo } from '../transport/connection';
import { freePorts } from './ports';

export interface LaunchOptions {
  /** Kernel command; `{connection_file}` is replaced by the connection file's path. */
  readonly argv: readonly string[];
  readonly cwd?: string;
  readonly env?: NodeJS.ProcessEnv;
  /** How long to wait for the first kernel_info_reply. */
  readonly startTimeoutMs?: number;
  /** Where the kernel's own stderr goes ('inherit' or 'ignore'; 'pipe' keeps the last lines). */
  readonly stderr?: 'inherit' | 'ignore' | 'pipe';
}

export interface ExecuteResult {
  readonly reply: JupyterMessage;
  /** iopub messages parented to the request, in order, status messages excluded. */
  readonly outputs: JupyterMessage[];
}

type Pending = { resolve: (m: JupyterMessage) => void; reject: (e: Error) => void };

export class KernelClient {
  readonly factory = new MessageFactory({ username: 'enginelab-run' });
  private readonly signer: Signer;
  // Shell and stdin share one routing id, as jupyter_client's session does: the kernel sends a
  // cell's input_request to the stdin peer whose id matches the shell request's sender.
  private readonly routingId = `enginelab-${randomUUID()}`;
  private readonly shell = new zmq.Dealer({ linger: 0, routingId: this.routingId });
  private readonly control = new zmq.Dealer({ linger: 0 });
  private readonly stdin = new zmq.Dealer({ linger: 0, routingId: this.routingId });
  private readonly iopub = new zmq.Subscriber({ linger: 0 });
  private readonly replies = new Map<string, Pending>();
  private readonly iopubListeners = new Map<string, (m: JupyterMessage) => void>();
  private readonly sendChains = new Map<zmq.Dealer, Promise<void>>();
  private exitError: Error | undefined;
  kernelInfo: JupyterMessage | undefined;
  /** Milliseconds from spawn to the first kernel_info_reply. */
  startMs = 0;
  stderrTail = '';
  /** Called for input_request; the default answers '' (notebooks run unattended). */
  onInput: (prompt: string, password: boolean) => string | Promise<string> = () => '';

  private constructor(
    readonly connection: ConnectionInfo,
    readonly process: ChildProcess,
    private readonly dir: string,
  ) {
    this.signer = createSigner(connection.key, connection.signature_scheme);
  }

  static async launch(options: LaunchOptions): Promise<KernelClient> {
    if (!Array.isArray(options.argv) || options.argv.length === 0) throw new TypeError('KernelClient.launch: argv must be a non-empty array');
    const [shell_port, iopub_port, stdin_port, control_port, hb_port] = (await freePorts(5)) as [number, number, number, number, number];
    const connection: ConnectionInfo = { transport: 'tcp', ip: '127.0.0.1', shell_port, iopub_port, stdin_port, control_port, hb_port, key: randomUUID(), signature_scheme: 'hmac-sha256' };
    const dir = mkdtempSync(join(tmpdir(), 'enginelab-client-'));
    const file = join(dir, 'kernel.json');
    writeFileSync(file, JSON.stringify(connection));
    const t0 = performance.now();
    const [cmd, ...args] = options.argv.map((a) => a.replaceAll('{connection_file}', file));
    const child = spawn(cmd!, args, { cwd: options.cwd, env: options.env ?? process.env, stdio: ['ignore', 'ignore', options.stderr ?? 'pipe'] });
    const client = new KernelClient(connection, child, dir);
    child.stderr?.on('data', (d: Buffer) => (client.stderrTail = (client.stderrTail + d.toString()).slice(-4000)));
    child.once('error', (e) => client.fail(new Error(`kernel process failed to start: ${e.message}`)));
    child.once('exit', (code, signal) => client.fail(new Error(`kernel process exited (${signal ?? `code ${code}`})${client.stderrTail ? `:\n${client.stderrTail}` : ''}`)));
    try {
      await client.connect();
      client.kernelInfo = await client.waitForReady(options.startTimeoutMs ?? 30_000);
      client.startMs = performance.now() - t0;
    } catch (e) {
      await client.close();
      throw e;
    }
    return client;
  }

  private fail(e: Error): void {
    this.exitError ??= e;
    for (const p of this.replies.values()) p.reject(e);
    this.replies.clear();
  }

  get isAlive(): boolean {
    return this.exitError === undefined;
  }

  private async connect(): Promise<void> {
    const c = this.connection;
    this.shell.connect(endpoint(c, c.shell_port));
    this.control.connect(endpoint(c, c.control_port));
    this.stdin.connect(endpoint(c, c.stdin_port));
    this.iopub.connect(endpoint(c, c.iopub_port));
    this.iopub.subscribe();
    void this.readReplies(this.shell);
    void this.readReplies(this.control);
    void this.readStdin();
    void this.readIopub();
  }

  private async readReplies(socket: zmq.Dealer): Promise<void> {
    try {
      for await (const frames of socket) {
        const d = decodeFrames(frames, this.signer);
        if (!d.ok) continue;
        const parentId = (d.message.parent_header as { msg_id?: string }).msg_id ?? '';
        const p = this.replies.get(parentId);
        this.replies.delete(parentId);
        p?.resolve(d.message);
      }
    } catch {
      // socket closed
    }
  }

  private async readIopub(): Promise<void> {
    try {
      for await (const frames of this.iopub) {
        const d = decodeFrames(frames, this.signer);
        if (!d.ok) continue;
        const parentId = (d.message.parent_header as { msg_id?: string }).msg_id ?? '';
        this.iopubListeners.get(parentId)?.(d.message);
      }
    } catch {
      // socket closed
    }
  }

  private async readStdin(): Promise<void> {
    try {
      for await (const frames of this.stdin) {
        const d = decodeFrames(frames, this.signer);
        if (!d.ok || d.message.header.msg_type !== 'input_request') continue;
        const value = await this.onInput(String(d.message.content.prompt ?? ''), d.message.content.password === true);
        this.sendOn(this.stdin, this.factory.make('input_reply', { value }, d.message, { identities: [] }));
      }
    } catch {
      // socket closed
    }
  }

  private sendOn(socket: zmq.Dealer, msg: JupyterMessage<unknown>): void {
    const frames = encodeMessage(msg, this.signer);
    const prev = this.sendChains.get(socket) ?? Promise.resolve();
    this.sendChains.set(socket, prev.then(() => socket.send(frames)).catch(() => undefined));
  }

  /** Sends a request; resolves with its reply. `onIopub` sees the request's iopub messages. */
  request(channel: 'shell' | 'control', msgType: string, content: Record<string, unknown>, onIopub?: (m: JupyterMessage) => void): { msg: JupyterMessage; reply: Promise<JupyterMessage> } {
    const msg = this.factory.make(msgType, content, undefined, { identities: [] }) as JupyterMessage;
    if (onIopub) this.iopubListeners.set(msg.header.msg_id, onIopub);
    const reply = new Promise<JupyterMessage>((resolve, reject) => {
      if (this.exitError) return reject(this.exitError);
      this.replies.set(msg.header.msg_id, { resolve, reject });
    });
    this.sendOn(channel === 'shell' ? this.shell : this.control, msg);
    return { msg, reply };
  }

  /** kernel_info until both the reply and an iopub status for it arrive (iopub joins late). */
  private async waitForReady(timeoutMs: number): Promise<JupyterMessage> {
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      if (this.exitError) throw this.exitError;
      let sawIopub = false;
      const { msg, reply } = this.request('shell', 'kernel_info_request', {}, () => (sawIopub = true));
      const r = await Promise.race([reply, sleep(Math.max(0, Math.min(2000, deadline - performance.now()))).then(() => undefined)]);
      for (let i = 0; r !== undefined && !sawIopub && i < 20; i++) await sleep(5);
      this.iopubListeners.delete(msg.header.msg_id);
      if (r !== undefined && sawIopub) return r;
      if (performance.now() > deadline) throw new Error(`kernel did not answer kernel_info within ${timeoutMs} ms${this.stderrTail ? `:\n${this.stderrTail}` : ''}`);
    }
  }

  /** Runs code; resolves after the reply and the closing iopub `idle`. */
  execute(code: string, options: { allowStdin?: boolean; stopOnError?: boolean; onOutput?: (m: JupyterMessage) => void; timeoutMs?: number } = {}): Promise<ExecuteResult> {
    if (typeof code !== 'string') return Promise.reject(new TypeError('execute: code must be a string'));
    const outputs: JupyterMessage[] = [];
    let idle!: () => void;
    const idleSeen = new Promise<void>((r) => (idle = r));
    const { msg, reply } = this.request(
      'shell',
      'execute_request',
      { code, silent: false, store_history: true, user_expressions: {}, allow_stdin: options.allowStdin === true, stop_on_error: options.stopOnError !== false },
      (m) => {
        if (m.header.msg_type === 'status') {
          if (m.content.execution_state === 'idle') idle();
          return;
        }
        outputs.push(m);
        options.onOutput?.(m);
      },
    );
    const done = Promise.all([reply, idleSeen]).then(([r]) => ({ reply: r, outputs }));
    const guarded = options.timeoutMs === undefined ? done : withTimeout(done, options.timeoutMs, () => void this.interrupt());
    return guarded.finally(() => this.iopubListeners.delete(msg.header.msg_id));
  }

  interrupt(): Promise<JupyterMessage> {
    return this.request('control', 'interrupt_request', {}).reply;
  }

  /** shutdown_request on control, then waits for the process to exit (kills it after `graceMs`). */
  async shutdown(graceMs = 5000): Promise<void> {
    if (this.isAlive) {
      const { reply } = this.request('control', 'shutdown_request', { restart: false });
      await Promise.race([reply.catch(() => undefined), sleep(graceMs)]);
      await Promise.race([new Promise((r) => (this.process.exitCode !== null || this.process.signalCode !== null ? r(undefined) : this.process.once('exit', r))), sleep(graceMs)]);
    }
    if (this.process.exitCode === null && this.process.signalCode === null) this.process.kill('SIGKILL');
    await this.close();
  }

  async close(): Promise<void> {
    this.fail(new Error('client closed'));
    for (const s of [this.shell, this.control, this.stdin, this.iopub]) if (!s.closed) s.close();
    if (this.process.exitCode === null && this.process.signalCode === null) this.process.kill('SIGKILL');
    rmSync(this.dir, { recursive: true, force: true });
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

function withTimeout<T>(p: Promise<T>, ms: number, onTimeout: () => void): Promise<T> {
  let timer: ReturnType<typeof setTimeout>;
  return Promise.race([
    p,
    new Promise<T>((_, reject) => {
      timer = setTimeout(() => {
        onTimeout();
        reject(new Error(`cell timed out after ${ms} ms`));
      }, ms);
    }),
  ]).finally(() => clearTimeout(timer));
}
