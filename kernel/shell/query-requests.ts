/**
 * The requests that run no cell: kernel_info, complete, inspect, is_complete, history and
 * comm_info. Each validates its content fields (a bad one becomes an error reply, see
 * request-args.ts) and asks the interpreter, the history or the comms through `QueryHost`,
 * never the kernel core itself.
 */
import type { Interpreter } from '../interpreter';
import { kernelInfoContent } from '../protocol/kernel-info';
import type { CommManager } from '../session/comms';
import type { History } from '../session/history';
import { cursorArg, optStr, str } from './request-args';
import type { RequestHandlers } from './request-handler';

export interface QueryHost {
  readonly interpreter: Pick<Interpreter, 'info' | 'complete' | 'inspect' | 'isComplete'>;
  readonly history: Pick<History, 'query'>;
  readonly comms: Pick<CommManager, 'info'>;
  /** Whether debug_request is served (kernel_info's `debugger`). */
  readonly debuggerAvailable: boolean;
  /** Resolves once the interpreter's globals and heavy modules are loaded. */
  ready(): Promise<void>;
}

export type QueryRequestType = 'kernel_info_request' | 'complete_request' | 'inspect_request' | 'is_complete_request' | 'history_request' | 'comm_info_request';

export function queryRequests(host: QueryHost): Pick<RequestHandlers, QueryRequestType> {
  return {
    kernel_info_request: (_m, reply) => reply(kernelInfoContent(host.interpreter.info(), host.debuggerAvailable)),
    complete_request: async (m, reply) => {
      const code = str(m.message.content.code, 'code');
      const cursor = cursorArg(m.message.content.cursor_pos, code);
      await host.ready();
      const r = await host.interpreter.complete(code, cursor);
      reply({ status: 'ok', matches: r.matches, cursor_start: r.cursorStart, cursor_end: r.cursorEnd, metadata: r.metadata });
    },
    inspect_request: async (m, reply) => {
      const code = str(m.message.content.code, 'code');
      const cursor = cursorArg(m.message.content.cursor_pos, code);
      const detail = m.message.content.detail_level === 1 ? 1 : 0;
      await host.ready();
      const r = await host.interpreter.inspect(code, cursor, detail);
      reply({ status: 'ok', found: r.found, data: r.data, metadata: r.metadata });
    },
    is_complete_request: (m, reply) => reply(host.interpreter.isComplete(str(m.message.content.code, 'code'))),
    history_request: (m, reply) => reply({ status: 'ok', history: host.history.query(m.message.content) }),
    comm_info_request: (m, reply) => reply({ status: 'ok', comms: host.comms.info(optStr(m.message.content.target_name, 'target_name')) }),
  };
}
