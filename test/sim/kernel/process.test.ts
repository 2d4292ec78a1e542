import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Environment, type Interrupt } from '../../../src/sim/index.ts';

test('a process is an event: its value is the generator return value', () => {
  const env = new Environment();
  const p = env.process(
    (function* () {
      yield env.timeout(3);
      return 'done';
    })(),
  );
  assert.equal(p.isAlive, true);
  env.run();
  assert.equal(p.isAlive, false);
  assert.equal(p.value, 'done');
  assert.equal(env.now, 3);
});

test('yielding something that is not an event fails the process with an error naming it', () => {
  const env = new Environment();
  env.process(
    (function* (): Generator<any, void, any> {
      yield 5;
    })(),
    'lathe-loader',
  );
  assert.throws(
    () => env.run(),
    (e: any) => e.code === 'TS_SIM_BAD_YIELD' && e.message.includes('process "lathe-loader" yielded 5'),
  );
});

test('process() rejects what is not a generator', () => {
  const env = new Environment();
  assert.throws(() => env.process((() => 1) as any), { code: 'TS_SIM_NOT_A_GENERATOR' });
});

test('a process cannot interrupt itself', () => {
  const env = new Environment();
  const self: { p?: { interrupt(): void } } = {};
  self.p = env.process(
    (function* () {
      yield env.timeout(1);
      self.p!.interrupt();
    })(),
    'self',
  );
  assert.throws(() => env.run(), { code: 'TS_SIM_SELF_INTERRUPT' });
});

test('an interrupted process stops waiting; the abandoned event no longer resumes it', () => {
  const env = new Environment();
  const log: string[] = [];
  const shared = env.timeout(5);
  const p = env.process(
    (function* () {
      try {
        yield shared;
        log.push('not reached');
      } catch (e) {
        log.push(`${env.now} ${(e as Interrupt).cause}`);
      }
      yield env.timeout(10);
      log.push(`${env.now} end`);
    })(),
  );
  env.process(
    (function* () {
      yield env.timeout(2);
      p.interrupt('breakdown');
    })(),
  );
  env.run();
  assert.deepEqual(log, ['2 breakdown', '12 end']);
});

test('activeProcess is the running process inside it and null outside', () => {
  const env = new Environment();
  let inside: unknown;
  const p = env.process(
    (function* () {
      inside = env.activeProcess;
      yield env.timeout(1);
    })(),
  );
  env.run();
  assert.equal(inside, p);
  assert.equal(env.activeProcess, null);
});

test('an error escaping a process that nobody waits for crashes the run', () => {
  const env = new Environment();
  env.process(
    (function* () {
      yield env.timeout(1);
      throw new Error('jam');
    })(),
  );
  assert.throws(() => env.run(), /jam/);
  assert.equal(env.now, 1);
});
