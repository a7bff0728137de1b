/**
 * Waiting-queue policies (engine-semantics.md §2.2): FCFS is a deque (preempted requests go back
 * to the front), PRIORITY a binary heap ordered by `(priority, arrivalTime, requestId)`.
 */
import type { Request } from '../request/request';

export interface RequestQueue {
  readonly length: number;
  peek(): Request | undefined;
  pop(): Request | undefined;
  /** A new arrival. */
  add(r: Request): void;
  /** A preempted request: FCFS puts it in front, PRIORITY re-inserts by key. */
  prepend(r: Request): void;
  remove(r: Request): boolean;
  /** Requests in scheduling order (copy). */
  toArray(): Request[];
}

/** A deque over an array with a moving head, so pops are O(1). */
export class FcfsQueue implements RequestQueue {
  private items: Request[] = [];
  private head = 0;

  get length(): number {
    return this.items.length - this.head;
  }

  peek(): Request | undefined {
    return this.items[this.head];
  }

  pop(): Request | undefined {
    if (this.head >= this.items.length) return undefined;
    const r = this.items[this.head]!;
    this.items[this.head] = undefined as unknown as Request;
    this.head++;
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return r;
  }

  add(r: Request): void {
    this.items.push(r);
  }

  prepend(r: Request): void {
    if (this.head > 0) this.items[--this.head] = r;
    else this.items.unshift(r);
  }

  remove(r: Request): boolean {
    const at = this.items.indexOf(r, this.head);
    if (at < 0) return false;
    this.items.splice(at, 1);
    return true;
  }

  toArray(): Request[] {
    return this.items.slice(this.head);
  }
}

/** `(priority, arrivalTime, requestId)`: lower is more urgent. */
export function comparePriority(a: Request, b: Request): number {
  if (a.priority !== b.priority) return a.priority - b.priority;
  if (a.arrivalTime !== b.arrivalTime) return a.arrivalTime - b.arrivalTime;
  return a.requestId < b.requestId ? -1 : a.requestId > b.requestId ? 1 : 0;
}

export class PriorityQueue implements RequestQueue {
  private readonly heap: Request[] = [];

  get length(): number {
    return this.heap.length;
  }

  peek(): Request | undefined {
    return this.heap[0];
  }

  pop(): Request | undefined {
    const h = this.heap;
    if (h.length === 0) return undefined;
    const top = h[0]!;
    const last = h.pop()!;
    if (h.length > 0) {
      h[0] = last;
      this.siftDown(0);
    }
    return top;
  }

  add(r: Request): void {
    this.heap.push(r);
    this.siftUp(this.heap.length - 1);
  }

  prepend(r: Request): void {
    this.add(r);
  }

  remove(r: Request): boolean {
    const at = this.heap.indexOf(r);
    if (at < 0) return false;
    const last = this.heap.pop()!;
    if (at < this.heap.length) {
      this.heap[at] = last;
      this.siftDown(at);
      this.siftUp(at);
    }
    return true;
  }

  toArray(): Request[] {
    return this.heap.slice().sort(comparePriority);
  }

  private siftUp(i: number): void {
    const h = this.heap;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (comparePriority(h[i]!, h[p]!) >= 0) break;
      [h[i], h[p]] = [h[p]!, h[i]!];
      i = p;
    }
  }

  private siftDown(i: number): void {
    const h = this.heap;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < h.length && comparePriority(h[l]!, h[m]!) < 0) m = l;
      if (r < h.length && comparePriority(h[r]!, h[m]!) < 0) m = r;
      if (m === i) return;
      [h[i], h[m]] = [h[m]!, h[i]!];
      i = m;
    }
  }
}
