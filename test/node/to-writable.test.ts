// toWritable: a Node Writable that emits into a stream, calling back once the graph is done with each chunk.
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { describe, test } from 'node:test';
import { Stream } from '../../src/index.ts';
import '../../src/node/index.ts'; // registers toReadable, toWritable, sinkToTextfile on Stream

describe('toWritable', () => {
  test('writes go into the stream and finishing the Writable ends it', async () => {
    const input = new Stream<number>();
    const out = input.map((x) => x + 1).sinkToList();
    let ended = false;
    const done = (async () => {
      for await (const _ of input);
      ended = true;
    })();
    await pipeline(Readable.from([1, 2, 3]), input.toWritable());
    await done;
    assert.deepEqual(out, [2, 3, 4]);
    assert.equal(ended, true);
  });

  test('with end: false the stream stays open after the Writable finishes', async () => {
    const input = new Stream<number>();
    let ended = false;
    const it = input[Symbol.asyncIterator]();
    void it.next().then((r) => (ended = r.done === true));
    await pipeline(Readable.from([]), input.toWritable({ end: false }));
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(ended, false);
    await it.return?.();
  });

  test('each write calls back only after the async sink settles', async () => {
    const input = new Stream<number>();
    let running = 0;
    let most = 0;
    input.sink(async () => {
      most = Math.max(most, ++running);
      await new Promise((resolve) => setTimeout(resolve, 2));
      running--;
    });
    await pipeline(Readable.from([1, 2, 3, 4, 5]), input.toWritable());
    assert.equal(most, 1, 'one element at a time reaches a sink that awaits');
  });

  test('an error thrown in the graph fails the pipeline', async () => {
    const input = new Stream<string>();
    input.map((s) => JSON.parse(s)).sinkToList();
    await assert.rejects(pipeline(Readable.from(['1', '{oops']), input.toWritable()), SyntaxError);
  });

  test('bad options fail at construction', () => {
    assert.throws(() => new Stream().toWritable({ highWaterMark: -1 }), { code: 'TS_BAD_ARGUMENT' });
    assert.throws(() => new Stream().toWritable({ end: 'yes' as any }), { code: 'TS_BAD_ARGUMENT', message: /end/ });
  });
});
