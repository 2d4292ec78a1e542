// RealtimeEnvironment.stop(): the run under way ends after the event being processed, a paced run waiting for its
// next event wakes at once, and later runs return at once.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RealtimeEnvironment } from '../../src/sim/index.ts';

test('stop() from a process ends the run after that event; later runs return at once', async () => {
  const env = new RealtimeEnvironment({ factor: 0 });
  const seen: number[] = [];
  env.process(
    (function* () {
      for (;;) {
        yield env.timeout(1);
        seen.push(env.now);
        if (env.now === 3) env.stop();
      }
    })(),
  );
  await env.run({ until: 100 });
  assert.deepEqual(seen, [1, 2, 3]);
  assert.equal(env.now, 3);
  assert.equal(env.stopped, true);
  await env.run({ until: 200 });
  assert.deepEqual([seen.length, env.now], [3, 3]);
});

test('stop() from a timer wakes a paced run sleeping until its next event', async () => {
  // One event an hour away at real time: only the stop ends the run within the test.
  const env = new RealtimeEnvironment({ factor: 1 });
  env.timeout(3600);
  const t0 = performance.now();
  setTimeout(() => env.stop(), 200);
  await env.run({ until: 7200 });
  const wall = performance.now() - t0;
  assert.ok(wall >= 150 && wall < 2000, String(wall));
  // Simulated time follows the wall clock to the stop, never past the next event.
  assert.ok(env.now > 0.1 && env.now < 2, String(env.now));
});
