/**
 * Structural validation of Arrow IPC bytes before apache-arrow reads them. apache-arrow trusts
 * every length in a file: one flipped bit in a 3.5 KB step trace made it run until the heap was
 * exhausted. This walks the same structure apache-arrow will walk — the file footer and its
 * blocks, or the stream's messages in order — with bounds on everything: each message's
 * metadata and body inside the file, FlatBuffers read through bounds-checked views, blocks
 * distinct and non-overlapping (so no byte is loaded twice), the schema's field tree and its
 * strings bounded (ipc-schema.ts), and every batch checked against its layout
 * (ipc-batch-check.ts). The walk touches each byte a constant number of times, allocates only
 * O(number of fields), and what apache-arrow then builds is views into the bytes plus at most
 * one copy of each (misaligned) body: memory ≤ 2 × the file size + a constant, time linear.
 */
import { FbRegion, type FbBudget, type FbTable } from './flatbuffer-view';
import { arrowCheck } from './ipc-format-error';
import { checkRecordBatch } from './ipc-batch-check';
import { readKeyValues, readSchema, type SchemaDesc } from './ipc-schema';

export interface IpcSummary {
  readonly format: 'file' | 'stream';
  readonly numRecordBatches: number;
  readonly numRows: number;
  readonly numColumns: number;
}

const MAGIC = [0x41, 0x52, 0x52, 0x4f, 0x57, 0x31]; // "ARROW1"
const HEADER = { Schema: 1, DictionaryBatch: 2, RecordBatch: 3 } as const;
const HEADER_NAMES = ['NONE', 'Schema', 'DictionaryBatch', 'RecordBatch', 'Tensor', 'SparseTensor'];
const V4 = 3;
const V5 = 4;

interface Message {
  readonly region: FbRegion;
  readonly headerType: number;
  readonly header: FbTable | undefined;
  readonly bodyStart: number;
  readonly bodyLength: number;
  /** Offset after the body; 8 + metadata length for the prefix and FlatBuffer. */
  readonly end: number;
  readonly metadataLength: number;
}

function startsWithMagic(bytes: Uint8Array, at: number): boolean {
  return MAGIC.every((b, i) => bytes[at + i] === b);
}

/** Reads the encapsulated message at `pos` (continuation, length, FlatBuffer, body); undefined at end-of-stream. */
function readMessage(bytes: Uint8Array, dv: DataView, pos: number, limit: number, part: string, budget: FbBudget): Message | undefined {
  arrowCheck(pos + 8 <= limit, part, `truncated: a message needs 8 bytes at offset ${pos}, ${limit - pos} remain`);
  arrowCheck(dv.getInt32(pos, true) === -1, part, `no continuation marker at offset ${pos} (pre-0.15 framing is not supported)`);
  const metadataLength = dv.getInt32(pos + 4, true);
  if (metadataLength === 0) return undefined;
  arrowCheck(metadataLength > 0 && pos + 8 + metadataLength <= limit, part, `metadata of ${metadataLength} bytes at offset ${pos} runs past the end (${limit - pos - 8} bytes remain)`);
  const region = new FbRegion(bytes, pos + 8, pos + 8 + metadataLength, part, budget);
  const m = region.root('message');
  const version = m.i16(0, 0);
  arrowCheck(version === V4 || version === V5, part, `metadata version ${version + 1} is not supported (V4 or V5)`);
  const headerType = m.u8(1, 0);
  const header = m.table(2, 'header');
  const bodyLength = m.i64(3, 0, 'bodyLength');
  readKeyValues(m, 4, part);
  const bodyStart = pos + 8 + metadataLength;
  arrowCheck(bodyLength >= 0 && bodyStart + bodyLength <= limit, part, `body of ${bodyLength} bytes runs past the end (${limit - bodyStart} bytes remain)`);
  return { region, headerType, header, bodyStart, bodyLength, end: bodyStart + bodyLength, metadataLength: 8 + metadataLength };
}

function headerOf(m: Message, want: number, part: string): FbTable {
  arrowCheck(m.headerType === want, part, `expected a ${HEADER_NAMES[want]} message, found ${HEADER_NAMES[m.headerType] ?? `header type ${m.headerType}`}`);
  arrowCheck(m.header !== undefined, part, `the ${HEADER_NAMES[want]} message has no header`);
  return m.header;
}

class Dictionaries {
  readonly lengths = new Map<number, number>();
  constructor(private readonly schema: SchemaDesc) {}

  load(m: Message, part: string): void {
    const db = headerOf(m, HEADER.DictionaryBatch, part);
    const id = db.i64(0, 0, 'id');
    const values = this.schema.dictionaries.get(id);
    arrowCheck(values !== undefined, part, `dictionary id ${id} is not used by the schema`);
    const data = db.table(1, 'data');
    arrowCheck(data !== undefined, part, `dictionary ${id} has no data`);
    const n = checkRecordBatch(m.region, data, m.bodyStart, m.bodyLength, [values], this.lengths, `${part} (dictionary ${id})`);
    const isDelta = db.bool(2, false);
    this.lengths.set(id, isDelta ? (this.lengths.get(id) ?? 0) + n : n);
  }
}

function validateStream(bytes: Uint8Array, dv: DataView, budget: FbBudget): IpcSummary {
  const first = readMessage(bytes, dv, 0, bytes.length, 'message 0', budget);
  arrowCheck(first !== undefined, 'message 0', 'the stream ends before its schema');
  const schemaTable = headerOf(first, HEADER.Schema, 'message 0');
  arrowCheck(first.bodyLength === 0, 'message 0', 'a schema message has no body');
  const schema = readSchema(schemaTable, first.region);
  const dictionaries = new Dictionaries(schema);
  let numRecordBatches = 0;
  let numRows = 0;
  for (let pos = first.end, i = 1; ; i++) {
    const part = `message ${i}`;
    if (pos + 4 === bytes.length && dv.getInt32(pos, true) === 0) break; // pre-0.15 end-of-stream
    arrowCheck(pos < bytes.length, part, 'the stream ends without its end-of-stream marker (truncated?)');
    const m = readMessage(bytes, dv, pos, bytes.length, part, budget);
    if (m === undefined) {
      arrowCheck(pos + 8 === bytes.length, 'end of stream', `${bytes.length - pos - 8} bytes after the end-of-stream marker`);
      break;
    }
    arrowCheck(m.headerType !== HEADER.Schema, part, 'a second schema message');
    if (m.headerType === HEADER.DictionaryBatch) dictionaries.load(m, part);
    else {
      const rb = headerOf(m, HEADER.RecordBatch, part);
      numRows += checkRecordBatch(m.region, rb, m.bodyStart, m.bodyLength, schema.columns, dictionaries.lengths, `record batch ${numRecordBatches}`);
      numRecordBatches++;
    }
    pos = m.end;
  }
  return { format: 'stream', numRecordBatches, numRows, numColumns: schema.columns.length };
}

interface Block { readonly offset: number; readonly metadataLength: number; readonly bodyLength: number; readonly part: string }

function readBlocks(footer: FbTable, index: number, what: string, footerStart: number): Block[] {
  const region = footer.region;
  const vec = footer.vector(index, 24, what);
  const blocks: Block[] = [];
  for (let i = 0; i < vec.length; i++) {
    const at = vec.at + 24 * i;
    const part = `footer: ${what} block ${i}`;
    const offset = region.i64(at, 'a block offset');
    const metadataLength = region.i32(at + 8);
    const bodyLength = region.i64(at + 16, 'a block body length');
    arrowCheck(offset >= 8 && metadataLength > 8 && bodyLength >= 0 && offset + metadataLength + bodyLength <= footerStart, part, `[${offset}, +${metadataLength} + ${bodyLength}) lies outside the file's data`);
    blocks.push({ offset, metadataLength, bodyLength, part });
  }
  return blocks;
}

function validateFile(bytes: Uint8Array, dv: DataView, budget: FbBudget): IpcSummary {
  const size = bytes.length;
  arrowCheck(size >= 18 && startsWithMagic(bytes, size - 6), 'file', 'no ARROW1 magic at the end (truncated?)');
  const footerLength = dv.getInt32(size - 10, true);
  const footerStart = size - 10 - footerLength;
  arrowCheck(footerLength > 0 && footerStart >= 8, 'footer', `footer length ${footerLength} does not fit the ${size}-byte file`);
  const region = new FbRegion(bytes, footerStart, size - 10, 'footer', budget);
  const footer = region.root('footer');
  const version = footer.i16(0, 0);
  arrowCheck(version === V4 || version === V5, 'footer', `metadata version ${version + 1} is not supported (V4 or V5)`);
  const schemaTable = footer.table(1, 'schema');
  arrowCheck(schemaTable !== undefined, 'footer', 'no schema');
  const schema = readSchema(schemaTable, region);
  readKeyValues(footer, 4, 'footer');
  const dictBlocks = readBlocks(footer, 2, 'dictionary', footerStart);
  const batchBlocks = readBlocks(footer, 3, 'record batch', footerStart);
  // No two blocks may share bytes: a footer listing one big batch 10^5 times would make
  // apache-arrow load (and possibly copy) it 10^5 times.
  const sorted = [...dictBlocks, ...batchBlocks].sort((a, b) => a.offset - b.offset);
  for (let i = 1; i < sorted.length; i++) {
    const prev = sorted[i - 1]!;
    arrowCheck(prev.offset + prev.metadataLength + prev.bodyLength <= sorted[i]!.offset, sorted[i]!.part, `overlaps ${prev.part.replace('footer: ', '')}`);
  }
  const open = (b: Block): Message => {
    const m = readMessage(bytes, dv, b.offset, footerStart, b.part, budget);
    arrowCheck(m !== undefined, b.part, 'points at an end-of-stream marker');
    arrowCheck(m.metadataLength === b.metadataLength && m.bodyLength === b.bodyLength, b.part, `the block says ${b.metadataLength} + ${b.bodyLength} bytes, its message ${m.metadataLength} + ${m.bodyLength}`);
    return m;
  };
  const dictionaries = new Dictionaries(schema);
  for (const b of dictBlocks) dictionaries.load(open(b), b.part);
  let numRows = 0;
  for (const [i, b] of batchBlocks.entries()) {
    const m = open(b);
    numRows += checkRecordBatch(m.region, headerOf(m, HEADER.RecordBatch, b.part), m.bodyStart, m.bodyLength, schema.columns, dictionaries.lengths, `record batch ${i}`);
  }
  return { format: 'file', numRecordBatches: batchBlocks.length, numRows, numColumns: schema.columns.length };
}

/**
 * Validates Arrow IPC bytes (file if they start with ARROW1, as apache-arrow decides, else a
 * stream); throws `ArrowFormatError` naming the first problem.
 */
export function validateArrowIpc(bytes: Uint8Array): IpcSummary {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  // Strings may be decoded more than once (field names, metadata), but not unboundedly often.
  const budget: FbBudget = { stringBytes: 2 * bytes.length + 65_536 };
  return bytes.length >= 6 && startsWithMagic(bytes, 0) ? validateFile(bytes, dv, budget) : validateStream(bytes, dv, budget);
}
