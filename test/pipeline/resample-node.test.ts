// ResampleNode: irregular samples onto a regular grid, per key, with explicit timestamps.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Stream } from '../../src/index.ts';
import { ResampleNode } from '../../src/pipeline/index.ts';

function resample(rows: Record<string, unknown>[], options: ConstructorParameters<typeof ResampleNode>[1]) {
  const source = Stream.fromIterable(rows);
  const out: Record<string, unknown>[] = [];
  const errors: string[] = [];
  const node = new ResampleNode(source, options);
  node.onError(({ error }) => {
    errors.push(error.message);
  });
  node.sink((x) => out.push(x));
  return { source, out, errors };
}

const samples = [
  { t: 0, v: 0, w: 10 },
  { t: 25, v: 5, w: 10 },
  { t: 40, v: 20, w: 0 },
];

test('linear: one point every 10 ms from the first sample to the last, on the line between neighbours', async () => {
  const { source, out } = resample(samples, { every: 10, fields: ['v', 'w'], timestamp: 't' });
  source.start();
  await source.done;
  assert.deepEqual(out, [
    { t: 0, v: 0, w: 10 },
    { t: 10, v: 2, w: 10 },
    { t: 20, v: 4, w: 10 },
    { t: 30, v: 10, w: 10 + (0 - 10) * (5 / 15) },
    { t: 40, v: 20, w: 0 },
  ]);
});

test('previous, next and nearest read the neighbouring samples', async () => {
  const run = async (method: 'previous' | 'next' | 'nearest') => {
    const { source, out } = resample(samples, { every: 10, fields: ['v'], timestamp: 't', method });
    source.start();
    await source.done;
    return out.map((x) => x.v);
  };
  assert.deepEqual(await run('previous'), [0, 0, 0, 5, 20]);
  assert.deepEqual(await run('next'), [0, 5, 5, 20, 20]);
  assert.deepEqual(await run('nearest'), [0, 0, 5, 5, 20]);
});

test('per key, with ISO timestamps; a sample earlier than its predecessor is an error for the error branch', async () => {
  const { source, out, errors } = resample(
    [
      { at: '2024-01-01T00:00:00Z', room: 'a', v: 1 },
      { at: '2024-01-01T00:00:00Z', room: 'b', v: 10 },
      { at: '2024-01-01T00:01:00Z', room: 'a', v: 3 },
      { at: '2023-12-31T23:59:00Z', room: 'b', v: 0 },
      { at: '2024-01-01T00:01:00Z', room: 'b', v: 30 },
    ],
    { every: '30s', fields: ['v'], key: 'room', timestamp: 'at' },
  );
  source.start();
  await source.done;
  const t0 = Date.parse('2024-01-01T00:00:00Z');
  assert.deepEqual(
    out.map((x) => [x.room, (x.at as number) - t0, x.v]),
    [
      ['a', 0, 1],
      ['a', 30_000, 2],
      ['b', 0, 10],
      ['b', 30_000, 20],
      ['a', 60_000, 3],
      ['b', 60_000, 30],
    ],
  );
  assert.equal(errors.length, 1);
  assert.match(
    errors[0]!,
    /resample: at = .* comes before .* the previous sample of b; expected samples in time order/,
  );
});

test('options are checked at construction', () => {
  const s = new Stream();
  assert.throws(
    () => new ResampleNode(s, { every: 0, fields: ['v'] }),
    /every = 0 is not valid; expected a duration > 0/,
  );
  assert.throws(() => new ResampleNode(s, { every: '1s', fields: [] }), /fields = .* expected a non-empty list/);
  assert.throws(
    () => new ResampleNode(s, { every: '1s', fields: ['v'], method: 'cubic' as never }),
    /method = "cubic" is not valid/,
  );
});
