/** Test helpers: a recording CellIO and a short execute() wrapper. */
import type { CellIO, ExecuteOutcome } from '../../../kernel/interpreter';
import type { DisplayBundle } from '../../../kernel/display/mime';
import type { TsInterpreter } from '../../../kernel/ts-interpreter/index';

export interface RecordingIO extends CellIO {
  readonly streams: { name: 'stdout' | 'stderr'; text: string }[];
  readonly displays: { bundle: DisplayBundle; options?: { displayId?: string; update?: boolean } }[];
  text(name?: 'stdout' | 'stderr'): string;
  closed: boolean;
}

export function recordingIO(): RecordingIO {
  const io: RecordingIO = {
    streams: [],
    displays: [],
    closed: false,
    stream(name, text) {
      if (io.closed) throw new Error('stream closed: the request already ended');
      io.streams.push({ name, text });
    },
    display(bundle, options) {
      io.displays.push(options ? { bundle, options } : { bundle });
    },
    clearOutput() {},
    input: async () => 'typed',
    text(name) {
      return io.streams.filter((s) => !name || s.name === name).map((s) => s.text).join('');
    },
  };
  return io;
}

let count = 0;

export async function run(it: TsInterpreter, code: string, io: CellIO = recordingIO(), extra: Partial<{ silent: boolean; userExpressions: Record<string, string> }> = {}): Promise<ExecuteOutcome> {
  count += 1;
  return it.execute(
    { code, silent: extra.silent ?? false, storeHistory: true, allowStdin: false, executionCount: count, userExpressions: extra.userExpressions ?? {} },
    io,
  );
}

/** The text/plain of an ok outcome's result (throws with the error otherwise). */
export function plain(o: ExecuteOutcome): string | undefined {
  if (o.status !== 'ok') throw new Error(`cell failed: ${o.ename}: ${o.evalue}\n${o.traceback.join('\n')}`);
  return o.result?.data['text/plain'] as string | undefined;
}
