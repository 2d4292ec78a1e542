import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Environment } from '../../../src/sim/index.ts';

test('step, peek and an empty schedule', () => {
  const env = new Environment({ initialTime: 10 });
  assert.equal(env.now, 10);
  assert.equal(env.peek(), Number.POSITIVE_INFINITY);
  assert.throws(() => env.step(), { code: 'TS_SIM_EMPTY_SCHEDULE' });
  env.timeout(5);
  assert.equal(env.peek(), 15);
  env.step();
  assert.equal(env.now, 15);
});

test('run(until) rejects times not after now and reports an until event that can never trigger', () => {
  const env = new Environment();
  env.timeout(1);
  assert.throws(() => env.run({ until: 0 }), { code: 'TS_SIM_BAD_UNTIL' });
  assert.throws(() => env.run({ until: env.event() }), { code: 'TS_SIM_UNTIL_NOT_TRIGGERED' });
});

test('run(until: event) throws the error of a failed event', () => {
  const env = new Environment();
  const ev = env.event();
  env.process(
    (function* () {
      yield env.timeout(1);
      ev.fail(new Error('aborted'));
    })(),
  );
  assert.throws(() => env.run({ until: ev }), /aborted/);
});

test('the clock maps simulated time to timestamps and runs timers in simulated time', () => {
  const start = Date.parse('2024-01-01T00:00:00Z');
  const env = new Environment({ logicalStartTime: '2024-01-01T00:00:00Z', timeUnit: '1m' });
  const clock = env.clock;
  assert.equal(clock.now(), start);
  const fired: number[] = [];
  clock.setTimer(90_000, () => fired.push(clock.now()));
  const cancelled = clock.setTimer(30_000, () => fired.push(-1));
  cancelled.cancel();
  env.run();
  assert.deepEqual(fired, [start + 90_000]);
  assert.equal(env.now, 1.5);
  assert.equal(env.toTimestamp(2), start + 120_000);
});

test('bad options fail at construction naming the option', () => {
  assert.throws(() => new Environment({ initialTime: Number.NaN }), /initialTime/);
  assert.throws(() => new Environment({ logicalStartTime: 'yesterday' }), /logicalStartTime/);
  assert.throws(() => new Environment({ timeUnit: '0s' }), /timeUnit/);
});

test('equal times resolve the same way on every run', () => {
  const runOnce = () => {
    const env = new Environment();
    const order: string[] = [];
    for (const name of ['a', 'b', 'c', 'd']) {
      env.process(
        (function* () {
          for (let i = 0; i < 3; i++) {
            yield env.timeout(1);
            order.push(`${name}${i}`);
          }
        })(),
      );
    }
    env.run();
    return order.join(' ');
  };
  assert.equal(runOnce(), 'a0 b0 c0 d0 a1 b1 c1 d1 a2 b2 c2 d2');
  assert.equal(runOnce(), runOnce());
});

test('durations: a number is in time units, a string such as 90s or 1h is converted with timeUnit', () => {
  const env = new Environment();
  const seen: number[] = [];
  env.process(
    (function* () {
      yield env.timeout('90s');
      seen.push(env.now);
      yield env.timeout(10);
      seen.push(env.now);
    })(),
  );
  env.run({ until: '1h' });
  assert.deepEqual(seen, [90, 100]);
  assert.equal(env.now, 3600);
  assert.equal(env.toUnits('2h'), 7200);
  const minutes = new Environment({ timeUnit: '1m' });
  assert.equal(minutes.toUnits('90s'), 1.5);
  minutes.run({ until: '1h' });
  assert.equal(minutes.now, 60);
  for (const bad of ['5', 'soon', '-1s']) {
    assert.throws(
      () => env.timeout(bad),
      (e: any) => e.code === 'TS_SIM_BAD_DELAY' && e.message.includes(`"${bad}"`) && /'5m'/.test(e.message),
    );
  }
});
