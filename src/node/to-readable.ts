import { Readable } from 'node:stream';
import { iterate } from '../core/iterate.ts';
import { Stream } from '../core/stream.ts';
import { requireInteger, TwinstreamError } from '../errors.ts';

export interface ToReadableOptions {
  /** How many elements the Readable buffers before the graph has to wait for its reader. Default 16. */
  highWaterMark?: number;
}

/**
 * A Node object-mode `Readable` of the stream's elements, for `pipeline()` and anything that takes a Node stream.
 * It ends when the stream ends. Pull-based: once `highWaterMark` elements wait unread (plus one held by the
 * iterator), `emit` upstream returns a promise until the reader catches up, so a source that awaits it is slowed
 * down. Destroying the Readable detaches it from the graph. Node streams cannot carry `null`: a `null` element
 * destroys the Readable with a `TS_NULL_ELEMENT` error.
 *
 * @example
 * await pipeline(source.map((r) => `${JSON.stringify(r)}\n`).toReadable(), createWriteStream('out.jsonl'));
 */
export function toReadable<T>(stream: Stream<T>, options: ToReadableOptions = {}): Readable {
  const highWaterMark = options.highWaterMark ?? 16;
  requireInteger('toReadable', 'highWaterMark', highWaterMark, 1);
  // The iterator holds one element at most: the Readable's own buffer is the bound the caller chose.
  const it = iterate(stream, { highWaterMark: 1 });
  return new Readable({
    objectMode: true,
    highWaterMark,
    read() {
      // Readable calls read() again only after a push, so there is one next() at a time.
      it.next().then(
        (r) => {
          if (r.done) this.push(null);
          else if (r.value === null) {
            this.destroy(
              new TwinstreamError(
                'TS_NULL_ELEMENT',
                `toReadable: ${stream.label()} emitted null, which a Node stream cannot carry`,
              ),
            );
          } else this.push(r.value);
        },
        (e) => this.destroy(e),
      );
    },
    destroy(error, callback) {
      it.return?.().then(
        () => callback(error),
        () => callback(error),
      );
    },
  });
}

declare module '../core/stream.ts' {
  interface Stream<T> {
    /**
     * A Node object-mode `Readable` of the elements: see {@link toReadable}.
     * @example source.toReadable({ highWaterMark: 64 }).pipe(process.stdout)
     */
    toReadable(options?: ToReadableOptions): Readable;
  }
}

Stream.register('toReadable', function (this: Stream<any>, options?: ToReadableOptions) {
  return toReadable(this, options);
});
