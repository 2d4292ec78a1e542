// Cumulative operations carried across frames: each output frame holds, per row, the sum / product / min / max of
// everything seen up to that row. NaN rows give NaN and leave the running value alone (pandas' skipna).
import { fromJsonNumber, toJsonNumber } from '../core/json-numbers.ts';
import { DictionaryColumn } from './dictionary-column.ts';
import { Frame } from './frame.ts';
import type { FrameColumn, NumericArray } from './frame-column.ts';
import { FrameStateNode, type FrameStateOptions } from './frame-state-node.ts';
import { StreamingFrame } from './streaming-frame.ts';
import { StreamingSeries } from './streaming-series.ts';

/** The cumulative operations. */
export type Cumulative = 'cumsum' | 'cumprod' | 'cummin' | 'cummax';

const START: Record<Cumulative, number> = {
  cumsum: 0,
  cumprod: 1,
  cummin: Number.POSITIVE_INFINITY,
  cummax: Number.NEGATIVE_INFINITY,
};

/**
 * Runs one cumulative operation over `values` from `acc`; writes into `out` and returns the new running value.
 * @example cumulate('cumsum', new Float64Array([1, 2]), 10, new Float64Array(2)); // out [11, 13], returns 13
 * @internal
 */
export function cumulate(op: Cumulative, values: NumericArray, acc: number, out: Float64Array): number {
  const n = values.length;
  switch (op) {
    case 'cumsum':
      for (let i = 0; i < n; i++) {
        const x = values[i]!;
        if (!Number.isNaN(x)) acc += x;
        out[i] = !Number.isNaN(x) ? acc : x;
      }
      return acc;
    case 'cumprod':
      for (let i = 0; i < n; i++) {
        const x = values[i]!;
        if (!Number.isNaN(x)) acc *= x;
        out[i] = !Number.isNaN(x) ? acc : x;
      }
      return acc;
    case 'cummin':
      for (let i = 0; i < n; i++) {
        const x = values[i]!;
        if (x < acc) acc = x;
        out[i] = !Number.isNaN(x) ? acc : x;
      }
      return acc;
    default:
      for (let i = 0; i < n; i++) {
        const x = values[i]!;
        if (x > acc) acc = x;
        out[i] = !Number.isNaN(x) ? acc : x;
      }
      return acc;
  }
}

function cumulativeFrames(sf: StreamingFrame, op: Cumulative, options?: FrameStateOptions): StreamingFrame {
  const node = new FrameStateNode<Frame, Frame>(
    sf.stream,
    op,
    () => {
      // The running value of each column, per input partition.
      const acc = new Map<string, number>();
      return {
        keeps: 'running or rolling aggregates',
        next(f, md, out) {
          const cols: Record<string, FrameColumn> = {};
          for (const name of f.names) {
            const c = f.column(name);
            if (c instanceof DictionaryColumn) {
              cols[name] = c;
              continue;
            }
            const res = new Float64Array(c.length);
            acc.set(name, cumulate(op, c, acc.get(name) ?? START[op], res));
            cols[name] = res;
          }
          return out.emit(new Frame(cols, f.time, f.timeName, f.key), md);
        },
        save: () => Object.fromEntries([...acc].map(([k, v]) => [k, toJsonNumber(v)])),
        load(saved) {
          for (const [k, v] of Object.entries(saved as Record<string, unknown>)) acc.set(k, fromJsonNumber(v));
        },
      };
    },
    options,
  );
  return new StreamingFrame(node);
}

declare module './streaming-frame.ts' {
  interface StreamingFrame {
    /** Cumulative sum of every numeric column, across frames (per input partition). @example sf.cumsum() */
    cumsum(options?: FrameStateOptions): StreamingFrame;
    /** @example sf.cumprod() */
    cumprod(options?: FrameStateOptions): StreamingFrame;
    /** @example sf.cummin() */
    cummin(options?: FrameStateOptions): StreamingFrame;
    /** @example sf.cummax({ namespace: 'peak' }) */
    cummax(options?: FrameStateOptions): StreamingFrame;
  }
}

declare module './streaming-series.ts' {
  interface StreamingSeries {
    /** Cumulative sum across frames (a series of new frames). @example sf.col('x').cumsum() */
    cumsum(options?: FrameStateOptions): StreamingSeries;
    /** @example sf.col('x').cumprod() */
    cumprod(options?: FrameStateOptions): StreamingSeries;
    /** @example sf.col('x').cummin() */
    cummin(options?: FrameStateOptions): StreamingSeries;
    /** @example sf.col('x').cummax() */
    cummax(options?: FrameStateOptions): StreamingSeries;
  }
}

for (const op of ['cumsum', 'cumprod', 'cummin', 'cummax'] as const) {
  (StreamingFrame.prototype as any)[op] = function (this: StreamingFrame, options?: FrameStateOptions) {
    return cumulativeFrames(this, op, options);
  };
  (StreamingSeries.prototype as any)[op] = function (this: StreamingSeries, options?: FrameStateOptions) {
    return cumulativeFrames(this.frames(), op, options).col(this.name);
  };
}
