// Analysis without simulating: queueing formulas over a model, and distribution fitting.

export { fromMeanStd, MEAN_STD_FAMILIES } from './convert-distribution.ts';
export type {
  ExplainedFlow,
  ExplainedResource,
  ExplainedStep,
  Explanation,
} from './explain-model.ts';
export { explainModel } from './explain-model.ts';
export type { DistributionFit, FitResult } from './fit-distribution.ts';
export { FIT_FAMILIES, fitDistribution } from './fit-distribution.ts';
export { formatExplanation } from './format-explanation.ts';
export type { KolmogorovSmirnov } from './goodness-of-fit.ts';
export { distributionCdf, kolmogorovSmirnov } from './goodness-of-fit.ts';
export type { DistributionMoments } from './moments.ts';
export { distributionMoments } from './moments.ts';
export { departureScv, erlangC, kingmanWait, mmcWait } from './queueing.ts';
export type { CsvColumn } from './read-column.ts';
export { readCsvColumn } from './read-column.ts';
export type { Verification } from './verify-explanation.ts';
export { verifyExplanation } from './verify-explanation.ts';
