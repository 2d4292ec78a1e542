import { fromJsonNumber, toJsonNumber } from '../core/json-numbers.ts';
import type { Stream } from '../core/stream.ts';
import { DictionaryColumn } from './dictionary-column.ts';
import { Frame } from './frame.ts';
import { FrameStateNode, type FrameStateOptions } from './frame-state-node.ts';
import { StreamingSeries } from './streaming-series.ts';

declare module './streaming-series.ts' {
  interface StreamingSeries {
    /**
     * How often each value has occurred so far, after every frame: a frame with the values (column named after
     * the series) and `count`, most frequent first (ties in order of first appearance), as pandas' value_counts.
     * NaN and missing strings are not counted.
     * Counts are kept per input partition.
     * @example sf.col('sensor').valueCounts()
     */
    valueCounts(options?: FrameStateOptions): Stream<Frame>;
  }
}

StreamingSeries.prototype.valueCounts = function valueCounts(
  this: StreamingSeries,
  options?: FrameStateOptions,
): Stream<Frame> {
  return new FrameStateNode<Frame, Frame>(
    this.source.stream,
    'valueCounts',
    () => {
      const counts = new Map<number | string, number>();
      let strings = false;
      return {
        keeps: 'running or rolling aggregates',
        next: (f, md, out) => {
          const c = this.evaluate(f);
          if (c instanceof DictionaryColumn) {
            strings = true;
            const per = new Float64Array(c.dictionary.length);
            const codes = c.codes;
            for (let i = 0; i < codes.length; i++) if (codes[i]! >= 0) per[codes[i]!]++;
            for (let k = 0; k < per.length; k++)
              if (per[k]! > 0) counts.set(c.dictionary[k]!, (counts.get(c.dictionary[k]!) ?? 0) + per[k]!);
          } else {
            for (let i = 0; i < c.length; i++) {
              const v = c[i]!;
              if (!Number.isNaN(v)) counts.set(v, (counts.get(v) ?? 0) + 1);
            }
          }
          // Map order is first appearance; a stable sort keeps it among equal counts.
          const entries = [...counts].sort((a, b) => b[1] - a[1]);
          const values = entries.map((e) => e[0]);
          const frame = new Frame({
            [this.name]: strings ? (values as string[]) : Float64Array.from(values as number[]),
            count: Float64Array.from(entries, (e) => e[1]),
          });
          return out.emit(frame, md);
        },
        // In first-appearance order; each value says whether it is a number (±Infinity goes as a string).
        save: () => ({
          strings,
          counts: [...counts].map(([v, n]) => (typeof v === 'number' ? [toJsonNumber(v), n, 1] : [v, n, 0])),
        }),
        load(saved) {
          const s = saved as { strings: boolean; counts: [number | string, number, number][] };
          strings = s.strings;
          for (const [v, n, num] of s.counts) counts.set(num === 1 ? fromJsonNumber(v) : v, n);
        },
      };
    },
    options,
  );
};
