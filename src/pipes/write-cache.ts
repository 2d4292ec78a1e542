import type { Block } from './block.ts';
import type { DataArray, Layout } from './layout.ts';

/**
 * The writer's staging area of `enableCache(rows)`: rows wait here and go to the reader `rows` at a time (a large
 * write may hand over several full caches at once), or when flushed. Bounded by `rows`.
 */
export class WriteCache {
  readonly #width: number;
  readonly #rows: number;
  readonly #ts: Float64Array;
  readonly #data: DataArray;
  #n = 0;

  constructor(layout: Layout, rows: number) {
    this.#width = layout.width;
    this.#rows = rows;
    this.#ts = new Float64Array(rows);
    this.#data = new layout.DataArray(rows * layout.width);
  }

  add(block: Block, push: (b: Block) => void): void {
    const n = block.timestamps.length;
    const w = this.#width;
    for (let i = 0; i < n; ) {
      const k = Math.min(n - i, this.#rows - this.#n);
      this.#ts.set(block.timestamps.subarray(i, i + k), this.#n);
      (this.#data as Float64Array).set(block.data.subarray(i * w, (i + k) * w) as Float64Array, this.#n * w);
      this.#n += k;
      i += k;
      if (this.#n === this.#rows) this.flush(push);
    }
  }

  /** Hands over the staged rows (the receiver copies them: the arrays are reused). */
  flush(push: (b: Block) => void): void {
    if (this.#n === 0) return;
    const n = this.#n;
    this.#n = 0;
    push({ timestamps: this.#ts.subarray(0, n), data: this.#data.subarray(0, n * this.#width) as DataArray });
  }
}
