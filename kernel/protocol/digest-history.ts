/**
 * Replay protection, as jupyter_client's Session does it: the kernel remembers the HMAC digest of
 * every signed message it accepted and refuses one it has seen before, so a captured request
 * cannot be executed again by resending its frames. Digests cover the header, whose msg_id and
 * date are fresh per message, so legitimate clients never repeat one. The history is bounded
 * (jupyter_client's default size, 2^16 digests); past that the oldest are forgotten first (FIFO,
 * where jupyter_client culls a random 10%), which keeps memory at ~10 MB whatever a peer sends.
 */

export const DEFAULT_DIGEST_HISTORY_SIZE = 2 ** 16;

export class DigestHistory {
  private readonly seen = new Set<string>();
  private readonly order: string[];
  private next = 0;

  constructor(readonly maxSize = DEFAULT_DIGEST_HISTORY_SIZE) {
    if (!Number.isInteger(maxSize) || maxSize < 1) throw new RangeError('DigestHistory: maxSize must be a positive integer');
    this.order = [];
  }

  get size(): number {
    return this.seen.size;
  }

  /** Records `digest`; false when it was already recorded (a replay). */
  admit(digest: string): boolean {
    if (this.seen.has(digest)) return false;
    if (this.order.length < this.maxSize) this.order.push(digest);
    else {
      this.seen.delete(this.order[this.next]!);
      this.order[this.next] = digest;
      this.next = (this.next + 1) % this.maxSize;
    }
    this.seen.add(digest);
    return true;
  }
}
