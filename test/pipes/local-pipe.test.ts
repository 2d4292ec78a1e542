import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { blockRows, LocalPipe } from '../../src/pipes/index.ts';

describe('LocalPipe', () => {
  test('a block with a non-increasing timestamp is refused whole, naming the row and both timestamps', async () => {
    const pipe = new LocalPipe({ layout: 'float64_1', name: 'power' });
    await pipe.write([[10, 1]]);
    assert.throws(
      () =>
        pipe.write([
          [11, 1],
          [12, 2],
          [12, 3],
        ]),
      (e: any) =>
        e.code === 'TS_PIPE_TIMESTAMPS' && /row 2: timestamp 12 is not greater than 12 \(row 1\)/.test(e.message),
    );
    assert.throws(
      () => pipe.write([[10, 1]]),
      (e: any) => /row 0: timestamp 10 is not greater than 10, the last timestamp/.test(e.message),
    );
    assert.throws(() => pipe.write([[Number.NaN, 1]]), /timestamp NaN is not a finite number/);
    assert.throws(() => pipe.write([[13.5, 1]]), /not an integer number of microseconds/);
    assert.deepEqual(blockRows(pipe.readNowait()), [[10, 1]]);
  });

  test('typed arrays in: Float64Array or BigInt64Array timestamps, the layout data array', async () => {
    const pipe = new LocalPipe({ layout: 'int16_2' });
    await pipe.write({ timestamps: new BigInt64Array([1n, 2n]), data: new Int16Array([1, 2, 3, 4]) });
    await pipe.write({ timestamps: new Float64Array([3]), data: new Int16Array([5, 6]) });
    assert.throws(
      () => pipe.write({ timestamps: new Float64Array([4]), data: new Float32Array([5, 6]) }),
      (e: any) => e.code === 'TS_PIPE_BAD_BLOCK' && /layout int16_2 needs a Int16Array/.test(e.message),
    );
    assert.throws(
      () => pipe.write({ timestamps: new Float64Array([4]), data: new Int16Array([5]) }),
      /data holds 1 values for 1 timestamps; layout int16_2 needs 2/,
    );
    const b = await pipe.read();
    assert.ok(b.data instanceof Int16Array);
    assert.deepEqual(blockRows(b), [
      [1, 1, 2],
      [2, 3, 4],
      [3, 5, 6],
    ]);
  });

  test('read returns views and consume moves an index: the unconsumed rows are not copied', async () => {
    const pipe = new LocalPipe({ layout: 'float64_2' });
    await pipe.write({ timestamps: Float64Array.from({ length: 100 }, (_, i) => i), data: new Float64Array(200) });
    const first = await pipe.read();
    pipe.consume(40);
    pipe.rereadLast();
    const second = await pipe.read();
    assert.equal(second.timestamps.buffer, first.timestamps.buffer);
    assert.equal(second.timestamps[0], 40);
    assert.equal(second.timestamps.byteOffset, first.timestamps.byteOffset + 40 * 8);
  });

  test('a waiting reader wakes on write, with no polling', async () => {
    const pipe = new LocalPipe({ layout: 'float32_1' });
    const reading = pipe.read();
    const t0 = performance.now();
    await pipe.write([[1, 2]]);
    const b = await reading;
    assert.deepEqual(blockRows(b), [[1, 2]]);
    assert.ok(performance.now() - t0 < 50, 'woken at once, not after a poll interval');
  });

  test('writeLimit: write waits while the reader is behind, and resumes on consume', async () => {
    const pipe = new LocalPipe({ layout: 'float32_1', writeLimit: 2 });
    await pipe.write([
      [1, 0],
      [2, 0],
    ]);
    let written = false;
    const w = Promise.resolve(pipe.write([[3, 0]])).then(() => (written = true));
    await new Promise((r) => setImmediate(r));
    assert.equal(written, false);
    const b = await pipe.read();
    pipe.consume(b.timestamps.length);
    await w;
    assert.equal(written, true);
    assert.deepEqual(blockRows(await pipe.read()), [[3, 0]]);
    pipe.writeNowait([
      [4, 0],
      [5, 0],
    ]);
    assert.throws(
      () => pipe.writeNowait([[6, 0]]),
      (e: any) => e.code === 'TS_PIPE_FULL' && /writeLimit = 2/.test(e.message),
    );
  });

  test('subscribers get every block and interval break; unsubscribe stops them', async () => {
    const pipe = new LocalPipe({ layout: 'uint8_1' });
    const sub = new LocalPipe({ layout: 'uint8_1' });
    const stop = pipe.subscribe(sub);
    await pipe.write([[1, 1]]);
    await pipe.closeInterval();
    await pipe.write([[2, 2]]);
    stop();
    await pipe.write([[3, 3]]);
    assert.deepEqual(blockRows(await sub.read()), [[1, 1]]);
    assert.equal(sub.endOfInterval, true);
    sub.consumeAll();
    assert.deepEqual(blockRows(await sub.read()), [[2, 2]]);
    assert.throws(() => pipe.subscribe(new LocalPipe({ layout: 'uint8_2' })), { code: 'TS_PIPE_BAD_BLOCK' });
  });

  test('an interval closed after the reader consumed everything is still reported, by an empty read', async () => {
    const pipe = new LocalPipe({ layout: 'float32_1' });
    await pipe.write([[1, 0]]);
    pipe.consume((await pipe.read()).timestamps.length);
    await pipe.closeInterval();
    const b = await pipe.read();
    assert.equal(b.timestamps.length, 0);
    assert.equal(pipe.endOfInterval, true);
  });

  test('fail: readers and writers get TS_PIPE_FAILED with the cause', async () => {
    const pipe = new LocalPipe({ layout: 'float32_1' });
    const reading = pipe.read();
    pipe.fail(new Error('sensor gone'));
    await assert.rejects(reading, (e: any) => e.code === 'TS_PIPE_FAILED' && e.cause.message === 'sensor gone');
    assert.throws(() => pipe.write([[1, 0]]), { code: 'TS_PIPE_FAILED' });
  });

  test('a long run keeps memory flat: the storage is reused once the reader has consumed', async () => {
    const pipe = new LocalPipe({ layout: 'float64_8' });
    const ts = new Float64Array(1000);
    const data = new Float64Array(8000);
    let buffer: ArrayBufferLike | undefined;
    for (let k = 0; k < 200; k++) {
      for (let i = 0; i < 1000; i++) ts[i] = k * 1000 + i;
      await pipe.write({ timestamps: ts, data });
      const b = await pipe.read();
      if (k === 1) buffer = b.timestamps.buffer;
      if (k > 1) assert.equal(b.timestamps.buffer, buffer);
      pipe.consumeAll();
    }
  });

  test('at an interval end, what is left after a partial consume is read again at once, then the next interval', async () => {
    const pipe = new LocalPipe({ layout: 'float32_1' });
    await pipe.write([
      [1, 0],
      [2, 0],
      [3, 0],
    ]);
    await pipe.closeInterval();
    await pipe.write([[9, 0]]);
    assert.equal((await pipe.read()).timestamps.length, 3);
    pipe.consume(2);
    assert.deepEqual(Array.from((await pipe.read()).timestamps), [3]);
    assert.equal(pipe.endOfInterval, true);
    pipe.consume(1);
    assert.deepEqual(Array.from((await pipe.read()).timestamps), [9]);
    assert.equal(pipe.endOfInterval, false);
  });

  test('without a break, a reader that kept a tail waits for new rows instead of spinning on it', async () => {
    const pipe = new LocalPipe({ layout: 'float32_1' });
    await pipe.write([
      [1, 0],
      [2, 0],
      [3, 0],
    ]);
    await pipe.read();
    pipe.consume(2);
    let woke = false;
    const next = pipe.read().then((b) => {
      woke = true;
      return b;
    });
    await new Promise((r) => setImmediate(r));
    assert.equal(woke, false);
    await pipe.write([[4, 0]]);
    assert.deepEqual(Array.from((await next).timestamps), [3, 4]);
  });
});
