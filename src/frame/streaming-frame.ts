import type { Metadata } from '../core/refcount.ts';
import { type Pushed, Stream } from '../core/stream.ts';
import { badArgument, describe, TwinstreamError } from '../errors.ts';
import { Frame, type RowPredicate } from './frame.ts';
import type { ColumnInput, FrameColumn } from './frame-column.ts';

/**
 * A column computed from each frame of one streaming frame: what `sf.col('x').add(1)` and `sf.col('x').gt(2)` are
 * (`StreamingSeries`). Nothing runs until an operation consumes it; then it is evaluated once per frame, vectorised.
 */
export interface FrameExpression {
  /** The streaming frame whose frames it is computed from. */
  readonly source: StreamingFrame;
  readonly name: string;
  /** The column for one frame of `source`. */
  evaluate(frame: Frame): FrameColumn;
}

/** What `assign` takes per new column: an expression over the same frames, a function of the frame, or a column. */
export type AssignSpec = FrameExpression | ((frame: Frame) => ColumnInput);

/**
 * A stream of frames with the dataframe operations of streamz, vectorised over each frame: column expressions
 * (`col`), `filter`, `assign`, running reductions, cumulative operations, `groupby`, `window`, `rolling`, `ewm`,
 * event-time windows. Each operation returns a new streaming frame (or a stream of results); `stream` is the
 * underlying `Stream<Frame>`, so every core operator applies too.
 *
 * @example
 * const sf = new StreamingFrame();
 * const hot = sf.filter(sf.col('temperature').gt(30)).col('temperature').mean();
 * hot.sink(console.log);
 * sf.emit(Frame.fromRows(rows, { time: 'ts' }));
 */
export class StreamingFrame {
  readonly stream: Stream<Frame>;

  /** Wraps a stream of frames; without one, a new source stream you `emit` frames into. */
  constructor(stream: Stream<Frame> = new Stream<Frame>()) {
    if (!(stream instanceof Stream)) {
      badArgument('StreamingFrame', 'stream', stream, 'a Stream of frames');
    }
    this.stream = stream;
  }

  /** Emits a frame into the underlying stream (checked: it must be a Frame). */
  emit(frame: Frame, metadata?: Metadata): Pushed {
    if (!(frame instanceof Frame)) {
      throw new TwinstreamError(
        'TS_FRAME_NOT_A_FRAME',
        `StreamingFrame.emit: ${describe(frame)} is not a Frame; build one with Frame.fromRows or Frame.fromColumns`,
      );
    }
    return this.stream.emit(frame, metadata);
  }

  /** Tells downstream operators the input ended (windows and buffers flush). */
  end(): void {
    this.stream.end();
  }

  /** Applies `fn` to every frame (stateless; metadata passes along). */
  map(fn: (frame: Frame) => Frame): StreamingFrame {
    return new StreamingFrame(this.stream.map(fn));
  }

  /** Keeps the columns named. */
  select(...names: string[]): StreamingFrame {
    return this.map((f) => f.select(...names));
  }

  /**
   * Keeps the rows where a mask expression is non-zero (`sf.col('x').gt(2)`), or where a predicate over the row
   * index holds.
   * @example sf.filter(sf.col('name').eq('Alice'))
   */
  filter(mask: FrameExpression | RowPredicate): StreamingFrame {
    if (typeof mask === 'function') return this.map((f) => f.filter(mask));
    this.check(mask, 'filter');
    return this.map((f) => {
      const m = mask.evaluate(f);
      if (!(m instanceof Uint8Array)) {
        throw new TwinstreamError(
          'TS_FRAME_BAD_MASK',
          `filter: "${mask.name}" is not a mask; build one with a comparison such as .gt(0)`,
        );
      }
      return f.filter(m);
    });
  }

  /**
   * Adds or replaces columns, computed per frame: expressions over this streaming frame, or functions of the frame.
   * @example sf.assign({ z: sf.col('x').add(sf.col('y')) })
   */
  assign(columns: Readonly<Record<string, AssignSpec>>): StreamingFrame {
    const names = Object.keys(columns);
    for (const n of names) {
      const c = columns[n]!;
      if (typeof c !== 'function') this.check(c, `assign ${n}`);
    }
    return this.map((f) => {
      const cols: Record<string, (frame: Frame) => ColumnInput> = {};
      for (const n of names) {
        const c = columns[n]!;
        cols[n] = typeof c === 'function' ? c : (fr) => c.evaluate(fr);
      }
      return f.assign(cols);
    });
  }

  /** Calls `fn` with every frame (a sink on the underlying stream). */
  sink(fn: (frame: Frame) => unknown): Stream<unknown> {
    return this.stream.sink(fn);
  }

  /** Collects every frame into an array (tests, notebooks). */
  sinkToList(): Frame[] {
    return this.stream.sinkToList();
  }

  /** Running reductions here are already over everything seen: `expanding()` is this frame (streamz's spelling). */
  expanding(): StreamingFrame {
    return this;
  }

  /** @internal Checks that an expression is computed from this streaming frame's own frames. */
  check(e: FrameExpression, where: string): void {
    if (e === null || typeof e !== 'object' || typeof e.evaluate !== 'function') {
      badArgument(where, 'expression', e, "a column expression such as sf.col('x').gt(0)");
    }
    if (e.source.stream !== this.stream) {
      throw new TwinstreamError(
        'TS_FRAME_SOURCE_MISMATCH',
        `${where}: "${e.name}" is computed from another streaming frame; combine columns of the same frames (sf.col(...) of this one)`,
      );
    }
  }
}
