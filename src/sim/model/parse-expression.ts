// parseExpression: the Pratt parser of the model expression language. It compiles the text once into closures
// that read the scope they are given; nothing is ever evaluated as JavaScript.
import { TwinstreamError } from '../../errors.ts';
import type { Expression } from './expression.ts';
import { arithmetic, compare } from './expression-operators.ts';
import { type ExpressionNode, ExpressionParser, isOp } from './expression-parser.ts';
import { number, truthy } from './expression-values.ts';
import { parseExpressionName } from './parse-expression-name.ts';
import { describeToken, type Token, tokenizeExpression } from './tokenize-expression.ts';

/**
 * Parses an expression of a model (desflow's expression language, Python's syntax): numbers, strings, `True`/
 * `False`, `+ - * / // %`, comparisons (chained as in Python), `and`, `or`, `not`, `a if c else b`, and the names
 * `attr.<name>`, `payload.<field>`, `item.<field>`, `level.<holder>`, `users.<resource>`, `queue.<resource>`,
 * `putters.<holder>`, `getters.<holder>`, `count(<store>[, <condition on item.>])`, `items(<store>[, item.<field>])`
 * (with `in` / `not in`), `signal.<name>.count|ok|value`, `wait.<branch>.done|ok|value[.<field>]`,
 * `process.name|instance`, `registry["<path>"]` and `t` (the simulated time).
 * A Pratt parser compiles it into closures once; nothing is ever evaluated as JavaScript. A syntax error throws
 * `TS_SIM_BAD_EXPRESSION` naming the offset and what was expected.
 *
 * @example
 * import { parseExpression } from 'twinstream/sim';
 * const e = parseExpression('attr.size > 2 and payload.kind == "rush"');
 * e.references.attr; // Set { 'size' }
 */
export function parseExpression(text: string): Expression {
  if (typeof text !== 'string' || text.trim() === '') {
    throw new TwinstreamError('TS_SIM_BAD_EXPRESSION', `an expression must be non-empty text, got ${String(text)}`);
  }
  // Bounds that no model needs to exceed keep a hostile file from exhausting the stack.
  if (text.length > 10_000) {
    throw new TwinstreamError(
      'TS_SIM_BAD_EXPRESSION',
      `an expression of ${text.length} characters; expected at most 10000`,
    );
  }
  const p = new ExpressionParser(text, tokenizeExpression(text));

  // Binding powers, low to high: if-else 1, or 2, and 3, not 4, comparisons 5, + - 6, * / // % 7, unary 8.
  const expression = (minBp: number): ExpressionNode => {
    if (++p.depth > 200) throw p.fail(p.peek().at, 'nesting deeper than 200 levels');
    try {
      return infix(minBp);
    } finally {
      p.depth--;
    }
  };
  const infix = (minBp: number): ExpressionNode => {
    let left = prefix();
    for (;;) {
      const t = p.peek();
      if (t.kind === 'end') return left;
      if (isOp(t, 'if') && minBp <= 1) {
        p.next();
        const cond = expression(2);
        p.expect('else');
        const other = expression(1);
        const then = left;
        left = (s) => (truthy(cond(s)) ? then(s) : other(s));
        continue;
      }
      if (isOp(t, 'or') && minBp <= 2) {
        p.next();
        const a = left;
        const b = expression(3);
        left = (s) => {
          const v = a(s);
          return truthy(v) ? v : b(s);
        };
        continue;
      }
      if (isOp(t, 'and') && minBp <= 3) {
        p.next();
        const a = left;
        const b = expression(4);
        left = (s) => {
          const v = a(s);
          return truthy(v) ? b(s) : v;
        };
        continue;
      }
      if (minBp <= 5 && comparison(t)) {
        left = chain(left);
        continue;
      }
      if ((isOp(t, '+') || isOp(t, '-')) && minBp <= 6) {
        p.next();
        left = arithmetic(t.text, left, expression(7), text, t.at);
        continue;
      }
      if ((isOp(t, '*') || isOp(t, '/') || isOp(t, '//') || isOp(t, '%')) && minBp <= 7) {
        p.next();
        left = arithmetic(t.text, left, expression(8), text, t.at);
        continue;
      }
      return left;
    }
  };

  const comparison = (t: Token) =>
    t.kind === 'op'
      ? ['<', '<=', '>', '>=', '==', '!='].includes(t.text)
      : t.text === 'in' || (t.text === 'not' && isOp(p.tokens[p.i + 1]!, 'in'));

  // Python's chained comparisons: a < b < c is a < b and b < c, each operand evaluated once.
  const chain = (first: ExpressionNode): ExpressionNode => {
    const ops: string[] = [];
    const operands: ExpressionNode[] = [first];
    while (comparison(p.peek())) {
      let op = p.next().text;
      if (op === 'not') {
        p.next();
        op = 'not in';
      }
      ops.push(op);
      operands.push(expression(6));
    }
    if (ops.length === 1) {
      const [a, b] = operands as [ExpressionNode, ExpressionNode];
      const cmp = compare(ops[0]!);
      return (s) => cmp(a(s), b(s));
    }
    const cmps = ops.map(compare);
    return (s) => {
      let left = operands[0]!(s);
      for (let k = 0; k < cmps.length; k++) {
        const right = operands[k + 1]!(s);
        if (!cmps[k]!(left, right)) return false;
        left = right;
      }
      return true;
    };
  };

  // Literals, parentheses and unary operators here; names (and what follows them) in parseExpressionName.
  const prefix = (): ExpressionNode => {
    const t = p.next();
    if (t.kind === 'num' || t.kind === 'str') {
      const v = t.value;
      return () => v;
    }
    if (isOp(t, '(')) {
      const inner = expression(0);
      p.expect(')');
      return inner;
    }
    if (isOp(t, '-') || isOp(t, '+')) {
      const operand = expression(8);
      if (t.text === '+') return operand;
      return (s) => -number(operand(s), text, '-');
    }
    if (isOp(t, 'not')) {
      const operand = expression(4);
      return (s) => !truthy(operand(s));
    }
    if (t.kind !== 'name') throw p.fail(t.at, describeToken(t), 'a number, a string, a name or "("');
    return parseExpressionName(p, t, expression);
  };

  const root = expression(0);
  const end = p.peek();
  if (end.kind !== 'end') throw p.fail(end.at, describeToken(end), 'an operator or the end');
  return { text, references: p.refs, evaluate: root };
}
