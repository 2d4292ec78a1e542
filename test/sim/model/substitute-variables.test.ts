// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${NAME} in these strings is the file syntax under test
// The one rule of ${NAME} for model and pipeline files, on parsed values.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { substituteVariables } from '../../../src/sim/model/substitute-variables.ts';

const none = () => {
  throw new Error('no variable should be missing here');
};

test('values are replaced; a whole-variable number or boolean becomes one; $$ is a dollar; keys stay', () => {
  const input = {
    brokers: '${BROKERS:-localhost:9092}',
    port: '${PORT:-8080}',
    ratio: '${RATIO}',
    follow: '${FOLLOW:-true}',
    label: 'v${VERSION-1}',
    price: 'costs $$5',
    '${KEY}': 'kept',
    list: ['${A}', 3, null, { deep: '${A}-x' }],
  };
  const out = substituteVariables(input, { RATIO: '2.5e-1', A: 'a', KEY: 'no' }, none);
  assert.deepEqual(out, {
    brokers: 'localhost:9092',
    port: 8080,
    ratio: 0.25,
    follow: true,
    label: 'v1',
    price: 'costs $5',
    '${KEY}': 'kept',
    list: ['a', 3, null, { deep: 'a-x' }],
  });
  // The input is copied where it changed, never modified.
  assert.equal(input.port, '${PORT:-8080}');
  assert.equal(input.list[0], '${A}');
  // Nothing to replace: the same objects back.
  const plain = { a: ['x', { b: 1 }] };
  assert.equal(substituteVariables(plain, {}, none), plain);
});

test('an unset variable without a default is reported with the path of its value and left as written', () => {
  const missing: [string, (string | number)[]][] = [];
  const out = substituteVariables(
    { inputs: [{ url: 'x://${HOST}:${PORT:-1}' }], empty: '${EMPTY}' },
    { EMPTY: '' },
    (n, p) => missing.push([n, p]),
  );
  assert.deepEqual(missing, [
    ['HOST', ['inputs', 0, 'url']],
    ['EMPTY', ['empty']],
  ]);
  assert.deepEqual(out, { inputs: [{ url: 'x://${HOST}:1' }], empty: '${EMPTY}' });
});

test('only own variables are read, a value is never parsed, and a __proto__ key stays a key', () => {
  const env = Object.create({ INHERITED: 'no' }) as Record<string, string>;
  env.TEXT = 'a: b\n# not a comment';
  const missing: string[] = [];
  const input = JSON.parse('{"__proto__": "${TEXT}", "t": "${constructor}", "u": "${INHERITED:-d}"}');
  const out = substituteVariables(input, env, (n) => missing.push(n)) as Record<string, unknown>;
  assert.deepEqual(missing, ['constructor']);
  assert.equal(Object.getPrototypeOf(out), Object.prototype);
  assert.deepEqual(Object.keys(out), ['__proto__', 't', 'u']);
  assert.equal(Object.getOwnPropertyDescriptor(out, '__proto__')?.value, 'a: b\n# not a comment');
  assert.equal(out.u, 'd');
});
