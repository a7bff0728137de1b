/** Public pieces of engine/spec: MTP proposer, seeded acceptance model, verification accounting, spec-decode metrics. */
export { AcceptanceModel, DEEPSEEK_MTP_ACCEPTANCE_RATES } from './acceptance-model';
export { verificationResult, verifySynthetic, verifyGreedy, applyRejections, releasePlaceholders } from './verify';
export type { VerificationResult, SpecRequestCounters } from './verify';
export { SpecDecodingStats } from './spec-decoding-stats';
export type { SpecDecodingMetrics } from './spec-decoding-stats';
export { MtpProposer } from './mtp-proposer';
export type { DraftProposer, DrafterWorkload, ProposerInput } from './mtp-proposer';
