/**
 * The benchmark summary block exactly as `vllm bench serve` prints it: a 50-wide `=` title,
 * `{:<40} {:<10}` rows (floats `{:<10.2f}`, trailing padding kept), one 50-wide `-` header per
 * selected metric with Mean / Median / P<p> rows, the speculative-decoding section when drafting,
 * and a closing rule of 50 `=`.
 */
import type { BenchServeResult } from './result-json';
import { percentileWord } from './result-json';
import type { PercentileMetric } from './metrics';

const HEADERS: Record<PercentileMetric, [string, string]> = {
  ttft: ['Time to First Token', 'TTFT'],
  tpot: ['Time per Output Token (excl. 1st token)', 'TPOT'],
  itl: ['Inter-token Latency', 'ITL'],
  e2el: ['End-to-end Latency', 'E2EL'],
};

/** Python's `'{s:{c}^{n}}'` centring (extra fill goes to the right). */
export function centre(s: string, width: number, fill: string): string {
  const pad = Math.max(0, width - s.length);
  const left = Math.floor(pad / 2);
  return fill.repeat(left) + s + fill.repeat(pad - left);
}

function row(label: string, value: string): string {
  return `${label.padEnd(40)} ${value.padEnd(10)}`;
}

const f2 = (x: number) => x.toFixed(2);

export function formatBenchSummary(r: BenchServeResult): string {
  const c = r.config;
  const m = r.metrics;
  const lines: string[] = [centre(' Serving Benchmark Result ', 50, '=')];
  lines.push(row('Successful requests:', String(m.completed)));
  lines.push(row('Failed requests:', String(m.failed)));
  if (c.maxConcurrency !== null) lines.push(row('Maximum request concurrency:', String(c.maxConcurrency)));
  if (c.requestRate !== Infinity) lines.push(row('Request rate configured (RPS):', f2(c.requestRate)));
  lines.push(row('Benchmark duration (s):', f2(r.duration)));
  lines.push(row('Total input tokens:', String(m.totalInput)));
  lines.push(row('Total generated tokens:', String(m.totalOutput)));
  lines.push(row('Request throughput (req/s):', f2(m.requestThroughput)));
  if (m.requestGoodput !== null) lines.push(row('Request goodput (req/s):', f2(m.requestGoodput)));
  lines.push(row('Output token throughput (tok/s):', f2(m.outputThroughput)));
  lines.push(row('Peak output token throughput (tok/s):', f2(m.maxOutputTokensPerS)));
  lines.push(row('Peak concurrent requests:', f2(m.maxConcurrentRequests)));
  lines.push(row('Total token throughput (tok/s):', f2(m.totalTokenThroughput)));
  for (const name of c.percentileMetrics) {
    const [header, short] = HEADERS[name];
    const st = m[name];
    lines.push(centre(header, 50, '-'));
    lines.push(row(`Mean ${short} (ms):`, f2(st.meanMs)));
    lines.push(row(`Median ${short} (ms):`, f2(st.medianMs)));
    for (const [p, v] of st.percentilesMs) lines.push(row(`P${percentileWord(p)} ${short} (ms):`, f2(v)));
  }
  if (r.specDecode) {
    const s = r.specDecode;
    lines.push(centre('Speculative Decoding', 50, '-'));
    lines.push(row('Acceptance rate (%):', f2(s.acceptanceRate * 100)));
    lines.push(row('Acceptance length:', f2(s.meanAcceptanceLength)));
    lines.push(row('Drafts:', String(s.numDrafts)));
    lines.push(row('Draft tokens:', String(s.numDraftTokens)));
    lines.push(row('Accepted tokens:', String(s.numAcceptedTokens)));
    lines.push('Per-position acceptance (%):');
    s.perPositionAcceptanceRates.forEach((v, i) => lines.push(row(`  Position ${i}:`, f2(v * 100))));
  }
  lines.push('='.repeat(50));
  return lines.join('\n');
}
