// Numbers as a checkpoint writes them: JSON has no Infinity or NaN, and running states hold them (the min of
// nothing is +Infinity, a missing value is NaN), so those three go as strings and come back as numbers.

/**
 * @internal The numbers of `a` as JSON values: finite numbers as they are, `Infinity`, `-Infinity` and `NaN` as
 * those strings.
 * @example toJsonNumbers(new Float64Array([1, Infinity])); // [1, 'Infinity']
 */
export function toJsonNumbers(a: ArrayLike<number>): (number | string)[] {
  const out: (number | string)[] = new Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = toJsonNumber(a[i]!);
  return out;
}

/** @internal One number as a JSON value (see {@link toJsonNumbers}). @example toJsonNumber(NaN); // 'NaN' */
export function toJsonNumber(x: number): number | string {
  return Number.isFinite(x) ? x : String(x);
}

/** @internal A number back from {@link toJsonNumber}. @example fromJsonNumber('-Infinity'); // -Infinity */
export function fromJsonNumber(v: unknown): number {
  return typeof v === 'number' ? v : Number(v);
}

/**
 * @internal The numbers back from {@link toJsonNumbers}, into a new Float64Array.
 * @example fromJsonNumbers([1, 'Infinity']); // Float64Array [1, Infinity]
 */
export function fromJsonNumbers(v: unknown): Float64Array<ArrayBuffer> {
  const a = Array.isArray(v) ? v : [];
  const out = new Float64Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = fromJsonNumber(a[i]);
  return out;
}
