import { TwinstreamError } from '../../errors.ts';
import type { ExpressionScope } from './expression.ts';
import type { Amount } from './task-plan.ts';

/**
 * A task's amount (a priority, a patience, a get or put amount): the number itself, or its expression evaluated in
 * the entity's scope, which must give a finite number.
 *
 * @internal
 */
export function evaluateAmount(a: Amount, scope: ExpressionScope, what: string): number {
  if (typeof a === 'number') return a;
  const v = a.evaluate(scope);
  if (typeof v !== 'number' || !Number.isFinite(v)) {
    throw new TwinstreamError(
      'TS_SIM_BAD_EXPRESSION',
      `${what} ${JSON.stringify(a.text)} gave ${JSON.stringify(v)}; expected a finite number`,
    );
  }
  return v;
}
