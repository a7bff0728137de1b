/**
 * ENGINELAB_TRACE_STARTUP=1: one stderr line per start-up milestone, in milliseconds since the
 * process started (bin/enginelab.mjs writes the first ones). Written with writeSync on fd 2, so a
 * line is never captured as a cell's output once the stream router has taken process.stderr.
 */
import { writeSync } from 'node:fs';

const enabled = process.env.ENGINELAB_TRACE_STARTUP !== undefined && process.env.ENGINELAB_TRACE_STARTUP !== '';

export function traceStartup(what: string): void {
  if (!enabled) return;
  try {
    writeSync(2, `startup ${what} ${performance.now().toFixed(0)} ms\n`);
  } catch {
    // stderr closed: nothing to trace to
  }
}
