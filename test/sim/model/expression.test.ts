// The model expression language: Python's syntax and truth, parsed by a Pratt parser into closures; never run as
// JavaScript. Each case is worked by hand (Python gives the same values).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { TwinstreamError } from '../../../src/index.ts';
import { type ExpressionScope, parseExpression } from '../../../src/sim/model/index.ts';
import { fuzzParameters } from '../../support/fuzz.ts';

const parcels = [
  { area: 'north', sku: 'a' },
  { area: 'south', sku: 'b' },
  { area: 'north', sku: 'c' },
];
const scope: ExpressionScope = {
  attr: { size: 3, kind: 'rush', done: false },
  payload: { total: 10 },
  item: undefined,
  world: {
    now: () => 12,
    level: (n) => (n === 'tank' ? 5 : 0),
    users: () => 1,
    queue: (n) => (n === 'lathe' ? 3 : 0),
    putters: () => 0,
    getters: () => 2,
    storeItems: () => parcels,
    signal: (_n, part) => (part === 'count' ? 2 : true),
    registry: (path) => (path === 'Shop.arrival.orders.rate' ? 0.5 : undefined),
  },
};
const value = (text: string) => parseExpression(text).evaluate(scope);

test('arithmetic, comparisons (chained), boolean operators and the conditional follow Python', () => {
  assert.equal(value('payload.total // 3 + -1'), 2);
  assert.equal(value('-7 % 3'), 2); // the divisor's sign, as Python
  assert.equal(value('7 / 2'), 3.5);
  assert.equal(value('(1 + 2) * 3 - 4'), 5);
  assert.equal(value('1 < attr.size <= 3'), true);
  assert.equal(value('1 < attr.size < 3'), false);
  assert.equal(value('attr.size > 2 and attr.kind == "rush"'), true);
  assert.equal(value("attr.kind != 'rush' or attr.done"), false);
  assert.equal(value('0 or 7'), 7); // `or` gives an operand, as Python's
  assert.equal(value('not attr.done'), true);
  assert.equal(value('1 if level.tank > 4 else 2'), 1);
  assert.equal(value('True and not False'), true);
});

test('names read the entity, the payload, the model state, signals, the registry and the time', () => {
  assert.equal(value('t * 2'), 24);
  assert.equal(value('queue.lathe + users.lathe'), 4);
  assert.equal(value('getters.tank'), 2);
  assert.equal(value('count(parcels)'), 3);
  assert.equal(value('count(parcels, item.area == "north")'), 2);
  assert.equal(value('"b" in items(parcels, item.sku)'), true);
  assert.equal(value("'z' not in items(parcels, item.sku)"), true);
  assert.equal(value('signal.restocked.count'), 2);
  assert.equal(value('registry["Shop.arrival.orders.rate"] * 2'), 1);
  const after = {
    ...scope,
    waits: { box: { done: true, ok: true, value: { n: 4 } } },
    process: { name: 'pack', instance: 'order-3' },
  };
  assert.equal(parseExpression('wait.box.value.n * 2 if wait.box.done else 0').evaluate(after), 8);
  assert.equal(parseExpression('process.name == "pack" and process.instance == "order-3"').evaluate(after), true);
  assert.throws(() => value('wait.box.done'), /the task has no wait branch "box"/);
  const e = parseExpression('attr.a + payload.b > level.tank and count(shelf) < queue.lathe');
  assert.deepEqual([...e.references.attr], ['a']);
  assert.deepEqual([...e.references.payload], ['b']);
  assert.deepEqual([...e.references.holders], ['tank']);
  assert.deepEqual([...e.references.stores], ['shelf']);
  assert.deepEqual([...e.references.resources], ['lathe']);
});

test('a syntax error names the offset and what was expected; evaluation errors name the expression', () => {
  const refused: [string, RegExp][] = [
    ['attr.size >', /offset 11: unexpected end of expression; expected a number/],
    ['2 ** 3', /offset 3: unexpected "\*"/],
    ['foo.bar', /offset 0: unexpected name "foo"; expected attr\.<name>/],
    ['attr.__proto__', /unexpected name "__proto__"/],
    ['constructor', /unexpected name "constructor"/],
    ['items(parcels, 1)', /expected items\(<store>, item\.<field>\)/],
    ['count(count(x))', /offset 11: unexpected "\("; expected "\)"/],
    ['1 +', /unexpected end of expression/],
    ['a = 1', /offset 2: unexpected character "="/],
    ['attr.x; process', /unexpected character ";"/],
    ['', /non-empty text/],
    ['('.repeat(5000), /nesting deeper than 200 levels/],
    ['-'.repeat(300) + '1', /nesting deeper than 200 levels/],
    ['1+'.repeat(6000) + '1', /expected at most 10000/],
    ['wait.parcel.when', /"wait\.parcel\.when"; expected wait\.<branch>\.done, \.ok or \.value/],
    ['process.target', /"process\.target"; expected process\.name or process\.instance/],
  ];
  for (const [text, message] of refused) {
    assert.throws(
      () => parseExpression(text),
      (e: unknown) => e instanceof TwinstreamError && e.code === 'TS_SIM_BAD_EXPRESSION' && message.test(e.message),
      text,
    );
  }
  assert.throws(() => value('attr.nope'), /cannot evaluate "attr.nope": the entity has no attribute "nope"/);
  assert.throws(() => value('1 / (attr.size - 3)'), /division by zero/);
  assert.throws(() => value('attr.kind * 2'), /\* needs numbers, got "rush"/);
});

test('any text parses or is TS_SIM_BAD_EXPRESSION; a parsed one evaluates or is TS_SIM_BAD_EXPRESSION', () => {
  const piece = fc.constantFrom(
    'attr.size',
    'payload.total',
    'item.x',
    'level.tank',
    'queue.lathe',
    'count(parcels',
    'items(parcels, item.sku)',
    'signal.s.count',
    'wait.a.done',
    'process.name',
    'registry["p"]',
    't',
    '1',
    '0',
    '2.5',
    '"a"',
    "'b'",
    'True',
    ' and ',
    ' or ',
    'not ',
    ' if ',
    ' else ',
    ' in ',
    ' not in ',
    '+',
    '-',
    '*',
    '/',
    '//',
    '%',
    '<',
    '<=',
    '==',
    '!=',
    '(',
    ')',
    ',',
    '.',
    '[',
    ']',
    '__proto__',
    'constructor',
    ' ',
    '\n',
    '\u0000',
    '$',
    ';',
  );
  fc.assert(
    fc.property(fc.array(piece, { minLength: 1, maxLength: 12 }), (pieces) => {
      const text = pieces.join('');
      let e: ReturnType<typeof parseExpression>;
      try {
        e = parseExpression(text);
      } catch (error) {
        return error instanceof TwinstreamError && error.code === 'TS_SIM_BAD_EXPRESSION';
      }
      try {
        e.evaluate(scope);
      } catch (error) {
        return error instanceof TwinstreamError && error.code === 'TS_SIM_BAD_EXPRESSION';
      }
      return true;
    }),
    fuzzParameters(2000),
  );
});
