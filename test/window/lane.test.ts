// The fused fast path of tumbling windows (src/window/window-lane.ts) must change nothing: the same elements give
// the same outputs, late counts, persisted states and restores with generated code on and off.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setCodegen } from '../../src/core/index.ts';
import { count, max, mean, min, Stream, std, sum } from '../../src/index.ts';
import { MemoryStateStore } from '../../src/state/index.ts';

interface Row {
  ts: number | string | null;
  sensor: string | null;
  v: number | string | null;
}

/** Out-of-order readings of 12 sensors (more than the lane caches), with nulls, NaN, strings and bad times. */
function readings(n: number): Row[] {
  let seed = 7;
  const rnd = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 4294967296;
  const out: Row[] = [];
  let t = 1_000;
  for (let i = 0; i < n; i++) {
    t += Math.floor(rnd() * 40);
    const r = rnd();
    const ts = r < 0.1 ? t - Math.floor(rnd() * 3_000) : r < 0.11 ? String(t) : t;
    const v = r > 0.97 ? null : r > 0.96 ? Number.NaN : r > 0.95 ? '7' : Math.round(rnd() * 1000) / 10;
    out.push({ ts, sensor: r > 0.99 ? null : `s${Math.floor(rnd() * (i < n / 2 ? 3 : 12))}`, v });
  }
  return out;
}

function run(codegen: boolean, keyed: boolean, grace: number, persistEvery: number) {
  setCodegen(codegen);
  try {
    const source = new Stream<Row>();
    const store = new MemoryStateStore();
    const outs: unknown[] = [];
    const late: unknown[] = [];
    const w = source
      .tumblingWindow(1_000, {
        timestamp: 'ts',
        value: 'v',
        ...(keyed ? { key: 'sensor' } : {}),
        grace,
        onLate: (i) => late.push([i.key, i.start, i.timestamp]),
      })
      .agg({ n: count(), lo: min(), hi: max(), avg: mean(), total: sum(), sd: std() })
      .final();
    w.sink((o) => void outs.push(o));
    const snapshots: unknown[] = [];
    const rows = readings(3_000);
    for (let i = 0; i < rows.length; i++) {
      source.emit(rows[i]!);
      if (i % persistEvery === persistEvery - 1) {
        store.transaction((tx) => w.persist(tx));
        snapshots.push(JSON.stringify([...store.entries('window', 0)]));
      }
    }
    source.end();
    return { outs, late, snapshots, lateCount: w.late, skipped: w.skipped };
  } finally {
    setCodegen(true);
  }
}

describe('tumbling window fast lane', () => {
  for (const keyed of [false, true]) {
    for (const grace of [0, 700]) {
      it(`gives what the full path gives (${keyed ? '12 keys' : 'no key'}, grace ${grace})`, () => {
        const fused = run(true, keyed, grace, 97);
        const plain = run(false, keyed, grace, 97);
        assert.ok(fused.outs.length > 10);
        assert.deepEqual(fused, plain);
      });
    }
  }

  it('a window restored from a store continues where the lane left it', () => {
    const store = new MemoryStateStore();
    const make = () => {
      const source = new Stream<{ ts: number; v: number }>();
      const outs: unknown[] = [];
      const w = source
        .tumblingWindow(100, { timestamp: 'ts', value: 'v', store })
        .agg({ n: count(), s: sum() })
        .final();
      w.sink((o) => void outs.push(o));
      return { source, w, outs };
    };
    const a = make();
    for (let t = 0; t < 150; t++) a.source.emit({ ts: t, v: 1 });
    store.transaction((tx) => a.w.persist(tx));
    const b = make();
    for (let t = 150; t < 200; t++) b.source.emit({ ts: t, v: 1 });
    b.source.end();
    assert.deepEqual(a.outs, [{ key: null, start: 0, end: 100, n: 100, s: 100 }]);
    assert.deepEqual(b.outs, [{ key: null, start: 100, end: 200, n: 100, s: 100 }]);
  });
});
