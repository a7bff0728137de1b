/**
 * Arrow IPC bytes. The writer returns bytes in the IPC *file* format (magic `ARROW1`, footer,
 * random access: what `pyarrow.ipc.open_file`, polars `read_ipc` and `dump`/`load` use) or the
 * *stream* format; the reader accepts either. Bytes from outside are validated structurally
 * (ipc-validate.ts) before apache-arrow sees them, so a corrupt or hostile file fails with an
 * `ArrowFormatError` in time and memory linear in its size, never an endless read. The engine
 * never touches the file system.
 */
import { Table, tableFromIPC, tableToIPC } from 'apache-arrow';
import { EngineError } from '../base/errors';
import { ArrowFormatError } from './ipc-format-error';
import { validateArrowIpc } from './ipc-validate';

export type ArrowIpcFormat = 'file' | 'stream';

const MAGIC = [0x41, 0x52, 0x52, 0x4f, 0x57, 0x31]; // "ARROW1"

/** Serialises a table; `file` (default) is the random-access IPC file format. */
export function toArrowIPC(table: Table, format: ArrowIpcFormat = 'file'): Uint8Array {
  if (!(table instanceof Table)) throw new EngineError('table must be an apache-arrow Table', 'table');
  if (format !== 'file' && format !== 'stream') throw new EngineError(`format must be 'file' or 'stream', got ${String(format)}`, 'format');
  return tableToIPC(table, format);
}

/** True when `bytes` starts and ends with the IPC file magic. */
export function isArrowIpcFile(bytes: Uint8Array): boolean {
  if (bytes.byteLength < 12) return false;
  for (let i = 0; i < 6; i++) {
    if (bytes[i] !== MAGIC[i] || bytes[bytes.byteLength - 6 + i] !== MAGIC[i]) return false;
  }
  return true;
}

/** Reads IPC file or stream bytes back into a table. */
export function fromArrowIPC(bytes: Uint8Array): Table {
  if (!(bytes instanceof Uint8Array)) throw new EngineError('bytes must be a Uint8Array', 'bytes');
  if (bytes.byteLength === 0) throw new ArrowFormatError('bytes', 'empty: not an Arrow IPC file or stream');
  // apache-arrow returns an empty table for garbage instead of failing, so check the framing:
  // a file starts with ARROW1, a stream with a schema message (0xFFFFFFFF continuation marker).
  const stream = bytes.byteLength >= 8 && bytes[0] === 0xff && bytes[1] === 0xff && bytes[2] === 0xff && bytes[3] === 0xff;
  if (!isArrowIpcFile(bytes) && !stream) {
    throw new ArrowFormatError('bytes', 'not an Arrow IPC file (no ARROW1 magic) or stream (no schema message)');
  }
  const summary = validateArrowIpc(bytes);
  let table: Table;
  try {
    table = tableFromIPC(bytes);
  } catch (e) {
    throw new ArrowFormatError('bytes', `apache-arrow cannot read them: ${(e as Error).message}`);
  }
  // The validator and apache-arrow walked the same structure; disagreement means one misread it.
  if (table.numRows !== summary.numRows || table.schema.fields.length !== summary.numColumns) {
    throw new ArrowFormatError('bytes', `apache-arrow read ${table.numRows} rows × ${table.schema.fields.length} columns where the structure holds ${summary.numRows} × ${summary.numColumns}`);
  }
  return table;
}
