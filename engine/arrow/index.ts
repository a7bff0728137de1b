/** Public pieces of engine/arrow: documented table schemas, converters and IPC bytes. */
export {
  STEP_TRACE_SPEC, STEP_SUMMARY_SPEC, REQUESTS_SPEC, BLOCK_TABLE_SPEC, KV_BLOCKS_SPEC, BENCH_REQUESTS_SPEC,
  stepTraceTableReference, stepSummaryTable, requestTable, blockTableTable, kvBlocksTable, benchResultTable,
} from './tables';
export { stepTraceTable } from './step-trace-fast';
export { buildTable, schemaOf, describeSchema, ARROW_SCHEMA_VERSION } from './columns';
export type { ColumnKind, ColumnSpec, TableSpec, CellValue } from './columns';
export { toArrowIPC, fromArrowIPC, isArrowIpcFile } from './ipc';
export { validateArrowIpc } from './ipc-validate';
export type { IpcSummary } from './ipc-validate';
export { ArrowFormatError } from './ipc-format-error';
export type { ArrowIpcFormat } from './ipc';
export type {
  StepSource, ScheduledRequestSource, RequestSource, BlockTableSource, KvBlockSource, BenchResultSource,
} from './sources';
