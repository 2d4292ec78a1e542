import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DataStreamHandler, LocalHandler } from '../../src/handlers/index.ts';
import { loadVectors } from '../support/conformance.ts';

const vectors = loadVectors('cofmupy-interp.jsonl');

test('cofmupy-local-get-data-exact: values at their own times', async () => {
  const v = vectors.get('cofmupy-local-get-data-exact')!;
  const h = DataStreamHandler.create({ type: 'literal', config: { values: v.inputs.values } });
  assert.ok(h instanceof LocalHandler);
  h.addVariable(v.inputs.variable, '');
  await h.start();
  assert.deepEqual(
    v.inputs.t.map((t: number) => h.getData(t)['fmu.variable']),
    v.expected.values,
  );
});

// CoFmuPy's local handler refuses a second variable; ours maps several (several columns, or the same one), which
// the issue asks of every handler. A repeated variable is still refused.
test('cofmupy-local-add-variable-twice: a second variable is accepted, the same one twice is not', async () => {
  const v = vectors.get('cofmupy-local-add-variable-twice')!;
  const h = new LocalHandler({ values: v.inputs.values });
  for (const [name, alias] of v.inputs.add_variable) h.addVariable(name, alias);
  assert.throws(() => h.addVariable(['fmu', 'variable'], ''), /a variable not added yet/);
  assert.deepEqual(h.getData(2), { 'fmu.variable': 20, 'new.var': 20 });
});

test('named columns, updates while running, per-variable interpolation', async () => {
  const h = new LocalHandler({ values: { 0: { a: 0, b: 0 }, 10: { a: 10, b: 100 } }, interpolation: 'linear' });
  h.addVariable(['m', 'a'], 'a');
  h.addVariable(['m', 'b'], 'b', { discrete: true });
  await h.start();
  assert.deepEqual(h.getData(5), { 'm.a': 5, 'm.b': 0 });
  h.set(20, { a: 30, b: 200 });
  assert.deepEqual(h.getData(15), { 'm.a': 20, 'm.b': 100 });
  assert.equal(h.nextEvent(0), 10); // b is discrete: it changes at 10
  assert.throws(() => h.set(30, { c: 1 }), /column = "c".*one of a, b/);
  assert.throws(() => h.set(Number.NaN, 1), /t = NaN/);
  assert.throws(() => new LocalHandler({ values: { soon: 1 } }), /values\["soon"\]/);
});

test('a bad local config names the field', () => {
  assert.throws(
    () => DataStreamHandler.create({ type: 'local', config: { values: { 0: 'x' } } }),
    (e: any) => e.code === 'TS_HANDLER_BAD_CONFIG' && /values/.test(e.message),
  );
  assert.throws(
    () => DataStreamHandler.create({ type: 'local', config: { values: {}, interpolation: 'cubical' } }),
    (e: any) => e.code === 'TS_HANDLER_BAD_CONFIG' && /cubical.*previous, next, nearest, linear/.test(e.message),
  );
  assert.throws(
    () => DataStreamHandler.create({ type: 'local', config: { values: {}, extra: 1 } }),
    (e: any) => e.code === 'TS_HANDLER_BAD_CONFIG' && /extra/.test(e.message),
  );
});
