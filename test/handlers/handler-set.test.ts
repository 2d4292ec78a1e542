import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { CsvHandler, DataStreamHandler, HandlerSet, LocalHandler } from '../../src/handlers/index.ts';

const dir = mkdtempSync(join(tmpdir(), 'handler-set-'));
const weather = join(dir, 'weather.csv');
writeFileSync(weather, 't,T,wind\n0,10,1\n10,20,3\n20,15,2\n');

test('variables of one file share one handler; read(t) merges every handler; nextEvent is the earliest', async () => {
  await using inputs = new HandlerSet();
  const a = inputs.addVariable(
    ['room', 'outside'],
    { type: 'csv', config: { path: weather, interpolation: 'linear' } },
    'T',
  );
  const b = inputs.addVariable(
    ['room', 'wind'],
    { type: 'csv', config: { path: weather, interpolation: 'linear' } },
    'wind',
  );
  const c = inputs.addVariable(['room', 'heater'], { type: 'literal', config: { values: { 0: 0, 7: 500 } } }, '');
  assert.equal(a, b);
  assert.notEqual(a, c);
  assert.equal(inputs.handlers.length, 2);
  await inputs.start();
  assert.deepEqual(await inputs.read(5), { 'room.outside': 15, 'room.wind': 2, 'room.heater': 0 });
  assert.deepEqual(inputs.getData(15), { 'room.outside': 17.5, 'room.wind': 2.5, 'room.heater': 500 });
  assert.equal(inputs.nextEvent(0), 7);
  assert.equal(inputs.nextEvent(7), Number.POSITIVE_INFINITY);
  assert.throws(
    () => inputs.addVariable(['room', 'late'], { type: 'literal', config: { values: {} } }, ''),
    /before start/,
  );
});

test('in-memory and file streams are equivalent only with the same interpolation, as in CoFmuPy', async () => {
  const inputs = new HandlerSet();
  const kafkaLike = { type: 'local', config: { values: { 0: 0, 10: 10 }, interpolation: 'previous' } };
  inputs.addVariable(['m', 'a'], kafkaLike, '');
  inputs.addVariable(['m', 'b'], { type: 'local', config: { values: { 0: 0, 10: 10 }, interpolation: 'linear' } }, '');
  assert.throws(() => inputs.addVariable(['m', 'a'], kafkaLike, ''), /not added yet/);
  await inputs.start();
  // local streams are equivalent only with the same interpolation, as in CoFmuPy: two handlers
  assert.equal(inputs.handlers.length, 2);
  assert.deepEqual(inputs.getData(5), { 'm.a': 0, 'm.b': 5 });
  await inputs.stop();
});

test('the registry: custom handler types by name, taken names refused', async () => {
  class ConstantHandler extends DataStreamHandler {
    static readonly typeName: string = 'constant';
    static streamIdentity(config: { interpolation: string; value?: number }): string {
      return String(config.value);
    }
    constructor(config: { value?: number }) {
      if (typeof config.value !== 'number') throw new TypeError('value must be a number');
      super({ interpolation: 'previous', ...config });
    }
    describeStream(): string {
      return 'constant';
    }
    async start(): Promise<void> {
      const { TimeIndex } = await import('../../src/time/time-index.ts');
      this.setIndex(TimeIndex.fromColumns([0], { value: [(this.config as { value?: number }).value!] }));
    }
  }
  DataStreamHandler.register(ConstantHandler);
  DataStreamHandler.register(ConstantHandler); // the same class again is fine
  assert.ok(DataStreamHandler.types().includes('constant'));
  const h = DataStreamHandler.create({ type: 'constant', config: { value: 4 } });
  h.addVariable(['m', 'k'], 'value');
  await h.start();
  assert.deepEqual(h.getData(100), { 'm.k': 4 });
  class Impostor extends ConstantHandler {
    static override readonly typeName = 'csv';
  }
  assert.throws(() => DataStreamHandler.register(Impostor), /typeName = "csv".*CsvHandler/);
  assert.throws(() => DataStreamHandler.register(5 as never), /a handler class/);
  assert.throws(() => DataStreamHandler.create(null as never), /\{ type, config \}/);
  assert.ok(DataStreamHandler.classOf('literal') === LocalHandler);
  assert.ok(DataStreamHandler.classOf('csv') === CsvHandler);
});
