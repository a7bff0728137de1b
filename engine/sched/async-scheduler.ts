/**
 * `AsyncScheduler` (engine-semantics.md §4.4, §4.7, §8): the sync scheduler plus output
 * placeholders. A scheduled decode (or final prefill chunk) is assumed to yield `1 + s` tokens, so
 * the next `schedule()` can ask for `1 + k` more before this step's output returns; drafts are
 * device-resident placeholders. Rejections and appended tokens trim the placeholders when the
 * output arrives, and newly full blocks are registered in the prefix cache one step late.
 */
import type { Request } from '../request/request';
import { Scheduler } from './scheduler';

export class AsyncScheduler extends Scheduler {
  protected override onScheduled(req: Request, numSpec: number): void {
    if (req.isPrefillChunk) return;
    req.numOutputPlaceholders += 1 + numSpec;
    if (req.specTokenIds.length > 0) req.specTokenIds = [];
    req.numSpecPlaceholders = this.k;
  }

  protected override onRejected(req: Request, rejected: number): void {
    if (req.numOutputPlaceholders > 0) req.numOutputPlaceholders -= rejected;
  }

  protected override onAppended(req: Request, appended: number, wasRunning: boolean): void {
    req.numOutputPlaceholders -= appended;
    if (wasRunning) this.kv.cacheBlocks(req, req.numComputedTokens - req.numOutputPlaceholders);
  }
}
