import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Environment, type Event } from '../../../src/sim/index.ts';

test('an event triggers once: a second succeed or fail throws TS_SIM_ALREADY_TRIGGERED', () => {
  const env = new Environment();
  const ev = env.event<number>();
  ev.succeed(1);
  assert.throws(() => ev.succeed(2), { code: 'TS_SIM_ALREADY_TRIGGERED' });
  assert.throws(() => ev.fail(new Error('x')), { code: 'TS_SIM_ALREADY_TRIGGERED' });
  assert.equal(ev.value, 1);
});

test('the value of a pending event is not available', () => {
  const env = new Environment();
  assert.throws(() => env.event().value, { code: 'TS_SIM_EVENT_PENDING' });
});

test('callbacks run in the order they were added, after the event is processed, with the event', () => {
  const env = new Environment();
  const ev = env.event<string>();
  const seen: string[] = [];
  ev.addCallback((e) => seen.push(`1:${e.value}`));
  env.process(
    (function* () {
      const v: string = yield ev;
      seen.push(`proc:${v}`);
    })(),
  );
  env.step(); // the process starts and waits for ev
  ev.addCallback((e) => seen.push(`2:${e.value}`));
  ev.succeed('v');
  assert.deepEqual(seen, []);
  env.run();
  assert.deepEqual(seen, ['1:v', 'proc:v', '2:v']);
  assert.ok(ev.processed);
  assert.throws(() => ev.addCallback(() => {}), { code: 'TS_SIM_EVENT_PROCESSED' });
});

test('a removed callback does not run', () => {
  const env = new Environment();
  const ev = env.event();
  let n = 0;
  const cb = () => n++;
  ev.addCallback(cb);
  assert.equal(ev.removeCallback(cb), true);
  assert.equal(ev.removeCallback(cb), false);
  ev.succeed();
  env.run();
  assert.equal(n, 0);
});

test('a failed event nobody handles crashes the run with its error; a defused one does not', () => {
  const env = new Environment();
  const boom = new Error('boom');
  env.event().fail(boom);
  assert.throws(
    () => env.run(),
    (e) => e === boom,
  );
  const env2 = new Environment();
  const ev = env2.event().fail(new Error('quiet'));
  ev.defused = true;
  env2.run();
  assert.equal(ev.ok, false);
});

test('timeout delays must be finite numbers >= 0; the error names the process', () => {
  const env = new Environment();
  for (const bad of [-1, Number.NaN, Number.POSITIVE_INFINITY, '5' as unknown as number]) {
    assert.throws(() => env.timeout(bad), { code: 'TS_SIM_BAD_DELAY' });
  }
  env.process(
    (function* () {
      yield env.timeout(-2);
    })(),
    'conveyor',
  );
  assert.throws(
    () => env.run(),
    (e: any) => e.code === 'TS_SIM_BAD_DELAY' && /process "conveyor"/.test(e.message),
  );
});

test('trigger() copies another event outcome', () => {
  const env = new Environment();
  const a = env.event<number>();
  const b = env.event<number>();
  a.addCallback((e: Event<number>) => b.trigger(e));
  a.succeed(7);
  env.run();
  assert.equal(b.value, 7);
  assert.throws(() => env.event().trigger(env.event()), { code: 'TS_SIM_EVENT_PENDING' });
});

test('a condition fails as soon as a member fails, and the failure reaches the waiting process', () => {
  const env = new Environment();
  const bad = env.event();
  const log: string[] = [];
  env.process(
    (function* () {
      try {
        yield env.allOf([env.timeout(5), bad]);
      } catch (e) {
        log.push(`${env.now} ${(e as Error).message}`);
      }
    })(),
  );
  env.process(
    (function* () {
      yield env.timeout(1);
      bad.fail(new Error('sensor'));
    })(),
  );
  env.run();
  assert.deepEqual(log, ['1 sensor']);
});

test('conditions reject events of another environment', () => {
  const a = new Environment();
  const b = new Environment();
  assert.throws(() => a.allOf([a.event(), b.event()]), { code: 'TS_SIM_MIXED_ENVIRONMENTS' });
});
