// An async stage before a window, against the real broker: the checkpoint a commit takes must cover exactly what
// the windows hold. Records a `mapAsync` still works on at a commit were handed on by the source but are not in the
// windows yet; a restore from that checkpoint skips them unless the commit waits until the stage let them go.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { Application } from '../../src/app/index.ts';
import type { KafkaRecord } from '../../src/connectors/kafka/index.ts';
import { count, sum } from '../../src/index.ts';
import { kafkaBrokers, uniqueName } from '../kafka-setup.ts';
import { produceJson, readAll } from './kafka-io.ts';

let brokers: string[];
before(async () => {
  brokers = await kafkaBrokers();
});

interface Reading {
  id: number;
  sensor: string;
  ts: number;
}

const N = 6000;
const SENSORS = 8;
// Each sensor: one reading every 800 ms of event time, so 5 per 4 s window.
const readings: Reading[] = Array.from({ length: N }, (_, i) => ({
  id: i,
  sensor: `s${i % SENSORS}`,
  ts: 1_700_000_000_000 + i * 100,
}));

/** The closed windows (4 s tumbling, no grace) per sensor, computed directly: `sensor start -> { n, ids }`. */
function expected(): Map<string, { n: number; ids: number }> {
  const out = new Map<string, { n: number; ids: number }>();
  const last = new Map<string, number>();
  for (const r of readings) last.set(r.sensor, Math.max(last.get(r.sensor) ?? 0, r.ts));
  for (const r of readings) {
    const start = r.ts - (r.ts % 4000);
    if (start + 4000 > last.get(r.sensor)!) continue; // its sensor's last window, never closed
    const k = `${r.sensor} ${start}`;
    const a = out.get(k) ?? { n: 0, ids: 0 };
    out.set(k, { n: a.n + 1, ids: a.ids + r.id });
  }
  return out;
}

/**
 * A yielding `mapAsync` with eight calls in flight, then 4 s tumbling windows whose state has a changelog. With
 * `stopAt`, the call on that record stops the application and takes 100 ms: the commit at the stop comes while it
 * and the calls after it are in flight, records the source has handed on and the windows do not have yet.
 */
function build(
  group: string,
  input: string,
  output: string,
  stateDir: string,
  guarantee: string,
  stopAt?: number,
): Application {
  const app = new Application({
    brokers,
    groupId: group,
    autoOffsetReset: 'earliest',
    stateDir,
    commitInterval: '50ms',
    processingGuarantee: guarantee as 'at-least-once' | 'exactly-once',
  });
  const inTopic = app.topic<string, Reading>(input, { value: 'json', timestamp: (v) => v.ts });
  let calls = 0;
  app
    .stream(inTopic)
    .mapAsync(
      async (r: KafkaRecord<string, Reading>) => {
        let ms = 0;
        if (++calls === stopAt) {
          void app.stop();
          ms = 100;
        }
        await new Promise((resolve) => setTimeout(resolve, ms));
        return r;
      },
      { parallelism: 8 },
    )
    .tumblingWindow('4s', { value: (r: KafkaRecord<string, Reading>) => r.value.id, namespace: 'async' })
    .agg({ n: count(), ids: sum() })
    .final()
    .toTopic(app.topic(output, { value: 'json' }));
  return app;
}

for (const guarantee of ['at-least-once', 'exactly-once']) {
  test(`${guarantee}: mapAsync before a window, restarted mid-run and restored from the changelog: the windows equal an uninterrupted run`, async () => {
    const input = uniqueName('async-in');
    const output = uniqueName('async-out');
    const group = uniqueName('async');
    await produceJson(brokers, input, readings, (r) => r.sensor, 2);
    // Each instance on an empty directory: what it continues comes from the changelog alone.
    const dirs: string[] = [];
    for (let i = 0; i < 3; i++) dirs.push(await mkdtemp(join(tmpdir(), 'ts-async-')));
    try {
      // Two instances stopped mid-run (each commits many times with calls in flight, and at its stop with a slow
      // one among them), then one that runs to the end.
      let restored = 0;
      for (const dir of dirs.slice(0, 2)) {
        const app = build(group, input, output, dir, guarantee, 1500);
        await app.run();
        assert.ok(app.stateCounters.changelogged > 0, 'the instance wrote its state to the changelog');
        restored += app.stateCounters.restored;
      }
      const last = build(group, input, output, dirs[2]!, guarantee);
      await last.run({ timeout: 3000 });
      restored += last.stateCounters.restored;
      assert.ok(restored > 0, 'later instances restored open windows from the changelog');
      assert.ok(last.counters.processed > 0, 'the last instance had records left to handle');

      const want = expected();
      const got = await readAll<{ key: string; start: number; n: number; ids: number }>(
        brokers,
        output,
        guarantee === 'exactly-once' ? { expect: want.size } : {},
      );
      const seen = new Set<string>();
      const wrong: string[] = [];
      for (const r of got) {
        const k = `${r.value.key} ${r.value.start}`;
        // At-least-once may write a window twice (outputs flushed, the commit after them not made), never
        // with another result.
        if (guarantee === 'exactly-once') assert.ok(!seen.has(k), `window ${k} written once`);
        seen.add(k);
        const w = want.get(k);
        if (w === undefined || w.n !== r.value.n || w.ids !== r.value.ids) {
          wrong.push(`${k}: n=${r.value.n} ids=${r.value.ids}, want ${JSON.stringify(w)}`);
        }
      }
      assert.deepEqual(wrong.slice(0, 8), [], `${wrong.length} of ${got.length} windows differ`);
      assert.equal(seen.size, want.size, 'every closed window came out');
    } finally {
      for (const d of dirs) await rm(d, { recursive: true, force: true });
    }
  });
}
