import type { TwinstreamErrorCode } from './error-codes.ts';

export { ERROR_CODES, type TwinstreamErrorCode } from './error-codes.ts';

/**
 * The one error type of twinstream. Every error carries a stable `code` a program can branch on (one of
 * `ERROR_CODES`, documented in docs/errors.md with whether a retry can help), a message that says what was wrong,
 * where, and what is accepted, an optional `cause`, and optional context.
 *
 * @example
 * throw new TwinstreamError('TS_BAD_DURATION', 'duration "10x" is not a number of ms or a string like "250ms", "10s"');
 */
export class TwinstreamError extends Error {
  readonly code: TwinstreamErrorCode;
  readonly context: Record<string, unknown> | undefined;

  constructor(
    code: TwinstreamErrorCode,
    message: string,
    options?: { cause?: unknown; context?: Record<string, unknown> },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'TwinstreamError';
    this.code = code;
    this.context = options?.context;
  }
}

/** @internal Describes a value for an error message, short and without throwing. */
export function describe(value: unknown): string {
  if (typeof value === 'string')
    return value.length > 80 ? `${JSON.stringify(value.slice(0, 77))}...` : JSON.stringify(value);
  if (typeof value === 'bigint') return `${value}n`;
  if (value === null || (typeof value !== 'object' && typeof value !== 'function')) return String(value);
  // Outside values may be proxies, have throwing getters or `toJSON`, or no prototype: each step may throw.
  try {
    if (typeof value === 'function') return `function ${value.name || '(anonymous)'}`;
    const s = JSON.stringify(value);
    if (typeof s !== 'string') return Object.prototype.toString.call(value);
    return s.length > 80 ? `${s.slice(0, 77)}...` : s;
  } catch {
    try {
      return Object.prototype.toString.call(value);
    } catch {
      return 'an object that cannot be described';
    }
  }
}

/** Throws a `TS_BAD_ARGUMENT` error naming the argument, the value and what is accepted. */
export function badArgument(where: string, name: string, value: unknown, accepted: string): never {
  throw new TwinstreamError(
    'TS_BAD_ARGUMENT',
    `${where}: ${name} = ${describe(value)} is not valid; expected ${accepted}`,
    {
      context: { argument: name, value },
    },
  );
}

/** @internal Checks that `value` is a function; throws a `TS_BAD_ARGUMENT` error at construction otherwise. */
export function requireFunction(where: string, name: string, value: unknown): void {
  if (typeof value !== 'function') badArgument(where, name, value, 'a function');
}

/** @internal Checks that `value` is an integer >= `min`. */
export function requireInteger(where: string, name: string, value: unknown, min = 0): void {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min) {
    badArgument(where, name, value, `an integer >= ${min}`);
  }
}
