import { TwinstreamError } from '../../errors.ts';
import { TimeIndex, type TimeIndexOptions } from '../../time/time-index.ts';
import { Stream } from '../stream.ts';
import './sink.ts';

/** How `toTimeIndex` reads elements: the index options, and where the time is. */
export interface ToTimeIndexOptions<T> extends TimeIndexOptions {
  /** The field holding the time (default `'t'`), or a function of the element. */
  time?: string | ((x: T) => number);
}

declare module '../stream.ts' {
  interface Stream<T> {
    /**
     * Feeds a sorted, bounded `TimeIndex` with every element: its time (field `t` by default) and the values of
     * `columns` (a missing one is NaN). Returns the index, filled as elements arrive, so a model can read a
     * pipeline's output at any time. An element without a finite time throws `TS_BAD_TIMESTAMP` to the emitter.
     * @example
     * const index = readings.toTimeIndex({ columns: ['temperature'], maxRows: 10_000 });
     * index.valueAt(12.5, 'temperature', new Interpolator('linear'));
     */
    toTimeIndex(options: ToTimeIndexOptions<T>): TimeIndex;
  }
}

Stream.register('toTimeIndex', function toTimeIndex(this: Stream<any>, options: ToTimeIndexOptions<any>) {
  const index = new TimeIndex(options);
  const field = typeof options.time === 'string' || options.time === undefined ? (options.time ?? 't') : null;
  const timeOf = options.time as ((x: unknown) => number) | undefined;
  const columns = index.columns;
  const row = new Float64Array(columns.length);
  this.sink((x: Record<string, unknown>) => {
    const t = field === null ? timeOf!(x) : x[field];
    if (typeof t !== 'number' || !Number.isFinite(t)) {
      throw new TwinstreamError(
        'TS_BAD_TIMESTAMP',
        `toTimeIndex: the element's time is ${String(t)}, not a finite number`,
        {
          context: { value: x },
        },
      );
    }
    for (let c = 0; c < columns.length; c++) {
      const v = x[columns[c]!];
      row[c] = typeof v === 'number' ? v : Number.NaN;
    }
    index.insert(t, row);
  });
  return index;
});
