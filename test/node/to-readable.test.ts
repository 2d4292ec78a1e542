// toReadable: the elements of a stream as a Node object-mode Readable, pull-based.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Stream } from '../../src/index.ts';
import '../../src/node/index.ts'; // registers toReadable, toWritable, sinkToTextfile on Stream

describe('toReadable', () => {
  test('reads every element and ends when the stream ends', async () => {
    const source = Stream.fromIterable([1, 2, 3, 4]);
    const readable = source.map((x) => x * 10).toReadable();
    source.start();
    const out: number[] = [];
    for await (const x of readable) out.push(x);
    assert.deepEqual(out, [10, 20, 30, 40]);
    assert.equal(readable.readableEnded, true);
  });

  test('an unread Readable makes emit wait once highWaterMark elements (plus one) are buffered', async () => {
    const source = new Stream<number>();
    const readable = source.toReadable({ highWaterMark: 3 });
    readable.pause(); // attach nothing: the Readable fills its buffer and then stops pulling
    readable.read(0);
    const pushed: (void | Promise<void>)[] = [];
    for (let i = 0; i < 6; i++) {
      pushed.push(source.emit(i));
      await new Promise((resolve) => setImmediate(resolve));
    }
    const waiting = pushed.filter((r) => r !== undefined).length;
    assert.ok(waiting >= 1, 'emit must return a promise once the Readable is full');
    assert.ok(readable.readableLength <= 3, `buffered ${readable.readableLength}, bound 3`);
    const out: number[] = [];
    source.end();
    for await (const x of readable) out.push(x);
    assert.deepEqual(out, [0, 1, 2, 3, 4, 5]);
  });

  test('destroying the Readable detaches it from the graph', async () => {
    const source = new Stream<number>();
    const readable = source.toReadable();
    assert.equal(source.downstreams.length, 1);
    readable.destroy();
    await new Promise((resolve) => readable.on('close', resolve));
    assert.equal(source.downstreams.length, 0);
  });

  test('a null element destroys the Readable with TS_NULL_ELEMENT', async () => {
    const source = Stream.fromIterable<number | null>([1, null]);
    const readable = source.toReadable();
    source.start();
    await assert.rejects(
      async () => {
        for await (const _ of readable);
      },
      { code: 'TS_NULL_ELEMENT' },
    );
  });

  test('a bad highWaterMark fails at construction', () => {
    assert.throws(() => new Stream().toReadable({ highWaterMark: 0 }), {
      code: 'TS_BAD_ARGUMENT',
      message: /highWaterMark = 0/,
    });
  });
});
