import { InvalidArgumentError } from 'commander';
import { toMillis } from '../time/duration.ts';

/** Where the program writes: stdout and stderr by default, buffers in tests. */
export interface CliOutput {
  out(line: string): void;
  err(line: string): void;
}

/**
 * A commander parser of a number at least (or above) `min`; anything else is refused with what is accepted.
 *
 * @example
 * new Option('--seed <n>').argParser(parseNumber('an integer', 1, false));
 * @internal
 */
export const parseNumber =
  (what: string, min: number, strictlyAbove: boolean) =>
  (value: string): number => {
    const n = Number(value);
    if (value.trim() === '' || !Number.isFinite(n) || (strictlyAbove ? n <= min : n < min)) {
      throw new InvalidArgumentError(`expected ${what} ${strictlyAbove ? '>' : '>='} ${min}, got "${value}"`);
    }
    return n;
  };

/**
 * Parses `--until`: seconds, or a duration string (the same strings as everywhere in twinstream), as seconds.
 *
 * @example
 * duration('1h'); // 3600
 * @internal
 */
export function duration(value: string): number {
  if (/^\s*\d+(\.\d+)?\s*[a-z]+\s*$/i.test(value)) {
    try {
      return toMillis(value, '--until') / 1000;
    } catch {
      // reported below, with what is accepted
    }
  }
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n <= 0) {
    throw new InvalidArgumentError(
      `expected a number of seconds > 0 or a duration such as 90s, 5m, 1h, got "${value}"`,
    );
  }
  return n;
}
