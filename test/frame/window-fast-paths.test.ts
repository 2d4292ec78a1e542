// The vectorised paths of frame windows (unkeyed runs, the keyed one-column loop with its record per key, the
// keyed multi-column loop) give exactly what the row windows give on the same rows: many keys, missing values,
// out-of-order and late rows across frame boundaries, keys numbered differently from frame to frame.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DictionaryColumn } from '../../src/frame/index.ts';
import {
  type Aggregator,
  count,
  Frame,
  max,
  mean,
  min,
  RefCounter,
  Stream,
  StreamingFrame,
  sum,
  TwinstreamError,
} from '../../src/index.ts';

interface Row {
  ts: number;
  sensor: string;
  v: number | null;
}

/** `n` rows over `keys` keys, times jittered back by up to `jitter` ms, about one value in `nullEvery` missing. */
function rows(n: number, keys: number, jitter: number, nullEvery: number, seed = 1): Row[] {
  let s = seed;
  const rnd = () => (s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 4294967296;
  return Array.from({ length: n }, (_, i) => ({
    ts: Math.max(0, i * 3 - Math.floor(rnd() * jitter)),
    sensor: `s${Math.floor(rnd() * keys)}`,
    v: rnd() * nullEvery < 1 ? null : Math.round(rnd() * 2000 - 1000) / 8,
  }));
}

type KeyColumn = 'strings' | 'fixed-dictionary' | 'numbers';

/** Frames of `size` rows: the key as strings (a dictionary per frame), one dictionary for all frames, or numbers. */
function frames(rs: Row[], size: number, keyColumn: KeyColumn, dict: string[]): Frame[] {
  const out: Frame[] = [];
  for (let i = 0; i < rs.length; i += size) {
    const part = rs.slice(i, i + size);
    if (keyColumn === 'strings') {
      out.push(Frame.fromRows(part, { time: 'ts' }));
      continue;
    }
    const v = Float64Array.from(part, (r) => (r.v === null ? Number.NaN : r.v));
    const ts = Float64Array.from(part, (r) => r.ts);
    const sensor =
      keyColumn === 'numbers'
        ? Float64Array.from(part, (r) => Number(r.sensor.slice(1)))
        : new DictionaryColumn(
            Int32Array.from(part, (r) => dict.indexOf(r.sensor)),
            dict,
          );
    out.push(new Frame({ sensor, v }, ts, 'ts', null));
  }
  return out;
}

const aggs = () => ({ n: count(), lo: min('v'), hi: max('v'), avg: mean('v'), total: sum('v') });

interface Case {
  keyed: boolean;
  grace: number;
  current: boolean;
}

function run(rs: Row[], size: number, keyColumn: KeyColumn, c: Case, agg: () => Record<string, Aggregator> = aggs) {
  const opts = { ...(c.keyed ? { key: 'sensor' as const } : {}), grace: c.grace };
  const src = new Stream<Row>();
  const rowDef = src.tumblingWindow(100, { ...opts, timestamp: 'ts' }).agg(agg());
  const rowNode = c.current ? rowDef.current() : rowDef.final();
  const rowOut = rowNode.sinkToList();
  for (const r of rs) src.emit(r);
  src.end();
  const sf = new StreamingFrame();
  const frameDef = sf.tumblingWindow(100, opts).agg(agg());
  const frameNode = c.current ? frameDef.current() : frameDef.final();
  const frameOut = frameNode.sinkToList();
  const dict = Array.from({ length: 300 }, (_, k) => `s${k}`);
  for (const f of frames(rs, size, keyColumn, dict)) sf.emit(f);
  sf.end();
  // Numbers as keys: the row path has strings; compare the key as a string.
  const keyOf = (o: any) => ({ ...o, key: o.key === null ? null : `${keyColumn === 'numbers' ? 's' : ''}${o.key}` });
  return { rowOut, frameOut: frameOut.map(keyOf), rowLate: (rowNode as any).late, frameLate: frameNode.late };
}

/** Rows emit a window per row with current(); frames once per frame: the last update of each window per frame. */
function lastPerWindow(out: any[]): Map<string, unknown> {
  const m = new Map<string, unknown>();
  for (const o of out) m.set(`${o.key}|${o.start}`, o);
  return m;
}

describe('frame windows: vectorised paths equal the row windows', () => {
  const data = rows(6000, 257, 400, 20);
  for (const keyColumn of ['fixed-dictionary', 'strings', 'numbers'] as const) {
    for (const size of [1, 3, 100, 1000]) {
      it(`keyed (257 keys, ${keyColumn}), grace, late rows, missing values, frames of ${size}`, () => {
        const r = run(data, size, keyColumn, { keyed: true, grace: 30, current: false });
        assert.ok(r.rowOut.length > 1000);
        assert.deepEqual(r.frameOut, r.rowOut);
        assert.ok(r.rowLate > 0, 'some rows are late');
        assert.equal(r.frameLate, r.rowLate);
      });
    }
  }

  const few = rows(6000, 5, 300, 15, 5);
  for (const size of [1, 7, 100, 1000]) {
    it(`keyed (5 keys, many rows per window), jittered by up to 300 ms, grace 40, frames of ${size}`, () => {
      for (const keyColumn of ['fixed-dictionary', 'numbers'] as const) {
        const r = run(few, size, keyColumn, { keyed: true, grace: 40, current: false });
        assert.deepEqual(r.frameOut, r.rowOut);
        assert.ok(r.rowLate > 100, 'many rows are late');
        assert.equal(r.frameLate, r.rowLate);
      }
    });
  }

  for (const size of [1, 3, 100, 1000]) {
    it(`unkeyed, out of order, late rows and missing values, frames of ${size}`, () => {
      const r = run(data, size, 'fixed-dictionary', { keyed: false, grace: 20, current: false });
      assert.ok(r.rowOut.length > 100);
      assert.deepEqual(r.frameOut, r.rowOut);
      assert.ok(r.rowLate > 0);
      assert.equal(r.frameLate, r.rowLate);
    });
  }

  it('keyed with no grace (each window closed by the row that passes it), one value column only', () => {
    const sorted = rows(5000, 40, 0, 7, 3);
    for (const size of [1, 3, 100]) {
      const r = run(sorted, size, 'fixed-dictionary', { keyed: true, grace: 0, current: false }, () => ({
        hi: max('v'),
        avg: mean('v'),
      }));
      assert.deepEqual(r.frameOut, r.rowOut);
    }
  });

  it('current(): frames of 1 row emit what rows emit; larger frames the state after their last row per window', () => {
    const one = run(data.slice(0, 1500), 1, 'fixed-dictionary', { keyed: true, grace: 30, current: true });
    assert.deepEqual(one.frameOut, one.rowOut);
    for (const size of [3, 100]) {
      const r = run(data, size, 'fixed-dictionary', { keyed: true, grace: 30, current: true });
      const states = new Set(r.rowOut.map((o) => JSON.stringify(o)));
      for (const o of r.frameOut) assert.ok(states.has(JSON.stringify(o)), JSON.stringify(o));
      assert.deepEqual(lastPerWindow(r.frameOut), lastPerWindow(r.rowOut));
    }
  });

  it('keyed: each frame metadata is held by every window it touched until that window is emitted', () => {
    const sf = new StreamingFrame();
    const out = sf
      .tumblingWindow(10, { key: 'k' })
      .agg({ n: count(), hi: max('v') })
      .final()
      .sinkToList();
    const done: string[] = [];
    const dict = ['a', 'b'];
    const frame = (codes: number[], ts: number[]) =>
      new Frame(
        { k: new DictionaryColumn(Int32Array.from(codes), dict), v: Float64Array.from(ts) },
        Float64Array.from(ts),
        't',
        null,
      );
    const r1 = new RefCounter(() => done.push('r1'));
    const r2 = new RefCounter(() => done.push('r2'));
    const r3 = new RefCounter(() => done.push('r3'));
    sf.emit(frame([0, 1, 0, 1], [1, 2, 3, 4]), [{ ref: r1 }]);
    sf.emit(frame([0, 0, 0], [5, 6, 12]), [{ ref: r2 }]); // closes a's [0, 10); b's stays open
    assert.deepEqual(out, [{ key: 'a', start: 0, end: 10, n: 4, hi: 6 }]);
    assert.deepEqual(done, []); // r1 is still held by b's window, r2 by a's [10, 20)
    sf.emit(frame([1, 1], [7, 15]), [{ ref: r3 }]); // closes b's [0, 10)
    assert.deepEqual(out.at(-1), { key: 'b', start: 0, end: 10, n: 3, hi: 7 });
    assert.deepEqual(done, ['r1']);
    sf.end();
    assert.deepEqual(done.sort(), ['r1', 'r2', 'r3']);
  });

  it('skips and counts rows with a missing key (code -1)', () => {
    const sf = new StreamingFrame();
    const node = sf
      .tumblingWindow(10, { key: 'k' })
      .agg({ n: count(), hi: max('v') })
      .final();
    const out = node.sinkToList();
    const k = new DictionaryColumn(Int32Array.from([0, -1, 1, 0, -1]), ['a', 'b']);
    sf.emit(new Frame({ k, v: Float64Array.from([1, 2, 3, 4, 5]) }, Float64Array.from([1, 2, 3, 4, 5]), 't', null));
    sf.end();
    assert.equal(node.skipped, 2);
    assert.deepEqual(out, [
      { key: 'a', start: 0, end: 10, n: 2, hi: 4 },
      { key: 'b', start: 0, end: 10, n: 1, hi: 3 },
    ]);
  });

  it('a dictionary code with no entry is an error naming the column, the row and the codes accepted', () => {
    for (const dicts of [
      [['a', 'b']],
      [
        ['b', 'a'],
        ['a', 'b'],
      ],
    ]) {
      const sf = new StreamingFrame();
      const node = sf
        .tumblingWindow(10, { key: 'k' })
        .agg({ n: count(), hi: max('v') })
        .final();
      const errors: unknown[] = [];
      node.onError(({ error }) => void errors.push(error));
      for (const dict of dicts) {
        const k = new DictionaryColumn(Int32Array.from([0, 1, 2]), dict);
        sf.emit(new Frame({ k, v: Float64Array.from([1, 2, 3]) }, Float64Array.from([1, 2, 3]), 't', null));
      }
      const e = errors.at(-1);
      assert.ok(e instanceof TwinstreamError, String(e));
      assert.equal(e.code, 'TS_FRAME_BAD_VALUE');
      assert.match(
        e.message,
        /key column "k": code 2 at row 2 has no dictionary entry; expected -1 \(missing\) or 0 to 1/,
      );
    }
  });
});
