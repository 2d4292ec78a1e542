import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Stream } from '../../src/core/index.ts';
import { blockRows, LocalPipe, toStream } from '../../src/pipes/index.ts';

test('toStream: one element per row, consumed as emitted; the source ends with the pipe', async () => {
  const pipe = new LocalPipe({ layout: 'int16_2' });
  const source = toStream(pipe);
  const got = source.sinkToList();
  source.start();
  await pipe.write([
    [1, 1, 2],
    [2, 3, 4],
  ]);
  await pipe.closeInterval();
  await pipe.write([[5, 5, 6]]);
  await pipe.close();
  await source.done;
  assert.deepEqual(got, [
    { timestamp: 1, values: [1, 2] },
    { timestamp: 2, values: [3, 4] },
    { timestamp: 5, values: [5, 6] },
  ]);
  assert.equal(pipe.unconsumed, 0);
});

test('toPipe writes a stream of rows into a pipe, with its timestamp check; toStream gives blocks back', async () => {
  const pipe = new LocalPipe({ layout: 'float64_1' });
  const source = new Stream<number[]>();
  source.toPipe(pipe);
  source.emit([10, 1.5]);
  source.emit([20, 2.5]);
  assert.throws(() => source.emit([15, 0]), { code: 'TS_PIPE_TIMESTAMPS' });
  await pipe.close();
  const blocks = toStream(pipe, { as: 'blocks' });
  const got = blocks.sinkToList();
  blocks.start();
  await blocks.done;
  assert.deepEqual(
    got.map((b) => blockRows(b)),
    [
      [
        [10, 1.5],
        [20, 2.5],
      ],
    ],
  );
});
