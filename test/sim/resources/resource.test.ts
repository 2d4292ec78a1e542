import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Environment, Interrupt, Preempted, PreemptiveResource, Resource } from '../../../src/sim/index.ts';

function machineShop(capacityAt: (res: Resource, env: Environment) => void) {
  const env = new Environment();
  const res = new Resource(env, { capacity: 1, name: 'lathe', maxCapacity: 4 });
  const log: string[] = [];
  for (const name of ['a', 'b', 'c', 'd']) {
    env.process(
      (function* () {
        const req = res.request();
        yield req;
        log.push(`${env.now} ${name} start`);
        yield env.timeout(10);
        res.release(req);
      })(),
    );
  }
  capacityAt(res, env);
  env.run();
  return log;
}

test('growing the capacity at run time serves the queue at once', () => {
  const log = machineShop((res, env) =>
    env.process(
      (function* () {
        yield env.timeout(2);
        res.capacity = 3;
      })(),
    ),
  );
  assert.deepEqual(log, ['0 a start', '2 b start', '2 c start', '10 d start']);
});

test('shrinking the capacity lets work in progress finish and holds new grants back', () => {
  const env = new Environment();
  const res = new Resource(env, { capacity: 3, name: 'lathe' });
  const log: string[] = [];
  for (const [name, at] of [
    ['a', 0],
    ['b', 0],
    ['c', 0],
    ['d', 1],
    ['e', 1],
  ] as const) {
    env.process(
      (function* () {
        yield env.timeout(at);
        const req = res.request();
        yield req;
        log.push(`${env.now} ${name} start`);
        yield env.timeout(10);
        res.release(req);
        log.push(`${env.now} ${name} end`);
      })(),
    );
  }
  env.process(
    (function* () {
      yield env.timeout(5);
      res.capacity = 1;
      assert.equal(res.count, 3); // nobody is evicted
    })(),
  );
  env.run();
  assert.deepEqual(log, [
    '0 a start',
    '0 b start',
    '0 c start',
    '10 a end',
    '10 b end',
    '10 c end',
    '10 d start',
    '20 d end',
    '20 e start',
    '30 e end',
  ]);
});

test('capacity changes are validated against maxCapacity, naming the resource', () => {
  const env = new Environment();
  const res = new Resource(env, { capacity: 2, name: 'lathe', maxCapacity: 4 });
  assert.throws(
    () => {
      res.capacity = 5;
    },
    (e: any) => e.code === 'TS_SIM_BAD_CAPACITY' && /"lathe"/.test(e.message) && /<= maxCapacity 4/.test(e.message),
  );
  res.capacity = 0;
  assert.equal(res.capacity, 0);
  assert.throws(() => new Resource(env, 0), { code: 'TS_SIM_BAD_CAPACITY' });
  assert.throws(() => new Resource({} as any, 1), { code: 'TS_BAD_ARGUMENT' });
});

test('releasing a queued request withdraws it', () => {
  const env = new Environment();
  const res = new Resource(env, 1);
  const first = res.request();
  const second = res.request();
  assert.equal(res.queue.length, 1);
  res.release(second);
  assert.equal(res.queue.length, 0);
  assert.equal(res.count, 1);
  assert.ok(first.triggered);
  env.run();
  assert.equal(second.triggered, false);
});

test('a destroyed resource fails pending requests and rejects new ones, naming the process', () => {
  const env = new Environment();
  const res = new Resource(env, { capacity: 1, name: 'press' });
  res.request();
  const log: string[] = [];
  env.process(
    (function* () {
      try {
        yield res.request();
      } catch (e: any) {
        log.push(e.code);
      }
      try {
        res.request();
      } catch (e: any) {
        log.push(e.message);
      }
    })(),
    'stamper',
  );
  env.step();
  res.destroy('maintenance');
  env.run();
  assert.deepEqual(log, [
    'TS_SIM_RESOURCE_DESTROYED',
    'resource "press" was destroyed (maintenance); process "stamper" cannot use it',
  ]);
});

function preemptionLog(users: [string, number, number, boolean][]): string[] {
  const env = new Environment();
  const res = new PreemptiveResource(env, 1);
  const log: string[] = [];
  function* user(name: string, at: number, priority: number, preempt = true) {
    yield env.timeout(at);
    const req = res.request({ priority, preempt });
    yield req;
    log.push(`${env.now} ${name} got it`);
    try {
      yield env.timeout(5);
      log.push(`${env.now} ${name} done`);
    } catch (e) {
      if (!(e instanceof Interrupt) || !(e.cause instanceof Preempted)) throw e;
      log.push(`${env.now} ${name} preempted (had it since ${e.cause.usageSince})`);
    } finally {
      res.release(req);
    }
  }
  for (const [name, at, priority, preempt] of users) env.process(user(name, at, priority, preempt));
  env.run();
  return log;
}

test('a preemptive resource evicts the least important user with a Preempted cause', () => {
  const log = preemptionLog([
    ['low', 0, 3, true],
    ['high', 2, 1, true],
  ]);
  assert.deepEqual(log, ['0 low got it', '2 low preempted (had it since 0)', '2 high got it', '7 high done']);
});

test('as in SimPy, a more important request that does not preempt, queued first, holds preemption back', () => {
  const log = preemptionLog([
    ['low', 0, 3, true],
    ['polite', 1, 0, false],
    ['high', 2, 1, true],
  ]);
  assert.deepEqual(log, [
    '0 low got it',
    '5 low done',
    '5 polite got it',
    '10 polite done',
    '10 high got it',
    '15 high done',
  ]);
});
