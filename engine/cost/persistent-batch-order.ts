/**
 * The order of requests in the GPU model runner's persistent batch (vLLM `InputBatch`), which
 * decides which requests an attention backend's uniform split sends to its prefill path
 * (`query-len-split.ts`). Per step, as `_update_states` does: requests absent from the step
 * (finished, preempted or unscheduled) leave holes; new and re-added requests take the lowest hole
 * first, else go to the end; `condense()` moves the last requests into the remaining holes; then
 * the batch is reordered decode → extend → prefill by swapping only the misplaced rows (vLLM
 * `reorder_batch_to_split_decodes_and_prefills`), so the order persists from step to step and a
 * request's position is unrelated to how close it is to finishing.
 */

/** What the ordering needs to know of a scheduled request. */
export interface BatchRow {
  readonly reqId: string;
  readonly numScheduledTokens: number;
  /** Tokens already computed before this step; 0 marks a fresh prefill. */
  readonly numComputedTokens: number;
}

export class PersistentBatchOrder {
  /** Request id per row; null = hole. Invariant between steps: no holes (condensed). */
  private rows: Array<string | null> = [];

  /** Applies one step's scheduled set and returns the row order (indices into `scheduled`). */
  update(scheduled: readonly BatchRow[], decodeThreshold: number): number[] {
    const byId = new Map<string, number>();
    scheduled.forEach((r, i) => byId.set(r.reqId, i));
    const holes: number[] = [];
    const present = new Set<string>();
    for (let i = 0; i < this.rows.length; i++) {
      const id = this.rows[i]!;
      if (byId.has(id)) present.add(id);
      else {
        this.rows[i] = null;
        holes.push(i);
      }
    }
    // New and re-added requests fill the lowest holes first (holes is ascending).
    let h = 0;
    for (const r of scheduled) {
      if (present.has(r.reqId)) continue;
      if (h < holes.length) this.rows[holes[h++]!] = r.reqId;
      else this.rows.push(r.reqId);
    }
    this.condense();
    const rows = this.rows as string[];
    this.reorder(rows.map((id) => scheduled[byId.get(id)!]!), decodeThreshold);
    return this.rows.map((id) => byId.get(id!)!);
  }

  reset(): void {
    this.rows = [];
  }

  /** Fills each lowest hole with the last request until no hole precedes a request. */
  private condense(): void {
    let lo = 0;
    let hi = this.rows.length - 1;
    for (;;) {
      while (lo < this.rows.length && this.rows[lo] !== null) lo++;
      while (hi >= 0 && this.rows[hi] === null) hi--;
      if (lo >= hi) break;
      this.rows[lo] = this.rows[hi]!;
      this.rows[hi] = null;
    }
    this.rows.length = hi + 1;
  }

  /** Region 0 decode, 1 extend, 2 prefill; misplaced rows move, others stay where they are. */
  private reorder(rows: readonly BatchRow[], threshold: number): void {
    const region = rows.map((r) => (r.numComputedTokens === 0 ? 2 : r.numScheduledTokens <= threshold ? 0 : 1));
    const numDecodes = region.filter((x) => x === 0).length;
    const numExtends = region.filter((x) => x === 1).length;
    const target = (i: number) => (i < numDecodes ? 0 : i < numDecodes + numExtends ? 1 : 2);
    const misplaced: number[] = [];
    for (let i = 0; i < rows.length; i++) if (region[i] !== target(i)) misplaced.push(i);
    if (misplaced.length === 0) return;
    // The misplaced rows, stably sorted by region, land on the misplaced positions in order.
    const sources = [...misplaced].sort((a, b) => region[a]! - region[b]! || a - b);
    const before = this.rows.slice();
    misplaced.forEach((dst, i) => {
      this.rows[dst] = before[sources[i]!]!;
    });
  }
}
