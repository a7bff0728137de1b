/**
 * Jupyter messaging protocol 5.3 types (spec: jupyter_client `docs/messaging.rst`).
 * `ReplyContent<T>` maps each request msg_type to its reply content, so no handler writes a
 * reply type by hand; every reply carries `status` (the spec makes it mandatory).
 */

export const PROTOCOL_VERSION = '5.3';

/** The five sockets; `hb` never carries Jupyter messages, so it is not a message channel. */
export type Channel = 'shell' | 'control' | 'stdin' | 'iopub';
export type RequestChannel = 'shell' | 'control' | 'stdin';

export interface MessageHeader {
  readonly msg_id: string;
  readonly session: string;
  readonly username: string;
  /** ISO 8601 timestamp; mandatory since 5.1. */
  readonly date: string;
  readonly msg_type: string;
  readonly version: string;
}

export interface JupyterMessage<C = Record<string, unknown>> {
  /** zmq routing identities (ROUTER sockets) or the iopub topic; empty in memory. */
  readonly identities: readonly Uint8Array[];
  readonly header: MessageHeader;
  /** The request's header for replies and side effects, `{}` otherwise. */
  readonly parent_header: MessageHeader | Record<string, never>;
  readonly metadata: Record<string, unknown>;
  readonly content: C;
  readonly buffers: readonly Uint8Array[];
}

export type ReplyStatus = 'ok' | 'error' | 'aborted';

export interface ErrorContent {
  readonly ename: string;
  readonly evalue: string;
  readonly traceback: string[];
}

export interface ExecuteRequestContent {
  readonly code: string;
  readonly silent?: boolean;
  readonly store_history?: boolean;
  readonly user_expressions?: Record<string, string>;
  readonly allow_stdin?: boolean;
  readonly stop_on_error?: boolean;
}

type Ok<T> = { readonly status: 'ok' } & T;
type Failed = { readonly status: 'error' } & ErrorContent;
type Aborted = { readonly status: 'aborted' };

/** Reply contents keyed by the request msg_type. */
export interface ReplyContentMap {
  kernel_info_request: Ok<{
    protocol_version: string;
    implementation: string;
    implementation_version: string;
    language_info: Record<string, unknown>;
    banner: string;
    help_links: ReadonlyArray<{ text: string; url: string }>;
    debugger: boolean;
  }>;
  execute_request:
    | Ok<{ execution_count: number; user_expressions: Record<string, unknown>; payload: unknown[] }>
    | (Failed & { execution_count: number })
    | (Aborted & { execution_count?: number });
  complete_request: Ok<{ matches: string[]; cursor_start: number; cursor_end: number; metadata: Record<string, unknown> }> | Failed;
  inspect_request: Ok<{ found: boolean; data: Record<string, unknown>; metadata: Record<string, unknown> }> | Failed;
  is_complete_request: { status: 'complete' | 'invalid' | 'unknown' } | { status: 'incomplete'; indent: string };
  history_request: Ok<{ history: Array<[number, number, string] | [number, number, [string, string | null]]> }> | Failed;
  comm_info_request: Ok<{ comms: Record<string, { target_name: string }> }>;
  interrupt_request: Ok<Record<never, never>>;
  shutdown_request: Ok<{ restart: boolean }>;
}

export type RequestType = keyof ReplyContentMap;
export type ReplyContent<T extends RequestType> = ReplyContentMap[T];

/** `execute_request` → `execute_reply`, and so on. */
export function replyTypeOf(requestType: string): string {
  return requestType.endsWith('_request') ? `${requestType.slice(0, -'_request'.length)}_reply` : `${requestType}_reply`;
}
