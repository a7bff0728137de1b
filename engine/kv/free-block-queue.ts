/**
 * The free-block queue: an intrusive doubly linked list over block ids in typed arrays, O(1) for
 * pop-head, append-tail and unlinking from the middle (a prefix hit "touching" a free block).
 * Order is vLLM's eviction order (engine-semantics.md §5.2): allocation pops the head, freed
 * blocks join the tail, so the head holds the least recently freed blocks.
 */
import { assert, InvariantError } from '../base/errors';

/** vLLM's exception text when `popleft` finds the queue empty. */
export const NO_FREE_BLOCKS_MESSAGE = 'No free blocks available';

export class FreeBlockQueue {
  /** `next[i]`/`prev[i]` for block i; index `head` and `tail` are sentinels. */
  private readonly next: Int32Array;
  private readonly prev: Int32Array;
  private readonly member: Uint8Array;
  private readonly head: number;
  private readonly tail: number;
  private count = 0;

  constructor(readonly capacity: number) {
    this.next = new Int32Array(capacity + 2);
    this.prev = new Int32Array(capacity + 2);
    this.member = new Uint8Array(capacity);
    this.head = capacity;
    this.tail = capacity + 1;
    this.next[this.head] = this.tail;
    this.prev[this.tail] = this.head;
  }

  get length(): number {
    return this.count;
  }

  has(id: number): boolean {
    return this.member[id] === 1;
  }

  /** Oldest free block, without removing it; `undefined` when empty. */
  peek(): number | undefined {
    return this.count === 0 ? undefined : this.next[this.head]!;
  }

  /** vLLM `popleft`: the least recently freed block; throws vLLM's message on an empty queue. */
  popHead(): number {
    if (this.count === 0) throw new InvariantError(NO_FREE_BLOCKS_MESSAGE);
    const id = this.next[this.head]!;
    this.unlink(id);
    return id;
  }

  append(id: number): void {
    assert(this.member[id] === 0, () => `block ${id} is already in the free queue`);
    const last = this.prev[this.tail]!;
    this.next[last] = id;
    this.prev[id] = last;
    this.next[id] = this.tail;
    this.prev[this.tail] = id;
    this.member[id] = 1;
    this.count++;
  }

  remove(id: number): void {
    assert(this.member[id] === 1, () => `block ${id} is not in the free queue`);
    this.unlink(id);
  }

  /** vLLM `popleft_n`: the `n` oldest free blocks, head first. */
  popHeadN(n: number): number[] {
    if (n > this.count) throw new InvariantError(NO_FREE_BLOCKS_MESSAGE);
    const out: number[] = [];
    for (let i = 0; i < n; i++) out.push(this.popHead());
    return out;
  }

  /** vLLM `append_n`: appends `ids` to the tail in order. */
  appendN(ids: readonly number[]): void {
    for (const id of ids) this.append(id);
  }

  /** Neighbours of a queued block (`null` = the head or tail sentinel), as vLLM's links read. */
  links(id: number): { prev: number | null; next: number | null } {
    assert(this.member[id] === 1, () => `block ${id} is not in the free queue`);
    const p = this.prev[id]!;
    const n = this.next[id]!;
    return { prev: p === this.head ? null : p, next: n === this.tail ? null : n };
  }

  private unlink(id: number): void {
    const p = this.prev[id]!;
    const n = this.next[id]!;
    this.next[p] = n;
    this.prev[n] = p;
    this.member[id] = 0;
    this.count--;
  }

  /** Block ids from head (evicted first) to tail. */
  toArray(): number[] {
    const out: number[] = [];
    for (let id = this.next[this.head]!; id !== this.tail; id = this.next[id]!) out.push(id);
    return out;
  }

  /** Rebuilds the queue from a head-to-tail list (snapshot restore). */
  reset(ids: readonly number[]): void {
    this.member.fill(0);
    this.next[this.head] = this.tail;
    this.prev[this.tail] = this.head;
    this.count = 0;
    for (const id of ids) this.append(id);
  }
}
