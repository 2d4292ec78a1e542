import { Writable } from 'node:stream';
import { Stream } from '../core/stream.ts';
import { badArgument, requireInteger } from '../errors.ts';

export interface ToWritableOptions {
  /** How many written elements Node buffers before `write()` returns false. Default 16. */
  highWaterMark?: number;
  /** Whether finishing the Writable ends the stream (`stream.end()`), as a finite source does. Default true. */
  end?: boolean;
}

/**
 * A Node object-mode `Writable` that emits every chunk written to it into `stream`. Each write calls back only
 * after the emit's promise has settled, so a slow graph fills the Writable's buffer and `pipeline()` pauses the
 * producer: back pressure across the edge. An error thrown or rejected by the graph fails the write (and the
 * pipeline). Finishing the Writable ends the stream unless `end: false`.
 *
 * @example
 * const input = new Stream<string>();
 * input.map(JSON.parse).sink(store);
 * await pipeline(createReadStream('in.jsonl'), split2(), input.toWritable());
 */
export function toWritable<T>(stream: Stream<T>, options: ToWritableOptions = {}): Writable {
  const highWaterMark = options.highWaterMark ?? 16;
  requireInteger('toWritable', 'highWaterMark', highWaterMark, 1);
  const end = options.end ?? true;
  if (typeof end !== 'boolean') badArgument('toWritable', 'end', end, 'true or false');
  return new Writable({
    objectMode: true,
    highWaterMark,
    write(chunk, _encoding, callback) {
      let r: void | Promise<void>;
      try {
        r = stream.emit(chunk as T);
      } catch (e) {
        callback(e as Error);
        return;
      }
      if (r === undefined) callback();
      else r.then(() => callback(), callback);
    },
    final(callback) {
      if (end) stream.end();
      callback();
    },
  });
}

declare module '../core/stream.ts' {
  interface Stream<T> {
    /**
     * A Node object-mode `Writable` that emits what is written into this stream: see {@link toWritable}.
     * @example await pipeline(Readable.from(rows), source.toWritable());
     */
    toWritable(options?: ToWritableOptions): Writable;
  }
}

Stream.register('toWritable', function (this: Stream<any>, options?: ToWritableOptions) {
  return toWritable(this, options);
});
