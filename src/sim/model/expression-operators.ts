// The binary operators of the expression language, as Python evaluates them: arithmetic (`+` also joins strings,
// `//` floors, `%` takes the divisor's sign) and comparisons (`==` counts True as 1, `in` looks into lists).
import type { ExpressionNode } from './expression-parser.ts';
import { divisor, number } from './expression-values.ts';
import { expressionSyntaxError } from './tokenize-expression.ts';

/**
 * The node of `a <op> b` for an arithmetic operator of `text` (`op` found at offset `at`).
 *
 * @example
 * const sum = arithmetic('+', () => 1, () => 2, '1 + 2', 2);
 *
 * @internal
 */
export function arithmetic(op: string, a: ExpressionNode, b: ExpressionNode, text: string, at: number): ExpressionNode {
  switch (op) {
    case '+':
      return (s) => {
        const x = a(s);
        const y = b(s);
        if (typeof x === 'string' && typeof y === 'string') return x + y;
        return number(x, text, '+') + number(y, text, '+');
      };
    case '-':
      return (s) => number(a(s), text, '-') - number(b(s), text, '-');
    case '*':
      return (s) => number(a(s), text, '*') * number(b(s), text, '*');
    case '/':
      return (s) => number(a(s), text, '/') / divisor(b(s), text);
    case '//':
      return (s) => Math.floor(number(a(s), text, '//') / divisor(b(s), text));
    case '%':
      return (s) => {
        const x = number(a(s), text, '%');
        const y = divisor(b(s), text);
        return x - y * Math.floor(x / y); // Python's modulo takes the divisor's sign
      };
    default:
      throw expressionSyntaxError(text, at, `operator ${op}`);
  }
}

function equal(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a === 'boolean' && typeof b === 'number') return (a ? 1 : 0) === b;
  if (typeof b === 'boolean' && typeof a === 'number') return (b ? 1 : 0) === a;
  return false;
}

/**
 * The test of a comparison operator (`==`, `!=`, `in`, `not in`, `<`, `<=`, `>`, `>=`).
 *
 * @example
 * compare('in')(2, [1, 2]); // true
 *
 * @internal
 */
export function compare(op: string): (a: unknown, b: unknown) => boolean {
  switch (op) {
    case '==':
      return equal;
    case '!=':
      return (a, b) => !equal(a, b);
    case 'in':
      return (a, b) => Array.isArray(b) && b.some((x) => equal(a, x));
    case 'not in':
      return (a, b) => Array.isArray(b) && !b.some((x) => equal(a, x));
    case '<':
      return (a, b) => (a as number) < (b as number);
    case '<=':
      return (a, b) => (a as number) <= (b as number);
    case '>':
      return (a, b) => (a as number) > (b as number);
    default:
      return (a, b) => (a as number) >= (b as number);
  }
}
