import type { TwinstreamError } from '../errors.ts';
import '../core/source.ts';
import type { Source } from '../core/source.ts';
import { Stream } from '../core/stream.ts';
import type { Block } from './block.ts';
import type { DataArray } from './layout.ts';
import type { InputPipe } from './pipe.ts';

/** A row of a pipe as one stream element: its timestamp (µs) and its values. */
export interface PipeRow {
  readonly timestamp: number;
  readonly values: number[];
}

/**
 * A stream source fed by a pipe: one element per row (`{ timestamp, values }`, the default) or per block (copies,
 * so they outlive the pipe's buffer). Each read is consumed once every element of it was emitted and the stream's
 * back pressure settled; the source ends when the pipe is closed and drained.
 *
 * @example
 * import { LocalPipe, toStream } from 'twinstream/pipes';
 * const pipe = new LocalPipe({ layout: 'float32_2' });
 * const rows = toStream(pipe);
 * rows.sink((r) => console.log(r.timestamp, r.values));
 * rows.start();
 * await pipe.write([[1, 0.5, 1.5]]); // logs 1 [0.5, 1.5]
 */
export function toStream(pipe: InputPipe, options?: { as?: 'rows' }): Source<PipeRow>;
export function toStream<D extends DataArray>(pipe: InputPipe<D>, options: { as: 'blocks' }): Source<Block<D>>;
export function toStream(pipe: InputPipe, options: { as?: 'rows' | 'blocks' } = {}): Source<PipeRow | Block> {
  const blocks = options.as === 'blocks';
  const w = pipe.layout.width;
  async function* read(): AsyncGenerator<PipeRow | Block> {
    for (;;) {
      let b: Block;
      try {
        b = await pipe.read();
      } catch (e) {
        if ((e as TwinstreamError).code === 'TS_PIPE_EMPTY') return;
        throw e;
      }
      const n = b.timestamps.length;
      if (blocks) {
        if (n > 0) yield { timestamps: b.timestamps.slice(), data: b.data.slice() as DataArray };
      } else {
        const data = b.data as ArrayLike<number | bigint>;
        for (let i = 0; i < n; i++) {
          const values = new Array<number>(w);
          for (let j = 0; j < w; j++) values[j] = Number(data[i * w + j]);
          yield { timestamp: b.timestamps[i]!, values };
        }
      }
      pipe.consume(n);
    }
  }
  return Stream.fromAsyncIterable(read(), { name: `pipe ${pipe.name}` });
}
