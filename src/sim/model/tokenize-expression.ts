// The lexer of the model expression language: the text as numbers, names, quoted strings and operators, each with
// its offset, and the syntax error that names that offset.
import { TwinstreamError } from '../../errors.ts';

/** A token of an expression, with its offset in the text. @internal */
export interface Token {
  kind: 'num' | 'name' | 'str' | 'op' | 'end';
  text: string;
  value: unknown;
  at: number;
}

// Sticky: each match starts where the last ended (after blanks), so a character no token starts with stops it.
const TOKEN =
  /\s*(?:(\d+(?:\.\d*)?(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?)|([A-Za-z_][A-Za-z0-9_]*)|("(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')|(\/\/|<=|>=|==|!=|[-+*/%<>().,[\]]))/y;

/**
 * Splits an expression into tokens, ending with an `end` token at the text's length. A character that starts no
 * token throws `TS_SIM_BAD_EXPRESSION` naming its offset.
 *
 * @example
 * tokenizeExpression('attr.size > 2').map((t) => t.text); // ['attr', '.', 'size', '>', '2', 'the end']
 *
 * @internal
 */
export function tokenizeExpression(text: string): Token[] {
  const out: Token[] = [];
  TOKEN.lastIndex = 0;
  let at = 0;
  while (at < text.length) {
    if (/^\s*$/.test(text.slice(at))) break;
    TOKEN.lastIndex = at;
    const m = TOKEN.exec(text);
    if (m === null) {
      const pos = at + (text.slice(at).length - text.slice(at).trimStart().length);
      throw expressionSyntaxError(text, pos, `character ${JSON.stringify(text[pos])}`);
    }
    const start = m.index + m[0].length - m[0].trimStart().length;
    if (m[1] !== undefined) out.push({ kind: 'num', text: m[1], value: Number(m[1]), at: start });
    else if (m[2] !== undefined) out.push({ kind: 'name', text: m[2], value: m[2], at: start });
    else if (m[3] !== undefined) out.push({ kind: 'str', text: m[3], value: unquote(m[3]), at: start });
    else out.push({ kind: 'op', text: m[4]!, value: m[4], at: start });
    at = TOKEN.lastIndex;
  }
  out.push({ kind: 'end', text: 'the end', value: undefined, at: text.length });
  return out;
}

function unquote(s: string): string {
  return s.slice(1, -1).replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c === 't' ? '\t' : c));
}

/**
 * The `TS_SIM_BAD_EXPRESSION` error of a syntax error: the expression, the offset, what was found there and, when
 * known, what was expected.
 *
 * @example
 * throw expressionSyntaxError('1 +', 3, 'end of expression', 'a number, a string, a name or "("');
 *
 * @internal
 */
export function expressionSyntaxError(text: string, at: number, what: string, expected = ''): TwinstreamError {
  return new TwinstreamError(
    'TS_SIM_BAD_EXPRESSION',
    `expression ${JSON.stringify(text)} at offset ${at}: unexpected ${what}${expected ? `; expected ${expected}` : ''}`,
    { context: { expression: text, offset: at } },
  );
}

/** How a syntax error names a token. @internal */
export function describeToken(t: Token): string {
  return t.kind === 'end' ? 'end of expression' : `"${t.text}"`;
}
