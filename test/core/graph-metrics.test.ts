import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { enableMetrics, prometheusText, Stream } from '../../src/core/index.ts';
import { VirtualClock } from '../../src/time/index.ts';
import '../../src/window/index.ts';
import { count } from '../../src/window/index.ts';

describe('enableMetrics', () => {
  test('counts elements in and out of every node, fused or not', () => {
    const source = new Stream<number>({ name: 'numbers' });
    const kept: number[] = [];
    source
      .map((x) => x + 1)
      .named('inc')
      .filter((x) => x % 2 === 0)
      .named('even')
      .sink((x) => kept.push(x));
    const metrics = enableMetrics([source]);
    for (let i = 0; i < 10; i++) source.emit(i);
    const byLabel = Object.fromEntries(metrics.snapshot().nodes.map((n) => [n.label, [n.in, n.out]]));
    assert.deepEqual(byLabel.numbers, [0, 10]);
    assert.deepEqual(byLabel.inc, [10, 10]);
    assert.deepEqual(byLabel.even, [10, 5]);
    assert.deepEqual(kept, [2, 4, 6, 8, 10]);
  });

  test('an error is counted once, at the node that threw, and an error branch counts too', () => {
    const source = new Stream<number>();
    const parse = source.map((x) => {
      if (x < 0) throw new Error('negative');
      return x;
    });
    const tail = parse.map((x) => x).sink(() => {});
    const guarded = source.map((x) => {
      if (x > 5) throw new Error('too big');
      return x;
    });
    const errors: string[] = [];
    guarded.onError(({ error }) => errors.push(error.message));
    const metrics = enableMetrics([source]);
    assert.throws(() => source.emit(-1), /negative/);
    source.emit(7);
    const snap = metrics.snapshot().nodes;
    assert.equal(snap.find((n) => n.id === parse.id)!.errors, 1);
    assert.equal(snap.find((n) => n.id === tail.id)!.errors, 0);
    assert.equal(snap.find((n) => n.id === source.id)!.errors, 0);
    assert.equal(snap.find((n) => n.id === guarded.id)!.errors, 1);
    assert.equal(errors.length, 1);
  });

  test('inside a fused chain, each stage counts, and an error is counted at the stage that threw', () => {
    const source = new Stream<number>();
    const first = source.map((x) => x + 1);
    const second = first.map((x) => {
      if (x === 3) throw new Error('three');
      return x;
    });
    const third = second.filter((x) => x > 1);
    const out = third.sinkToList();
    const metrics = enableMetrics([source]);
    for (const x of [0, 1]) source.emit(x);
    assert.throws(() => source.emit(2), /three/);
    source.emit(5);
    const n = (s: Stream<any>) => metrics.snapshot().nodes.find((m) => m.id === s.id)!;
    assert.deepEqual([n(first).in, n(first).out, n(first).errors], [4, 4, 0]);
    assert.deepEqual([n(second).in, n(second).out, n(second).errors], [4, 3, 1]);
    assert.deepEqual([n(third).in, n(third).out, n(third).errors], [3, 2, 0]);
    assert.deepEqual(out, [2, 6]);
  });

  test('late elements, a watched source and the Prometheus text', () => {
    const clock = new VirtualClock(0);
    const rows = new Stream<{ t: number; v: number }>({ clock, name: 'rows' });
    const windows = rows.tumblingWindow('10s', { timestamp: 't', value: 'v' }).agg({ n: count() }).final();
    windows.named('10s windows').sinkToList();
    const metrics = enableMetrics([rows]).watch(rows, () => ({ watermark: 25_000, lagSeconds: 0.5 }));
    for (const t of [1000, 12_000, 25_000, 3000]) rows.emit({ t, v: 1 });
    const w = metrics.snapshot().nodes.find((n) => n.label === '10s windows')!;
    assert.equal(w.late, 1);
    assert.equal(w.in, 4);
    const text = prometheusText(metrics.snapshot());
    assert.match(text, /^# TYPE twinstream_node_elements_in_total counter$/m);
    assert.match(text, /^twinstream_node_late_elements_total\{node="10s windows",kind="[a-zA-Z]+"\} 1$/m);
    assert.match(text, /^twinstream_source_watermark_seconds\{node="rows",kind="stream"\} 25$/m);
    assert.match(text, /^twinstream_source_lag_seconds\{node="rows",kind="stream"\} 0.5$/m);
    assert.equal(metrics.prometheus(), text);
  });

  test('processing time is sampled, one element in 64', () => {
    const source = new Stream<number>();
    source.map((x) => x * 2).sink(() => {});
    const metrics = enableMetrics([source]);
    for (let i = 0; i < 640; i++) source.emit(i);
    const map = metrics.snapshot().nodes.find((n) => n.kind === 'map')!;
    assert.equal(map.processingSamples, 10);
    assert.ok(map.processingSecondsSum >= 0 && map.processingSeconds < 0.1);
    assert.match(metrics.prometheus(), /^twinstream_node_processing_seconds_count\{node="map#\d+",kind="map"\} 10$/m);
  });

  test('disable() goes back to the uncounted delivery', () => {
    const source = new Stream<number>();
    const out = source.map((x) => x + 1).sinkToList();
    const metrics = enableMetrics([source]);
    source.emit(1);
    metrics.disable();
    source.emit(2);
    assert.deepEqual(out, [2, 3]);
    assert.ok(metrics.nodes.every((n) => n.metrics === null));
  });

  test('refuses what is not a list of streams', () => {
    assert.throws(() => enableMetrics([] as never), { code: 'TS_BAD_ARGUMENT' });
  });
});
