import { TwinstreamError } from '../../errors.ts';

/**
 * What an expression's names read while a model runs. `attr` and `payload` are the entity's; the rest is the
 * model's state, looked up by name (the names were checked when the model was validated).
 */
export interface ExpressionScope {
  /** The entity's attributes (`attr.<name>`). */
  attr: Record<string, unknown>;
  /** The payload handed from the task before, or the replayed row (`payload.<field>`). */
  payload: Record<string, unknown>;
  /** The item a store get took, or a filter's candidate (`item.<field>`). */
  item: unknown;
  /** The model's state: levels, resources, stores, signals, the registry and the time. */
  world: ExpressionWorld;
  /** The task's wait branches, once its wait ended (`wait.<branch>.done`, `.ok`, `.value`). */
  waits?: Record<string, WaitBranchOutcome>;
  /** The running task (`process.name`, `process.instance`). */
  process?: { name: string; instance: string };
}

/** What a wait branch did, for `wait.<branch>.done`, `.ok` and `.value`. */
export interface WaitBranchOutcome {
  done: boolean;
  ok: boolean;
  value: unknown;
}

/** The model state expressions read, by name. */
export interface ExpressionWorld {
  now(): number;
  level(name: string): number;
  users(name: string): number;
  queue(name: string): number;
  putters(name: string): number;
  getters(name: string): number;
  storeItems(name: string): readonly unknown[];
  signal(name: string, part: 'count' | 'ok' | 'value'): unknown;
  registry(path: string): unknown;
}

/** The names an expression reads, by source, so a model's validation can check each exists. */
export interface ExpressionReferences {
  attr: Set<string>;
  payload: Set<string>;
  /** Containers and stores read by `level.`, `putters.`, `getters.`. */
  holders: Set<string>;
  /** Resources read by `users.` and `queue.`. */
  resources: Set<string>;
  /** Stores read by `count()` and `items()`. */
  stores: Set<string>;
  signals: Set<string>;
  /** Wait branches read by `wait.<branch>.`. */
  waits: Set<string>;
  registry: Set<string>;
  /** Whether it reads `item.` outside `count()`/`items()` (a store get's item, or a filter's candidate). */
  item: boolean;
}

/** A parsed expression: its text, what it reads, and `evaluate(scope)`. */
export interface Expression {
  readonly text: string;
  readonly references: ExpressionReferences;
  evaluate(scope: ExpressionScope): unknown;
}

type Node = (s: ExpressionScope) => unknown;

const SOURCES = new Set(['attr', 'payload', 'item', 'level', 'users', 'queue', 'putters', 'getters']);
const KEYWORDS = new Set(['and', 'or', 'not', 'in', 'if', 'else', 'True', 'False', 'true', 'false', 'None']);
const TOKEN =
  /\s*(?:(\d+(?:\.\d*)?(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?)|([A-Za-z_][A-Za-z0-9_]*)|("(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')|(\/\/|<=|>=|==|!=|[-+*/%<>().,[\]]))/y;

interface Token {
  kind: 'num' | 'name' | 'str' | 'op' | 'end';
  text: string;
  value: unknown;
  at: number;
}

function tokenize(text: string): Token[] {
  const out: Token[] = [];
  TOKEN.lastIndex = 0;
  let at = 0;
  while (at < text.length) {
    if (/^\s*$/.test(text.slice(at))) break;
    TOKEN.lastIndex = at;
    const m = TOKEN.exec(text);
    if (m === null) {
      const pos = at + (text.slice(at).length - text.slice(at).trimStart().length);
      throw bad(text, pos, `character ${JSON.stringify(text[pos])}`);
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

function bad(text: string, at: number, what: string, expected = ''): TwinstreamError {
  return new TwinstreamError(
    'TS_SIM_BAD_EXPRESSION',
    `expression ${JSON.stringify(text)} at offset ${at}: unexpected ${what}${expected ? `; expected ${expected}` : ''}`,
    { context: { expression: text, offset: at } },
  );
}

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
  const tokens = tokenize(text);
  let depth = 0;
  const refs: ExpressionReferences = {
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
  let i = 0;
  let inCall = false;
  const peek = () => tokens[i]!;
  const next = () => tokens[i++]!;
  const isOp = (t: Token, op: string) => (t.kind === 'op' || t.kind === 'name') && t.text === op;
  const expect = (op: string) => {
    const t = next();
    if (!isOp(t, op)) throw bad(text, t.at, describeToken(t), `"${op}"`);
  };
  const ident = (): string => {
    const t = next();
    if (t.kind !== 'name' || KEYWORDS.has(t.text)) throw bad(text, t.at, describeToken(t), 'a name');
    if (t.text.startsWith('__')) throw bad(text, t.at, `name "${t.text}"`, 'a name not starting with __');
    return t.text;
  };

  // Binding powers, low to high: if-else 1, or 2, and 3, not 4, comparisons 5, + - 6, * / // % 7, unary 8.
  const expression = (minBp: number): Node => {
    if (++depth > 200) throw bad(text, peek().at, 'nesting deeper than 200 levels');
    try {
      return infix(minBp);
    } finally {
      depth--;
    }
  };
  const infix = (minBp: number): Node => {
    let left = prefix();
    for (;;) {
      const t = peek();
      if (t.kind === 'end') return left;
      if (isOp(t, 'if') && minBp <= 1) {
        next();
        const cond = expression(2);
        expect('else');
        const other = expression(1);
        const then = left;
        left = (s) => (truthy(cond(s)) ? then(s) : other(s));
        continue;
      }
      if (isOp(t, 'or') && minBp <= 2) {
        next();
        const a = left;
        const b = expression(3);
        left = (s) => {
          const v = a(s);
          return truthy(v) ? v : b(s);
        };
        continue;
      }
      if (isOp(t, 'and') && minBp <= 3) {
        next();
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
        next();
        left = arithmetic(t.text, left, expression(7), t.at);
        continue;
      }
      if ((isOp(t, '*') || isOp(t, '/') || isOp(t, '//') || isOp(t, '%')) && minBp <= 7) {
        next();
        left = arithmetic(t.text, left, expression(8), t.at);
        continue;
      }
      return left;
    }
  };

  const comparison = (t: Token) =>
    t.kind === 'op'
      ? ['<', '<=', '>', '>=', '==', '!='].includes(t.text)
      : t.text === 'in' || (t.text === 'not' && isOp(tokens[i + 1]!, 'in'));

  // Python's chained comparisons: a < b < c is a < b and b < c, each operand evaluated once.
  const chain = (first: Node): Node => {
    const ops: string[] = [];
    const operands: Node[] = [first];
    while (comparison(peek())) {
      let op = next().text;
      if (op === 'not') {
        next();
        op = 'not in';
      }
      ops.push(op);
      operands.push(expression(6));
    }
    if (ops.length === 1) {
      const [a, b] = operands as [Node, Node];
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

  const prefix = (): Node => {
    const t = next();
    if (t.kind === 'num') {
      const v = t.value;
      return () => v;
    }
    if (t.kind === 'str') {
      const v = t.value;
      return () => v;
    }
    if (isOp(t, '(')) {
      const inner = expression(0);
      expect(')');
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
    if (t.kind !== 'name') throw bad(text, t.at, describeToken(t), 'a number, a string, a name or "("');
    switch (t.text) {
      case 'True':
      case 'true':
        return () => true;
      case 'False':
      case 'false':
        return () => false;
      case 'None':
        return () => null;
      case 't':
        return (s) => s.world.now();
      case 'count':
      case 'items':
        return call(t);
      case 'registry': {
        expect('[');
        const p = next();
        if (p.kind !== 'str') throw bad(text, p.at, describeToken(p), 'a quoted registry path');
        expect(']');
        const path = p.value as string;
        refs.registry.add(path);
        return (s) => s.world.registry(path);
      }
      case 'signal': {
        expect('.');
        const name = ident();
        expect('.');
        const partTok = peek();
        const part = ident();
        if (part !== 'count' && part !== 'ok' && part !== 'value') {
          throw bad(text, partTok.at, `"signal.${name}.${part}"`, 'signal.<name>.count, .ok or .value');
        }
        refs.signals.add(name);
        return (s) => s.world.signal(name, part);
      }
      case 'wait': {
        expect('.');
        const branch = ident();
        expect('.');
        const partTok = peek();
        const part = ident();
        if (part !== 'done' && part !== 'ok' && part !== 'value') {
          throw bad(text, partTok.at, `"wait.${branch}.${part}"`, 'wait.<branch>.done, .ok or .value');
        }
        let fieldName: string | null = null;
        if (part === 'value' && isOp(peek(), '.')) {
          next();
          fieldName = ident();
        }
        refs.waits.add(branch);
        return (s) => {
          const w = s.waits?.[branch];
          if (w === undefined) {
            throw new TwinstreamError(
              'TS_SIM_BAD_EXPRESSION',
              `cannot evaluate ${JSON.stringify(text)}: the task has no wait branch "${branch}" (or its wait has not ended)`,
              { context: { expression: text, name: branch } },
            );
          }
          const v = w[part];
          return fieldName === null
            ? v
            : field(v as Record<string, unknown>, fieldName, 'the value has no field', text);
        };
      }
      case 'process': {
        expect('.');
        const partTok = peek();
        const part = ident();
        if (part !== 'name' && part !== 'instance') {
          throw bad(text, partTok.at, `"process.${part}"`, 'process.name or process.instance');
        }
        return (s) => s.process?.[part] ?? null;
      }
    }
    if (!SOURCES.has(t.text)) {
      throw bad(
        text,
        t.at,
        `name "${t.text}"`,
        'attr.<name>, payload.<field>, item.<field>, level.<name>, users.<name>, queue.<name>, putters.<name>, getters.<name>, count(<store>), items(<store>), signal.<name>.<part>, wait.<branch>.<part>, process.<part>, registry["<path>"] or t',
      );
    }
    expect('.');
    const name = ident();
    return source(t.text, name);
  };

  const source = (src: string, name: string): Node => {
    switch (src) {
      case 'attr':
        refs.attr.add(name);
        return (s) => field(s.attr, name, 'the entity has no attribute', text);
      case 'payload':
        refs.payload.add(name);
        return (s) => field(s.payload, name, 'the payload has no field', text);
      case 'item':
        if (!inCall) refs.item = true;
        return (s) => field(s.item as Record<string, unknown>, name, 'the item has no field', text);
      case 'level':
        refs.holders.add(name);
        return (s) => s.world.level(name);
      case 'putters':
        refs.holders.add(name);
        return (s) => s.world.putters(name);
      case 'getters':
        refs.holders.add(name);
        return (s) => s.world.getters(name);
      case 'users':
        refs.resources.add(name);
        return (s) => s.world.users(name);
      default:
        refs.resources.add(name);
        return (s) => s.world.queue(name);
    }
  };

  const call = (t: Token): Node => {
    if (inCall) throw bad(text, t.at, `${t.text}() inside count() or items()`);
    expect('(');
    const store = ident();
    refs.stores.add(store);
    let arg: Node | null = null;
    if (isOp(peek(), ',')) {
      next();
      inCall = true;
      const at = peek().at;
      arg = expression(0);
      inCall = false;
      if (t.text === 'items' && !/^\s*item\.[A-Za-z_][A-Za-z0-9_]*\s*$/.test(text.slice(at, peek().at))) {
        throw bad(text, at, 'an argument', 'items(<store>, item.<field>)');
      }
    }
    expect(')');
    if (t.text === 'count') {
      if (arg === null) return (s) => s.world.storeItems(store).length;
      const cond = arg;
      return (s) => {
        let n = 0;
        const inner: ExpressionScope = { attr: s.attr, payload: s.payload, item: undefined, world: s.world };
        for (const it of s.world.storeItems(store)) {
          inner.item = it;
          if (truthy(cond(inner))) n++;
        }
        return n;
      };
    }
    if (arg === null) return (s) => s.world.storeItems(store);
    const pick = arg;
    return (s) => {
      const inner: ExpressionScope = { attr: s.attr, payload: s.payload, item: undefined, world: s.world };
      return s.world.storeItems(store).map((it) => {
        inner.item = it;
        return pick(inner);
      });
    };
  };

  const arithmetic = (op: string, a: Node, b: Node, at: number): Node => {
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
        throw bad(text, at, `operator ${op}`);
    }
  };

  const root = expression(0);
  const end = peek();
  if (end.kind !== 'end') throw bad(text, end.at, describeToken(end), 'an operator or the end');
  return { text, references: refs, evaluate: root };
}

function describeToken(t: Token): string {
  return t.kind === 'end' ? 'end of expression' : `"${t.text}"`;
}

/** Python's truth: 0, '', null, false and empty lists are false. */
export function truthy(v: unknown): boolean {
  if (Array.isArray(v)) return v.length > 0;
  return Boolean(v);
}

function field(obj: Record<string, unknown> | null | undefined, name: string, what: string, text: string): unknown {
  if (obj === null || typeof obj !== 'object' || !Object.hasOwn(obj, name)) {
    throw new TwinstreamError('TS_SIM_BAD_EXPRESSION', `cannot evaluate ${JSON.stringify(text)}: ${what} "${name}"`, {
      context: { expression: text, name },
    });
  }
  return obj[name];
}

function number(v: unknown, text: string, op: string): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'boolean') return v ? 1 : 0;
  throw new TwinstreamError(
    'TS_SIM_BAD_EXPRESSION',
    `cannot evaluate ${JSON.stringify(text)}: ${op} needs numbers, got ${JSON.stringify(v)}`,
    { context: { expression: text } },
  );
}

function divisor(v: unknown, text: string): number {
  const d = number(v, text, '/');
  if (d === 0) {
    throw new TwinstreamError('TS_SIM_BAD_EXPRESSION', `cannot evaluate ${JSON.stringify(text)}: division by zero`, {
      context: { expression: text },
    });
  }
  return d;
}

function equal(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a === 'boolean' && typeof b === 'number') return (a ? 1 : 0) === b;
  if (typeof b === 'boolean' && typeof a === 'number') return (b ? 1 : 0) === a;
  return false;
}

function compare(op: string): (a: unknown, b: unknown) => boolean {
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
