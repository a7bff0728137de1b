/**
 * Arrow IPC bytes. The writer returns bytes in the IPC *file* format (magic `ARROW1`, footer,
 * random access: what `pyarrow.ipc.open_file`, polars `read_ipc` and `dump`/`load` use) or the
 * *stream* format; the reader accepts either. The engine never touches the file system.
 */
import { Table, tableFromIPC, tableToIPC } from 'apache-arrow';
import { EngineError } from '../base/errors';

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
  if (bytes.byteLength === 0) throw new EngineError('bytes is empty: not an Arrow IPC file or stream', 'bytes');
  // apache-arrow returns an empty table for garbage instead of failing, so check the framing:
  // a file starts with ARROW1, a stream with a schema message (0xFFFFFFFF continuation marker).
  const stream = bytes.byteLength >= 8 && bytes[0] === 0xff && bytes[1] === 0xff && bytes[2] === 0xff && bytes[3] === 0xff;
  if (!isArrowIpcFile(bytes) && !stream) {
    throw new EngineError('bytes are not an Arrow IPC file (no ARROW1 magic) or stream (no schema message)', 'bytes');
  }
  let table: Table;
  try {
    table = tableFromIPC(bytes);
  } catch (e) {
    throw new EngineError(`bytes are not a readable Arrow IPC file or stream: ${(e as Error).message}`, 'bytes');
  }
  if (table.schema.fields.length === 0) throw new EngineError('bytes hold no Arrow schema', 'bytes');
  return table;
}
