// 4000 readings of 8 sensors and their 4 s tumbling windows (count, sum, max per sensor): an application that
// computes them from topic `in` into `out`, and the check of what came out against the windows computed directly.
import assert from 'node:assert/strict';
import type { Application } from '../../src/app/index.ts';
import type { KafkaRecord, MemoryKafka } from '../../src/connectors/kafka/index.ts';
import { count, max, sum } from '../../src/index.ts';
import { T0 } from './memory-cluster.ts';

export interface Reading {
  id: number;
  sensor: string;
  ts: number;
  v: number;
}

export const N = 4000;
export const readings: Reading[] = Array.from({ length: N }, (_, i) => ({
  id: i,
  sensor: `s${i % 8}`,
  ts: T0 + i * 100, // 100 windows of 4 s, 40 readings each, 5 per sensor
  v: (i * 7) % 13,
}));

/** The readings as records of topic `in`, keyed by sensor. */
export function readingRecords(from = 0, to = N): { key: string; value: Reading }[] {
  return readings.slice(from, to).map((r) => ({ key: r.sensor, value: r }));
}

/** The pipeline on `app`: readings from `in`, 4 s tumbling windows per sensor (state namespace `sums`) to `out`. */
export function windowSums(app: Application): Application {
  app
    .stream(app.topic<string, Reading>('in', { timestamp: (v) => v.ts }))
    .tumblingWindow('4s', { value: (r: KafkaRecord<string, Reading>) => r.value.v, namespace: 'sums' })
    .agg({ n: count(), total: sum(), top: max() })
    .final()
    .toTopic(app.topic('out'));
  return app;
}

/** The closed windows (4 s tumbling, no grace) per sensor, computed directly: `sensor start -> agg`. */
function expectedWindows(): Map<string, { n: number; total: number; top: number }> {
  const out = new Map<string, { n: number; total: number; top: number }>();
  const maxTs = new Map<string, number>();
  for (const r of readings) maxTs.set(r.sensor, Math.max(maxTs.get(r.sensor) ?? 0, r.ts));
  for (const r of readings) {
    const start = r.ts - (r.ts % 4000);
    if (start + 4000 > maxTs.get(r.sensor)!) continue; // never closed
    const k = `${r.sensor} ${start}`;
    const a = out.get(k) ?? { n: 0, total: 0, top: Number.NEGATIVE_INFINITY };
    out.set(k, { n: a.n + 1, total: a.total + r.v, top: Math.max(a.top, r.v) });
  }
  return out;
}

/** Every closed window came out with the right result: once under exactly-once (at-least-once may repeat one). */
export function checkWindows(kafka: MemoryKafka, guarantee: string): void {
  const want = expectedWindows();
  const seen = new Set<string>();
  for (const r of kafka.read('out')) {
    const v = r.value as { key: string; start: number; n: number; total: number; top: number };
    const k = `${v.key} ${v.start}`;
    if (guarantee === 'exactly-once') assert.ok(!seen.has(k), `window ${k} once`);
    seen.add(k);
    assert.deepEqual({ n: v.n, total: v.total, top: v.top }, want.get(k), k);
  }
  assert.equal(seen.size, want.size);
}
