import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { RealClock, TwinstreamError, toMillis, VirtualClock } from '../../src/index.ts';

describe('durations', () => {
  test('numbers and unit strings', () => {
    assert.equal(toMillis(250), 250);
    assert.equal(toMillis('250ms'), 250);
    assert.equal(toMillis('10s'), 10_000);
    assert.equal(toMillis('5m'), 300_000);
    assert.equal(toMillis('2h'), 7_200_000);
    assert.equal(toMillis('1d'), 86_400_000);
    assert.equal(toMillis('1.5s'), 1500);
  });
  for (const bad of ['10x', '', '-1s', 's', -1, Number.NaN, Number.POSITIVE_INFINITY, null, {}]) {
    test(`rejects ${JSON.stringify(bad)}`, () => {
      assert.throws(
        () => toMillis(bad as any, 'window'),
        (e: unknown) =>
          e instanceof TwinstreamError &&
          e.code === 'TS_BAD_DURATION' &&
          /^window = /.test(e.message) &&
          /'250ms', '10s'/.test(e.message),
      );
    });
  }
});

describe('clocks', () => {
  test('the virtual clock fires timers in (time, creation) order and can cancel them', async () => {
    const clock = new VirtualClock(1000);
    const fired: string[] = [];
    clock.setTimer(20, () => fired.push('b'));
    clock.setTimer(10, () => fired.push('a'));
    clock.setTimer(20, () => fired.push('c'));
    const t = clock.setTimer(15, () => fired.push('never'));
    t.cancel();
    await clock.advance(15);
    assert.deepEqual(fired, ['a']);
    assert.equal(clock.now(), 1015);
    await clock.runUntilIdle();
    assert.deepEqual(fired, ['a', 'b', 'c']);
    assert.equal(clock.now(), 1020);
    assert.equal(clock.pending, 0);
  });

  test('the real clock reads the epoch and fires a timer', async () => {
    const clock = new RealClock();
    const before = Date.now();
    assert.ok(Math.abs(clock.now() - before) < 1000);
    const at = await new Promise<number>((resolve) => clock.setTimer(5, () => resolve(clock.now())));
    assert.ok(at - before >= 4);
  });
});
