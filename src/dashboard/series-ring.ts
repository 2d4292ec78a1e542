/**
 * The newest points of one plotted series, in a ring of fixed size: times and values in two `Float64Array`s, the
 * oldest point overwritten when the ring is full. `written` counts every point ever added, so a reader that keeps
 * the count it has seen gets what is new with `since`, and, if it fell more than a ring behind, only the newest
 * `capacity` points (the older ones are gone: the stated cost of a slow reader).
 *
 * @example
 * import { SeriesRing } from 'twinstream/dashboard';
 * const ring = new SeriesRing('lathe.queue', 3);
 * for (let i = 0; i < 5; i++) ring.add(i * 1000, i);
 * ring.since(0).values; // Float64Array [2, 3, 4]
 */
export class SeriesRing {
  readonly name: string;
  readonly capacity: number;
  private readonly times: Float64Array;
  private readonly values: Float64Array;
  /** Points added since the ring was made. */
  written = 0;

  constructor(name: string, capacity: number) {
    this.name = name;
    this.capacity = capacity;
    this.times = new Float64Array(capacity);
    this.values = new Float64Array(capacity);
  }

  /** Adds a point: `t` in ms since the epoch. */
  add(t: number, v: number): void {
    const i = this.written % this.capacity;
    this.times[i] = t;
    this.values[i] = v;
    this.written++;
  }

  /** How many points a reader that has seen `seen` points is missing (at most `capacity`). */
  pending(seen: number): number {
    return Math.min(this.written - seen, this.capacity);
  }

  /** Copies the points after the first `seen` (at most the newest `capacity`) into `t` and `v` at `offset`. */
  copySince(seen: number, t: Float64Array, v: Float64Array, offset: number): number {
    const n = this.pending(seen);
    for (let k = 0; k < n; k++) {
      const i = (this.written - n + k) % this.capacity;
      t[offset + k] = this.times[i]!;
      v[offset + k] = this.values[i]!;
    }
    return n;
  }

  /** The points after the first `seen`, as new arrays. */
  since(seen: number): { times: Float64Array; values: Float64Array } {
    const n = this.pending(seen);
    const times = new Float64Array(n);
    const values = new Float64Array(n);
    this.copySince(seen, times, values, 0);
    return { times, values };
  }
}
