// The one aggregation kernel: count, sum, min, max and Welford's mean and M2 (for var and std) of a run of
// numbers, kept in a block of six slots of a Float64Array. Row windows (window/kernel.ts), frame reductions and
// frame windows (frame/moments.ts, frame-window-keys.ts, frame-time-window.ts), fused window code
// (window/time-window.ts) and rolling aggregates (core/operators/rolling.ts) all fold, merge and read results
// here, so the numbers they give are the same to the last bit. Each function is small enough for V8 to inline
// into its caller's loop: the kernels run as fast as the copies they replace (bench/window.ts, bench/frame.ts,
// bench/core).

/** The built-in numeric aggregates, one name each across rows, windows, frames and rolling aggregates. */
export type Aggregate = 'count' | 'sum' | 'mean' | 'min' | 'max' | 'var' | 'std';

/** Every `Aggregate`, in the order error messages list them. */
export const AGGREGATES: readonly Aggregate[] = ['count', 'sum', 'mean', 'min', 'max', 'var', 'std'];

/**
 * Where each value sits in a block, from its offset (for code that reads a block, such as a store's copy).
 * @example S[at + SLOT.N]; // how many values were folded
 */
export const SLOT = { N: 0, SUM: 1, MIN: 2, MAX: 3, MEAN: 4, M2: 5 } as const;
const { N, SUM, MIN, MAX, MEAN, M2 } = SLOT;
/** The length of one block. */
export const MOMENT_SLOTS = 6;

/**
 * Writes an empty block at `at` (no value: count 0, min +∞, max −∞).
 * @example const S = new Float64Array(MOMENT_SLOTS); resetMoments(S, 0);
 */
export function resetMoments(S: Float64Array, at: number): void {
  S[at + N] = 0;
  S[at + SUM] = 0;
  S[at + MIN] = Number.POSITIVE_INFINITY;
  S[at + MAX] = Number.NEGATIVE_INFINITY;
  S[at + MEAN] = 0;
  S[at + M2] = 0;
}

/**
 * Folds `x` into the block at `at`; `moments` adds Welford's update (only var and std need it). A NaN is counted
 * and makes sum, min and max NaN, as the row aggregators do; frames skip NaN before calling (pandas' rule).
 *
 * @example addMoment(S, 0, 21.5, true);
 */
export function addMoment(S: Float64Array, at: number, x: number, moments: boolean): void {
  const n = ++S[at + N]!;
  S[at + SUM] += x;
  if (x < S[at + MIN]! || Number.isNaN(x)) S[at + MIN] = x;
  if (x > S[at + MAX]! || Number.isNaN(x)) S[at + MAX] = x;
  if (moments) {
    const d = x - S[at + MEAN]!;
    S[at + MEAN] += d / n;
    S[at + M2] += d * (x - S[at + MEAN]!);
  }
}

/**
 * `addMoment` as source text, for generated (fused) delivery code: folds the number in `x` into the block of
 * array `S` at offset `at` (each an expression or identifier of the generated code), declaring `n` and `d`.
 *
 * @example addMomentCode('C', 'wb + 1', 'wv', true)
 */
export function addMomentCode(S: string, at: string, x: string, moments: boolean): string {
  const welford = moments
    ? `const d = ${x} - ${S}[${at} + ${MEAN}]; ${S}[${at} + ${MEAN}] += d / n; ${S}[${at} + ${M2}] += d * (${x} - ${S}[${at} + ${MEAN}]);`
    : '';
  return `{ const n = ++${S}[${at} + ${N}];
  ${S}[${at} + ${SUM}] += ${x};
  if (${x} < ${S}[${at} + ${MIN}] || ${x} !== ${x}) ${S}[${at} + ${MIN}] = ${x};
  if (${x} > ${S}[${at} + ${MAX}] || ${x} !== ${x}) ${S}[${at} + ${MAX}] = ${x};
  ${welford} }`;
}

/**
 * Writes into `out` at `o` the block of the values of both `a` at `ai` and `b` at `bi` (Chan's parallel update
 * for mean and M2). `out` may be `a` or `b`.
 *
 * @example mergeMoments(out, 0, a, 0, b, 0);
 */
export function mergeMoments(
  out: Float64Array,
  o: number,
  a: Float64Array,
  ai: number,
  b: Float64Array,
  bi: number,
): void {
  const na = a[ai + N]!;
  const nb = b[bi + N]!;
  const n = na + nb;
  const d = b[bi + MEAN]! - a[ai + MEAN]!;
  const mean = n > 0 ? a[ai + MEAN]! + (d * nb) / n : 0;
  const m2 = n > 0 ? a[ai + M2]! + b[bi + M2]! + (d * d * na * nb) / n : 0;
  out[o + SUM] = a[ai + SUM]! + b[bi + SUM]!;
  out[o + MIN] = Math.min(a[ai + MIN]!, b[bi + MIN]!);
  out[o + MAX] = Math.max(a[ai + MAX]!, b[bi + MAX]!);
  out[o + N] = n;
  out[o + MEAN] = mean;
  out[o + M2] = m2;
}

/**
 * The sample variance (n − 1) from a count and a sum of squared deviations; NaN below two values.
 * @example sampleVariance(3, 2); // 1
 */
export function sampleVariance(n: number, m2: number): number {
  return n < 2 ? Number.NaN : Math.max(0, m2 / (n - 1));
}

/**
 * The aggregate `kind` of the block at `at`, or `empty` where there is none (a mean, min or max of no value, a
 * var or std of fewer than two): rows give null there, frames NaN (pandas).
 *
 * @example momentResult(S, 0, 'mean', null);
 */
export function momentResult<E>(S: Float64Array, at: number, kind: Aggregate, empty: E): number | E {
  const n = S[at + N]!;
  switch (kind) {
    case 'count':
      return n;
    case 'sum':
      return S[at + SUM]!;
    case 'mean':
      return n === 0 ? empty : S[at + SUM]! / n;
    case 'min':
      return n === 0 ? empty : S[at + MIN]!;
    case 'max':
      return n === 0 ? empty : S[at + MAX]!;
    default: {
      if (n < 2) return empty;
      const v = sampleVariance(n, S[at + M2]!);
      return kind === 'std' ? Math.sqrt(v) : v;
    }
  }
}
