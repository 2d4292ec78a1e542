/**
 * Erlang C: the probability that an arrival waits in an M/M/c queue with offered load `a` = λ/μ Erlangs and `c`
 * servers (1 when a ≥ c: the queue grows without bound). Computed through Erlang B's recursion, which stays
 * accurate for hundreds of servers where the textbook sums overflow.
 *
 * @example
 * erlangC(1, 0.5); // 0.5 (M/M/1: an arrival waits with probability ρ)
 */
export function erlangC(c: number, a: number): number {
  if (a >= c) return 1;
  let b = 1;
  for (let k = 1; k <= c; k++) b = (a * b) / (k + a * b);
  return (c * b) / (c - a * (1 - b));
}

/**
 * The mean wait in queue of an M/M/c queue: C(c, λ/μ) / (cμ − λ), from Erlang C; Infinity when λ ≥ cμ.
 *
 * @example
 * mmcWait(0.5, 1, 1); // 1 (M/M/1: ρ / (μ − λ))
 */
export function mmcWait(lambda: number, mu: number, c: number): number {
  if (lambda >= c * mu) return Number.POSITIVE_INFINITY;
  return erlangC(c, lambda / mu) / (c * mu - lambda);
}

/**
 * The mean wait in queue of a G/G/c queue by Kingman's approximation in its many-server form (Allen–Cunneen):
 * the M/M/c wait scaled by (ca² + cs²) / 2, the squared coefficients of variation of the gaps between arrivals
 * and of the service times. Exact for M/M/c; for c = 1 it is Kingman's formula ρ/(1 − ρ) · (ca² + cs²)/2 · E[S].
 *
 * @example
 * kingmanWait(0.5, 1, 1, 1, 0); // 0.5 (M/D/1: half the M/M/1 wait)
 */
export function kingmanWait(lambda: number, mu: number, c: number, ca2: number, cs2: number): number {
  return ((ca2 + cs2) / 2) * mmcWait(lambda, mu, c);
}

/**
 * The squared coefficient of variation of the departures of a G/G/c station (Whitt's linking equation), which is
 * the arrival variability of the next station in a flow.
 *
 * @example
 * departureScv(0.8, 1, 1, 1); // 1 (an M/M/1 queue sends out a Poisson stream)
 */
export function departureScv(rho: number, c: number, ca2: number, cs2: number): number {
  const r = Math.min(rho, 1);
  return 1 + (1 - r * r) * (ca2 - 1) + ((r * r) / Math.sqrt(c)) * (cs2 - 1);
}
