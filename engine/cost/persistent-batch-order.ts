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
  /** Index into the current step's `scheduled` of each row (parallel to `rows`). */
  private at: number[] = [];
  /** Per index of the last `update`'s `scheduled`: 1 when the request already had a row. */
  private present = new Uint8Array(0);
  /**
   * `base + index` of each id in the current step's `scheduled`; a value below `base` is a
   * previous step's. Keys are exactly the rows' ids between steps (absent ones are deleted), so
   * steady-state steps overwrite entries instead of rebuilding a map.
   */
  private readonly byId = new Map<string, number>();
  private base = 0;

  /**
   * Applies one step's scheduled set and returns the row order (indices into `scheduled`).
   * Since the rows between steps are exactly the previous step's requests, `wasInPreviousStep`
   * answers for this step afterwards.
   */
  update(scheduled: readonly BatchRow[], decodeThreshold: number): number[] {
    const n = scheduled.length;
    const byId = this.byId;
    // Indices stay exact doubles far beyond any run length (2^53 / 2^24 steps).
    const base = (this.base += 1 << 24);
    for (let i = 0; i < n; i++) byId.set(scheduled[i]!.reqId, base + i);
    if (this.present.length < n) this.present = new Uint8Array(Math.max(n, 2 * this.present.length));
    const present = this.present;
    present.fill(0, 0, n);
    const rows = this.rows;
    const at = this.at;
    const holes: number[] = [];
    for (let i = 0; i < rows.length; i++) {
      const v = byId.get(rows[i]!)!;
      if (v >= base) {
        present[v - base] = 1;
        at[i] = v - base;
      } else {
        byId.delete(rows[i]!);
        rows[i] = null;
        holes.push(i);
      }
    }
    // New and re-added requests fill the lowest holes first (holes is ascending).
    let h = 0;
    for (let j = 0; j < n; j++) {
      if (present[j] === 1) continue;
      const row = h < holes.length ? holes[h++]! : rows.length;
      rows[row] = scheduled[j]!.reqId;
      at[row] = j;
    }
    this.condense();
    this.reorder(scheduled, decodeThreshold);
    return this.at.slice(0, this.rows.length);
  }

  /** Whether `scheduled[j]` of the last `update` had a row from the step before. */
  wasInPreviousStep(j: number): boolean {
    return this.present[j] === 1;
  }

  reset(): void {
    this.rows = [];
    this.at = [];
    this.byId.clear();
  }

  /** Fills each lowest hole with the last request until no hole precedes a request. */
  private condense(): void {
    const rows = this.rows;
    const at = this.at;
    let lo = 0;
    let hi = rows.length - 1;
    for (;;) {
      while (lo < rows.length && rows[lo] !== null) lo++;
      while (hi >= 0 && rows[hi] === null) hi--;
      if (lo >= hi) break;
      rows[lo] = rows[hi]!;
      at[lo] = at[hi]!;
      rows[hi] = null;
    }
    rows.length = hi + 1;
    at.length = hi + 1;
  }

  /** Region 0 decode, 1 extend, 2 prefill; misplaced rows move, others stay where they are. */
  private reorder(scheduled: readonly BatchRow[], threshold: number): void {
    const rows = this.rows as string[];
    const at = this.at;
    const m = rows.length;
    const region = new Uint8Array(m);
    let numDecodes = 0;
    let numExtends = 0;
    for (let i = 0; i < m; i++) {
      const r = scheduled[at[i]!]!;
      const g = r.numComputedTokens === 0 ? 2 : r.numScheduledTokens <= threshold ? 0 : 1;
      region[i] = g;
      if (g === 0) numDecodes++;
      else if (g === 1) numExtends++;
    }
    // The misplaced rows, stably grouped by region, land on the misplaced positions in order.
    const misplaced: number[] = [];
    const sources: number[][] = [[], [], []];
    for (let i = 0; i < m; i++) {
      const target = i < numDecodes ? 0 : i < numDecodes + numExtends ? 1 : 2;
      if (region[i] !== target) {
        misplaced.push(i);
        sources[region[i]!]!.push(i);
      }
    }
    if (misplaced.length === 0) return;
    const src = sources[0]!.concat(sources[1]!, sources[2]!);
    const beforeRows = rows.slice();
    const beforeAt = at.slice();
    for (let i = 0; i < misplaced.length; i++) {
      rows[misplaced[i]!] = beforeRows[src[i]!]!;
      at[misplaced[i]!] = beforeAt[src[i]!]!;
    }
  }
}
