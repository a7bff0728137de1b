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
    const m = process.memoryUsage();
    writeSync(2, `startup ${what} ${performance.now().toFixed(0)} ms (rss ${(m.rss / 1e6).toFixed(0)} MB, heap ${(m.heapUsed / 1e6).toFixed(0)} of ${(m.heapTotal / 1e6).toFixed(0)} MB, external ${(m.external / 1e6).toFixed(0)} MB)\n`);
  } catch {
    // stderr closed: nothing to trace to
  }
}
