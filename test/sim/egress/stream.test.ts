import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Stream } from '../../../src/index.ts';
import { RealtimeEnvironment, type SimRecord, StreamEgress } from '../../../src/sim/index.ts';

test('a Stream sink feeds a pipeline in the same process, in simulated time', async () => {
  const env = new RealtimeEnvironment({ factor: 0, logicalStartTime: 0 });
  const records = new Stream<SimRecord>({ clock: env.clock });
  const seen: [number, unknown][] = [];
  records.sink((r: SimRecord) => {
    if (r.stream_type === 'telemetry') seen.push([records.clock.now(), r.value]);
  });
  env.setupEgress([new StreamEgress(records)], { batchSize: 1 });
  env.process(
    (function* () {
      for (let i = 0; i < 3; i++) {
        env.publishTelemetry('temp', 20 + i);
        yield env.timeout(10);
      }
    })(),
  );
  await env.run();
  await env.teardown();
  assert.deepEqual(
    seen.map((s) => s[1]),
    [20, 21, 22],
  );
});

test('the stream back pressure holds the egress queue', async () => {
  const env = new RealtimeEnvironment({ factor: 0 });
  const records = new Stream<SimRecord>();
  let inFlight = 0;
  let maxInFlight = 0;
  const egress = env.setupEgress([new StreamEgress(records)], { batchSize: 5, maxPending: 5 });
  records.sink(async () => {
    inFlight++;
    maxInFlight = Math.max(maxInFlight, egress.pending);
    await new Promise((r) => setTimeout(r, 1));
    inFlight--;
  });
  env.process(
    (function* () {
      for (let i = 0; i < 50; i++) {
        env.publishEvent('k', i);
        yield env.timeout(1);
      }
    })(),
  );
  await env.run();
  await env.teardown();
  assert.equal(egress.written, 50);
  assert.ok(maxInFlight <= 5);
  assert.equal(inFlight, 0);
});
