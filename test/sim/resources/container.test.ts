import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Container, Environment } from '../../../src/sim/index.ts';

test('gets wait for the level and puts for room, in FIFO order', () => {
  const env = new Environment();
  const tank = new Container(env, { capacity: 10, init: 2, name: 'tank' });
  const log: string[] = [];
  env.process(
    (function* () {
      yield tank.get(5);
      log.push(`${env.now} got 5, level ${tank.level}`);
    })(),
  );
  env.process(
    (function* () {
      yield env.timeout(1);
      yield tank.put(8);
      log.push(`${env.now} put 8, level ${tank.level}`);
      yield tank.put(6);
      log.push(`${env.now} put 6, level ${tank.level}`);
    })(),
  );
  env.process(
    (function* () {
      yield env.timeout(4);
      yield tank.get(3);
      log.push(`${env.now} got 3, level ${tank.level}`);
    })(),
  );
  env.run();
  // As in SimPy: the put succeeds at once and resumes its process first; the waiting get is served when the put
  // event is processed, so it resumes just after.
  assert.deepEqual(log, ['1 put 8, level 5', '1 got 5, level 5', '4 got 3, level 8', '4 put 6, level 8']);
});

test('bad amounts and a put beyond capacity are clear errors', () => {
  const env = new Environment();
  const tank = new Container(env, { capacity: 10, name: 'tank' });
  assert.throws(() => tank.put(0), { code: 'TS_SIM_BAD_AMOUNT' });
  assert.throws(() => tank.get(-1), { code: 'TS_SIM_BAD_AMOUNT' });
  assert.throws(
    () => tank.put(11),
    (e: any) => e.code === 'TS_SIM_BEYOND_CAPACITY' && /"tank"/.test(e.message),
  );
  assert.throws(() => new Container(env, { capacity: 5, init: 6 }), { code: 'TS_SIM_BAD_LEVEL' });
});

test('growing a container serves waiting puts', () => {
  const env = new Environment();
  const bin = new Container(env, { capacity: 5, init: 5, maxCapacity: 20 });
  const put = bin.put(4);
  assert.equal(put.triggered, false);
  bin.capacity = 10;
  assert.equal(put.triggered, true);
  assert.equal(bin.level, 9);
});
