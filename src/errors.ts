/**
 * The one error type of twinstream. Every error carries a stable `code` a program can branch on, a message that
 * says what was wrong, where, and what is accepted, an optional `cause`, and optional context.
 *
 * @example
 * throw new TwinstreamError('TS_BAD_DURATION', 'duration "10x" is not a number of ms or a string like "250ms", "10s"');
 */
export class TwinstreamError extends Error {
  readonly code: string;
  readonly context: Record<string, unknown> | undefined;

  constructor(code: string, message: string, options?: { cause?: unknown; context?: Record<string, unknown> }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'TwinstreamError';
    this.code = code;
    this.context = options?.context;
  }
}

/** @internal Describes a value for an error message, short and without throwing. */
export function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'function') return `function ${value.name || '(anonymous)'}`;
  if (typeof value === 'bigint') return `${value}n`;
  if (value === null || typeof value !== 'object') return String(value);
  try {
    const s = JSON.stringify(value);
    return s.length > 80 ? `${s.slice(0, 77)}...` : s;
  } catch {
    return Object.prototype.toString.call(value);
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
