import { describe, TwinstreamError } from '../errors.ts';

/** A duration: milliseconds as a number, or a string such as `'250ms'`, `'10s'`, `'5m'`, `'2h'`, `'1d'`. */
export type Duration = number | `${number}${DurationUnit}` | string;
export type DurationUnit = 'ms' | 's' | 'm' | 'h' | 'd';

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const PATTERN = /^\s*(\d+(?:\.\d+)?|\.\d+)\s*(ms|s|m|h|d)\s*$/;

/**
 * Converts a duration to milliseconds. Throws `TS_BAD_DURATION`, naming `name` and the value, for anything else.
 *
 * @example
 * toMillis('10s'); // 10000
 * toMillis(250);   // 250
 */
export function toMillis(duration: Duration, name = 'duration'): number {
  if (typeof duration === 'number') {
    if (Number.isFinite(duration) && duration >= 0) return duration;
  } else if (typeof duration === 'string') {
    const m = PATTERN.exec(duration);
    if (m) {
      // '1' followed by 400 zeros matches the pattern and is Infinity as a number.
      const ms = Number(m[1]) * UNIT_MS[m[2]!]!;
      if (Number.isFinite(ms)) return ms;
    }
  }
  throw new TwinstreamError(
    'TS_BAD_DURATION',
    `${name} = ${describe(duration)} is not a duration; expected milliseconds as a finite number >= 0, or a string like '250ms', '10s', '5m', '2h', '1d'`,
    { context: { argument: name, value: duration } },
  );
}
