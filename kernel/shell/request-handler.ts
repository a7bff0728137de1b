/**
 * The shape of a request handler: it gets the incoming request and a `reply` typed by
 * `ReplyContentMap` for its msg_type, so a handler can send only its own reply's shape (and
 * decides when, e.g. execute_request reads the abort watermark after its reply went out).
 * The core owns one handler per request type (`RequestHandlers`) and sends what `reply` gets.
 */
import type { ReplyContent, RequestType } from '../protocol/messages';
import type { IncomingMessage } from '../transport/transport';

export type RequestHandler<T extends RequestType> = (m: IncomingMessage, reply: (content: ReplyContent<T>) => void) => void | Promise<void>;

export type RequestHandlers = { readonly [T in RequestType]: RequestHandler<T> };
