/**
 * Building messages: fresh headers (uuid msg_id, ISO date, protocol version) and replies that
 * carry their request's header as parent and its routing identities.
 */
import { randomUUID } from 'node:crypto';
import { PROTOCOL_VERSION, type JupyterMessage, type MessageHeader } from './messages';

export interface MessageFactoryOptions {
  readonly session?: string;
  readonly username?: string;
}

export class MessageFactory {
  readonly session: string;
  readonly username: string;

  constructor(options: MessageFactoryOptions = {}) {
    this.session = options.session ?? randomUUID();
    this.username = options.username ?? 'enginelab';
  }

  header(msgType: string): MessageHeader {
    if (typeof msgType !== 'string' || msgType === '') throw new TypeError('MessageFactory.header: msgType must be a non-empty string');
    return { msg_id: randomUUID(), session: this.session, username: this.username, date: new Date().toISOString(), msg_type: msgType, version: PROTOCOL_VERSION };
  }

  /** A message in reply to (or caused by) `parent`; `identities` default to the parent's (ROUTER routing). */
  make<C>(msgType: string, content: C, parent?: JupyterMessage<unknown>, extra: { metadata?: Record<string, unknown>; identities?: readonly Uint8Array[]; buffers?: readonly Uint8Array[] } = {}): JupyterMessage<C> {
    return {
      identities: extra.identities ?? parent?.identities ?? [],
      header: this.header(msgType),
      parent_header: parent?.header ?? {},
      metadata: extra.metadata ?? {},
      content,
      buffers: extra.buffers ?? [],
    };
  }
}
