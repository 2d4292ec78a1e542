import '../core/operators/sink.ts';
import { type Pushed, Stream } from '../core/stream.ts';
import type { Block } from './block.ts';
import type { OutputPipe } from './pipe.ts';

/**
 * Writes every element of a stream into a pipe: a row `[timestamp, v1, v2, …]` or a block `{ timestamps, data }`.
 * The write's promise goes back to the emitter, so a pipe behind its `writeLimit` slows the source. Returns the
 * sink node.
 *
 * @example
 * import { Stream } from 'twinstream';
 * import { LocalPipe } from 'twinstream/pipes';
 * const pipe = new LocalPipe({ layout: 'float64_1' });
 * const source = new Stream<number[]>();
 * source.toPipe(pipe);
 * source.emit([1_000_000, 21.5]);
 */
function toPipe(this: Stream<readonly number[] | Block>, pipe: OutputPipe): Stream<unknown> {
  return this.sink((x): Pushed => {
    const r = Array.isArray(x) ? pipe.write([x as number[]]) : pipe.write(x as Block);
    return r;
  });
}

Stream.register('toPipe', toPipe);

declare module '../core/stream.ts' {
  interface Stream<T> {
    /**
     * Writes every element (a row `[ts, …values]` or a block) into a pipe, with back pressure.
     * @example source.toPipe(new LocalPipe({ layout: 'float64_1' }))
     */
    toPipe(pipe: OutputPipe): Stream<unknown>;
  }
}
