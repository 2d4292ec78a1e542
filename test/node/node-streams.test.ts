// Interop at the Node edge, end to end: Node and web streams into a graph and out of it, with back pressure.
import assert from 'node:assert/strict';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { describe, test } from 'node:test';
import { Stream } from '../../src/index.ts';
import '../../src/node/index.ts'; // registers toReadable, toWritable, sinkToTextfile on Stream

async function drain<T>(stream: Stream<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of stream) out.push(x);
  return out;
}

describe('Node and web streams', () => {
  test('Stream.fromAsyncIterable reads a real Node Readable', async () => {
    let i = 0;
    const readable = new Readable({
      objectMode: true,
      read() {
        this.push(i < 5 ? { t: i++ } : null);
      },
    });
    const source = Stream.fromAsyncIterable<{ t: number }>(readable);
    const done = drain(source.pluck('t'));
    source.start();
    assert.deepEqual(await done, [0, 1, 2, 3, 4]);
  });

  test('Stream.fromAsyncIterable reads a web ReadableStream', async () => {
    let i = 0;
    const web = new ReadableStream<number>({
      pull(controller) {
        if (i < 4) controller.enqueue(i++);
        else controller.close();
      },
    });
    const source = Stream.fromAsyncIterable(web);
    const done = drain(source.map((x) => x * x));
    source.start();
    assert.deepEqual(await done, [0, 1, 4, 9]);
  });

  test('stream.toReadableStream() is read by a real reader, and the reader paces the graph', async () => {
    const source = new Stream<number>();
    const reader = source.toReadableStream().getReader();
    const tick = () => new Promise((resolve) => setImmediate(resolve));
    await tick(); // the ReadableStream pulls once to fill its own queue of one
    assert.equal(source.emit(1), undefined, 'the first element goes into the pull already waiting');
    assert.equal(source.emit(2), undefined, 'one element may wait for the reader (highWaterMark 1)');
    const third = source.emit(3);
    assert.ok(third instanceof Promise, 'the third waits for the reader');
    let settled = false;
    void third.then(() => (settled = true));
    await tick();
    assert.equal(settled, false, 'nothing was read: the emitter still waits');
    assert.deepEqual(await reader.read(), { value: 1, done: false });
    await third;
    assert.deepEqual(await reader.read(), { value: 2, done: false });
    assert.deepEqual(await reader.read(), { value: 3, done: false });
    source.end();
    assert.deepEqual(await reader.read(), { value: undefined, done: true });
  });

  test('pipeline() through a graph into a slow Writable keeps the elements in flight bounded', async () => {
    const total = 300;
    let produced = 0;
    let consumed = 0;
    let most = 0;
    async function* numbers() {
      for (let i = 0; i < total; i++) {
        produced++;
        most = Math.max(most, produced - consumed);
        yield i;
      }
    }
    const slow = new Writable({
      objectMode: true,
      highWaterMark: 2,
      write(x: { i: number }, _encoding, callback) {
        assert.equal(x.i, consumed);
        consumed++;
        setTimeout(callback, 1);
      },
    });
    const input = new Stream<number>();
    const output = input.map((i) => ({ i })).toReadable({ highWaterMark: 4 });
    await Promise.all([
      pipeline(Readable.from(numbers(), { highWaterMark: 2 }), input.toWritable({ highWaterMark: 2 })),
      pipeline(output, slow),
    ]);
    assert.equal(consumed, total);
    // Buffers on the way: 2 (Readable.from) + 2 (toWritable) + 1 (iterator) + 4 (toReadable) + 2 (slow), and the
    // elements each stage is handing over. Without back pressure the producer would run all 300 ahead.
    assert.ok(most <= 16, `at most ${most} elements were in flight; expected <= 16`);
  });
});
