// sinkToTextfile: one line per element, back pressure from the file stream, closed on end, stop and destroy.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { RefCounter, Stream, type StreamErrorInfo } from '../../src/index.ts';
import { formatLine } from '../../src/node/sink-to-textfile.ts';
import '../../src/node/index.ts'; // registers toReadable, toWritable, sinkToTextfile on Stream

const dir = mkdtempSync(join(tmpdir(), 'twinstream-textfile-'));
let n = 0;
const freshPath = () => join(dir, `out-${n++}.txt`);

describe('sinkToTextfile', () => {
  test('writes one line per element and closes when the stream ends', async () => {
    const path = freshPath();
    const source = Stream.fromIterable<unknown>(['plain text', 42, 10n, true, null, { id: 'p1', v: [1, 2] }]);
    const sink = source.sinkToTextfile(path);
    source.start();
    await source.done;
    assert.equal(sink.closed, true, 'the end of the stream closes the file');
    await sink.close();
    assert.equal(readFileSync(path, 'utf8'), 'plain text\n42\n10\ntrue\nnull\n{"id":"p1","v":[1,2]}\n');
  });

  test('formatLine: strings as they are, Dates as ISO 8601, objects as JSON', () => {
    assert.equal(formatLine('a "b"'), 'a "b"');
    assert.equal(formatLine(new Date(Date.UTC(2024, 0, 2, 3, 4, 5))), '2024-01-02T03:04:05.000Z');
    assert.equal(formatLine([1, 'x']), '[1,"x"]');
    assert.equal(formatLine(undefined), 'undefined');
  });

  test("mode 'a' appends, with another line end and a custom format", async () => {
    const path = freshPath();
    writeFileSync(path, 'old;');
    const source = new Stream<number>();
    const sink = source.sinkToTextfile(path, { mode: 'a', end: ';', format: (x) => (x as number).toFixed(1) });
    source.emit(1);
    source.emit(2.25);
    source.end();
    await sink.close();
    assert.equal(readFileSync(path, 'utf8'), 'old;1.0;2.3;');
  });

  test("mode 'w' truncates", async () => {
    const path = freshPath();
    writeFileSync(path, 'old contents\n');
    const source = new Stream<string>();
    const sink = source.sinkToTextfile(path);
    source.emit('new');
    await sink.close();
    assert.equal(readFileSync(path, 'utf8'), 'new\n');
  });

  test("emit returns a promise while the file stream's buffer is full, and the order holds", async () => {
    const path = freshPath();
    const source = new Stream<string>();
    const sink = source.sinkToTextfile(path, { highWaterMark: 16 });
    const line = 'x'.repeat(10);
    let waited = 0;
    for (let i = 0; i < 200; i++) {
      const r = source.emit(`${i} ${line}`);
      if (r !== undefined) {
        waited++;
        await r;
      }
    }
    await sink.close();
    assert.ok(waited > 0, 'a 16-byte buffer must push back');
    const lines = readFileSync(path, 'utf8').trimEnd().split('\n');
    assert.deepEqual(
      lines,
      Array.from({ length: 200 }, (_, i) => `${i} ${line}`),
    );
  });

  test('metadata is released once the line reaches the file system', async () => {
    const path = freshPath();
    const source = new Stream<string>();
    const sink = source.sinkToTextfile(path);
    let zeros = 0;
    const ref = new RefCounter(() => zeros++);
    source.emit('checkpointed', [{ ref }]);
    assert.equal(ref.count, 1, 'held while in the write buffer');
    await sink.close();
    assert.equal(ref.count, 0);
    assert.equal(zeros, 1);
  });

  test('stop() and destroy() flush and close the file; a later element fails with TS_SINK_CLOSED', async () => {
    const path = freshPath();
    const source = new Stream<string>();
    const sink = source.sinkToTextfile(path);
    source.emit('before stop');
    sink.stop();
    await sink.close();
    assert.equal(readFileSync(path, 'utf8'), 'before stop\n');
    assert.throws(() => source.emit('after'), { code: 'TS_SINK_CLOSED' });

    const path2 = freshPath();
    const source2 = new Stream<string>();
    const sink2 = source2.sinkToTextfile(path2);
    source2.emit('before destroy');
    sink2.destroy();
    await sink2.close();
    assert.equal(readFileSync(path2, 'utf8'), 'before destroy\n');
    assert.equal(source2.downstreams.length, 0);
  });

  test('an element that cannot be formatted goes to the error branch; the others are written', async () => {
    const path = freshPath();
    const source = new Stream<unknown>();
    const errors: StreamErrorInfo[] = [];
    const sink = source.sinkToTextfile(path).onError((info) => void errors.push(info));
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    source.emit(1);
    source.emit(cyclic);
    source.emit(2);
    await sink.close();
    assert.equal(readFileSync(path, 'utf8'), '1\n2\n');
    assert.equal(errors.length, 1);
    assert.equal(errors[0]!.value, cyclic);
  });

  test('a file that cannot be opened fails close() and the next element with TS_FILE_WRITE', async () => {
    const source = new Stream<string>();
    const sink = source.sinkToTextfile(join(dir, 'no', 'such', 'dir', 'out.txt'));
    await assert.rejects(sink.close(), { code: 'TS_FILE_WRITE', message: /ENOENT/ });
    assert.throws(() => source.emit('x'), { code: 'TS_FILE_WRITE' });
  });

  test('bad arguments fail at construction', () => {
    const s = new Stream();
    assert.throws(() => s.sinkToTextfile(''), { code: 'TS_BAD_ARGUMENT', message: /path/ });
    assert.throws(() => s.sinkToTextfile(freshPath(), { mode: 'x' as any }), {
      code: 'TS_BAD_ARGUMENT',
      message: /mode = "x" is not valid; expected "w" \(truncate\) or "a" \(append\)/,
    });
    assert.throws(() => s.sinkToTextfile(freshPath(), { end: 1 as any }), { code: 'TS_BAD_ARGUMENT' });
    assert.throws(() => s.sinkToTextfile(freshPath(), { format: 'json' as any }), { code: 'TS_BAD_ARGUMENT' });
  });
});
