/**
 * The socket thread's services sit between the sockets (kernel/transport/zmq-transport.ts) and
 * the main thread. `linkServices` wraps the port that serveSockets talks to: every decoded
 * request passes through the services first (a service may answer it here, e.g. a debug_request
 * while the main thread is paused at a breakpoint), and services send their own messages
 * through the same path the main thread's replies take (signed, queued per socket).
 */
import type { Channel, JupyterMessage, RequestChannel } from '../protocol/messages';
import { MessageFactory } from '../protocol/message-factory';
import { logToStderr } from '../transport/transport';
import type { FromSocketThread, ThreadPort, ToSocketThread } from '../transport/zmq-transport';

/** The worker's parentPort, as far as the link uses it. */
export interface ParentPort {
  postMessage(value: unknown): void;
  on(event: 'message', listener: (value: any) => void): void;
}

export interface Outbox {
  readonly factory: MessageFactory;
  /** Sends on a socket; replies route by the parent's identities. */
  send(channel: Channel, message: JupyterMessage<unknown>): void;
  reply(request: JupyterMessage, msgType: string, content: Record<string, unknown>): void;
  publish(msgType: string, content: Record<string, unknown>, parent?: JupyterMessage): void;
  /** Hands a request to the main thread (optionally with a claim word, see prompt-answers.ts). */
  toMain(channel: RequestChannel, message: JupyterMessage, seq: number, claim?: Int32Array): void;
}

export interface SocketThreadService {
  /** True when the service took the request (the main thread never sees it then). */
  onRequest(channel: RequestChannel, message: JupyterMessage, seq: number): boolean;
  /** Sees every message the main thread sends (e.g. to learn kernel_info_reply's content). */
  onMainSend?(channel: Channel, message: JupyterMessage<unknown>): void;
}

export function linkServices(parent: ParentPort, session: string | undefined, make: (outbox: Outbox) => SocketThreadService[]): ThreadPort {
  let toSockets: ((m: ToSocketThread) => void) | undefined;
  // The core's session, so the services' replies and iopub topics match the core's own.
  const factory = new MessageFactory(session === undefined ? {} : { session });
  const outbox: Outbox = {
    factory,
    send: (channel, message) => toSockets?.({ type: 'send', channel, message }),
    reply: (request, msgType, content) => outbox.send(channelOf(request), factory.make(msgType, content, request)),
    publish: (msgType, content, parentMsg) => {
      const topic = Buffer.from(`kernel.${factory.session}.${msgType}`);
      outbox.send('iopub', factory.make(msgType, content, parentMsg, { identities: [topic] }));
    },
    toMain: (channel, message, seq, claim) => parent.postMessage({ type: 'message', channel, message, seq, ...(claim ? { claim } : {}) }),
  };
  const channels = new WeakMap<object, RequestChannel>();
  const channelOf = (m: JupyterMessage): RequestChannel => channels.get(m) ?? 'shell';
  const services = make(outbox);
  return {
    postMessage(value: FromSocketThread): void {
      // A message that broke a limit goes straight to the main thread, which refuses it.
      if (value.type === 'message' && value.invalid === undefined) {
        channels.set(value.message, value.channel);
        for (const s of services) {
          try {
            if (s.onRequest(value.channel, value.message, value.seq)) return;
          } catch (e) {
            logToStderr(`socket thread service failed on ${value.message.header.msg_type}: ${(e as Error).message}`);
          }
        }
      }
      parent.postMessage(value);
    },
    on(_event: 'message', listener: (value: ToSocketThread) => void): void {
      toSockets = listener;
      parent.on('message', (m: ToSocketThread) => {
        if (m.type === 'send') for (const s of services) s.onMainSend?.(m.channel, m.message);
        listener(m);
      });
    },
  };
}
