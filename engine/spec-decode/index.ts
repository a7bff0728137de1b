/** Public pieces of engine/spec-decode: MTP proposer, seeded per-position acceptance, verification accounting, spec-decode metrics. */
export { PerPositionAcceptance, DEEPSEEK_MTP_ACCEPTANCE_RATES } from './acceptance-model';
export { verificationResult, verifySynthetic, verifyGreedy, applyRejections, releasePlaceholders } from './verify';
export type { VerificationResult, SpecRequestCounters } from './verify';
export { SpecDecodeCounters } from './spec-decode-counters';
export type { SpecDecodingMetrics } from './spec-decode-counters';
export { MtpProposer } from './mtp-proposer';
export type { DrafterWorkload } from './mtp-proposer';
export { DispersedAcceptance } from './dispersed-acceptance';
