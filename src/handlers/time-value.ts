/**
 * Reads a time: a number as it is, a numeric string, or an ISO 8601 date-time (or a `Date`), which becomes seconds
 * since the Unix epoch (`unit: 's'`, CoFmuPy's and FMI's unit) or milliseconds (`unit: 'ms'`, twinstream's
 * timestamps). NaN when it is none of these.
 *
 * @example
 * timeValue('1.5', 's');                  // 1.5
 * timeValue('1970-01-01T00:01:00Z', 's'); // 60
 */
export function timeValue(value: unknown, unit: 's' | 'ms'): number {
  if (typeof value === 'number') return Number.isFinite(value) ? value : Number.NaN;
  if (typeof value === 'bigint') return Number(value);
  if (value instanceof Date) return unit === 's' ? value.getTime() / 1000 : value.getTime();
  if (typeof value !== 'string' || value.trim() === '') return Number.NaN;
  const n = Number(value);
  if (Number.isFinite(n)) return n;
  // An ISO date-time needs at least a date with its dashes: Date.parse alone accepts too much ("1", "May 5").
  if (!/^\d{4}-\d{2}-\d{2}/.test(value)) return Number.NaN;
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) return Number.NaN;
  return unit === 's' ? ms / 1000 : ms;
}
