// The state of one parse of an expression: the tokens and where it is in them, the names the expression reads, and
// the bounds that keep a hostile text from exhausting the stack.
import type { ExpressionReferences, ExpressionScope } from './expression.ts';
import { describeToken, expressionSyntaxError, type Token } from './tokenize-expression.ts';

/** A parsed expression, compiled into a closure over what it reads. @internal */
export type ExpressionNode = (s: ExpressionScope) => unknown;

const KEYWORDS = new Set(['and', 'or', 'not', 'in', 'if', 'else', 'True', 'False', 'true', 'false', 'None']);

/** The token is the operator or keyword `op`. @internal */
export function isOp(t: Token, op: string): boolean {
  return (t.kind === 'op' || t.kind === 'name') && t.text === op;
}

/**
 * A cursor over an expression's tokens that records the names it reads. The parsing functions share it: the
 * operators (parseExpression), the names (parseExpressionName) and the store calls (parseStoreCall).
 *
 * @example
 * const p = new ExpressionParser('attr.size', tokenizeExpression('attr.size'));
 * p.next().text; // 'attr'
 *
 * @internal
 */
export class ExpressionParser {
  readonly text: string;
  readonly tokens: Token[];
  /** The next token's index. */
  i = 0;
  /** How deeply operands nest (at most 200). */
  depth = 0;
  /** Inside the condition or field of `count()` / `items()`, where `item.` is the store's item. */
  inCall = false;
  readonly refs: ExpressionReferences = {
    attr: new Set(),
    payload: new Set(),
    holders: new Set(),
    resources: new Set(),
    stores: new Set(),
    signals: new Set(),
    waits: new Set(),
    registry: new Set(),
    item: false,
  };

  constructor(text: string, tokens: Token[]) {
    this.text = text;
    this.tokens = tokens;
  }

  peek(): Token {
    return this.tokens[this.i]!;
  }

  next(): Token {
    return this.tokens[this.i++]!;
  }

  /** Takes the operator or keyword `op`, or throws naming what is there. */
  expect(op: string): void {
    const t = this.next();
    if (!isOp(t, op)) throw this.fail(t.at, describeToken(t), `"${op}"`);
  }

  /** Takes a name that is no keyword and does not start with `__`. */
  ident(): string {
    const t = this.next();
    if (t.kind !== 'name' || KEYWORDS.has(t.text)) throw this.fail(t.at, describeToken(t), 'a name');
    if (t.text.startsWith('__')) throw this.fail(t.at, `name "${t.text}"`, 'a name not starting with __');
    return t.text;
  }

  /** The syntax error at offset `at`. */
  fail(at: number, what: string, expected = '') {
    return expressionSyntaxError(this.text, at, what, expected);
  }
}
