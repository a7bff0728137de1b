/**
 * Request statuses in vLLM's order (engine-semantics.md §2.1): everything after `PREEMPTED` is a
 * finished state. Finish reasons are what a client sees in the OpenAI response.
 */

export type RequestStatus =
  | 'WAITING'
  | 'RUNNING'
  | 'PREEMPTED'
  | 'FINISHED_STOPPED'
  | 'FINISHED_LENGTH_CAPPED'
  | 'FINISHED_ABORTED'
  | 'FINISHED_IGNORED'
  | 'FINISHED_ERROR'
  | 'FINISHED_REPETITION';

export type FinishedStatus = Extract<RequestStatus, `FINISHED_${string}`>;

/** OpenAI finish reasons (`IGNORED` = prompt too long reports `length`). */
export type FinishReason = 'stop' | 'length' | 'abort' | 'error' | 'repetition';

/** Every finished status, in vLLM's enum order (what `finishRequests` accepts). */
export const FINISHED_STATUSES: readonly FinishedStatus[] = [
  'FINISHED_STOPPED', 'FINISHED_LENGTH_CAPPED', 'FINISHED_ABORTED', 'FINISHED_IGNORED', 'FINISHED_ERROR', 'FINISHED_REPETITION',
];

export function isFinished(status: RequestStatus): status is FinishedStatus {
  // Asked for every row of every step: the three unfinished statuses are compared first.
  if (status === 'RUNNING' || status === 'WAITING' || status === 'PREEMPTED') return false;
  return status.startsWith('FINISHED_');
}

export function finishReasonOf(status: FinishedStatus): FinishReason {
  switch (status) {
    case 'FINISHED_STOPPED':
      return 'stop';
    case 'FINISHED_LENGTH_CAPPED':
    case 'FINISHED_IGNORED':
      return 'length';
    case 'FINISHED_ABORTED':
      return 'abort';
    case 'FINISHED_ERROR':
      return 'error';
    case 'FINISHED_REPETITION':
      return 'repetition';
  }
}
