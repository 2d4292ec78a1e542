// Analysis without simulating: queueing formulas over a model, and distribution fitting.

export type {
  ExplainedFlow,
  ExplainedResource,
  ExplainedStep,
  Explanation,
} from './explain-model.ts';
export { explainModel } from './explain-model.ts';
export { formatExplanation } from './format-explanation.ts';
export type { DistributionMoments } from './moments.ts';
export { distributionMoments } from './moments.ts';
export { departureScv, erlangC, kingmanWait, mmcWait } from './queueing.ts';
export type { Verification } from './verify-explanation.ts';
export { verifyExplanation } from './verify-explanation.ts';
