// The seed 001 tutorial (examples/kafka-temperature-*.ts) against the real broker: every closed window checked.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { temperatureProcessor } from '../../examples/kafka-temperature-processor.ts';
import { produceReadings, type Reading, readings } from '../../examples/kafka-temperature-producer.ts';
import { kafkaBrokers, uniqueName } from '../kafka-setup.ts';
import { readAll } from './kafka-io.ts';

interface Agg {
  time: number;
  temperature: { count: number; min: number; max: number; mean: number };
}

/** The windows a tumbling 10 s window with 1 s grace closes on in-order data, computed directly. */
function expectedWindows(list: readonly Reading[]): Map<string, Agg[]> {
  const out = new Map<string, Agg[]>();
  const bySensor = new Map<string, Reading[]>();
  for (const r of list) bySensor.set(r.sensor, [...(bySensor.get(r.sensor) ?? []), r]);
  for (const [sensor, rs] of bySensor) {
    const maxTs = Math.max(...rs.map((r) => Date.parse(r.ts)));
    const windows = new Map<number, number[]>();
    for (const r of rs) {
      const t = Date.parse(r.ts);
      const start = t - (t % 10_000);
      windows.set(start, [...(windows.get(start) ?? []), r.value]);
    }
    const closed: Agg[] = [];
    for (const [start, values] of [...windows].sort((a, b) => a[0] - b[0])) {
      if (maxTs - 1000 < start + 10_000) continue; // the watermark never passed its end: still open
      const sum = values.reduce((a, b) => a + b, 0);
      closed.push({
        time: start + 10_000,
        temperature: {
          count: values.length,
          min: Math.min(...values),
          max: Math.max(...values),
          mean: sum / values.length,
        },
      });
    }
    out.set(sensor, closed);
  }
  return out;
}

test('the temperature tutorial aggregates every closed 10 s window per sensor', async () => {
  const brokers = await kafkaBrokers();
  const topics = { input: uniqueName('raw-temperature'), output: uniqueName('agg-temperature') };
  const list = readings(2000, { seed: 7 });
  await produceReadings(brokers, list, { topic: topics.input, fast: true, partitions: 3 });
  const app = temperatureProcessor({ brokers, groupId: uniqueName('tutorial') }, topics);
  await app.run({ count: list.length });
  const got = await readAll<Agg>(brokers, topics.output);
  const expected = expectedWindows(list);
  const total = [...expected.values()].reduce((n, ws) => n + ws.length, 0);
  assert.ok(total > 200, `${total} windows expected`);
  assert.equal(got.length, total);
  for (const [sensor, windows] of expected) {
    const mine = got.filter((r) => r.key === sensor).map((r) => r.value);
    assert.equal(mine.length, windows.length, sensor);
    mine.sort((a, b) => a.time - b.time);
    for (let i = 0; i < windows.length; i++) {
      const w = windows[i]!;
      const m = mine[i]!;
      assert.equal(m.time, w.time);
      assert.deepEqual(
        [m.temperature.count, m.temperature.min, m.temperature.max],
        [w.temperature.count, w.temperature.min, w.temperature.max],
      );
      assert.ok(Math.abs(m.temperature.mean - w.temperature.mean) < 1e-9);
    }
  }
});
