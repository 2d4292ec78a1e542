// How a running expression reads values, as Python does: truth, numbers (booleans count as 0 and 1), fields, and
// the errors that say which expression could not be evaluated and why.
import { TwinstreamError } from '../../errors.ts';

/**
 * Python's truth: 0, '', null, false and empty lists are false.
 *
 * @example
 * truthy([]); // false
 * truthy('no'); // true
 */
export function truthy(v: unknown): boolean {
  if (Array.isArray(v)) return v.length > 0;
  return Boolean(v);
}

/** The field `name` of `obj`, an own property; else `what` names the miss in the error of `text`. @internal */
export function field(
  obj: Record<string, unknown> | null | undefined,
  name: string,
  what: string,
  text: string,
): unknown {
  if (obj === null || typeof obj !== 'object' || !Object.hasOwn(obj, name)) {
    throw new TwinstreamError('TS_SIM_BAD_EXPRESSION', `cannot evaluate ${JSON.stringify(text)}: ${what} "${name}"`, {
      context: { expression: text, name },
    });
  }
  return obj[name];
}

/** `v` as an operand of the arithmetic operator `op` in `text`: a number, or a boolean as 0 or 1. @internal */
export function number(v: unknown, text: string, op: string): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'boolean') return v ? 1 : 0;
  throw new TwinstreamError(
    'TS_SIM_BAD_EXPRESSION',
    `cannot evaluate ${JSON.stringify(text)}: ${op} needs numbers, got ${JSON.stringify(v)}`,
    { context: { expression: text } },
  );
}

/** `v` as a divisor in `text`: a number other than 0. @internal */
export function divisor(v: unknown, text: string): number {
  const d = number(v, text, '/');
  if (d === 0) {
    throw new TwinstreamError('TS_SIM_BAD_EXPRESSION', `cannot evaluate ${JSON.stringify(text)}: division by zero`, {
      context: { expression: text },
    });
  }
  return d;
}
