import assert from 'node:assert/strict';
import { describe, it, test } from 'node:test';
import { DictionaryColumn } from '../../src/frame/index.ts';
import { Frame, Stream, TwinstreamError } from '../../src/index.ts';

const code = (c: string) => (e: unknown) => e instanceof TwinstreamError && e.code === c;

describe('Frame', () => {
  const f = Frame.fromColumns(
    {
      ts: [0, 1000, 2000, 3000],
      sensor: ['a', 'b', 'a', null],
      v: [1, 2, 3, Number.NaN],
      n: new Int32Array([1, 2, 3, 4]),
    },
    { time: 'ts', key: 'sensor' },
  );

  it('holds time as Float64Array, numbers as typed arrays (kept as given), strings dictionary-encoded', () => {
    assert.ok(f.time instanceof Float64Array);
    assert.equal(f.timeName, 'ts');
    assert.ok(f.numeric('v') instanceof Float64Array);
    assert.ok(f.numeric('n') instanceof Int32Array);
    const s = f.strings('sensor');
    assert.deepEqual([...s.codes], [0, 1, 0, -1]);
    assert.deepEqual(s.dictionary, ['a', 'b']);
    assert.deepEqual(s.toArray(), ['a', 'b', 'a', null]);
    assert.equal(f.key, 'sensor');
    assert.deepEqual(f.names, ['sensor', 'v', 'n']);
  });

  it('fails at construction on columns of different lengths or an unknown column, naming it', () => {
    assert.throws(
      () => new Frame({ x: [1, 2, 3], y: [1, 2] }),
      (e: unknown) => code('TS_FRAME_LENGTH_MISMATCH')(e) && /"y"/.test((e as Error).message),
    );
    assert.throws(() => new Frame({ x: [1] }, new Float64Array(2)), code('TS_FRAME_LENGTH_MISMATCH'));
    assert.throws(
      () => Frame.fromColumns({ x: [1] }, { key: 'sensor' }),
      (e: unknown) => code('TS_FRAME_UNKNOWN_COLUMN')(e) && /"sensor"/.test((e as Error).message),
    );
    assert.throws(() => Frame.fromColumns({ x: [1] }, { time: 'ts' }), code('TS_FRAME_UNKNOWN_COLUMN'));
    assert.throws(
      () => f.column('nope'),
      (e: unknown) => code('TS_FRAME_UNKNOWN_COLUMN')(e) && /"nope".*"sensor", "v", "n"/.test((e as Error).message),
    );
    assert.throws(() => f.numeric('sensor'), code('TS_FRAME_NOT_NUMERIC'));
    assert.throws(() => new Frame({ x: [1, 'a'] as any }), code('TS_FRAME_BAD_VALUE'));
    assert.throws(() => new Frame({ x: { a: 1 } as any }), code('TS_FRAME_BAD_COLUMN'));
    assert.throws(() => Frame.fromColumns({ t: ['x'] as any, v: [1] }, { time: 't' }), code('TS_BAD_TIMESTAMP'));
  });

  it('select, filter (mask or predicate), assign, slice', () => {
    assert.deepEqual(f.select('v').names, ['v']);
    assert.equal(f.select('v').key, null);
    const kept = f.filter(new Uint8Array([1, 0, 1, 0]));
    assert.deepEqual([...kept.time!], [0, 2000]);
    assert.deepEqual(kept.strings('sensor').toArray(), ['a', 'a']);
    assert.deepEqual([...f.filter((i, fr) => fr.value('sensor', i) === 'b').numeric('n')], [2]);
    assert.throws(() => f.filter(new Uint8Array(3)), code('TS_FRAME_BAD_MASK'));
    const z = f.assign({ z: (fr) => Float64Array.from(fr.numeric('n'), (x) => x * 10) });
    assert.deepEqual([...z.numeric('z')], [10, 20, 30, 40]);
    assert.equal(f.has('z'), false, 'frames are immutable');
    const s = f.slice(1, 3);
    assert.equal(s.numeric('v').buffer, f.numeric('v').buffer, 'slices share buffers');
    assert.deepEqual([...s.numeric('v')], [2, 3]);
    assert.deepEqual([...f.slice(-1).time!], [3000]);
  });

  it('concat joins frames, remapping dictionaries, and names a column that does not match', () => {
    const a = Frame.fromColumns({ s: ['x', 'y'], v: [1, 2] });
    const b = Frame.fromColumns({ s: ['y', 'z'], v: [3, 4] });
    const c = Frame.concat([a, b]);
    assert.deepEqual(c.strings('s').toArray(), ['x', 'y', 'y', 'z']);
    assert.deepEqual([...c.numeric('v')], [1, 2, 3, 4]);
    assert.throws(
      () => Frame.concat([a, Frame.fromColumns({ s: ['q'] })]),
      (e: unknown) => code('TS_FRAME_SCHEMA_MISMATCH')(e) && /"v"/.test((e as Error).message),
    );
    assert.throws(() => Frame.concat([a, Frame.fromColumns({ s: [1], v: [1] })]), code('TS_FRAME_SCHEMA_MISMATCH'));
    assert.deepEqual(DictionaryColumn.concat([a.strings('s'), b.strings('s')]).dictionary, ['x', 'y', 'z']);
  });

  it('rows -> frame -> rows, with ISO and Date times; bad rows and bad times are named', () => {
    const rows = [
      { ts: '2024-01-01T00:00:00Z', name: 'Alice', amount: 50, ok: true },
      { ts: new Date(1704067201000), name: 'Bob', amount: null, ok: false },
    ];
    const fr = Frame.fromRows(rows, { time: 'ts' });
    assert.deepEqual([...fr.time!], [1704067200000, 1704067201000]);
    assert.deepEqual(fr.toRows(), [
      { ts: 1704067200000, name: 'Alice', amount: 50, ok: 1 },
      { ts: 1704067201000, name: 'Bob', amount: Number.NaN, ok: 0 },
    ]);
    assert.deepEqual(fr.row(1).name, 'Bob');
    assert.throws(
      () => Frame.fromRows([{ ts: 'soon', x: 1 }], { time: 'ts' }),
      (e: unknown) => code('TS_BAD_TIMESTAMP')(e) && /row 0/.test((e as Error).message),
    );
    assert.throws(
      () => Frame.fromRows([{ x: 1 }, { x: { y: 2 } }]),
      (e: unknown) => code('TS_FRAME_BAD_VALUE')(e) && /"x" row 1/.test((e as Error).message),
    );
    assert.throws(() => Frame.fromRows([1]), code('TS_FRAME_BAD_ROW'));
    assert.deepEqual(Frame.fromRows([{ a: 1 }, { b: 'x' }]).toRows(), [
      { a: 1, b: null },
      { a: Number.NaN, b: 'x' },
    ]);
  });
});

test('the event-time option is timestamp, as on rows and Kafka; time, its former name, is accepted', () => {
  const rows = [
    { ts: 0, v: 1 },
    { ts: 1000, v: 2 },
  ];
  const a = Frame.fromRows(rows, { timestamp: 'ts' });
  const b = Frame.fromRows(rows, { time: 'ts' });
  assert.deepEqual([...a.time!], [0, 1000]);
  assert.deepEqual(a.toRows(), b.toRows());
  assert.deepEqual([...Frame.fromColumns({ t: [5, 6], x: [1, 2] }, { timestamp: 't' }).time!], [5, 6]);
  const out: Frame[] = [];
  const s = new Stream<{ ts: number; v: number }>();
  s.toFrames({ size: 2, timestamp: 'ts' }).sink((f) => out.push(f));
  for (const r of rows) s.emit(r);
  assert.deepEqual([...out[0]!.time!], [0, 1000]);
});
